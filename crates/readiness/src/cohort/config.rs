//! Cohort settings of a rubric: the 9-box, anonymity of group breakdowns, trend flags, the
//! fairness selection and an optional target level distribution.
//!
//! Every setting has a default and is left out of the rubric's canonical JSON while it has
//! that default, so rubrics written before these settings existed keep their fingerprint.

use crate::error::{clip, one_of, RubricError};
use crate::rubric::Rubric;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Key of the combined breakdown written by [`Anonymity::RollUp`].
pub const OTHERS: &str = "others";

/// What happens to a rater group's breakdown when the group has fewer distinct raters than
/// its `min_raters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anonymity {
    /// The breakdown is withheld (`null`, with the reason in `suppressed`).
    #[default]
    Suppress,
    /// The breakdown is withheld and the withheld scoring groups are merged into one combined
    /// breakdown under `by_group.others`, shown when the merged groups together reach the
    /// largest of their `min_raters`.
    RollUp,
}

impl Anonymity {
    /// Whether this is the default, [`Anonymity::Suppress`].
    pub fn is_suppress(&self) -> bool {
        matches!(self, Anonymity::Suppress)
    }
}

/// Thresholds of the `stalled` and `declining` trend flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrendPolicy {
    /// Number of most recent assessed cycles the flags look at (at least 2; default 3).
    #[serde(default = "default_trend_cycles")]
    pub cycles: u32,
    /// Smallest index gain (0–100 points) over those cycles that counts as progress (default 5).
    #[serde(default = "default_min_gain")]
    pub min_gain: f64,
}

fn default_trend_cycles() -> u32 {
    3
}
fn default_min_gain() -> f64 {
    5.0
}

impl Default for TrendPolicy {
    fn default() -> Self {
        TrendPolicy {
            cycles: default_trend_cycles(),
            min_gain: default_min_gain(),
        }
    }
}

impl TrendPolicy {
    /// Whether every value is the default.
    pub fn is_default(&self) -> bool {
        *self == TrendPolicy::default()
    }
}

/// The selection the fairness report analyses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FairnessPolicy {
    /// Level ids that count as "selected"; empty (the default) means the best level
    /// (`ready_now` in the standard rubric).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
}

impl FairnessPolicy {
    /// Whether every value is the default.
    pub fn is_default(&self) -> bool {
        self.levels.is_empty()
    }
}

/// How the 9-box axes are cut into low, middle and high bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NineBoxCuts {
    /// Two fixed cut points on 0–100 `[a, b]`: low below a, middle from a to below b, high
    /// from b.
    Fixed([f64; 2]),
    /// A cohort-relative method.
    Relative(RelativeCuts),
}

/// Cohort-relative cut methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelativeCuts {
    /// Cut at the cohort's 1/3 and 2/3 quantiles of each axis.
    Tertiles,
}

impl Default for NineBoxCuts {
    fn default() -> Self {
        NineBoxCuts::Fixed([50.0, 75.0])
    }
}

/// The 9-box grid: which dimensions make up each axis, where the axes are cut, and the names of
/// the cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NineBox {
    /// Dimension ids averaged (with their weights) into the performance axis; empty means every
    /// dimension of kind `impact`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub performance: Vec<String>,
    /// Dimension ids averaged into the potential axis; empty means every dimension of kind
    /// `leadership` or `attitude`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub potential: Vec<String>,
    /// Cut points: `[a, b]` on 0–100 (default `[50, 75]`) or `"tertiles"`.
    #[serde(default, skip_serializing_if = "NineBoxCuts::is_default")]
    pub cuts: NineBoxCuts,
    /// Names of cells 1–9 (nine entries); empty means [`DEFAULT_CELL_NAMES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

impl NineBoxCuts {
    /// Whether these are the default cuts `[50, 75]`.
    pub fn is_default(&self) -> bool {
        *self == NineBoxCuts::default()
    }
}

impl NineBox {
    /// Whether every value is the default.
    pub fn is_default(&self) -> bool {
        *self == NineBox::default()
    }
}

/// Default names of the 9-box cells. Cell `3·p + q + 1` has potential band `p` and performance
/// band `q` (0 low, 1 middle, 2 high): cell 1 is low/low, 3 high performance with low potential,
/// 7 high potential with low performance, 9 high/high.
pub const DEFAULT_CELL_NAMES: [&str; 9] = [
    "Talent risk",
    "Solid contributor",
    "Trusted professional",
    "Inconsistent performer",
    "Core player",
    "High performer",
    "Rough diamond",
    "Growth talent",
    "Future leader",
];

/// Checks the cohort settings of a rubric (called by [`Rubric::validate`]).
pub(crate) fn validate(rubric: &Rubric) -> Result<(), RubricError> {
    let p = &rubric.policy;
    let level_ids = || p.levels.iter().map(|l| l.id.as_str());
    if p.trend.cycles < 2 {
        return Err(RubricError::InvalidValue {
            path: "policy.trend.cycles".into(),
            message: format!("must be at least 2, got {}", p.trend.cycles),
        });
    }
    if !(p.trend.min_gain.is_finite() && (0.0..=100.0).contains(&p.trend.min_gain)) {
        return Err(RubricError::InvalidValue {
            path: "policy.trend.min_gain".into(),
            message: format!("must be a number from 0 to 100, got {}", p.trend.min_gain),
        });
    }
    for (k, id) in p.fairness.levels.iter().enumerate() {
        if !level_ids().any(|l| l == id) {
            return Err(RubricError::InvalidValue {
                path: format!("policy.fairness.levels[{k}]"),
                message: format!(
                    "unknown level '{}', expected one of {}",
                    clip(id),
                    one_of(level_ids())
                ),
            });
        }
    }
    if !p.target_distribution.is_empty() {
        for (id, v) in &p.target_distribution {
            let path = format!("policy.target_distribution.{id}");
            if !level_ids().any(|l| l == id) {
                return Err(RubricError::InvalidValue {
                    path,
                    message: format!(
                        "unknown level '{}', expected one of {}",
                        clip(id),
                        one_of(level_ids())
                    ),
                });
            }
            if !(v.is_finite() && *v > 0.0) {
                return Err(RubricError::InvalidValue {
                    path,
                    message: format!("must be a share > 0, got {v}"),
                });
            }
        }
        if let Some(missing) = level_ids().find(|l| !p.target_distribution.contains_key(*l)) {
            return Err(RubricError::InvalidValue {
                path: "policy.target_distribution".into(),
                message: format!("must give a share for every level, '{missing}' is missing"),
            });
        }
    }
    if p.anonymity == Anonymity::RollUp && rubric.rater_groups.contains_key(OTHERS) {
        return Err(RubricError::InvalidId {
            path: format!("rater_groups.{OTHERS}"),
            id: OTHERS.into(),
            reason: "reserved for the combined breakdown when policy.anonymity = \"roll_up\""
                .into(),
        });
    }
    let nb = &rubric.nine_box;
    for (axis, ids) in [
        ("performance", &nb.performance),
        ("potential", &nb.potential),
    ] {
        for (k, id) in ids.iter().enumerate() {
            if !rubric.dimensions.iter().any(|d| &d.id == id) {
                return Err(RubricError::InvalidValue {
                    path: format!("nine_box.{axis}[{k}]"),
                    message: format!(
                        "unknown dimension '{}', expected one of {}",
                        clip(id),
                        one_of(rubric.dimensions.iter().map(|d| d.id.as_str()))
                    ),
                });
            }
        }
    }
    if let NineBoxCuts::Fixed([a, b]) = nb.cuts {
        if !(a.is_finite() && b.is_finite() && 0.0 <= a && a < b && b <= 100.0) {
            return Err(RubricError::InvalidValue {
                path: "nine_box.cuts".into(),
                message: format!(
                    "must be [a, b] with 0 ≤ a < b ≤ 100, or \"tertiles\", got [{a}, {b}]"
                ),
            });
        }
    }
    if !nb.names.is_empty() && nb.names.len() != 9 {
        return Err(RubricError::InvalidValue {
            path: "nine_box.names".into(),
            message: format!("expected 9 names (cells 1–9), got {}", nb.names.len()),
        });
    }
    Ok(())
}
