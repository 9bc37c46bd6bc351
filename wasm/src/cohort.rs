//! `Engine.cohort`: reads the inputs object and calls `readiness::cohort::cohort_report`.
//!
//! Tables given as arrays of row objects are written as CSV text (every field quoted, columns in
//! first-seen key order) and read by the engine's own CSV readers, so both forms go through the
//! same checks. Errors of an array table name the array index instead of the CSV line.

use crate::error::into_error;
use crate::{reserve_memory, to_json_text};
use js_sys::{Array, Object, Reflect};
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs, CohortReport};
use readiness::error::{CohortError, Location};
use readiness::{Engine, RatingSet};
use wasm_bindgen::prelude::*;

pub(crate) fn report(engine: &Engine, input: &JsValue) -> Result<CohortReport, JsValue> {
    let rubric = engine.rubric();
    let ratings_csv = get(input, "ratingsCsv")?;
    let ratings = get(input, "ratings")?;
    let set = match (ratings_csv.as_string(), ratings.as_string()) {
        (Some(csv), _) | (None, Some(csv)) => {
            reserve_memory(csv.len());
            RatingSet::from_csv_str(&csv, rubric)
        }
        (None, None) => {
            let json = to_json_text(&ratings, "ratings")?;
            reserve_memory(json.len());
            RatingSet::from_json_str(&json, rubric)
        }
    }
    .map_err(into_error)?;

    let mut inputs = CohortInputs::default();
    if let Some(t) = table(input, "attributes", &["candidate"])? {
        inputs.attributes = Some(parse_attributes(&t.text, &set).map_err(|e| t.error(e))?);
    }
    if let Some(t) = table(input, "decisions", &["candidate", "promoted"])? {
        inputs.decisions = Some(parse_decisions(&t.text, &set).map_err(|e| t.error(e))?);
    }
    let overrides = ["candidate", "level", "reason", "author", "date"];
    if let Some(t) = table(input, "overrides", &overrides)? {
        inputs.overrides = parse_overrides(&t.text, &set, rubric).map_err(|e| t.error(e))?;
    }
    cohort_report(&set, rubric, &inputs).map_err(into_error)
}

fn get(input: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if input.is_undefined() || input.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(input, &JsValue::from_str(key))
}

/// A table as CSV text, with the first line of each row when it was an array of objects.
struct Table {
    text: String,
    starts: Option<Vec<u64>>,
}

impl Table {
    /// The engine's error, with CSV lines of an array table turned back into array indices.
    fn error(&self, e: CohortError) -> JsValue {
        let Some(starts) = &self.starts else {
            return into_error(e);
        };
        let at = |loc: Location| match loc {
            Location::Line(1) => Location::Input,
            Location::Line(n) => {
                let i = starts.partition_point(|&s| s <= n).saturating_sub(1);
                Location::Index(i as u64)
            }
            other => other,
        };
        into_error(relocate(e, at))
    }
}

fn relocate(e: CohortError, at: impl Fn(Location) -> Location) -> CohortError {
    match e {
        CohortError::Syntax {
            table,
            location,
            message,
        } => CohortError::Syntax {
            table,
            location: at(location),
            message,
        },
        CohortError::MissingColumn {
            table,
            location,
            column,
            required,
        } => CohortError::MissingColumn {
            table,
            location: at(location),
            column,
            required,
        },
        CohortError::UnknownColumn {
            table,
            location,
            column,
            expected,
        } => CohortError::UnknownColumn {
            table,
            location: at(location),
            column,
            expected,
        },
        CohortError::UnknownCandidate {
            table,
            location,
            candidate,
        } => CohortError::UnknownCandidate {
            table,
            location: at(location),
            candidate,
        },
        CohortError::DuplicateKey {
            table,
            location,
            first,
            key,
        } => CohortError::DuplicateKey {
            table,
            location: at(location),
            first: at(first),
            key,
        },
        CohortError::MissingValue {
            table,
            location,
            column,
        } => CohortError::MissingValue {
            table,
            location: at(location),
            column,
        },
        CohortError::OverrideWithoutReason {
            location,
            candidate,
        } => CohortError::OverrideWithoutReason {
            location: at(location),
            candidate,
        },
        CohortError::InvalidValue {
            table,
            location,
            column,
            message,
        } => CohortError::InvalidValue {
            table,
            location: at(location),
            column,
            message,
        },
        other => other,
    }
}

/// `input[name]`: absent (`undefined`/`null`), CSV text, or an array of row objects written as
/// CSV with `columns` first (so an empty array still has the table's header).
fn table(input: &JsValue, name: &'static str, columns: &[&str]) -> Result<Option<Table>, JsValue> {
    let value = get(input, name)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(Table { text, starts: None }));
    }
    let syntax = |location: Location, message: String| {
        into_error(CohortError::Syntax {
            table: name,
            location,
            message,
        })
    };
    let Some(rows) = value.dyn_ref::<Array>() else {
        return Err(syntax(
            Location::Input,
            "expected CSV text or an array of row objects".into(),
        ));
    };
    let mut header: Vec<String> = columns.iter().map(|c| (*c).to_string()).collect();
    let mut cells: Vec<Vec<(String, String)>> = Vec::with_capacity(rows.length() as usize);
    for (i, row) in rows.iter().enumerate() {
        if !row.is_object() || Array::is_array(&row) {
            return Err(syntax(
                Location::Index(i as u64),
                "expected an object keyed by column name".into(),
            ));
        }
        let mut out = Vec::new();
        for key in Object::keys(row.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            let v = Reflect::get(&row, &JsValue::from_str(&key))?;
            let text = if let Some(s) = v.as_string() {
                s
            } else if let Some(b) = v.as_bool() {
                b.to_string()
            } else if let Some(x) = v.as_f64() {
                x.to_string()
            } else if v.is_null() || v.is_undefined() {
                String::new()
            } else {
                return Err(syntax(
                    Location::Index(i as u64),
                    format!("column `{key}`: expected a string, number, boolean or null"),
                ));
            };
            if !header.contains(&key) {
                header.push(key.clone());
            }
            out.push((key, text));
        }
        cells.push(out);
    }
    let mut text = String::new();
    write_record(&mut text, header.iter().map(String::as_str));
    let mut line = 1 + text.matches('\n').count() as u64;
    let mut starts = Vec::with_capacity(cells.len());
    for row in &cells {
        starts.push(line);
        let start = text.len();
        write_record(
            &mut text,
            header.iter().map(|h| {
                row.iter()
                    .find(|(k, _)| k == h)
                    .map_or("", |(_, v)| v.as_str())
            }),
        );
        line += text[start..].matches('\n').count() as u64;
    }
    Ok(Some(Table {
        text,
        starts: Some(starts),
    }))
}

/// One CSV record, every field quoted.
fn write_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    }
    out.push('\n');
}
