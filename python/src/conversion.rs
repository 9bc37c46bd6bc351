//! Conversions between Python objects and the engine's types: JSON-like values both ways,
//! numpy matrices to `Option<f64>` rows (NaN = missing), data-frame columns to
//! [`readiness::columns::Column`], and the flat assessment table to numpy arrays and lists.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;
use readiness::columns::{Codes, Column, Factor, Runs};
use readiness::table::{Table, Values};
use serde_json::Value;
use std::collections::HashMap;

/// A JSON value as the matching Python object (dicts keep key order).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Serializes an engine document and converts it to Python.
pub fn to_py_doc<'py, T: serde::Serialize>(
    py: Python<'py>,
    doc: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(doc)
        .map_err(|e| PyValueError::new_err(format!("cannot serialize result: {e}")))?;
    json_to_py(py, &value)
}

/// A Python object (dict, list, tuple, str, int, float, bool, None, numpy scalar) as JSON.
/// NaN becomes `null` (missing, as NaN is "not rated" in a data frame); ±∞ becomes the text
/// `"inf"`/`"-inf"`, which the engine refuses with its typed error (`score_not_finite` for a
/// score, naming the row) instead of reading it as "not rated". `path` names the position for
/// errors.
pub fn py_to_json(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyValueError::new_err(format!("{path}: integer too large")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        if x.is_infinite() {
            let text = if x > 0.0 { "inf" } else { "-inf" };
            return Ok(Value::String(text.to_owned()));
        }
        return Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("{path}: dict keys must be strings")))?;
            let key = key.to_cow()?.into_owned();
            let value = py_to_json(&v, &format!("{path}.{key}"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            out.push(py_to_json(&item?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    // numpy scalars (and pandas' NA-free scalars) convert through `.item()`.
    if obj.hasattr("item")? && obj.hasattr("dtype")? {
        let item = obj.call_method0("item")?;
        if !item.is(obj) {
            return py_to_json(&item, path);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{path}: cannot use a value of type {}",
        obj.get_type().name()?
    )))
}

/// A 2-D float64 array as rows of `Option<f64>` (NaN = missing; infinities stay, so the
/// engine reports them).
pub fn matrix(a: &PyReadonlyArray2<'_, f64>) -> Vec<Vec<Option<f64>>> {
    a.as_array()
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&x| (!x.is_nan()).then_some(x)).collect())
        .collect()
}

/// A 2-D float64 array as one row-major buffer of `Option<f64>` (NaN = missing) and its
/// number of columns: one allocation, for the engine functions that take any slice rows
/// (`buffer.chunks(columns)`).
pub fn matrix_flat(a: &PyReadonlyArray2<'_, f64>) -> (Vec<Option<f64>>, usize) {
    let view = a.as_array();
    let flat = view.iter().map(|&x| (!x.is_nan()).then_some(x)).collect();
    (flat, view.ncols())
}

/// A 1-D float64 array as `Option<f64>` values (NaN = missing).
pub fn vector(a: &PyReadonlyArray1<'_, f64>) -> Vec<Option<f64>> {
    a.as_array()
        .iter()
        .map(|&x| (!x.is_nan()).then_some(x))
        .collect()
}

/// Codes of one id column, borrowed from a numpy integer array.
pub enum CodesArray<'py> {
    I8(PyReadonlyArray1<'py, i8>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
}

impl CodesArray<'_> {
    fn extract<'py>(a: &Bound<'py, PyAny>) -> PyResult<CodesArray<'py>> {
        Ok(if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i64>>() {
            CodesArray::I64(c)
        } else if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i32>>() {
            CodesArray::I32(c)
        } else if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i16>>() {
            CodesArray::I16(c)
        } else {
            CodesArray::I8(a.extract::<PyReadonlyArray1<'py, i8>>()?)
        })
    }

    fn codes(&self, name: &str) -> PyResult<Codes<'_>> {
        Ok(match self {
            CodesArray::I8(a) => Codes::I8(a.as_slice().map_err(|_| contiguous(name))?),
            CodesArray::I16(a) => Codes::I16(a.as_slice().map_err(|_| contiguous(name))?),
            CodesArray::I32(a) => Codes::I32(a.as_slice().map_err(|_| contiguous(name))?),
            CodesArray::I64(a) => Codes::I64(a.as_slice().map_err(|_| contiguous(name))?),
        })
    }
}

fn contiguous(name: &str) -> PyErr {
    PyValueError::new_err(format!("column `{name}`: array is not contiguous"))
}

/// Arrow string offsets (`string` or `large_string`), borrowed from numpy.
pub enum OffsetsArray<'py> {
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
}

/// One Arrow string array as numpy views of its buffers: `(offsets, data, validity, offset,
/// length)`; validity is a bitmap or None.
pub struct ArrowArrays<'py> {
    offsets: OffsetsArray<'py>,
    data: PyReadonlyArray1<'py, u8>,
    validity: Option<PyReadonlyArray1<'py, u8>>,
    offset: usize,
    len: usize,
}

impl ArrowArrays<'_> {
    fn extract<'py>(item: &Bound<'py, PyAny>) -> PyResult<ArrowArrays<'py>> {
        let (offsets, data, validity, offset, len): (
            Bound<'py, PyAny>,
            PyReadonlyArray1<'py, u8>,
            Option<PyReadonlyArray1<'py, u8>>,
            usize,
            usize,
        ) = item.extract()?;
        let offsets = if let Ok(o) = offsets.extract::<PyReadonlyArray1<'py, i64>>() {
            OffsetsArray::I64(o)
        } else {
            OffsetsArray::I32(offsets.extract()?)
        };
        Ok(ArrowArrays {
            offsets,
            data,
            validity,
            offset,
            len,
        })
    }

    fn strings(&self, name: &str) -> PyResult<ArrowStrings<'_>> {
        Ok(ArrowStrings {
            offsets: match &self.offsets {
                OffsetsArray::I32(a) => Offsets::I32(a.as_slice().map_err(|_| contiguous(name))?),
                OffsetsArray::I64(a) => Offsets::I64(a.as_slice().map_err(|_| contiguous(name))?),
            },
            data: self.data.as_slice().map_err(|_| contiguous(name))?,
            validity: match &self.validity {
                Some(v) => Some(v.as_slice().map_err(|_| contiguous(name))?),
                None => None,
            },
            offset: self.offset,
            len: self.len,
        })
    }
}

/// The distinct values of a dictionary-encoded column.
pub enum ValuesArrays<'py> {
    /// A list of `str`.
    List(Vec<String>),
    /// An Arrow string array.
    Arrow(ArrowArrays<'py>),
}

/// One data-frame column as handed over by the Python layer, holding its numpy borrows.
pub enum ColumnArrays<'py> {
    /// Codes and distinct values (`"text"`: a list of `str`; `"text_arrow"`: Arrow buffers).
    Text(CodesArray<'py>, ValuesArrays<'py>),
    /// One string per row, as the chunks of an Arrow string array (`"strings_arrow"`),
    /// dictionary-encoded here.
    Strings(Vec<ArrowArrays<'py>>),
    Numbers(PyReadonlyArray1<'py, f64>),
    Other(usize, String),
}

/// Reads `(name, kind, a, b)` tuples: `("text", codes, [str])`, `("text_arrow", codes,
/// arrow)`, `("strings_arrow", [arrow], None)`, `("numbers", float64 array, None)` or
/// `("other", length, dtype name)`, where `arrow` is `(offsets, data, validity, offset,
/// length)`.
pub fn columns<'py>(spec: &Bound<'py, PyList>) -> PyResult<Vec<(String, ColumnArrays<'py>)>> {
    let mut out = Vec::with_capacity(spec.len());
    for item in spec.iter() {
        let (name, kind, a, b): (String, String, Bound<'py, PyAny>, Bound<'py, PyAny>) =
            item.extract()?;
        let col = match kind.as_str() {
            "text" => {
                ColumnArrays::Text(CodesArray::extract(&a)?, ValuesArrays::List(b.extract()?))
            }
            "text_arrow" => ColumnArrays::Text(
                CodesArray::extract(&a)?,
                ValuesArrays::Arrow(ArrowArrays::extract(&b)?),
            ),
            "strings_arrow" => {
                let chunks = a.cast::<PyList>()?;
                ColumnArrays::Strings(
                    chunks
                        .iter()
                        .map(|c| ArrowArrays::extract(&c))
                        .collect::<PyResult<_>>()?,
                )
            }
            "numbers" => ColumnArrays::Numbers(a.extract()?),
            "other" => ColumnArrays::Other(a.extract()?, b.extract()?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "column kind must be one of {{'text', 'text_arrow', 'strings_arrow', \
                     'numbers', 'other'}}, got '{other}'"
                )))
            }
        };
        out.push((name, col));
    }
    Ok(out)
}

/// Builds the engine's columns from `spec` (see [`columns`]) and calls `f` with them, without
/// the GIL: numpy buffers are borrowed, Arrow strings are read in place, and only one-string-
/// per-row columns are dictionary-encoded (here, in one pass).
pub fn with_columns<T: Send>(
    py: Python<'_>,
    spec: &Bound<'_, PyList>,
    f: impl FnOnce(&[(&str, Column<'_, &str>)]) -> PyResult<T> + Send,
) -> PyResult<T> {
    let arrays = columns(spec)?;
    let mut raw = Vec::with_capacity(arrays.len());
    for (name, c) in &arrays {
        raw.push((
            name.as_str(),
            match c {
                ColumnArrays::Text(codes, ValuesArrays::List(v)) => {
                    Raw::Text(codes.codes(name)?, RawValues::List(v))
                }
                ColumnArrays::Text(codes, ValuesArrays::Arrow(a)) => {
                    Raw::Text(codes.codes(name)?, RawValues::Arrow(a.strings(name)?))
                }
                ColumnArrays::Strings(chunks) => Raw::Strings(
                    chunks
                        .iter()
                        .map(|c| c.strings(name))
                        .collect::<PyResult<_>>()?,
                ),
                ColumnArrays::Numbers(a) => {
                    Raw::Numbers(a.as_slice().map_err(|_| contiguous(name))?)
                }
                ColumnArrays::Other(len, dtype) => Raw::Other(*len, dtype),
            },
        ));
    }
    py.detach(|| {
        // Columns are prepared independently (string columns encoded on rayon's pool).
        let prepared = raw
            .par_iter()
            .map(|(name, r)| Ok((*name, Prepared::new(name, r)?)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(PyValueError::new_err)?;
        let cols: Vec<(&str, Column<'_, &str>)> = prepared
            .iter()
            .map(|(name, p)| Ok((*name, p.column(name)?)))
            .collect::<Result<_, String>>()
            .map_err(PyValueError::new_err)?;
        f(&cols)
    })
}

/// Offsets of an Arrow string array.
#[derive(Clone, Copy)]
enum Offsets<'a> {
    I32(&'a [i32]),
    I64(&'a [i64]),
}

/// An Arrow string array read in place.
#[derive(Clone, Copy)]
struct ArrowStrings<'a> {
    offsets: Offsets<'a>,
    data: &'a [u8],
    validity: Option<&'a [u8]>,
    offset: usize,
    len: usize,
}

impl<'a> ArrowStrings<'a> {
    /// Element `i` (`None` when null), or an error for offsets outside the buffers or text
    /// that is not UTF-8.
    fn get(&self, i: usize, name: &str) -> Result<Option<&'a str>, String> {
        let j = self.offset + i;
        if let Some(v) = self.validity {
            let byte = v.get(j / 8).copied().unwrap_or(0);
            if byte & (1 << (j % 8)) == 0 {
                return Ok(None);
            }
        }
        let bad = || format!("column `{name}`: malformed Arrow string array at row {i}");
        let (a, b) = match self.offsets {
            Offsets::I32(o) => (
                o.get(j).and_then(|&x| usize::try_from(x).ok()),
                o.get(j + 1).and_then(|&x| usize::try_from(x).ok()),
            ),
            Offsets::I64(o) => (
                o.get(j).and_then(|&x| usize::try_from(x).ok()),
                o.get(j + 1).and_then(|&x| usize::try_from(x).ok()),
            ),
        };
        let bytes = match (a, b) {
            (Some(a), Some(b)) if a <= b => self.data.get(a..b).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("column `{name}`: row {i} is not valid UTF-8"))
    }
}

enum RawValues<'a> {
    List(&'a [String]),
    Arrow(ArrowStrings<'a>),
}

/// A column's buffers, borrowed, ready to leave the GIL.
enum Raw<'a> {
    Text(Codes<'a>, RawValues<'a>),
    Strings(Vec<ArrowStrings<'a>>),
    Numbers(&'a [f64]),
    Other(usize, &'a str),
}

/// A column with its distinct values as `&str` (and its codes, when made here).
enum Prepared<'a> {
    Text(Codes<'a>, Vec<&'a str>),
    Encoded(CodesVec, Vec<&'a str>),
    Numbers(&'a [f64]),
    Other(usize, &'a str),
}

impl<'a> Prepared<'a> {
    fn new(name: &str, raw: &Raw<'a>) -> Result<Prepared<'a>, String> {
        Ok(match raw {
            Raw::Text(codes, RawValues::List(v)) => {
                Prepared::Text(*codes, v.iter().map(String::as_str).collect())
            }
            Raw::Text(codes, RawValues::Arrow(a)) => {
                let values = (0..a.len)
                    .map(|i| a.get(i, name).map(Option::unwrap_or_default))
                    .collect::<Result<_, _>>()?;
                Prepared::Text(*codes, values)
            }
            Raw::Strings(chunks) => {
                let (codes, values) = encode(chunks, name)?;
                Prepared::Encoded(codes, values)
            }
            Raw::Numbers(v) => Prepared::Numbers(v),
            Raw::Other(len, dtype) => Prepared::Other(*len, dtype),
        })
    }

    fn column(&self, name: &str) -> Result<Column<'_, &'a str>, String> {
        Ok(match self {
            Prepared::Text(codes, values) => Column::Text(Factor {
                codes: *codes,
                values,
            }),
            Prepared::Encoded(codes, values) => Column::Text(Factor {
                codes: codes.codes(name)?,
                values,
            }),
            Prepared::Numbers(v) => Column::Numbers(v),
            Prepared::Other(len, dtype) => Column::Other { len: *len, dtype },
        })
    }
}

/// Dictionary-encodes strings: codes in order of first appearance (−1 for null) and the
/// distinct values. Rows are compared as bytes with the row before and with the value after
/// its code (ids come in runs, criteria in cycles), so most rows cost one comparison; other
/// rows are looked up in a hash table, and only new values are checked to be UTF-8.
fn encode<'a>(chunks: &[ArrowStrings<'a>], name: &str) -> Result<(CodesVec, Vec<&'a str>), String> {
    let rows: usize = chunks.iter().map(|c| c.len).sum();
    let mut e = Encoder {
        codes: CodesVec::Runs(Vec::new(), Vec::new(), rows),
        values: Vec::new(),
        seen: HashMap::default(),
        prev: (&[], -1),
    };
    for chunk in chunks {
        match chunk.offsets {
            Offsets::I32(o) => e.chunk(chunk, o, name)?,
            Offsets::I64(o) => e.chunk(chunk, o, name)?,
        }
    }
    Ok((e.codes, e.values))
}

/// Codes as runs (ends and codes, while values come in runs of 8 rows or more on average:
/// ids in a survey export, which then need no per-row array), else one per row in the
/// narrowest width that holds them so far (widened when a code needs it); with the number of
/// rows expected. Few distinct values (criteria) take a byte per row.
pub enum CodesVec {
    Runs(Vec<usize>, Vec<i32>, usize),
    I8(Vec<i8>, usize),
    I16(Vec<i16>, usize),
    I32(Vec<i32>),
}

/// Runs kept before the average run length is checked.
const MIN_RUNS: usize = 64;

impl CodesVec {
    #[inline(always)]
    fn push(&mut self, code: i32) {
        match self {
            CodesVec::I8(v, _) if code <= i32::from(i8::MAX) => v.push(code as i8),
            CodesVec::Runs(ends, codes, _) => match (ends.last_mut(), codes.last()) {
                (Some(end), Some(&last)) if last == code => *end += 1,
                _ => self.new_run(code),
            },
            CodesVec::I16(v, _) if code <= i32::from(i16::MAX) => v.push(code as i16),
            CodesVec::I32(v) => v.push(code),
            _ => self.widen(code),
        }
    }

    /// Starts a run, or turns the runs into one code per row when they are short.
    #[inline(never)]
    fn new_run(&mut self, code: i32) {
        let CodesVec::Runs(ends, codes, rows) = self else {
            return;
        };
        let at = ends.last().copied().unwrap_or(0);
        if ends.len() < MIN_RUNS || ends.len() * 8 <= at {
            ends.push(at + 1);
            codes.push(code);
            return;
        }
        let (ends, codes) = (std::mem::take(ends), std::mem::take(codes));
        *self = CodesVec::I8(Vec::with_capacity(*rows), *rows);
        let mut from = 0;
        for (&end, &c) in ends.iter().zip(&codes) {
            for _ in from..end {
                self.push(c);
            }
            from = end;
        }
        self.push(code);
    }

    #[cold]
    fn widen(&mut self, code: i32) {
        let wide = |rows: usize, old: &mut dyn Iterator<Item = i32>| {
            let mut v = Vec::with_capacity(rows);
            v.extend(old);
            v
        };
        *self = match self {
            CodesVec::I8(v, rows) if code <= i32::from(i16::MAX) => {
                let mut w: Vec<i16> = Vec::with_capacity(*rows);
                w.extend(v.iter().map(|&c| i16::from(c)));
                CodesVec::I16(w, *rows)
            }
            CodesVec::I8(v, rows) => {
                CodesVec::I32(wide(*rows, &mut v.iter().map(|&c| i32::from(c))))
            }
            CodesVec::I16(v, rows) => {
                CodesVec::I32(wide(*rows, &mut v.iter().map(|&c| i32::from(c))))
            }
            CodesVec::I32(_) | CodesVec::Runs(..) => return,
        };
        self.push(code);
    }

    fn codes(&self, name: &str) -> Result<Codes<'_>, String> {
        Ok(match self {
            CodesVec::Runs(ends, codes, _) => Codes::Runs(
                Runs::new(ends, codes)
                    .ok_or_else(|| format!("column `{name}`: inconsistent run-length codes"))?,
            ),
            CodesVec::I8(v, _) => Codes::I8(v),
            CodesVec::I16(v, _) => Codes::I16(v),
            CodesVec::I32(v) => Codes::I32(v),
        })
    }
}

struct Encoder<'a> {
    codes: CodesVec,
    values: Vec<&'a str>,
    /// Values seen so far. The hash is seeded at random per process (foldhash), so ids chosen
    /// to collide cannot be prepared in advance; keys are compared in full on lookup, so a
    /// collision could only cost time, never a wrong code.
    seen: HashMap<&'a [u8], i32, foldhash::quality::RandomState>,
    /// The previous row's bytes and code (code −1: none yet).
    prev: (&'a [u8], i32),
}

impl<'a> Encoder<'a> {
    fn chunk<O: Copy + TryInto<usize>>(
        &mut self,
        chunk: &ArrowStrings<'a>,
        offsets: &[O],
        name: &str,
    ) -> Result<(), String> {
        let bad = || format!("column `{name}`: malformed Arrow string array");
        let end = chunk.offset.checked_add(chunk.len).ok_or_else(bad)?;
        let offsets = offsets.get(chunk.offset..=end).ok_or_else(bad)?;
        let at = |k: usize| -> Result<usize, String> {
            offsets
                .get(k)
                .and_then(|&o| o.try_into().ok())
                .ok_or_else(bad)
        };
        let mut start = at(0)?;
        for i in 0..chunk.len {
            let stop = at(i + 1)?;
            let valid = chunk.validity.is_none_or(|v| {
                let j = chunk.offset + i;
                v.get(j / 8).is_some_and(|b| b & (1 << (j % 8)) != 0)
            });
            if !valid {
                self.codes.push(-1);
                start = stop;
                continue;
            }
            let bytes = chunk.data.get(start..stop).ok_or_else(bad)?;
            start = stop;
            // Most rows repeat the previous row's value: checked here, inlined.
            let code = if self.prev.1 >= 0 && same(self.prev.0, bytes) {
                self.prev.1
            } else {
                self.code(bytes, name)?
            };
            self.codes.push(code);
        }
        Ok(())
    }

    #[inline(never)]
    fn code(&mut self, bytes: &'a [u8], name: &str) -> Result<i32, String> {
        let (prev, prev_code) = self.prev;
        if prev_code >= 0 && same(prev, bytes) {
            return Ok(prev_code);
        }
        let next = usize::try_from(prev_code + 1).unwrap_or(0);
        let code = match self.values.get(next) {
            Some(v) if prev_code >= 0 && same(v.as_bytes(), bytes) => prev_code + 1,
            _ => match self.seen.get(bytes) {
                Some(&c) => c,
                None => {
                    let text = std::str::from_utf8(bytes)
                        .map_err(|_| format!("column `{name}`: a value is not valid UTF-8"))?;
                    let c = i32::try_from(self.values.len())
                        .map_err(|_| format!("column `{name}`: too many distinct values"))?;
                    self.values.push(text);
                    self.seen.insert(bytes, c);
                    c
                }
            },
        };
        self.prev = (bytes, code);
        Ok(code)
    }
}

/// `a == b`, without a call to `memcmp` for the short strings ids are: overlapping words
/// cover 4 to 32 bytes.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let w4 = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map(u32::from_ne_bytes)
    };
    match n {
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        17..=32 => {
            w8(a, 0) == w8(b, 0)
                && w8(a, 8) == w8(b, 8)
                && w8(a, n - 16) == w8(b, n - 16)
                && w8(a, n - 8) == w8(b, n - 8)
        }
        _ => a == b,
    }
}

/// The flat table for a DataFrame: `(names, block, texts)` with every column name in order,
/// the number columns as one Fortran-ordered float64 `(rows, k)` array (NaN = missing; pandas
/// takes it as one block without copying), and the text columns as `(position, values)`.
pub fn table_parts<'py>(
    py: Python<'py>,
    table: &Table,
    with_text: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let rows = table.rows();
    let numbers: Vec<&Vec<Option<f64>>> = table
        .columns
        .iter()
        .filter_map(|c| match &c.values {
            Values::Number(v) => Some(v),
            _ => None,
        })
        .collect();
    let block = PyArray2::<f64>::zeros(py, [rows, numbers.len()], true);
    {
        let mut view = block.readwrite();
        let data = view
            .as_slice_mut()
            .map_err(|_| PyValueError::new_err("table block is not contiguous"))?;
        for (j, col) in numbers.iter().enumerate() {
            let out = data.get_mut(j * rows..(j + 1) * rows).unwrap_or_default();
            for (o, x) in out.iter_mut().zip(col.iter()) {
                *o = x.unwrap_or(f64::NAN);
            }
        }
    }
    let names = PyList::new(py, table.columns.iter().map(|c| c.name.as_str()))?;
    let texts = PyList::empty(py);
    if with_text {
        for (pos, values) in table_to_py_text(py, table)? {
            texts.append((pos, values))?;
        }
    }
    PyTuple::new(py, [names.into_any(), block.into_any(), texts.into_any()])
}

/// The text columns of the table in Arrow's large-string layout, for pandas' Arrow-backed
/// string dtype: `(position, offsets, data, validity)` with `offsets` int64 (rows + 1), `data`
/// the UTF-8 bytes, `validity` the packed null bitmap (bit set = present; LSB first) or `None`
/// when no value is missing.
pub fn table_text_buffers<'py>(py: Python<'py>, table: &Table) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (pos, col) in table.columns.iter().enumerate() {
        let Values::Text(v) = &col.values else {
            continue;
        };
        let bytes: usize = v.iter().map(|x| x.as_deref().map_or(0, str::len)).sum();
        let mut offsets: Vec<i64> = Vec::with_capacity(v.len() + 1);
        let mut data: Vec<u8> = Vec::with_capacity(bytes);
        offsets.push(0);
        for x in v {
            data.extend_from_slice(x.as_deref().unwrap_or_default().as_bytes());
            offsets.push(data.len() as i64);
        }
        let validity = if v.iter().any(Option::is_none) {
            let mut bits = vec![0u8; v.len().div_ceil(8)];
            for (i, x) in v.iter().enumerate() {
                if x.is_some() {
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            PyArray1::from_vec(py, bits).into_any()
        } else {
            py.None().into_bound(py)
        };
        out.append((
            pos,
            PyArray1::from_vec(py, offsets),
            PyArray1::from_vec(py, data),
            validity,
        ))?;
    }
    Ok(out)
}

/// The text columns of the table as `(position, list of str | None)`.
fn table_to_py_text<'py>(
    py: Python<'py>,
    table: &Table,
) -> PyResult<Vec<(usize, Bound<'py, PyAny>)>> {
    let mut out = Vec::new();
    for (pos, col) in table.columns.iter().enumerate() {
        if let Values::Text(v) = &col.values {
            out.push((pos, text_list(py, &col.name, v)?));
        }
    }
    Ok(out)
}

/// A text column as a list; repeated texts (levels, labels, flags…) share one `str`.
fn text_list<'py>(
    py: Python<'py>,
    name: &str,
    v: &[Option<String>],
) -> PyResult<Bound<'py, PyAny>> {
    let mut seen: HashMap<&str, Bound<'py, PyString>> = HashMap::new();
    let unique = name == "candidate";
    let items = v.iter().map(|x| match x.as_deref() {
        None => py.None().into_bound(py),
        Some(t) if unique => PyString::new(py, t).into_any(),
        Some(t) => seen
            .entry(t)
            .or_insert_with(|| PyString::new(py, t))
            .clone()
            .into_any(),
    });
    Ok(PyList::new(py, items)?.into_any())
}

/// The flat table as a list of `(name, values)`: numbers as float64 arrays (NaN = missing),
/// text as lists of `str | None`. Repeated texts (levels, labels, flags…) share one `str`.
pub fn table_to_py<'py>(py: Python<'py>, table: &Table) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for col in &table.columns {
        let values = match &col.values {
            Values::Number(v) => {
                let data: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                PyArray1::from_vec(py, data).into_any()
            }
            Values::Text(v) => text_list(py, &col.name, v)?,
            _ => py.None().into_bound(py),
        };
        out.append((col.name.as_str(), values))?;
    }
    Ok(out)
}
