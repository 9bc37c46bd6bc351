//! Shared helpers of the fuzz targets: invariants every engine output must satisfy, and
//! bounded arbitrary inputs for the statistics entry points.

use arbitrary::{Arbitrary, Unstructured};
use readiness::Assessment;

#[path = "../../tests/adversarial/finite.rs"]
pub mod finite;

/// Panics unless `value` serializes without a NaN or infinite float anywhere.
pub fn assert_finite<T: serde::Serialize + ?Sized>(value: &T) {
    if let Some(path) = finite::first_non_finite(value) {
        panic!("non-finite float in output: {path}");
    }
}

/// The invariants of a batch of assessments: every float finite, documents sorted by
/// (candidate, cycle) without repeats, and the JSON form parses back to the same documents.
pub fn check_assessments(docs: &[Assessment]) {
    assert_finite(docs);
    for w in docs.windows(2) {
        let a = (&w[0].candidate, &w[0].cycle);
        let b = (&w[1].candidate, &w[1].cycle);
        assert!(a < b, "documents not sorted: {a:?} then {b:?}");
    }
    let text = serde_json::to_string(docs).expect("assessments serialize");
    let back: Vec<Assessment> = serde_json::from_str(&text).expect("assessments parse back");
    assert_eq!(back.len(), docs.len());
}

/// Error codes are stable snake_case identifiers; messages are bounded (no 10 MB echo).
pub fn check_error(code: &str, message: &str) {
    assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    assert!(
        message.len() <= 4096,
        "error message of {} bytes ({code})",
        message.len()
    );
}

/// A score: mostly on a 1–5 scale, sometimes any float (NaN, ±inf, huge, negative zero).
#[derive(Debug, Clone, Copy)]
pub struct Score(pub Option<f64>);

impl<'a> Arbitrary<'a> for Score {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Score(match u.int_in_range(0u8..=15)? {
            0 => None,
            1 => Some(f64::from_bits(u.arbitrary()?)),
            2 => Some(f64::from(u.int_in_range(0u8..=12)?) * 0.5),
            _ => Some(f64::from(u.int_in_range(1u8..=5)?)),
        }))
    }
}

/// A small matrix (rows × columns, both bounded) of optional scores.
#[derive(Debug, Clone)]
pub struct Matrix(pub Vec<Vec<Option<f64>>>);

impl<'a> Arbitrary<'a> for Matrix {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let rows = u.int_in_range(0usize..=24)?;
        let cols = u.int_in_range(0usize..=8)?;
        let ragged = u.ratio(1u8, 16u8)?;
        let mut m = Vec::with_capacity(rows);
        for _ in 0..rows {
            let n = if ragged {
                u.int_in_range(0usize..=8)?
            } else {
                cols
            };
            let mut row = Vec::with_capacity(n);
            for _ in 0..n {
                row.push(Score::arbitrary(u)?.0);
            }
            m.push(row);
        }
        Ok(Matrix(m))
    }
}

/// A probability-like parameter: mostly sensible, sometimes any float.
pub fn confidence(u: &mut Unstructured<'_>) -> arbitrary::Result<f64> {
    Ok(if u.ratio(1u8, 8u8)? {
        f64::from_bits(u.arbitrary()?)
    } else {
        [0.9, 0.95, 0.99][u.choose_index(3)?]
    })
}
