//! `readiness._native`: the Python extension module of the readiness engine.
//!
//! It converts and maps errors, nothing else; every number comes from the `readiness` crate.
//! The public Python API lives in the pure-Python package `readiness` (python/readiness/).

mod cohort;
mod conversion;
mod error;

use conversion::{json_to_py, matrix, py_to_json, to_py_doc, vector};
use error::{guard, to_py};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use readiness::columns::ScoringSet;
use readiness::stats::{adverse_impact, cronbach, icc as icc_mod, krippendorff, rwg};
use readiness::table::{Table, Values};
use readiness::{Assessment, Engine, RatingSet, Rubric};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A validated rubric, prepared for scoring.
#[pyclass(frozen, module = "readiness._native", name = "Rubric")]
struct PyRubric {
    engine: Arc<Engine>,
}

impl PyRubric {
    fn new(rubric: Rubric) -> PyResult<PyRubric> {
        let engine = Engine::new(rubric).map_err(to_py)?;
        Ok(PyRubric {
            engine: Arc::new(engine),
        })
    }

    fn rubric(&self) -> &Rubric {
        self.engine.rubric()
    }
}

#[pymethods]
impl PyRubric {
    /// The built-in standard rubric.
    #[staticmethod]
    fn standard() -> PyRubric {
        PyRubric {
            engine: Arc::new(Engine::standard()),
        }
    }

    /// Reads a rubric from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<PyRubric> {
        guard(|| PyRubric::new(Rubric::from_toml_str(text).map_err(to_py)?))
    }

    /// Reads a rubric from JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PyRubric> {
        guard(|| PyRubric::new(Rubric::from_json_str(text).map_err(to_py)?))
    }

    /// Reads a rubric from a dict (the JSON form).
    #[staticmethod]
    fn from_dict(d: &Bound<'_, PyAny>) -> PyResult<PyRubric> {
        let value = py_to_json(d, "rubric")?;
        guard(|| PyRubric::new(Rubric::from_json_value(value).map_err(to_py)?))
    }

    /// Reads a rubric file: `.toml` or `.json`.
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<PyRubric> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let text = std::fs::read_to_string(&path)?;
        match ext.as_deref() {
            Some("toml") => PyRubric::from_toml(&text),
            Some("json") => PyRubric::from_json(&text),
            _ => Err(PyValueError::new_err(format!(
                "{}: rubric file must end in .toml or .json",
                path.display()
            ))),
        }
    }

    /// The rubric as a dict (its JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_doc(py, self.rubric())
    }

    /// The rubric as pretty JSON text.
    fn to_json(&self) -> String {
        self.rubric().to_json_string()
    }

    /// The rubric as TOML text.
    fn to_toml(&self) -> PyResult<String> {
        self.rubric().to_toml_string().map_err(to_py)
    }

    /// `sha256:` of the rubric's canonical JSON.
    #[getter]
    fn fingerprint(&self) -> String {
        self.rubric().fingerprint()
    }

    /// `id@version`.
    #[getter]
    fn label(&self) -> String {
        self.rubric().label()
    }

    /// The rubric's id.
    #[getter]
    fn id(&self) -> String {
        self.rubric().id.clone()
    }

    /// The rubric's version.
    #[getter]
    fn version(&self) -> String {
        self.rubric().version.clone()
    }

    /// The dimensions, as dicts (id, name, kind, weight, criteria, …).
    #[getter]
    fn dimensions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_doc(py, &self.rubric().dimensions)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRubric>()
            .is_ok_and(|o| o.get().rubric().canonical_json() == self.rubric().canonical_json())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.rubric().fingerprint().hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "Rubric('{}', fingerprint='{}')",
            self.rubric().label(),
            self.rubric().fingerprint()
        )
    }
}

/// The assessments of one call, sorted by candidate then cycle: the flat table (computed
/// with the call) and the documents, built from the kept ratings the first time one is asked
/// for (`to_pandas()` never needs them).
#[pyclass(frozen, module = "readiness._native", name = "NativeAssessments")]
struct NativeAssessments {
    engine: Arc<Engine>,
    set: Kept,
    table: Table,
    docs: OnceLock<Vec<Assessment>>,
}

/// The ratings kept for building the documents later.
enum Kept {
    Full(Box<RatingSet>),
    Scoring(ScoringSet),
}

impl Kept {
    fn assess(&self, engine: &Engine) -> Result<Vec<Assessment>, readiness::Error> {
        match self {
            Kept::Full(set) => engine.assess(set),
            Kept::Scoring(set) => set.assess(engine),
        }
    }

    fn table(&self, engine: &Engine) -> Result<Table, readiness::Error> {
        match self {
            Kept::Full(set) => engine.assessments_table(set),
            Kept::Scoring(set) => set.assessments_table(engine),
        }
    }
}

impl NativeAssessments {
    /// Scores `set` into the flat table (the caller releases the GIL).
    fn new(engine: Arc<Engine>, set: Kept) -> PyResult<NativeAssessments> {
        let table = guard(|| set.table(&engine).map_err(to_py))?;
        Ok(NativeAssessments {
            engine,
            set,
            table,
            docs: OnceLock::new(),
        })
    }

    /// The documents, built on first use without the GIL.
    fn docs(&self, py: Python<'_>) -> PyResult<&[Assessment]> {
        if let Some(docs) = self.docs.get() {
            return Ok(docs);
        }
        let docs = py.detach(|| guard(|| self.set.assess(&self.engine).map_err(to_py)))?;
        // Another thread may have set them meanwhile: they are the same documents.
        Ok(self.docs.get_or_init(|| docs))
    }

    fn text_column(&self, name: &str) -> Option<&[Option<String>]> {
        self.table.columns.iter().find_map(|c| match &c.values {
            Values::Text(v) if c.name == name => Some(v.as_slice()),
            _ => None,
        })
    }
}

#[pymethods]
impl NativeAssessments {
    fn __len__(&self) -> usize {
        self.table.rows()
    }

    /// Document `i` as a dict (the engine's JSON).
    fn document<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyAny>> {
        let doc = self
            .docs(py)?
            .get(i)
            .ok_or_else(|| PyIndexError::new_err(format!("no assessment {i}")))?;
        to_py_doc(py, doc)
    }

    /// All documents as dicts.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let value = serde_json::to_value(self.docs(py)?)
            .map_err(|e| PyValueError::new_err(format!("cannot serialize: {e}")))?;
        json_to_py(py, &value)?
            .cast_into::<PyList>()
            .map_err(Into::into)
    }

    /// All documents as JSON text, exactly as the engine writes them.
    fn to_json(&self, py: Python<'_>, pretty: bool) -> PyResult<String> {
        let docs = self.docs(py)?;
        let r = if pretty {
            serde_json::to_string_pretty(docs)
        } else {
            serde_json::to_string(docs)
        };
        r.map_err(|e| PyValueError::new_err(format!("cannot serialize: {e}")))
    }

    /// `(candidate, cycle)` of every document, in order.
    fn keys(&self) -> Vec<(String, Option<String>)> {
        let candidates = self.text_column("candidate").unwrap_or_default();
        let cycles = self.text_column("cycle");
        candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cycle = cycles.and_then(|v| v.get(i).cloned().flatten());
                (c.clone().unwrap_or_default(), cycle)
            })
            .collect()
    }

    /// The flat table (one row per document) as `[(name, values)]`.
    fn table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        conversion::table_to_py(py, &self.table)
    }

    /// The flat table as `(names, block, texts)`: all column names, the number columns as one
    /// Fortran-ordered float64 array, the text columns as `(position, values)` (empty without
    /// `with_text`: `table_text_buffers` gives them as Arrow buffers).
    #[pyo3(signature = (with_text = true))]
    fn table_parts<'py>(&self, py: Python<'py>, with_text: bool) -> PyResult<Bound<'py, PyTuple>> {
        conversion::table_parts(py, &self.table, with_text)
    }

    /// The text columns of the flat table in Arrow's large-string layout:
    /// `[(position, offsets int64, data uint8, validity uint8 | None)]`.
    fn table_text_buffers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        conversion::table_text_buffers(py, &self.table)
    }

    /// The rubric the documents were scored with.
    #[getter]
    fn rubric(&self) -> PyRubric {
        PyRubric {
            engine: Arc::clone(&self.engine),
        }
    }
}

fn assessed(py: Python<'_>, rubric: &PyRubric, set: RatingSet) -> PyResult<NativeAssessments> {
    let engine = Arc::clone(&rubric.engine);
    py.detach(|| NativeAssessments::new(engine, Kept::Full(Box::new(set))))
}

/// Assesses data-frame columns: `[(name, kind, a, b)]` (see `conversion::columns`).
#[pyfunction]
fn assess_columns(
    py: Python<'_>,
    rubric: &PyRubric,
    columns: &Bound<'_, PyList>,
) -> PyResult<NativeAssessments> {
    let engine = Arc::clone(&rubric.engine);
    conversion::with_columns(py, columns, |cols| {
        // Sorted frames are scored in one pass over the borrowed columns (on rayon's pool).
        let (table, set) =
            guard(|| readiness::columns::assessments_table(cols, &engine).map_err(to_py))?;
        Ok(NativeAssessments {
            engine,
            set: Kept::Scoring(set),
            table,
            docs: OnceLock::new(),
        })
    })
}

/// Assesses a list of rating dicts (the JSON form; the list index is the row in errors).
#[pyfunction]
fn assess_records(
    py: Python<'_>,
    rubric: &PyRubric,
    records: &Bound<'_, PyAny>,
) -> PyResult<NativeAssessments> {
    let value = py_to_json(records, "ratings")?;
    let set = guard(|| RatingSet::from_json_value(&value, rubric.engine.rubric()).map_err(to_py))?;
    assessed(py, rubric, set)
}

/// Assesses a CSV file (line numbers in errors).
#[pyfunction]
fn assess_csv_file(
    py: Python<'_>,
    rubric: &PyRubric,
    path: PathBuf,
) -> PyResult<NativeAssessments> {
    let file = std::fs::File::open(&path)?;
    let engine = Arc::clone(&rubric.engine);
    let set = py.detach(|| {
        guard(|| {
            RatingSet::from_csv_reader(std::io::BufReader::new(file), engine.rubric())
                .map_err(to_py)
        })
    })?;
    assessed(py, rubric, set)
}

/// Assesses CSV text (line numbers in errors).
#[pyfunction]
fn assess_csv_text(py: Python<'_>, rubric: &PyRubric, text: &str) -> PyResult<NativeAssessments> {
    let set = guard(|| RatingSet::from_csv_str(text, rubric.engine.rubric()).map_err(to_py))?;
    assessed(py, rubric, set)
}

/// The six Shrout & Fleiss ICCs; each form is also keyed by its name (`"ICC2"`).
#[pyfunction]
#[pyo3(signature = (matrix, confidence = 0.95))]
fn icc<'py>(
    py: Python<'py>,
    matrix: PyReadonlyArray2<'py, f64>,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let (flat, columns) = conversion::matrix_flat(&matrix);
    let n_rows = matrix.as_array().nrows();
    let res = py.detach(|| {
        // A matrix with rows but no columns is ragged-free and has 0 raters: the engine's
        // "too few raters" error, as for rows of length 0.
        let rows: Vec<&[Option<f64>]> = if columns == 0 {
            vec![&[]; n_rows]
        } else {
            flat.chunks(columns).collect()
        };
        guard(|| icc_mod::icc(&rows, confidence).map_err(to_py))
    })?;
    let doc = to_py_doc(py, &res)?;
    // Each form also under its name: the same dicts as in `forms`.
    if let Ok(dict) = doc.cast::<PyDict>() {
        if let Some(forms) = dict.get_item("forms")? {
            for (form, item) in res.forms.iter().zip(forms.try_iter()?) {
                dict.set_item(form.kind.name(), item?)?;
            }
        }
    }
    Ok(doc)
}

/// Cronbach's alpha with Feldt's interval.
#[pyfunction]
#[pyo3(signature = (matrix, missing = "pairwise", confidence = 0.95))]
fn cronbach_alpha<'py>(
    py: Python<'py>,
    matrix: PyReadonlyArray2<'py, f64>,
    missing: &str,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let policy = match missing {
        "pairwise" => cronbach::MissingPolicy::Pairwise,
        "listwise" => cronbach::MissingPolicy::Listwise,
        other => {
            return Err(PyValueError::new_err(format!(
                "`missing` must be one of {{'pairwise', 'listwise'}}, got '{other}'"
            )))
        }
    };
    let rows = conversion::matrix(&matrix);
    let res =
        py.detach(|| guard(|| cronbach::cronbach_alpha(&rows, policy, confidence).map_err(to_py)))?;
    to_py_doc(py, &res)
}

/// Krippendorff's alpha (rows = raters, columns = units).
#[pyfunction]
#[pyo3(signature = (data, level = "interval", domain = None))]
fn krippendorff_alpha<'py>(
    py: Python<'py>,
    data: PyReadonlyArray2<'py, f64>,
    level: &str,
    domain: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyAny>> {
    let level = match level {
        "nominal" => krippendorff::Level::Nominal,
        "ordinal" => krippendorff::Level::Ordinal,
        "interval" => krippendorff::Level::Interval,
        "ratio" => krippendorff::Level::Ratio,
        other => {
            return Err(PyValueError::new_err(format!(
            "`level` must be one of {{'nominal', 'ordinal', 'interval', 'ratio'}}, got '{other}'"
        )))
        }
    };
    let rows = matrix(&data);
    let res = py.detach(|| {
        guard(|| {
            krippendorff::krippendorff_alpha_with_domain(&rows, level, domain.as_deref())
                .map_err(to_py)
        })
    })?;
    to_py_doc(py, &res)
}

/// Null variance of a uniform distribution over `points` categories.
#[pyfunction]
fn uniform_null_variance(points: usize) -> PyResult<f64> {
    rwg::uniform_null_variance(points).map_err(to_py)
}

/// rwg of one item.
#[pyfunction(name = "rwg")]
fn rwg_one<'py>(
    py: Python<'py>,
    ratings: PyReadonlyArray1<'py, f64>,
    null_variance: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let values = vector(&ratings);
    let res = guard(|| rwg::rwg(&values, null_variance).map_err(to_py))?;
    to_py_doc(py, &res)
}

/// rwg(J) and r*wg(J) of a raters × items matrix.
#[pyfunction]
fn rwg_j<'py>(
    py: Python<'py>,
    matrix: PyReadonlyArray2<'py, f64>,
    null_variance: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = conversion::matrix(&matrix);
    let res = guard(|| rwg::rwg_j(&rows, null_variance).map_err(to_py))?;
    to_py_doc(py, &res)
}

/// Fisher's exact test of a 2×2 table.
#[pyfunction]
fn fisher_exact(py: Python<'_>, table: [[u64; 2]; 2]) -> PyResult<Bound<'_, PyAny>> {
    let res = guard(|| adverse_impact::fisher_exact(table).map_err(to_py))?;
    to_py_doc(py, &res)
}

/// Adverse impact of a focal group against a reference group, as (selected, total) counts.
#[pyfunction]
fn adverse_impact_counts(
    py: Python<'_>,
    focal: (u64, u64),
    reference: (u64, u64),
) -> PyResult<Bound<'_, PyAny>> {
    let f = adverse_impact::GroupCounts::new(focal.0, focal.1);
    let r = adverse_impact::GroupCounts::new(reference.0, reference.1);
    let res = guard(|| adverse_impact::adverse_impact(f, r).map_err(to_py))?;
    to_py_doc(py, &res)
}

/// Selection rates, impact ratios and the four-fifths flag of groups given as
/// (selected, total) counts.
#[pyfunction]
fn selection_rates(py: Python<'_>, groups: Vec<(u64, u64)>) -> PyResult<Bound<'_, PyAny>> {
    let counts: Vec<_> = groups
        .iter()
        .map(|&(s, t)| adverse_impact::GroupCounts::new(s, t))
        .collect();
    let res = guard(|| adverse_impact::selection_rates(&counts).map_err(to_py))?;
    to_py_doc(py, &res)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ENGINE_VERSION", readiness::VERSION)?;
    error::register(m)?;
    m.add_class::<PyRubric>()?;
    m.add_class::<NativeAssessments>()?;
    m.add_function(wrap_pyfunction!(assess_columns, m)?)?;
    m.add_function(wrap_pyfunction!(assess_records, m)?)?;
    m.add_function(wrap_pyfunction!(assess_csv_file, m)?)?;
    m.add_function(wrap_pyfunction!(assess_csv_text, m)?)?;
    m.add_function(wrap_pyfunction!(icc, m)?)?;
    m.add_function(wrap_pyfunction!(cronbach_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(krippendorff_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(uniform_null_variance, m)?)?;
    m.add_function(wrap_pyfunction!(rwg_one, m)?)?;
    m.add_function(wrap_pyfunction!(rwg_j, m)?)?;
    m.add_function(wrap_pyfunction!(fisher_exact, m)?)?;
    m.add_function(wrap_pyfunction!(adverse_impact_counts, m)?)?;
    m.add_function(wrap_pyfunction!(selection_rates, m)?)?;
    m.add_class::<cohort::NativeCohort>()?;
    m.add_function(wrap_pyfunction!(cohort::cohort, m)?)?;
    Ok(())
}
