//! Quantiles and tail probabilities of the t, F and normal distributions.
//!
//! Built on `statrs`, with guards where it misbehaves: `StudentsT::inverse_cdf` does not
//! terminate for infinite or very large degrees of freedom, so those fall back to the normal
//! distribution (the limit of t as df → ∞).

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Degrees of freedom above which t is replaced by the standard normal.
const T_NORMAL_LIMIT: f64 = 1.0e7;

/// Quantile `t(p, df)` of Student's t distribution.
///
/// Returns `None` when `p` is not in (0, 1) or `df` is not a positive number.
///
/// # Example
/// ```
/// let t = readiness::stats::distributions::t_quantile(0.975, 4.0).unwrap();
/// assert!((t - 2.7764451051977934).abs() < 1e-9);
/// ```
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 {
        return None;
    }
    if df > T_NORMAL_LIMIT {
        return normal_quantile(p);
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let q = dist.inverse_cdf(p);
    q.is_finite().then_some(q)
}

/// Quantile of the standard normal distribution.
///
/// Returns `None` when `p` is not in (0, 1).
pub fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let dist = Normal::new(0.0, 1.0).ok()?;
    Some(dist.inverse_cdf(p))
}
