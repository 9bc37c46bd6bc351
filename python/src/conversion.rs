//! Conversions between Python objects and the engine's types: JSON-like values both ways,
//! numpy matrices to `Option<f64>` rows (NaN = missing), data-frame columns to
//! [`readiness::columns::Column`], and the flat assessment table to numpy arrays and lists.

use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use readiness::columns::{Codes, Column, Factor};
use readiness::table::{Table, Values};
use serde_json::Value;

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

/// One data-frame column as handed over by the Python layer, holding its numpy borrows.
pub enum ColumnArrays<'py> {
    Text(CodesArray<'py>, Vec<String>),
    Numbers(PyReadonlyArray1<'py, f64>),
    Other(usize, String),
}

/// Reads `(name, kind, a, b)` tuples: `("text", codes, uniques)`, `("numbers", float64
/// array, None)` or `("other", length, dtype name)`.
pub fn columns<'py>(spec: &Bound<'py, PyList>) -> PyResult<Vec<(String, ColumnArrays<'py>)>> {
    let mut out = Vec::with_capacity(spec.len());
    for item in spec.iter() {
        let (name, kind, a, b): (String, String, Bound<'py, PyAny>, Bound<'py, PyAny>) =
            item.extract()?;
        let col = match kind.as_str() {
            "text" => {
                let codes = if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i64>>() {
                    CodesArray::I64(c)
                } else if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i32>>() {
                    CodesArray::I32(c)
                } else if let Ok(c) = a.extract::<PyReadonlyArray1<'py, i16>>() {
                    CodesArray::I16(c)
                } else {
                    CodesArray::I8(a.extract::<PyReadonlyArray1<'py, i8>>()?)
                };
                ColumnArrays::Text(codes, b.extract::<Vec<String>>()?)
            }
            "numbers" => ColumnArrays::Numbers(a.extract()?),
            "other" => ColumnArrays::Other(a.extract()?, b.extract()?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "column kind must be one of {{'text', 'numbers', 'other'}}, got '{other}'"
                )))
            }
        };
        out.push((name, col));
    }
    Ok(out)
}

/// Borrows the arrays as engine columns (contiguous arrays are required; the Python layer
/// makes them so).
pub fn engine_columns<'a>(
    cols: &'a [(String, ColumnArrays<'_>)],
) -> PyResult<Vec<(&'a str, Column<'a, String>)>> {
    let contiguous =
        |name: &str| PyValueError::new_err(format!("column `{name}`: array is not contiguous"));
    cols.iter()
        .map(|(name, c)| {
            let col = match c {
                ColumnArrays::Text(codes, values) => {
                    let codes = match codes {
                        CodesArray::I8(a) => Codes::I8(a.as_slice().map_err(|_| contiguous(name))?),
                        CodesArray::I16(a) => {
                            Codes::I16(a.as_slice().map_err(|_| contiguous(name))?)
                        }
                        CodesArray::I32(a) => {
                            Codes::I32(a.as_slice().map_err(|_| contiguous(name))?)
                        }
                        CodesArray::I64(a) => {
                            Codes::I64(a.as_slice().map_err(|_| contiguous(name))?)
                        }
                    };
                    Column::Text(Factor {
                        codes,
                        values: values.as_slice(),
                    })
                }
                ColumnArrays::Numbers(a) => {
                    Column::Numbers(a.as_slice().map_err(|_| contiguous(name))?)
                }
                ColumnArrays::Other(len, dtype) => Column::Other { len: *len, dtype },
            };
            Ok((name.as_str(), col))
        })
        .collect()
}

/// The flat table as a list of `(name, values)`: numbers as float64 arrays (NaN = missing),
/// text as lists of `str | None`.
pub fn table_to_py<'py>(py: Python<'py>, table: &Table) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for col in &table.columns {
        let values = match &col.values {
            Values::Number(v) => {
                let data: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                PyArray1::from_vec(py, data).into_any()
            }
            Values::Text(v) => PyList::new(py, v.iter().map(Option::as_deref))?.into_any(),
            _ => py.None().into_bound(py),
        };
        out.append((col.name.as_str(), values))?;
    }
    Ok(out)
}
