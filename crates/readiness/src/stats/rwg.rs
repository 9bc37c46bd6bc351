//! Within-group agreement: rwg for one item (James, Demaree & Wolf 1984), rwg(J) for a scale of
//! J parallel items (James, Demaree & Wolf 1984, 1993) and Lindell's r*wg(J) (Lindell, Brandt &
//! Whitney 1999; Lindell & Brandt 1999), following the conventions of R's `multilevel`
//! package (`rwg`, `rwg.j`, `rwg.j.lindell`).
//!
//! - Null (no-agreement) variance of a uniform distribution on A categories:
//!   `σ²_EU = (A² − 1)/12`.
//! - `rwg = 1 − s²/σ²_EU`, with `s²` the sample variance (n − 1) of the ratings present;
//!   truncated to 0 when `s² > σ²_EU` (more spread than random responding).
//! - `rwg(J) = J(1 − S̄/σ²) / (J(1 − S̄/σ²) + S̄/σ²)` with `S̄` the mean item variance. The raw
//!   formula has a pole at `S̄/σ² = J/(J−1)` and turns positive again beyond it, so it is
//!   truncated: `S̄ > σ²` gives 0.
//! - `r*wg(J) = 1 − S̄/σ²` (not truncated; it can be negative).
//!
//! A variance from fewer than two ratings is undefined, and so is every index that uses it.

use super::descriptive::{exact_sum, sample_variance};
use super::error::{Result, StatsError};

/// rwg of one item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Rwg {
    /// Number of ratings present.
    pub n: usize,
    /// Sample variance of the ratings; `None` with fewer than two.
    pub s2: Option<f64>,
    /// `1 − s²/σ²` before truncation.
    pub rwg_raw: Option<f64>,
    /// rwg after truncation to 0 when `s² > σ²`.
    pub rwg: Option<f64>,
    /// Whether truncation applied.
    pub truncated: bool,
}

/// rwg(J) and r*wg(J) of a scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RwgJ {
    /// Number of items J.
    pub j: usize,
    /// Each item's variance; `None` for an item with fewer than two ratings.
    pub item_variances: Vec<Option<f64>>,
    /// Mean item variance `S̄`; `None` when any item variance is undefined.
    pub mean_item_variance: Option<f64>,
    /// The untruncated formula; `None` exactly at the pole `S̄/σ² = J/(J−1)` (where it is
    /// infinite), and positive beyond it: never report it as agreement.
    pub rwg_j_raw: Option<f64>,
    /// rwg(J) with truncation (0 when `S̄ > σ²`).
    pub rwg_j: Option<f64>,
    /// Lindell's `r*wg(J) = 1 − S̄/σ²`.
    pub rwg_j_lindell: Option<f64>,
    /// Whether truncation applied.
    pub truncated: bool,
}

/// Null variance of a uniform distribution over `a` response categories, `(A² − 1)/12`.
///
/// # Errors
/// [`StatsError::TooFew`] when `a < 2`.
///
/// # Example
/// ```
/// assert_eq!(readiness::stats::rwg::uniform_null_variance(5).unwrap(), 2.0);
/// ```
pub fn uniform_null_variance(a: usize) -> Result<f64> {
    if a < 2 {
        return Err(StatsError::TooFew {
            what: "response categories",
            min: 2,
            found: a,
        });
    }
    let a = a as f64;
    Ok((a * a - 1.0) / 12.0)
}

/// Smallest accepted null variance; the largest is its reciprocal.
const MIN_NULL_VARIANCE: f64 = 1e-100;

/// Largest accepted item variance: the variance of ratings within
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE) is below it.
const MAX_VARIANCE: f64 = 1e200;

fn check_null(null_variance: f64) -> Result<()> {
    // Bounded away from 0 and ∞ so that S̄/σ² stays finite for any accepted variance (at most
    // MAX_VARIANCE): a subnormal σ² made the ratio overflow to ∞ (fuzz finding 4).
    if (MIN_NULL_VARIANCE..=1.0 / MIN_NULL_VARIANCE).contains(&null_variance) {
        Ok(())
    } else {
        Err(StatsError::InvalidParameter {
            name: "null_variance",
            expected: "in [1e-100, 1e100]",
            value: null_variance,
        })
    }
}

fn present(ratings: &[Option<f64>]) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(ratings.len());
    for (i, r) in ratings.iter().enumerate() {
        if let Some(x) = *r {
            super::error::check_value("rating", i, x)?;
            out.push(x);
        }
    }
    Ok(out)
}

/// rwg of one item from its ratings (`None` = missing, skipped).
///
/// # Errors
/// [`StatsError::NonFinite`] for a NaN/∞ rating, [`StatsError::OutOfRange`] for one beyond
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE), [`StatsError::InvalidParameter`] when `null_variance`
/// is not in [1e-100, 1e100].
///
/// # Example
/// ```
/// use readiness::stats::rwg::{rwg, uniform_null_variance};
/// let r = rwg(&[Some(2.0), None, Some(3.0)], uniform_null_variance(5).unwrap()).unwrap();
/// assert_eq!(r.rwg, Some(0.75));
/// ```
pub fn rwg(ratings: &[Option<f64>], null_variance: f64) -> Result<Rwg> {
    check_null(null_variance)?;
    let xs = present(ratings)?;
    let s2 = sample_variance(&xs);
    let raw = s2.map(|s| 1.0 - s / null_variance);
    let truncated = s2.is_some_and(|s| s > null_variance);
    Ok(Rwg {
        n: xs.len(),
        s2,
        rwg_raw: raw,
        rwg: if truncated { Some(0.0) } else { raw },
        truncated,
    })
}

/// rwg(J) and r*wg(J) from the item variances of a J-item scale.
///
/// # Errors
/// [`StatsError::TooFew`] for no items, [`StatsError::NonFinite`] for a NaN/∞ or negative
/// variance, [`StatsError::OutOfRange`] for a variance above 1e200,
/// [`StatsError::InvalidParameter`] when `null_variance` is not in [1e-100, 1e100].
///
/// # Example
/// ```
/// use readiness::stats::rwg::rwg_j_from_variances;
/// // at the pole (S̄/σ² = J/(J−1)) the raw formula is undefined (−∞); truncation gives 0
/// let r = rwg_j_from_variances(&[Some(3.0), Some(3.0), Some(3.0)], 2.0).unwrap();
/// assert_eq!(r.rwg_j_raw, None);
/// assert_eq!(r.rwg_j, Some(0.0));
/// assert_eq!(r.rwg_j_lindell, Some(-0.5));
/// ```
pub fn rwg_j_from_variances(item_variances: &[Option<f64>], null_variance: f64) -> Result<RwgJ> {
    check_null(null_variance)?;
    let j = item_variances.len();
    if j == 0 {
        return Err(StatsError::TooFew {
            what: "items",
            min: 1,
            found: 0,
        });
    }
    for (i, v) in item_variances.iter().enumerate() {
        if let Some(x) = *v {
            if !x.is_finite() || x < 0.0 {
                return Err(StatsError::NonFinite {
                    what: "item variance",
                    index: i,
                    value: x,
                });
            }
            if x > MAX_VARIANCE {
                return Err(StatsError::OutOfRange {
                    what: "item variance",
                    index: i,
                    value: x,
                    limit: MAX_VARIANCE,
                });
            }
        }
    }
    let mean_var = item_variances
        .iter()
        .copied()
        .collect::<Option<Vec<f64>>>()
        .map(|vs| exact_sum(&vs) / j as f64);
    let (raw, lindell, truncated) = match mean_var {
        Some(s) => {
            let ratio = s / null_variance;
            let num = j as f64 * (1.0 - ratio);
            let mut raw = num / (num + ratio);
            if !raw.is_finite() {
                // num + ratio equals J − (J−1)·S̄/σ², which does not cancel: for J = 1 and a
                // huge ratio, (1 − r) + r rounds to 0 although it is exactly 1. Where it is 0
                // for real (the pole) the raw index stays undefined.
                raw = num / (j as f64 - (j as f64 - 1.0) * ratio);
            }
            (
                raw.is_finite().then_some(raw),
                Some(1.0 - ratio),
                s > null_variance,
            )
        }
        None => (None, None, false),
    };
    Ok(RwgJ {
        j,
        item_variances: item_variances.to_vec(),
        mean_item_variance: mean_var,
        rwg_j_raw: raw,
        rwg_j: if truncated { Some(0.0) } else { raw },
        rwg_j_lindell: lindell,
        truncated,
    })
}

/// rwg(J) and r*wg(J) of one group from a raters × items matrix (`None` = missing).
///
/// # Errors
/// As [`rwg_j_from_variances`], and [`StatsError::RaggedMatrix`] when rows differ in length.
///
/// # Example
/// ```
/// use readiness::stats::rwg::rwg_j;
/// let rows = vec![
///     vec![Some(2.0), Some(1.0), Some(2.0)],
///     vec![Some(2.0), Some(3.0), Some(3.0)],
///     vec![Some(2.0), Some(3.0), Some(3.0)],
///     vec![Some(2.0), Some(3.0), Some(2.0)],
/// ];
/// let r = rwg_j(&rows, 2.0).unwrap();
/// assert!((r.rwg_j.unwrap() - 0.9130434782608695).abs() < 1e-12);
/// ```
pub fn rwg_j(rows: &[Vec<Option<f64>>], null_variance: f64) -> Result<RwgJ> {
    let j = super::error::check_matrix(rows, "rating")?;
    let variances: Vec<Option<f64>> = (0..j)
        .map(|c| {
            let col: Vec<f64> = rows.iter().filter_map(|r| r[c]).collect();
            sample_variance(&col)
        })
        .collect();
    rwg_j_from_variances(&variances, null_variance)
}
