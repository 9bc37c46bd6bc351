//! Cronbach's alpha (Cronbach 1951) with Feldt's confidence interval (Feldt 1965; Feldt,
//! Woodruff & Salih 1987).
//!
//! Rows are observations (e.g. one candidate–rater form), columns are items (criteria).
//! With `C` the k × k item covariance matrix:
//!
//! `α = k/(k−1) · (1 − tr(C) / ΣC)`
//!
//! Missing values: `Listwise` drops every row with a missing item; `Pairwise` estimates each
//! covariance from the rows where both items are present (as pandas' `DataFrame.cov` and
//! pingouin's default).
//!
//! Feldt's interval: `(1 − α̂)/(1 − α)` follows F with `(n−1, (n−1)(k−1))` df, so
//! `[1 − (1−α̂)·F⁻¹(1−q), 1 − (1−α̂)·F⁻¹(q)]` with `q = (1 − c)/2` and `F⁻¹(p)` the upper
//! quantile `P(F > x) = p`.

use super::descriptive::{exact_sum, mean};
use super::distributions::f_isf;
use super::error::{check_confidence, check_matrix, Result, StatsError};

/// How missing values are handled.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Each covariance from the rows where both items are present.
    Pairwise,
    /// Only rows with every item present.
    Listwise,
}

/// Feldt's confidence interval for alpha.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FeldtInterval {
    /// Lower bound; `None` when alpha is undefined.
    pub lower: Option<f64>,
    /// Upper bound; `None` when alpha is undefined.
    pub upper: Option<f64>,
    /// Numerator df, n − 1.
    pub df1: usize,
    /// Denominator df, (n − 1)(k − 1).
    pub df2: usize,
    /// The n used.
    pub n: usize,
}

/// Cronbach's alpha of one scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CronbachAlpha {
    /// The coefficient; `None` when undefined (zero total variance — up to rounding, relative
    /// 1e-12 of the summed item variances — or a pair of items with
    /// fewer than two joint observations under pairwise deletion).
    pub alpha: Option<f64>,
    /// Rows given.
    pub n_rows_input: usize,
    /// Rows used: complete rows for listwise, all rows for pairwise.
    pub n_rows_used: usize,
    /// Number of items.
    pub k_items: usize,
    /// The missing-value policy applied.
    pub missing_policy: MissingPolicy,
    /// Each item's sample variance (n − 1 denominator); `None` with fewer than two values.
    pub item_variances: Vec<Option<f64>>,
    /// Variance of the total score, the sum of the covariance matrix.
    pub total_score_variance: Option<f64>,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Feldt's interval, with n = `n_rows_used`.
    pub ci: FeldtInterval,
}

/// Feldt's confidence interval for an alpha of `k` items computed on `n` observations.
///
/// # Errors
/// [`StatsError::InvalidParameter`] when `confidence` is not in (0, 1);
/// [`StatsError::TooFew`] when `n < 2` or `k < 2`.
///
/// # Example
/// ```
/// use readiness::stats::cronbach::feldt_interval;
/// let ci = feldt_interval(Some(0.5917188485995826), 15, 10, 0.95).unwrap();
/// assert!((ci.lower.unwrap() - 0.19492139066312175).abs() < 1e-9);
/// ```
pub fn feldt_interval(
    alpha: Option<f64>,
    n: usize,
    k: usize,
    confidence: f64,
) -> Result<FeldtInterval> {
    check_confidence(confidence)?;
    if n < 2 {
        return Err(StatsError::TooFew {
            what: "observations",
            min: 2,
            found: n,
        });
    }
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "items",
            min: 2,
            found: k,
        });
    }
    let df1 = n - 1;
    let df2 = df1 * (k - 1);
    let q = (1.0 - confidence) / 2.0;
    let bound = |p: f64| -> Option<f64> {
        let a = alpha?;
        let f = f_isf(p, df1 as f64, df2 as f64)?;
        let v = 1.0 - (1.0 - a) * f;
        v.is_finite().then_some(v)
    };
    Ok(FeldtInterval {
        lower: bound(q),
        upper: bound(1.0 - q),
        df1,
        df2,
        n,
    })
}

/// Cronbach's alpha with Feldt's interval for an observations × items matrix.
///
/// # Errors
/// [`StatsError::RaggedMatrix`] when rows differ in length, [`StatsError::NonFinite`] for a
/// NaN/∞ value, [`StatsError::OutOfRange`] for one beyond
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE), [`StatsError::TooFew`] with fewer than 2 items or 2 usable rows, and
/// [`StatsError::InvalidParameter`] when `confidence` is not in (0, 1).
///
/// # Example
/// ```
/// use readiness::stats::cronbach::{cronbach_alpha, MissingPolicy};
/// let rows = vec![
///     vec![Some(1.0), Some(3.0), Some(2.0)],
///     vec![Some(2.0), Some(3.0), Some(3.0)],
///     vec![Some(4.0), Some(3.0), Some(4.0)],
///     vec![Some(5.0), Some(3.0), Some(4.0)],
///     vec![Some(3.0), Some(3.0), Some(3.0)],
/// ];
/// let a = cronbach_alpha(&rows, MissingPolicy::Pairwise, 0.95).unwrap();
/// assert!((a.alpha.unwrap() - 0.6578947368421053).abs() < 1e-12);
/// ```
pub fn cronbach_alpha(
    rows: &[Vec<Option<f64>>],
    policy: MissingPolicy,
    confidence: f64,
) -> Result<CronbachAlpha> {
    check_confidence(confidence)?;
    let k = check_matrix(rows, "value")?;
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "items",
            min: 2,
            found: k,
        });
    }
    let used: Vec<&Vec<Option<f64>>> = match policy {
        MissingPolicy::Pairwise => rows.iter().collect(),
        MissingPolicy::Listwise => rows
            .iter()
            .filter(|r| r.iter().all(Option::is_some))
            .collect(),
    };
    if used.len() < 2 {
        return Err(StatsError::TooFew {
            what: "rows",
            min: 2,
            found: used.len(),
        });
    }
    // Covariance matrix, each entry from the rows where both items are present.
    let mut cov = vec![vec![None; k]; k];
    for i in 0..k {
        for j in i..k {
            let (xs, ys): (Vec<f64>, Vec<f64>) =
                used.iter().filter_map(|r| Some((r[i]?, r[j]?))).unzip();
            let c = covariance(&xs, &ys);
            cov[i][j] = c;
            cov[j][i] = c;
        }
    }
    let item_variances: Vec<Option<f64>> = (0..k).map(|i| cov[i][i]).collect();
    let all: Option<Vec<f64>> = cov.iter().flatten().copied().collect();
    let (alpha, total) = match all {
        Some(entries) => {
            let total = exact_sum(&entries);
            let diag: Vec<f64> = (0..k).map(|i| entries[i * k + i]).collect();
            let trace = exact_sum(&diag);
            let kf = k as f64;
            // A total variance that is zero up to rounding (e.g. items that sum to a constant)
            // leaves alpha undefined; dividing by the rounding residue would give ±10¹⁵.
            let defined = total > 1e-12 * trace.abs();
            let a = kf / (kf - 1.0) * (1.0 - trace / total);
            ((defined && a.is_finite()).then_some(a), Some(total))
        }
        None => (None, None),
    };
    let n_used = used.len();
    let ci = feldt_interval(alpha, n_used, k, confidence)?;
    Ok(CronbachAlpha {
        alpha,
        n_rows_input: rows.len(),
        n_rows_used: n_used,
        k_items: k,
        missing_policy: policy,
        item_variances,
        total_score_variance: total,
        confidence,
        ci,
    })
}

/// Sample covariance (n − 1 denominator), exactly 0 when either variable is constant;
/// `None` with fewer than two pairs.
fn covariance(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let mx = mean(xs)?;
    let my = mean(ys)?;
    let prods: Vec<f64> = xs
        .iter()
        .zip(ys)
        .map(|(&x, &y)| (x - mx) * (y - my))
        .collect();
    Some(exact_sum(&prods) / (xs.len() - 1) as f64)
}
