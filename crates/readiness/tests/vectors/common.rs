//! Shared helpers for the vector checks: tolerances, non-finite markers, dataset loading.

use serde_json::Value;
use std::path::Path;

/// Number of values compared, or the list of mismatches.
pub type Outcome = Result<usize, Vec<String>>;

/// Tolerance of one file: `abs`, `rel` and per-field overrides keyed by substring.
#[derive(Debug, Clone)]
pub struct Tolerance {
    abs: f64,
    rel: f64,
    per_field: Vec<(String, f64, f64)>,
}

impl Tolerance {
    /// Reads the `tolerance` object of a vector file (defaults: abs 1e-9, rel 1e-9).
    pub fn of(v: &Value) -> Tolerance {
        let t = &v["tolerance"];
        let abs = t["abs"].as_f64().unwrap_or(1e-9);
        let rel = t["rel"].as_f64().unwrap_or(1e-9);
        let mut per_field = Vec::new();
        if let Some(map) = t["per_field"].as_object() {
            for (k, o) in map {
                per_field.push((
                    k.clone(),
                    o["abs"].as_f64().unwrap_or(abs),
                    o["rel"].as_f64().unwrap_or(rel),
                ));
            }
        }
        Tolerance {
            abs,
            rel,
            per_field,
        }
    }

    /// The (abs, rel) pair that applies to `key`: the longest per-field key it contains.
    pub fn for_key(&self, key: &str) -> (f64, f64) {
        self.per_field
            .iter()
            .filter(|(k, _, _)| key.contains(k.as_str()))
            .max_by_key(|(k, _, _)| k.len())
            .map_or((self.abs, self.rel), |(_, a, r)| (*a, *r))
    }
}

/// Reads an expected number: JSON numbers, the strings "NaN"/"Infinity"/"-Infinity", or null.
pub fn expected_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "NaN" => Some(f64::NAN),
        Value::String(s) if s == "Infinity" => Some(f64::INFINITY),
        Value::String(s) if s == "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Collects mismatches while comparing; `finish` turns it into an [`Outcome`].
#[derive(Debug)]
pub struct Checker {
    tol: Tolerance,
    compared: usize,
    errors: Vec<String>,
}

impl Checker {
    /// A checker with the tolerance of vector file `v`.
    pub fn new(v: &Value) -> Checker {
        Checker {
            tol: Tolerance::of(v),
            compared: 0,
            errors: Vec::new(),
        }
    }

    /// Compares `actual` with the expected JSON value under `key`'s tolerance.
    ///
    /// An expected `NaN`/`null` means "undefined": the engine must give `None`.
    pub fn num(&mut self, key: &str, actual: Option<f64>, expected: &Value) {
        self.compared += 1;
        let exp = expected_f64(expected);
        match (actual, exp) {
            (None, None) => {}
            (None, Some(e)) if e.is_nan() => {}
            (Some(a), Some(e)) if e.is_infinite() => {
                if a != e {
                    self.errors.push(format!("{key}: expected {e}, got {a}"));
                }
            }
            (Some(a), Some(e)) if !e.is_nan() => {
                let (abs, rel) = self.tol.for_key(key);
                if !((a - e).abs() <= abs || (a - e).abs() <= rel * e.abs()) {
                    self.errors.push(format!(
                        "{key}: expected {e}, got {a} (diff {:.3e}, abs {abs:e}, rel {rel:e})",
                        (a - e).abs()
                    ));
                }
            }
            (a, _) => self
                .errors
                .push(format!("{key}: expected {expected}, got {a:?}")),
        }
    }

    /// Like [`Checker::num`] for a statistic the engine reports as `None` where the reference
    /// value is ±∞ (an F ratio with a zero error mean square, rwg(J) at its pole): the engine's
    /// output never holds a non-finite number. Any other mismatch still fails.
    pub fn num_or_unbounded(&mut self, key: &str, actual: Option<f64>, expected: &Value) {
        let exp = expected_f64(expected);
        if actual.is_none() && exp.is_some_and(f64::is_infinite) {
            self.compared += 1;
        } else {
            self.num(key, actual, expected);
        }
    }

    /// Records a boolean/exact comparison.
    pub fn same<T: PartialEq + std::fmt::Debug>(&mut self, key: &str, actual: T, expected: T) {
        self.compared += 1;
        if actual != expected {
            self.errors
                .push(format!("{key}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Records a failure that is not a number comparison.
    pub fn fail(&mut self, msg: impl Into<String>) {
        self.errors.push(msg.into());
    }

    /// The outcome: the number of comparisons, or every mismatch.
    pub fn finish(self) -> Outcome {
        if self.errors.is_empty() {
            Ok(self.compared)
        } else {
            Err(self.errors)
        }
    }
}

/// Loads the dataset a vector file names in `input.dataset_file` (relative to the vectors dir),
/// or `None` when it has none.
#[allow(dead_code, reason = "not every checker loads raw datasets")]
pub fn dataset(v: &Value, dir: &Path) -> Option<Value> {
    let file = v["input"]["dataset_file"].as_str()?;
    let candidates = [dir.join(file), dir.join("datasets").join(file)];
    let path = candidates.iter().find(|p| p.is_file())?;
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Datasets are inputs of other checks; this only checks that they parse as datasets.
pub fn check_dataset(v: &Value, _dir: &Path) -> Outcome {
    if v["input"].is_object() {
        Ok(0)
    } else {
        Err(vec!["dataset without an input object".into()])
    }
}
