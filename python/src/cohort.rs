//! The cohort report: ratings (data-frame columns, records or a CSV file) plus the optional
//! attributes, decisions and overrides tables (CSV text or a CSV file) go to
//! [`readiness::cohort::cohort_report`]. The tables are read by the engine's own parsers, so
//! every check and every error (with its line) is the engine's.

use crate::conversion::{self, py_to_json, to_py_doc};
use crate::error::{guard, to_py};
use crate::PyRubric;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs, CohortReport};
use readiness::RatingSet;
use std::path::PathBuf;

/// A cohort report document.
#[derive(Debug)]
#[pyclass(frozen, module = "readiness._native", name = "NativeCohort")]
pub struct NativeCohort {
    report: CohortReport,
}

#[pymethods]
impl NativeCohort {
    /// The report as a dict (the engine's JSON, `schema/cohort.schema.json`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_doc(py, &self.report)
    }

    /// The report as JSON text, exactly as the engine writes it.
    fn to_json(&self, pretty: bool) -> PyResult<String> {
        let r = if pretty {
            serde_json::to_string_pretty(&self.report)
        } else {
            serde_json::to_string(&self.report)
        };
        r.map_err(|e| PyValueError::new_err(format!("cannot serialize: {e}")))
    }
}

/// A table argument: `("text", csv)` or `("path", file)`; `None` when not given.
type TableArg = Option<(String, String)>;

fn table_text(arg: TableArg) -> PyResult<Option<String>> {
    match arg {
        None => Ok(None),
        Some((kind, value)) => match kind.as_str() {
            "text" => Ok(Some(value)),
            "path" => Ok(Some(std::fs::read_to_string(PathBuf::from(value))?)),
            other => Err(PyValueError::new_err(format!(
                "table kind must be 'text' or 'path', got '{other}'"
            ))),
        },
    }
}

/// Builds the ratings from `(kind, value)`: `("columns", [(name, kind, a, b)])` (see
/// `conversion::columns`), `("records", [dict])` or `("path", csv_file)`.
fn rating_set(
    py: Python<'_>,
    rubric: &PyRubric,
    kind: &str,
    ratings: &Bound<'_, PyAny>,
) -> PyResult<RatingSet> {
    let engine = std::sync::Arc::clone(&rubric.engine);
    match kind {
        "columns" => {
            let list = ratings.cast::<PyList>()?;
            conversion::with_columns(py, list, |cols| {
                guard(|| readiness::columns::rating_set(cols, engine.rubric()).map_err(to_py))
            })
        }
        "records" => {
            let value = py_to_json(ratings, "ratings")?;
            guard(|| RatingSet::from_json_value(&value, engine.rubric()).map_err(to_py))
        }
        "path" => {
            let path: PathBuf = ratings.extract()?;
            let file = std::fs::File::open(&path)?;
            py.detach(|| {
                guard(|| {
                    RatingSet::from_csv_reader(std::io::BufReader::new(file), engine.rubric())
                        .map_err(to_py)
                })
            })
        }
        other => Err(PyValueError::new_err(format!(
            "ratings kind must be 'columns', 'records' or 'path', got '{other}'"
        ))),
    }
}

/// The cohort report of `ratings` (see [`rating_set`]) with the optional tables.
#[pyfunction]
#[pyo3(signature = (rubric, kind, ratings, attributes = None, decisions = None, overrides = None))]
pub fn cohort(
    py: Python<'_>,
    rubric: &PyRubric,
    kind: &str,
    ratings: &Bound<'_, PyAny>,
    attributes: TableArg,
    decisions: TableArg,
    overrides: TableArg,
) -> PyResult<NativeCohort> {
    let set = rating_set(py, rubric, kind, ratings)?;
    let attributes = table_text(attributes)?;
    let decisions = table_text(decisions)?;
    let overrides = table_text(overrides)?;
    let engine = std::sync::Arc::clone(&rubric.engine);
    let report = py.detach(|| {
        guard(|| {
            let rubric = engine.rubric();
            let mut inputs = CohortInputs::default();
            if let Some(t) = &attributes {
                inputs.attributes = Some(parse_attributes(t, &set).map_err(to_py)?);
            }
            if let Some(t) = &decisions {
                inputs.decisions = Some(parse_decisions(t, &set).map_err(to_py)?);
            }
            if let Some(t) = &overrides {
                inputs.overrides = parse_overrides(t, &set, rubric).map_err(to_py)?;
            }
            cohort_report(&set, rubric, &inputs).map_err(to_py)
        })
    })?;
    Ok(NativeCohort { report })
}
