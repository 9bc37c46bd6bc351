//! The Python exception hierarchy and the mapping of engine errors onto it.
//!
//! `ReadinessError(ValueError)` is the base; each engine error kind has a subclass
//! (`RubricError`, `RatingsError`, `StatsError`, `CohortError`). Every instance carries `.code` (the engine's
//! stable snake_case code), `.row` (the CSV line or 0-based row, else `None`) and `.path` (the
//! rubric path, else `None`). A Rust panic never reaches Python: [`guard`] turns it into a
//! `ReadinessError` with code `internal_error`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use std::panic::{catch_unwind, AssertUnwindSafe};

pyo3::create_exception!(
    readiness._native,
    ReadinessError,
    PyValueError,
    "Base class of every error the readiness engine reports (a ValueError)."
);
pyo3::create_exception!(
    readiness._native,
    RubricError,
    ReadinessError,
    "The rubric could not be read or is not valid; `.path` names the offending value."
);
pyo3::create_exception!(
    readiness._native,
    RatingsError,
    ReadinessError,
    "The ratings could not be read or do not fit the rubric; `.row` names the rating."
);
pyo3::create_exception!(
    readiness._native,
    StatsError,
    ReadinessError,
    "A statistics function was given input it cannot work with."
);

pyo3::create_exception!(
    readiness._native,
    CohortError,
    ReadinessError,
    "A cohort input table (attributes, decisions, overrides) is not valid; `.row` names the line."
);

/// Registers the exception classes on the module, with class-level defaults for the
/// attributes every instance sets.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<ReadinessError>();
    base.setattr("code", "")?;
    base.setattr("row", py.None())?;
    base.setattr("path", py.None())?;
    m.add("ReadinessError", base)?;
    m.add("RubricError", py.get_type::<RubricError>())?;
    m.add("RatingsError", py.get_type::<RatingsError>())?;
    m.add("StatsError", py.get_type::<StatsError>())?;
    m.add("CohortError", py.get_type::<CohortError>())?;
    Ok(())
}

/// Builds an exception of class `class` with `message` and the structured attributes.
fn raise(
    py: Python<'_>,
    class: Bound<'_, PyType>,
    message: String,
    code: &str,
    row: Option<u64>,
    path: Option<&str>,
) -> PyErr {
    let err = match class.call1((message.clone(),)) {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => return e,
    };
    let value = err.value(py);
    let set = value
        .setattr("code", code)
        .and_then(|()| value.setattr("row", row))
        .and_then(|()| value.setattr("path", path));
    match set {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The Python exception for an engine error.
pub fn engine_error(err: readiness::Error) -> PyErr {
    Python::attach(|py| {
        let class = match &err {
            readiness::Error::Rubric(_) => py.get_type::<RubricError>(),
            readiness::Error::Ratings(_) => py.get_type::<RatingsError>(),
            readiness::Error::Stats(_) => py.get_type::<StatsError>(),
            readiness::Error::Cohort(_) => py.get_type::<CohortError>(),
            _ => py.get_type::<ReadinessError>(),
        };
        raise(
            py,
            class,
            err.to_string(),
            err.code(),
            err.row(),
            err.path(),
        )
    })
}

/// Maps any engine error type (`RubricError`, `RatingsError`, `StatsError`, `CohortError`) to Python.
pub fn to_py<E: Into<readiness::Error>>(err: E) -> PyErr {
    engine_error(err.into())
}

/// Runs `f`, turning a panic into a `ReadinessError` with code `internal_error` so that no
/// panic reaches Python as a `PanicException`.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Python::attach(|py| {
                raise(
                    py,
                    py.get_type::<ReadinessError>(),
                    format!("internal error in the readiness engine (please report it): {detail}"),
                    "internal_error",
                    None,
                    None,
                )
            }))
        }
    }
}
