//! Interpretation bands for reliability coefficients, judged on the point estimate *and* on
//! the confidence interval.
//!
//! Koo & Li (2016), "A guideline of selecting and reporting intraclass correlation coefficients
//! for reliability research", J. Chiropractic Medicine 15(2):155–163: ICC < 0.50 poor,
//! 0.50–0.75 moderate, 0.75–0.90 good, ≥ 0.90 excellent — and they advise judging the band on
//! the 95% confidence interval, not the point estimate alone.

/// A Koo & Li (2016) reliability band.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReliabilityBand {
    /// Below 0.50.
    Poor,
    /// From 0.50 up to (not including) 0.75.
    Moderate,
    /// From 0.75 up to (not including) 0.90.
    Good,
    /// 0.90 or above.
    Excellent,
}

impl ReliabilityBand {
    /// The band of a coefficient; `None` when it is NaN.
    ///
    /// # Example
    /// ```
    /// use readiness::stats::interpret::ReliabilityBand;
    /// assert_eq!(ReliabilityBand::of(0.75), Some(ReliabilityBand::Good));
    /// assert_eq!(ReliabilityBand::of(0.7499), Some(ReliabilityBand::Moderate));
    /// ```
    pub fn of(value: f64) -> Option<ReliabilityBand> {
        if value.is_nan() {
            None
        } else if value < 0.50 {
            Some(ReliabilityBand::Poor)
        } else if value < 0.75 {
            Some(ReliabilityBand::Moderate)
        } else if value < 0.90 {
            Some(ReliabilityBand::Good)
        } else {
            Some(ReliabilityBand::Excellent)
        }
    }
}

/// A coefficient's band, judged on its point estimate and on both ends of its interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct BandJudgement {
    /// Band of the point estimate; `None` when the estimate is undefined.
    pub point: Option<ReliabilityBand>,
    /// Band of the lower confidence bound; `None` when the bound is undefined.
    pub lower: Option<ReliabilityBand>,
    /// Band of the upper confidence bound; `None` when the bound is undefined.
    pub upper: Option<ReliabilityBand>,
    /// True when both bounds are defined and fall in the same band: only then does the data
    /// support one band with the stated confidence.
    pub conclusive: bool,
    /// The band the data support with confidence: the lower bound's band (the most that can be
    /// claimed), or `None` when the lower bound is undefined.
    pub supported: Option<ReliabilityBand>,
}

/// Judges a coefficient and its confidence interval on the Koo & Li (2016) bands.
///
/// # Example
/// ```
/// use readiness::stats::interpret::{judge, ReliabilityBand};
/// let j = judge(Some(0.83), Some(0.62), Some(0.95));
/// assert_eq!(j.point, Some(ReliabilityBand::Good));
/// assert_eq!(j.supported, Some(ReliabilityBand::Moderate));
/// assert!(!j.conclusive);
/// ```
pub fn judge(point: Option<f64>, lower: Option<f64>, upper: Option<f64>) -> BandJudgement {
    let point = point.and_then(ReliabilityBand::of);
    let lower = lower.and_then(ReliabilityBand::of);
    let upper = upper.and_then(ReliabilityBand::of);
    BandJudgement {
        point,
        lower,
        upper,
        conclusive: lower.is_some() && lower == upper,
        supported: lower,
    }
}
