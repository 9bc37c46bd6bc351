//! TOML text to the JSON value the rubric reader takes, without serde in between.
//!
//! The document is parsed by `toml`'s own parser into its spanned tree (`toml::de::DeTable`)
//! and converted here in one recursive pass. Earlier the text went through `toml::Value` (the
//! crate's serde deserializer and `toml::Value`'s visitor) and then `toml::Value`'s `Serialize`
//! into `serde_json::to_value`: the same result with two more serde layers compiled into the
//! WebAssembly module (size budget, issue 6).
//!
//! The result is what that route gave, value for value and key for key (the crate's tests
//! compare the two on thousands of documents, valid and broken):
//! - tables become objects with their keys in document order, arrays arrays, strings, booleans
//!   and integers themselves, floats numbers;
//! - a datetime becomes `{"$__toml_private_datetime": "<the datetime as TOML writes it>"}`
//!   (`toml_datetime`'s serialized form; no rubric field takes one, so it is refused as a wrong
//!   type), and so does a table whose first key is that name (`toml::Value` reads such a table
//!   as a datetime and ignores its other keys);
//! - an integer outside `i64` and a float outside `f64` are refused with the message and the
//!   line/column excerpt `toml` gave for them;
//! - NaN and infinite floats are refused (JSON has neither), naming the first one's path, but
//!   only after the whole document converted (the earlier route reported value errors first);
//! - syntax errors carry `toml`'s message and excerpt, laid out here (by [`excerpt`], the layout
//!   of `toml::de::Error`'s `Display`, which is then not compiled into the module).

use crate::error::RubricError;
use serde_json::{Map, Value};
use std::ops::Range;
use toml::de::{DeInteger, DeTable, DeValue};
use toml::Spanned;

/// The key `toml_datetime` writes a datetime under (its serialized form).
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// What the datetime string's reader expects (its wrong-type messages).
const DATETIME_EXPECTED: &str = "string containing a datetime";

/// Parses TOML `text` (without a byte-order mark) into a JSON value.
///
/// # Errors
/// [`RubricError::Syntax`] for a syntax error or a number out of range (with `toml`'s message
/// and excerpt); [`RubricError::InvalidWeight`] or [`RubricError::InvalidValue`] for the first
/// NaN or infinite float.
pub(super) fn toml_to_json(text: &str) -> Result<Value, RubricError> {
    // `toml`'s own `Display` of the error, through [`excerpt`] (one copy of that layout in the
    // module).
    let root = DeTable::parse(text).map_err(|e| match e.span() {
        Some(span) => super::toml_syntax(&excerpt(text, span, e.message())),
        None => super::toml_syntax(e.message()),
    })?;
    let mut conv = Converter {
        text,
        path: String::new(),
        non_finite: None,
    };
    let value = conv.table(root.get_ref())?;
    match conv.non_finite {
        Some(e) => Err(e),
        None => Ok(value),
    }
}

struct Converter<'t> {
    /// The document, for error excerpts.
    text: &'t str,
    /// Path of the value being converted (`a.b[2].c`).
    path: String,
    /// The first NaN or infinite float met.
    non_finite: Option<RubricError>,
}

impl Converter<'_> {
    fn value(&mut self, v: &Spanned<DeValue<'_>>) -> Result<Value, RubricError> {
        let span = v.span();
        Ok(match v.get_ref() {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Integer(i) => Value::from(self.integer(i, span, false)?),
            DeValue::Float(f) => {
                let x = self.float(f.as_str(), span)?;
                if !x.is_finite() && self.non_finite.is_none() {
                    self.non_finite = Some(super::non_finite_error(&self.path, x));
                }
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => datetime(d.to_string()),
            DeValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push('[');
                    self.path.push_str(&i.to_string());
                    self.path.push(']');
                    out.push(self.value(x)?);
                    self.path.truncate(len);
                }
                Value::Array(out)
            }
            DeValue::Table(t) => self.table(t)?,
        })
    }

    fn table(&mut self, t: &DeTable<'_>) -> Result<Value, RubricError> {
        let mut out = Map::with_capacity(t.len());
        for (n, (k, x)) in t.iter().enumerate() {
            let key: &str = k.get_ref();
            if n == 0 && key == DATETIME_KEY {
                return self.datetime_table(x);
            }
            let len = self.path.len();
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(key);
            let v = self.value(x)?;
            self.path.truncate(len);
            out.insert(key.to_string(), v);
        }
        Ok(Value::Object(out))
    }

    /// A table whose first key is [`DATETIME_KEY`]: its value must be a string holding a
    /// datetime (`toml::Value`'s reading of it).
    fn datetime_table(&mut self, v: &Spanned<DeValue<'_>>) -> Result<Value, RubricError> {
        let span = v.span();
        let unexpected = match v.get_ref() {
            DeValue::String(s) => {
                return match s.parse::<toml::value::Datetime>() {
                    Ok(d) => Ok(datetime(d.to_string())),
                    Err(e) => Err(self.error(span, &e.to_string())),
                }
            }
            DeValue::Integer(i) => format!("integer `{}`", self.integer(i, span.clone(), true)?),
            DeValue::Float(f) => {
                let x = self.float(f.as_str(), span.clone())?;
                serde::de::Unexpected::Float(x).to_string()
            }
            DeValue::Boolean(b) => format!("boolean `{b}`"),
            DeValue::Array(_) => "sequence".to_string(),
            DeValue::Datetime(_) | DeValue::Table(_) => "map".to_string(),
        };
        Err(self.error(
            span,
            &format!("invalid type: {unexpected}, expected {DATETIME_EXPECTED}"),
        ))
    }

    /// An integer as `toml`'s deserializer hands it on: `i64`, or the errors it and the reading
    /// visitor (`toml::Value`'s, or the datetime string's when `datetime`) raise for larger ones.
    fn integer(
        &self,
        i: &DeInteger<'_>,
        span: Range<usize>,
        datetime: bool,
    ) -> Result<i64, RubricError> {
        let expected = if datetime {
            DATETIME_EXPECTED
        } else {
            "any valid TOML value"
        };
        let (s, radix) = (i.as_str(), i.radix());
        if let Ok(v) = i64::from_str_radix(s, radix) {
            return Ok(v);
        }
        let message = if let Ok(v) = u64::from_str_radix(s, radix) {
            if datetime {
                format!("invalid type: integer `{v}`, expected {expected}")
            } else {
                "u64 value was too large".to_string()
            }
        } else {
            match magnitude(s, radix) {
                Some((true, m)) if fits(&m, I128_MIN_MAGNITUDE) => {
                    format!("invalid type: integer `-{m}` as i128, expected {expected}")
                }
                Some((false, m)) if fits(&m, I128_MAX) => {
                    format!("invalid type: integer `{m}` as i128, expected {expected}")
                }
                Some((false, m)) if fits(&m, U128_MAX) => {
                    format!("invalid type: integer `{m}` as u128, expected {expected}")
                }
                _ => "integer number overflowed".to_string(),
            }
        };
        Err(self.error(span, &message))
    }

    /// A float as `toml` reads it: Rust's parse, refusing an overflow to infinity (`1e400`)
    /// but not an infinity written as one (`inf`).
    fn float(&self, s: &str, span: Range<usize>) -> Result<f64, RubricError> {
        match s.parse::<f64>() {
            Ok(x) if !x.is_infinite() || s.contains("inf") => Ok(x),
            _ => Err(self.error(span, "floating-point number overflowed")),
        }
    }

    /// A syntax error at `span` worded as `toml` words its errors (excerpt with the line and
    /// column, then the message).
    fn error(&self, span: Range<usize>, message: &str) -> RubricError {
        super::toml_syntax(&excerpt(self.text, span, message))
    }
}

/// `i128::MAX`, `i128::MIN`'s magnitude and `u128::MAX` in decimal: the ranges `toml` tries
/// after `i64` and `u64` (compared as text, which spares the module 128-bit parsing and
/// formatting).
const I128_MAX: &str = "170141183460469231731687303715884105727";
const I128_MIN_MAGNITUDE: &str = "170141183460469231731687303715884105728";
const U128_MAX: &str = "340282366920938463463374607431768211455";

/// Whether the decimal magnitude `m` (no leading zeros) is at most `max`.
fn fits(m: &str, max: &str) -> bool {
    (m.len(), m) <= (max.len(), max)
}

/// An integer's text as `from_str_radix` reads it (an optional `+` or `-`, then digits in
/// `radix`): whether it is negative and its magnitude in decimal; `None` if it is no such
/// text.
fn magnitude(s: &str, radix: u32) -> Option<(bool, String)> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return None;
    }
    // Decimal digits, least significant first.
    let mut decimal: Vec<u8> = vec![0];
    for c in digits.chars() {
        let mut carry = c.to_digit(radix)?;
        for d in &mut decimal {
            let x = u32::from(*d) * radix + carry;
            *d = (x % 10) as u8;
            carry = x / 10;
        }
        while carry > 0 {
            decimal.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while decimal.len() > 1 && decimal.last() == Some(&0) {
        decimal.pop();
    }
    Some((
        negative,
        decimal.iter().rev().map(|d| char::from(b'0' + d)).collect(),
    ))
}

/// A datetime in `toml_datetime`'s serialized form.
fn datetime(text: String) -> Value {
    let mut m = Map::with_capacity(1);
    m.insert(DATETIME_KEY.to_string(), Value::String(text));
    Value::Object(m)
}

/// `message` after an excerpt of `text` marking `span` (the layout of `toml::de::Error`'s
/// `Display`: "TOML parse error at line L, column C", the line with a gutter, carets under the
/// span; columns count characters).
fn excerpt(text: &str, span: Range<usize>, message: &str) -> String {
    let bytes = text.as_bytes();
    let (line, column) = if bytes.is_empty() {
        (0, span.start)
    } else {
        let at = span.start.min(bytes.len() - 1);
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = bytes[..line_start].iter().filter(|&&b| b == b'\n').count();
        let column = std::str::from_utf8(&bytes[line_start..=at])
            .map(|s| s.chars().count() - 1)
            .unwrap_or(at - line_start);
        (line, column + (span.start - at))
    };
    let content = text.split('\n').nth(line).unwrap_or("");
    let carets = (span.end - span.start)
        .min(content.len().saturating_sub(column))
        .max(1);
    let number = (line + 1).to_string();
    let pad = " ".repeat(number.len() + 1);
    format!(
        "TOML parse error at line {number}, column {}\n{pad}|\n{number} | {content}\n{pad}|{} {}\n{message}\n",
        column + 1,
        " ".repeat(column),
        "^".repeat(carets)
    )
}

#[cfg(test)]
mod tests {
    //! The conversion against the route it replaced (`toml::from_str::<toml::Value>`, a NaN and
    //! infinity check over that tree, `serde_json::to_value`): the same value, keys in the same
    //! order, or the same error, for thousands of documents.
    use super::*;

    /// The previous route, as `Rubric::from_toml_str_with_limits` ran it.
    fn previous(text: &str) -> Result<Value, RubricError> {
        fn check_finite(v: &toml::Value, path: &mut String) -> Result<(), RubricError> {
            match v {
                toml::Value::Float(x) if !x.is_finite() => {
                    Err(super::super::non_finite_error(path, *x))
                }
                toml::Value::Table(t) => {
                    for (k, x) in t {
                        let len = path.len();
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                        check_finite(x, path)?;
                        path.truncate(len);
                    }
                    Ok(())
                }
                toml::Value::Array(items) => {
                    for (i, x) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{i}]"));
                        check_finite(x, path)?;
                        path.truncate(len);
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
        let value: toml::Value =
            toml::from_str(text).map_err(|e| super::super::toml_syntax(&e.to_string()))?;
        check_finite(&value, &mut String::new())?;
        serde_json::to_value(value).map_err(|e| RubricError::Syntax {
            format: "TOML",
            message: e.to_string(),
        })
    }

    /// Both routes' results, values as text (`Value`'s `==` ignores key order) and errors as
    /// their `Debug` form (`==` fails on a NaN they carry).
    fn both(text: &str) -> (Result<String, String>, Result<String, String>) {
        let show =
            |r: Result<Value, RubricError>| r.map(|v| v.to_string()).map_err(|e| format!("{e:?}"));
        (show(toml_to_json(text)), show(previous(text)))
    }

    /// Values that are out of range, not finite, datetimes, tables read as datetimes, or
    /// broken, and a few ordinary ones.
    const VALUES: &[&str] = &[
        "1",
        "-1",
        "0.5",
        "true",
        "\"x\"",
        "'lit'",
        "\"\"\"multi\nline\"\"\"",
        "[]",
        "{}",
        "{ a = 1, b = [2, 3.5] }",
        "[[1], [2.0, \"x\"]]",
        "1e400",
        "-1e400",
        "1e-400",
        "nan",
        "+nan",
        "-nan",
        "inf",
        "+inf",
        "-inf",
        "[1, nan, 1e400]",
        "[[1], [-inf]]",
        "{ w = nan }",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "170141183460469231731687303715884105728",
        "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456",
        "+9223372036854775808",
        "170141183460469231731687303715884105727",
        "+170141183460469231731687303715884105728",
        "-170141183460469231731687303715884105728",
        "-170141183460469231731687303715884105729",
        "-340282366920938463463374607431768211455",
        "0x8000000000000000",
        "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "0x100000000000000000000000000000000",
        "0o3777777777777777777777777777777777777777777",
        "0o4000000000000000000000000000000000000000000",
        "0b10000000000000000000000000000000000000000000000000000000000000000",
        "0xffffffffffffffff",
        "0x7fffffffffffffff",
        "0x1_0000_0000_0000_0000_0000_0000_0000_0000",
        "0o7777777777777777777777",
        "0b1111111111111111111111111111111111111111111111111111111111111111",
        "1_000",
        "1979-05-27T07:32:00Z",
        "1979-05-27T07:32:00.999999-07:00",
        "1979-05-27 07:32:00",
        "1979-05-27",
        "07:32:00",
        "{ \"$__toml_private_datetime\" = \"1979-05-27\", zz = 1e400 }",
        "{ \"$__toml_private_datetime\" = \"1979-05-27T07:32:00.5+01:00\" }",
        "{ \"$__toml_private_datetime\" = \"x\" }",
        "{ \"$__toml_private_datetime\" = 5 }",
        "{ \"$__toml_private_datetime\" = -5.5 }",
        "{ \"$__toml_private_datetime\" = 1.0 }",
        "{ \"$__toml_private_datetime\" = 1e400 }",
        "{ \"$__toml_private_datetime\" = nan }",
        "{ \"$__toml_private_datetime\" = 18446744073709551615 }",
        "{ \"$__toml_private_datetime\" = -9223372036854775809 }",
        "{ \"$__toml_private_datetime\" = 999999999999999999999999999999999999999999 }",
        "{ \"$__toml_private_datetime\" = false }",
        "{ \"$__toml_private_datetime\" = [1] }",
        "{ \"$__toml_private_datetime\" = {} }",
        "{ \"$__toml_private_datetime\" = 1979-05-27 }",
        "{ zz = 1, \"$__toml_private_datetime\" = \"x\" }",
        "= 3",
        "\"unterminated",
        "1__0",
        "[1, 2",
        "{ a = 1",
        "tru",
        "\"\\q\"",
        "0x",
    ];

    /// The standard rubric whole; every value line of its first part (scale, rater groups,
    /// policy, the first dimension) with its value replaced by each of [`VALUES`], removed, and
    /// repeated; then documents with broken and unusual structure.
    fn documents() -> Vec<String> {
        let whole = crate::rubric::STANDARD_TOML;
        let mut docs = vec![whole.to_string(), whole.replace('\n', "\r\n")];
        let lines: Vec<&str> = whole
            .lines()
            .take_while(|l| !l.starts_with("# Attitude"))
            .collect();
        for (i, line) in lines.iter().enumerate() {
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            let with = |new: Option<String>| -> String {
                let mut out: Vec<String> = lines[..i].iter().map(|s| s.to_string()).collect();
                out.extend(new);
                out.extend(lines[i + 1..].iter().map(|s| s.to_string()));
                out.join("\n")
            };
            for v in VALUES {
                docs.push(with(Some(format!("{key} = {v}"))));
            }
            docs.push(with(None));
            docs.push(with(Some(format!("{line}\n{line}"))));
        }
        for extra in [
            "",
            "\n",
            "# only a comment",
            "é = 1e400",
            "\"ключ\" = 18446744073709551616 # after unicode",
            "a = 1\r\nb = 1e400\r\n",
            "a.b.c = nan",
            "a = [{ b = [{ c = inf }] }]",
            "[x]\n[x]",
            "[[x]]\na = 1\n[[x]]\na = inf\n[[x]]\na = 1e400",
            "x = 1\n[x]",
            "\"$__toml_private_datetime\" = \"1979-05-27\"\nb = 1",
            "\"$__toml_private_datetime\" = \"not a date\"",
            "[t]\n\"$__toml_private_datetime\" = \"1979-05-27\"\n[t.u]\nv = nan",
            "[[t]]\n\"$__toml_private_datetime\" = \"1979-05-27\"",
            "a = 1\na = 2",
            "a = \"",
            "a = 1e400\nb = 18446744073709551616",
            "b = nan\na = 1e400",
            "k = 1e400 # a long line: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            docs.push(extra.to_string());
            docs.push(format!("{extra}\n{}", lines[..60].join("\n")));
        }
        docs
    }

    #[test]
    fn same_result_as_the_serde_route() {
        let docs = documents();
        let (mut failing, mut syntax, mut ranged) = (0, 0, 0);
        for doc in &docs {
            let (new, old) = both(doc);
            assert_eq!(new, old, "document:\n{doc}");
            if let Err(e) = &old {
                failing += 1;
                if e.starts_with("Syntax") {
                    syntax += 1;
                    ranged += usize::from(
                        ["overflowed", "too large", "datetime"]
                            .iter()
                            .any(|m| e.contains(m)),
                    );
                }
            }
        }
        // A large set, mostly broken, and many of the errors raised by the conversion itself.
        assert!(docs.len() > 5000, "{} documents", docs.len());
        assert!(failing > 3000, "{failing} failing documents");
        assert!(
            ranged > 1000,
            "{ranged} of {syntax} syntax errors from the conversion"
        );
    }

    /// `rubrics/standard.json` is the standard TOML's document as compact JSON (what
    /// `Rubric::standard` reads). `READINESS_WRITE_STANDARD_JSON=1 cargo test -p readiness
    /// standard_json` rewrites it after a change to `rubrics/standard.toml` (the next run
    /// compiles it in).
    #[test]
    fn standard_json_is_the_standard_toml() {
        let json = toml_to_json(crate::rubric::STANDARD_TOML).map(|v| v.to_string());
        let json = json.unwrap_or_else(|e| panic!("standard TOML: {e}"));
        if std::env::var_os("READINESS_WRITE_STANDARD_JSON").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rubrics/standard.json");
            std::fs::write(path, &json).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        assert!(
            json == crate::rubric::STANDARD_JSON,
            "rubrics/standard.json is not rubrics/standard.toml: run \
             READINESS_WRITE_STANDARD_JSON=1 cargo test -p readiness standard_json twice"
        );
        let from_toml = crate::Rubric::from_toml_str(crate::rubric::STANDARD_TOML);
        assert_eq!(from_toml.as_ref().ok(), Some(&crate::Rubric::standard()));
        assert_eq!(
            from_toml.map(|r| r.fingerprint()).ok(),
            Some(crate::Rubric::standard().fingerprint())
        );
    }

    #[test]
    fn datetimes_and_tables_read_as_datetimes() {
        let v = toml_to_json(
            "a = 1979-05-27T07:32:00Z\nb = { \"$__toml_private_datetime\" = \"07:32:00\", c = 1 }",
        );
        assert_eq!(
            v.map(|v| v.to_string()).ok().as_deref(),
            Some(
                r#"{"a":{"$__toml_private_datetime":"1979-05-27T07:32:00Z"},"b":{"$__toml_private_datetime":"07:32:00"}}"#
            )
        );
    }

    #[test]
    fn number_errors_name_the_line_and_column() {
        let e = toml_to_json("a = 1\nb = [1, 1e400]\n").err();
        assert_eq!(
            e,
            Some(RubricError::Syntax {
                format: "TOML",
                message: "TOML parse error at line 2, column 9   | 2 | b = [1, 1e400]   |         ^^^^^ floating-point number overflowed".into(),
            })
        );
        let e = toml_to_json("[x]\nweight = -inf").err();
        assert_eq!(
            e,
            Some(RubricError::InvalidWeight {
                path: "x.weight".into(),
                value: f64::NEG_INFINITY
            })
        );
    }
}
