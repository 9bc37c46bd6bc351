//! Rubric documents: the scale, rater groups, policy and dimensions an assessment is made with.
//!
//! One serde model serves TOML files and JSON documents. Loading always validates, and every
//! problem is reported with the path of the offending value
//! (`dimensions[1].criteria[2].weight: must be > 0, got -1`).

use crate::error::{clip, one_of, RubricError};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

mod locate;
mod toml_json;

/// The rubric format version this engine reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Id of the pseudo-level given when evidence is too thin to place a candidate.
pub const INSUFFICIENT_EVIDENCE: &str = "insufficient_evidence";

/// Size limits checked when a rubric is read from text or a JSON value, so that a hostile
/// document (from a browser, an upload) is refused with [`RubricError::LimitExceeded`] before it
/// costs memory or time. The defaults are far above any real rubric (the standard one has 4
/// dimensions, 19 criteria, 4 levels and no text over 300 bytes).
///
/// # Example
/// ```
/// use readiness::rubric::{Rubric, RubricLimits, STANDARD_TOML};
/// let limits = RubricLimits { max_criteria: 10, ..RubricLimits::default() };
/// let err = Rubric::from_toml_str_with_limits(STANDARD_TOML, &limits).unwrap_err();
/// assert_eq!(err.code(), "limit_exceeded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricLimits {
    /// Largest document in bytes (TOML or JSON text).
    pub max_input_bytes: usize,
    /// Most dimensions.
    pub max_dimensions: usize,
    /// Most criteria, across all dimensions.
    pub max_criteria: usize,
    /// Most rater groups.
    pub max_rater_groups: usize,
    /// Most policy levels.
    pub max_levels: usize,
    /// Longest text (a name, description, anchor, label, key) in bytes.
    pub max_text_len: usize,
    /// Most items in one list or keys in one table (anchors, labels, development actions…).
    pub max_list_len: usize,
    /// Deepest nesting of tables and lists.
    pub max_depth: usize,
}

impl Default for RubricLimits {
    fn default() -> Self {
        RubricLimits {
            max_input_bytes: 1 << 20,
            max_dimensions: 64,
            max_criteria: 1024,
            max_rater_groups: 64,
            max_levels: 32,
            max_text_len: 8 * 1024,
            max_list_len: 2048,
            max_depth: 16,
        }
    }
}

impl RubricLimits {
    fn exceeded(path: &str, what: String, limit: usize) -> RubricError {
        RubricError::LimitExceeded {
            path: if path.is_empty() {
                ".".into()
            } else {
                path.to_string()
            },
            what,
            limit: limit as u64,
        }
    }

    fn check_bytes(&self, len: usize) -> Result<(), RubricError> {
        if len > self.max_input_bytes {
            return Err(Self::exceeded(
                "",
                format!("rubric size ({len} bytes)"),
                self.max_input_bytes,
            ));
        }
        Ok(())
    }

    /// Checks text lengths, list lengths and depth of a document before it is deserialized.
    fn check_value(
        &self,
        v: &serde_json::Value,
        path: &mut String,
        depth: usize,
    ) -> Result<(), RubricError> {
        if depth > self.max_depth {
            return Err(Self::exceeded(
                path,
                format!("nesting depth ({depth})"),
                self.max_depth,
            ));
        }
        match v {
            serde_json::Value::String(t) if t.len() > self.max_text_len => Err(Self::exceeded(
                path,
                format!("text length ({} bytes)", t.len()),
                self.max_text_len,
            )),
            serde_json::Value::Array(items) => {
                if items.len() > self.max_list_len {
                    return Err(Self::exceeded(
                        path,
                        format!("list length ({})", items.len()),
                        self.max_list_len,
                    ));
                }
                for (i, x) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.check_value(x, path, depth + 1)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                if map.len() > self.max_list_len {
                    return Err(Self::exceeded(
                        path,
                        format!("number of keys ({})", map.len()),
                        self.max_list_len,
                    ));
                }
                for (k, x) in map {
                    if k.len() > self.max_text_len {
                        return Err(Self::exceeded(
                            path,
                            format!("key length ({} bytes)", k.len()),
                            self.max_text_len,
                        ));
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&clip(k));
                    self.check_value(x, path, depth + 1)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Checks the counts of a deserialized rubric.
    fn check_counts(&self, r: &Rubric) -> Result<(), RubricError> {
        let criteria: usize = r.dimensions.iter().map(|d| d.criteria.len()).sum();
        for (path, what, n, limit) in [
            (
                "dimensions",
                "number of dimensions",
                r.dimensions.len(),
                self.max_dimensions,
            ),
            (
                "dimensions",
                "number of criteria",
                criteria,
                self.max_criteria,
            ),
            (
                "rater_groups",
                "number of rater groups",
                r.rater_groups.len(),
                self.max_rater_groups,
            ),
            (
                "policy.levels",
                "number of levels",
                r.policy.levels.len(),
                self.max_levels,
            ),
        ] {
            if n > limit {
                return Err(Self::exceeded(path, format!("{what} ({n})"), limit));
            }
        }
        Ok(())
    }
}

/// Id of the rater group whose ratings feed the self–other gap.
pub const SELF_GROUP: &str = "self";

/// The standard rubric's TOML source (also shipped as `examples/rubrics/standard.toml`).
pub const STANDARD_TOML: &str = include_str!("../rubrics/standard.toml");

/// The standard rubric's document as compact JSON, generated from [`STANDARD_TOML`] (a test
/// checks they agree): what [`Rubric::standard`] reads, smaller than the commented TOML and
/// without the TOML parser's work.
const STANDARD_JSON: &str = include_str!("../rubrics/standard.json");

/// A rubric: how candidates are rated and how ratings become a readiness assessment.
///
/// # Example
/// ```
/// use readiness::Rubric;
/// let rubric = Rubric::standard();
/// assert_eq!(rubric.id, "standard-leadership");
/// assert_eq!(rubric.dimensions.len(), 4);
/// assert!(rubric.fingerprint().starts_with("sha256:"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// Format version of the document; must be 1.
    pub format_version: u32,
    /// Stable id of the rubric (letters, digits, `_`, `-`, `.`).
    pub id: String,
    /// Version of the rubric, recorded in every assessment's provenance.
    pub version: String,
    /// Human-readable name.
    #[serde(default)]
    pub name: String,
    /// Optional longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rating scale.
    pub scale: Scale,
    /// Rater groups, in report order, keyed by id (`self`, `manager`, `peer`, …).
    pub rater_groups: IndexMap<String, RaterGroup>,
    /// Thresholds for levels and flags.
    pub policy: Policy,
    /// Dimensions, each with its criteria.
    pub dimensions: Vec<Dimension>,
    /// The cohort report's 9-box grid (axes, cuts, cell names).
    #[serde(
        default,
        skip_serializing_if = "crate::cohort::config::NineBox::is_default"
    )]
    pub nine_box: crate::cohort::config::NineBox,
}

/// The rating scale of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest rating.
    pub min: f64,
    /// Highest rating.
    pub max: f64,
    /// Distance between allowed ratings; when given, ratings must lie on a step from `min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// One label per scale point, lowest first (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl Scale {
    /// Number of scale points: `(max − min)/step + 1` with a step; `max − min + 1` for a scale
    /// without a step whose bounds are whole numbers; `None` otherwise.
    pub fn points(&self) -> Option<usize> {
        let span = self.max - self.min;
        match self.step {
            Some(step) if step > 0.0 => Some(((span / step).round() as usize).saturating_add(1)),
            Some(_) => None,
            None if self.min.fract() == 0.0 && self.max.fract() == 0.0 => {
                Some((span.round() as usize).saturating_add(1))
            }
            None => None,
        }
    }

    /// `norm(x) = 100 (x − min)/(max − min)`: a raw-scale value on 0–100.
    pub fn norm(&self, x: f64) -> f64 {
        100.0 * (x - self.min) / (self.max - self.min)
    }

    /// Variance of ratings under the uniform null distribution, used by rwg:
    /// `step² (A² − 1)/12` for A points `step` apart, `(max − min)²/12` for a continuous scale.
    pub fn null_variance(&self) -> f64 {
        match (self.step, self.points()) {
            (Some(step), Some(a)) => {
                let a = a as f64;
                step * step * (a * a - 1.0) / 12.0
            }
            (None, Some(a)) => {
                let a = a as f64;
                (a * a - 1.0) / 12.0
            }
            _ => {
                let span = self.max - self.min;
                span * span / 12.0
            }
        }
    }
}

/// A rater group: its weight in the score and its anonymity minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaterGroup {
    /// Weight of the group in criterion scores; only the `self` group may have weight 0.
    pub weight: f64,
    /// Fewest distinct raters for the group's breakdown to be shown (anonymity).
    #[serde(default = "default_group_min_raters")]
    pub min_raters: u32,
    /// Optional display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

fn default_group_min_raters() -> u32 {
    1
}

/// Thresholds that turn scores into a level and flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Below this coverage on any leadership-side dimension the level is `insufficient_evidence`.
    #[serde(default = "default_min_coverage")]
    pub min_coverage: f64,
    /// Fewer scoring raters than this raises the `few_raters` flag.
    #[serde(default = "default_min_raters")]
    pub min_raters: u32,
    /// Self minus others, in scale points, that raises `blind_spot` / `hidden_strength`.
    #[serde(default = "default_self_other_gap")]
    pub self_other_gap: f64,
    /// rwg(J) below this raises `low_agreement`.
    #[serde(default = "default_low_agreement_rwg")]
    pub low_agreement_rwg: f64,
    /// Thresholds of the `expert_trap` flag.
    #[serde(default)]
    pub expert_trap: ExpertTrap,
    /// How many top criteria are reported as strengths.
    #[serde(default = "default_top_n")]
    pub strengths: u32,
    /// How many bottom criteria are reported as development areas.
    #[serde(default = "default_top_n")]
    pub development: u32,
    /// Levels, best first; the last one is the catch-all and has no conditions.
    pub levels: Vec<Level>,
    /// Anonymity of group breakdowns below `min_raters`: `suppress` (default) or `roll_up`.
    #[serde(
        default,
        skip_serializing_if = "crate::cohort::config::Anonymity::is_suppress"
    )]
    pub anonymity: crate::cohort::config::Anonymity,
    /// Thresholds of the cohort report's `stalled` and `declining` trend flags.
    #[serde(
        default,
        skip_serializing_if = "crate::cohort::config::TrendPolicy::is_default"
    )]
    pub trend: crate::cohort::config::TrendPolicy,
    /// The selection analysed by the cohort report's fairness section.
    #[serde(
        default,
        skip_serializing_if = "crate::cohort::config::FairnessPolicy::is_default"
    )]
    pub fairness: crate::cohort::config::FairnessPolicy,
    /// Optional target share of each level (every level listed, shares > 0, normalised to sum
    /// to 1); the cohort report tests the level distribution against it.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub target_distribution: IndexMap<String, f64>,
    /// Whether ratings are corrected for rater leniency/severity before scoring (opt-in;
    /// default `none`). Not written when `none`, so rubrics without it keep their fingerprint.
    #[serde(default, skip_serializing_if = "RaterAdjustment::is_none")]
    pub rater_adjustment: RaterAdjustment,
}

/// How ratings are corrected for rater leniency or severity before scoring
/// (`readiness::adjust::adjusted_scores`; formulas in `docs/methodology/rater-effects-and-fairness.md`).
///
/// Only the scoring raters' ratings (groups with weight > 0) are adjusted; self ratings stay as
/// given, since their inflation is exactly what the self–other gap reports. In a nested 360
/// design the facet is the rater *group*, because individual raters are not identifiable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaterAdjustment {
    /// Score the ratings as given.
    #[default]
    None,
    /// Subtract the rater's leniency from the additive least-squares model
    /// `score ~ candidate + rater + criterion` (sum-to-zero effects), clamped to the scale.
    Additive,
    /// Many-facet Rasch model: subtract the rater's expected-score excess over a rater of
    /// average severity, `E(θ − β_rater − δ) − E(θ − β̄ − δ)`, clamped to the scale.
    Mfrm,
}

impl RaterAdjustment {
    /// Whether this is [`RaterAdjustment::None`].
    pub fn is_none(&self) -> bool {
        matches!(self, RaterAdjustment::None)
    }

    /// The value as written in rubrics: `none`, `additive` or `mfrm`.
    pub fn as_str(self) -> &'static str {
        match self {
            RaterAdjustment::None => "none",
            RaterAdjustment::Additive => "additive",
            RaterAdjustment::Mfrm => "mfrm",
        }
    }
}

fn default_min_coverage() -> f64 {
    0.5
}
fn default_min_raters() -> u32 {
    3
}
fn default_self_other_gap() -> f64 {
    0.75
}
fn default_low_agreement_rwg() -> f64 {
    0.70
}
fn default_top_n() -> u32 {
    3
}

/// Thresholds of the `expert_trap` flag: technical ≥ `technical_min` and index < `index_max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertTrap {
    /// Technical score (0–100) from which a candidate counts as a strong expert.
    #[serde(default = "default_trap_technical")]
    pub technical_min: f64,
    /// Readiness index (0–100) below which leadership is not yet shown.
    #[serde(default = "default_trap_index")]
    pub index_max: f64,
}

fn default_trap_technical() -> f64 {
    75.0
}
fn default_trap_index() -> f64 {
    60.0
}

impl Default for ExpertTrap {
    fn default() -> Self {
        ExpertTrap {
            technical_min: default_trap_technical(),
            index_max: default_trap_index(),
        }
    }
}

/// A readiness level and the conditions a candidate must meet to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Stable id (`ready_now`).
    pub id: String,
    /// Display label (`Ready now`); the id when absent.
    #[serde(default)]
    pub label: String,
    /// Minimum readiness index, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_index: Option<f64>,
    /// Minimum score of every leadership-side dimension, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_dimension: Option<f64>,
    /// Minimum criterion scores on the raw scale; a criterion not rated does not meet it.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub min_criteria: IndexMap<String, f64>,
    /// Minimum technical score, 0–100: a gate, never a weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_technical: Option<f64>,
}

impl Level {
    /// Whether the level has any condition.
    pub fn has_conditions(&self) -> bool {
        self.min_index.is_some()
            || self.min_dimension.is_some()
            || !self.min_criteria.is_empty()
            || self.min_technical.is_some()
    }

    /// The label, or the id when no label is set.
    pub fn display_label(&self) -> &str {
        if self.label.is_empty() {
            &self.id
        } else {
            &self.label
        }
    }
}

/// A dimension: a group of criteria scored together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Stable id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What the dimension measures; `technical` never enters the readiness index.
    pub kind: DimensionKind,
    /// Weight u_d in the readiness index (or in the technical score for technical dimensions).
    pub weight: f64,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The criteria rated.
    pub criteria: Vec<Criterion>,
}

/// One rated behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id, unique across the rubric (ratings name criteria by id).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Weight v_i within its dimension.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Optional description of the observable behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Behavioural anchors, one per scale point, lowest first (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<String>,
    /// Development actions suggested when this criterion is a development area.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub development: Vec<String>,
}

fn default_weight() -> f64 {
    1.0
}

/// The kind of a dimension. Every kind except `technical` is leadership-side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DimensionKind {
    /// Leadership potential.
    Leadership,
    /// Attitude.
    Attitude,
    /// Impact on people and results.
    Impact,
    /// Technical expertise: reported apart, may gate a level, never enters the index.
    Technical,
    /// A custom leadership-side kind, written `custom:<name>`.
    Custom(String),
}

impl DimensionKind {
    /// Whether the kind counts towards the readiness index (every kind except technical).
    pub fn is_leadership_side(&self) -> bool {
        !matches!(self, DimensionKind::Technical)
    }

    /// The kind as written in documents.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            DimensionKind::Leadership => Cow::Borrowed("leadership"),
            DimensionKind::Attitude => Cow::Borrowed("attitude"),
            DimensionKind::Impact => Cow::Borrowed("impact"),
            DimensionKind::Technical => Cow::Borrowed("technical"),
            DimensionKind::Custom(name) => Cow::Owned(format!("custom:{name}")),
        }
    }

    /// Parses a kind; the error lists the allowed values.
    ///
    /// # Errors
    /// A message naming the allowed values when `s` is not one of them.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "leadership" => Ok(DimensionKind::Leadership),
            "attitude" => Ok(DimensionKind::Attitude),
            "impact" => Ok(DimensionKind::Impact),
            "technical" => Ok(DimensionKind::Technical),
            _ => match s.strip_prefix("custom:") {
                Some(name) if is_valid_id(name) => Ok(DimensionKind::Custom(name.to_string())),
                _ => Err(format!(
                    "must be one of {{'leadership', 'attitude', 'impact', 'technical', 'custom:<name>'}}, got '{}'",
                    clip(s)
                )),
            },
        }
    }
}

impl fmt::Display for DimensionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl Serialize for DimensionKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for DimensionKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DimensionKind::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for DimensionKind {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("DimensionKind")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "leadership | attitude | impact | technical | custom:<name> (every kind but technical is leadership-side)",
            "type": "string",
            "pattern": "^(leadership|attitude|impact|technical|custom:[A-Za-z0-9_.\\-]+)$"
        })
    }
}

/// Ids: non-empty, at most 128 characters, letters, digits, `_`, `-`, `.`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Rubric {
    /// The built-in standard rubric: leadership, attitude and impact (leadership-side) and
    /// technical expertise, on a 1–5 scale with self, manager, peer and direct-report raters.
    ///
    /// Identical to `examples/rubrics/standard.toml`.
    ///
    /// # Example
    /// ```
    /// let r = readiness::Rubric::standard();
    /// assert_eq!(r.policy.levels[0].id, "ready_now");
    /// ```
    pub fn standard() -> Rubric {
        match Rubric::from_json_str(STANDARD_JSON) {
            Ok(r) => r,
            // The standard rubric is part of the crate and checked by its tests.
            Err(e) => unreachable!("built-in standard rubric is invalid: {e}"),
        }
    }

    /// Reads and validates a rubric from TOML.
    ///
    /// # Errors
    /// [`RubricError`] naming the path of the first problem: syntax, an unknown key, a wrong
    /// type, or any failed validation rule (see [`Rubric::validate`]).
    ///
    /// # Example
    /// ```
    /// let text = readiness::rubric::STANDARD_TOML.replace("weight = 0.4\nmin_raters = 1", "weight = -1\nmin_raters = 1");
    /// let err = readiness::Rubric::from_toml_str(&text).unwrap_err();
    /// assert_eq!(err.code(), "invalid_weight");
    /// assert_eq!(err.path(), "rater_groups.manager.weight");
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Rubric, RubricError> {
        Rubric::from_toml_str_with_limits(text, &RubricLimits::default())
    }

    /// Reads and validates a rubric from TOML within `limits`.
    ///
    /// # Errors
    /// As [`Rubric::from_toml_str`], and [`RubricError::LimitExceeded`] for a document over
    /// `limits`.
    pub fn from_toml_str_with_limits(
        text: &str,
        limits: &RubricLimits,
    ) -> Result<Rubric, RubricError> {
        limits.check_bytes(text.len())?;
        // A byte-order mark (Windows editors, Excel) is not part of the document.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value = toml_json::toml_to_json(text)?;
        Rubric::from_json_value_with_limits(value, limits)
    }

    /// Reads and validates a rubric from text in either format: JSON when its first character,
    /// after an optional byte-order mark and whitespace, is `{`; TOML otherwise (a TOML
    /// document cannot start with `{`).
    ///
    /// # Errors
    /// As [`Rubric::from_json_str`] or [`Rubric::from_toml_str`].
    ///
    /// # Example
    /// ```
    /// use readiness::Rubric;
    /// let json = Rubric::standard().to_json_string();
    /// let with_bom = format!("\u{feff}{json}");
    /// assert_eq!(Rubric::from_str_any(&with_bom)?, Rubric::standard());
    /// # Ok::<(), readiness::RubricError>(())
    /// ```
    pub fn from_str_any(text: &str) -> Result<Rubric, RubricError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if body.trim_start().starts_with('{') {
            Rubric::from_json_str(text)
        } else {
            Rubric::from_toml_str(text)
        }
    }

    /// Reads and validates a rubric from JSON text.
    ///
    /// # Errors
    /// As [`Rubric::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Rubric, RubricError> {
        Rubric::from_json_str_with_limits(text, &RubricLimits::default())
    }

    /// Reads and validates a rubric from JSON text within `limits`.
    ///
    /// # Errors
    /// As [`Rubric::from_toml_str_with_limits`].
    pub fn from_json_str_with_limits(
        text: &str,
        limits: &RubricLimits,
    ) -> Result<Rubric, RubricError> {
        limits.check_bytes(text.len())?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| RubricError::Syntax {
                format: "JSON",
                message: clip_message(&e.to_string()),
            })?;
        Rubric::from_json_value_with_limits(value, limits)
    }

    /// Reads and validates a rubric from a JSON value (as bindings receive it).
    ///
    /// # Errors
    /// As [`Rubric::from_toml_str`].
    pub fn from_json_value(value: serde_json::Value) -> Result<Rubric, RubricError> {
        Rubric::from_json_value_with_limits(value, &RubricLimits::default())
    }

    /// Reads and validates a rubric from a JSON value within `limits` (texts, lists and depth
    /// are checked before deserializing, counts before validating).
    ///
    /// # Errors
    /// As [`Rubric::from_toml_str_with_limits`].
    pub fn from_json_value_with_limits(
        value: serde_json::Value,
        limits: &RubricLimits,
    ) -> Result<Rubric, RubricError> {
        limits.check_value(&value, &mut String::new(), 0)?;
        if let Some(v) = value.get("format_version") {
            if v.as_i64() != Some(i64::from(FORMAT_VERSION)) {
                if let Some(n) = v.as_i64() {
                    return Err(RubricError::UnsupportedFormatVersion {
                        path: "format_version".into(),
                        value: n,
                    });
                }
            }
        }
        let rubric = Rubric::deserialize(&value).map_err(|e| {
            let mut path = String::new();
            locate::locate(&nodes::RUBRIC, &value, &mut path);
            serde_error(display_path(&path), e.to_string())
        })?;
        limits.check_counts(&rubric)?;
        rubric.validate()?;
        Ok(rubric)
    }

    /// Checks every rule a rubric must satisfy; loading calls this already.
    ///
    /// Rules: format version 1; valid unique ids (dimensions, criteria across the rubric,
    /// rater groups, levels); a scale with `min < max`, a positive step that divides it, and one
    /// label/anchor per point; weights finite and > 0 (a `self` group may have 0) and at least one
    /// group with weight > 0; at least one leadership-side dimension; policy thresholds in range;
    /// levels best first, thresholds not increasing, every level but the last with a condition
    /// and the last (catch-all) with none; `min_criteria` naming existing criteria on the scale.
    ///
    /// # Errors
    /// The first rule broken, as a [`RubricError`] with its path.
    pub fn validate(&self) -> Result<(), RubricError> {
        if self.format_version != FORMAT_VERSION {
            return Err(RubricError::UnsupportedFormatVersion {
                path: "format_version".into(),
                value: i64::from(self.format_version),
            });
        }
        check_id("id", &self.id)?;
        if self.version.trim().is_empty() {
            return Err(RubricError::InvalidValue {
                path: "version".into(),
                message: "must not be empty".into(),
            });
        }
        self.validate_scale()?;
        self.validate_groups()?;
        let criteria = self.validate_dimensions()?;
        self.validate_policy(&criteria)?;
        crate::cohort::config::validate(self)?;
        Ok(())
    }

    fn validate_scale(&self) -> Result<(), RubricError> {
        let s = &self.scale;
        for (name, v) in [("min", s.min), ("max", s.max)] {
            if !v.is_finite() {
                return Err(RubricError::InvalidScale {
                    path: format!("scale.{name}"),
                    message: format!("must be a finite number, got {v}"),
                });
            }
        }
        if s.min >= s.max {
            return Err(RubricError::InvalidScale {
                path: "scale".into(),
                message: format!("min must be < max, got min {} and max {}", s.min, s.max),
            });
        }
        if let Some(step) = s.step {
            if !(step.is_finite() && step > 0.0) {
                return Err(RubricError::InvalidScale {
                    path: "scale.step".into(),
                    message: format!("must be > 0, got {step}"),
                });
            }
            let n = (s.max - s.min) / step;
            if (n - n.round()).abs() > 1e-9 * n.abs().max(1.0) || n.round() > 1000.0 {
                return Err(RubricError::InvalidScale {
                    path: "scale.step".into(),
                    message: format!(
                        "must divide max − min ({}) into at most 1000 steps, got {step}",
                        s.max - s.min
                    ),
                });
            }
        }
        if !s.labels.is_empty() {
            match s.points() {
                Some(p) if p == s.labels.len() => {}
                Some(p) => {
                    return Err(RubricError::InvalidScale {
                        path: "scale.labels".into(),
                        message: format!(
                            "expected {p} labels (one per scale point), got {}",
                            s.labels.len()
                        ),
                    })
                }
                None => {
                    return Err(RubricError::InvalidScale {
                        path: "scale.labels".into(),
                        message: "labels need a scale with points (a step, or whole-number bounds)"
                            .into(),
                    })
                }
            }
        }
        Ok(())
    }

    fn validate_groups(&self) -> Result<(), RubricError> {
        if self.rater_groups.is_empty() {
            return Err(RubricError::InvalidValue {
                path: "rater_groups".into(),
                message: "at least one rater group is required".into(),
            });
        }
        for (id, g) in &self.rater_groups {
            check_id(&format!("rater_groups.{id}"), id)?;
            let path = format!("rater_groups.{id}.weight");
            if id == SELF_GROUP {
                if !(g.weight.is_finite() && g.weight >= 0.0) {
                    return Err(RubricError::InvalidWeight {
                        path,
                        value: g.weight,
                    });
                }
            } else {
                check_weight(&path, g.weight)?;
            }
            if g.min_raters == 0 {
                return Err(RubricError::InvalidValue {
                    path: format!("rater_groups.{id}.min_raters"),
                    message: "must be at least 1, got 0".into(),
                });
            }
        }
        if !self.rater_groups.values().any(|g| g.weight > 0.0) {
            return Err(RubricError::InvalidValue {
                path: "rater_groups".into(),
                message: "at least one rater group needs a weight > 0".into(),
            });
        }
        Ok(())
    }

    /// Validates dimensions; returns the set of criterion ids (each with its dimension's index).
    ///
    /// The id maps hold indexes rather than paths: one `HashMap<&str, usize>` type for the cold
    /// maps (each key/value type compiles its own hash table code; size budget, issue 6).
    fn validate_dimensions(&self) -> Result<HashMap<&str, usize>, RubricError> {
        if self.dimensions.is_empty() {
            return Err(RubricError::InvalidValue {
                path: "dimensions".into(),
                message: "at least one dimension is required".into(),
            });
        }
        let points = self.scale.points();
        let mut dims: HashMap<&str, usize> = HashMap::new();
        let mut crits: HashMap<&str, usize> = HashMap::new();
        for (d, dim) in self.dimensions.iter().enumerate() {
            let dpath = format!("dimensions[{d}]");
            check_id(&format!("{dpath}.id"), &dim.id)?;
            if let Some(first) = dims.insert(&dim.id, d) {
                return Err(RubricError::DuplicateId {
                    path: format!("{dpath}.id"),
                    id: dim.id.clone(),
                    first: format!("dimensions[{first}].id"),
                });
            }
            check_weight(&format!("{dpath}.weight"), dim.weight)?;
            if dim.criteria.is_empty() {
                return Err(RubricError::InvalidValue {
                    path: format!("{dpath}.criteria"),
                    message: "at least one criterion is required".into(),
                });
            }
            for (i, c) in dim.criteria.iter().enumerate() {
                let cpath = format!("{dpath}.criteria[{i}]");
                check_id(&format!("{cpath}.id"), &c.id)?;
                if let Some(first) = crits.insert(&c.id, d) {
                    // The first criterion with this id, in dimension `first`.
                    let j = self.dimensions[first]
                        .criteria
                        .iter()
                        .position(|x| x.id == c.id)
                        .unwrap_or(0);
                    return Err(RubricError::DuplicateId {
                        path: format!("{cpath}.id"),
                        id: c.id.clone(),
                        first: format!("dimensions[{first}].criteria[{j}].id"),
                    });
                }
                check_weight(&format!("{cpath}.weight"), c.weight)?;
                if !c.anchors.is_empty() {
                    match points {
                        Some(p) if p == c.anchors.len() => {}
                        Some(p) => {
                            return Err(RubricError::AnchorCount {
                                path: format!("{cpath}.anchors"),
                                expected: p,
                                got: c.anchors.len(),
                            })
                        }
                        None => return Err(RubricError::InvalidScale {
                            path: format!("{cpath}.anchors"),
                            message:
                                "anchors need a scale with points (a step, or whole-number bounds)"
                                    .into(),
                        }),
                    }
                }
            }
        }
        if !self.dimensions.iter().any(|d| d.kind.is_leadership_side()) {
            return Err(RubricError::NoLeadershipDimension {
                path: "dimensions".into(),
            });
        }
        Ok(crits)
    }

    fn validate_policy(&self, criteria: &HashMap<&str, usize>) -> Result<(), RubricError> {
        let p = &self.policy;
        check_range("policy.min_coverage", p.min_coverage, 0.0, 1.0)?;
        check_range("policy.self_other_gap", p.self_other_gap, 0.0, f64::MAX)?;
        check_range("policy.low_agreement_rwg", p.low_agreement_rwg, -1.0, 1.0)?;
        check_range(
            "policy.expert_trap.technical_min",
            p.expert_trap.technical_min,
            0.0,
            100.0,
        )?;
        check_range(
            "policy.expert_trap.index_max",
            p.expert_trap.index_max,
            0.0,
            100.0,
        )?;
        if p.levels.is_empty() {
            return Err(RubricError::InvalidValue {
                path: "policy.levels".into(),
                message: "at least one level (the catch-all) is required".into(),
            });
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut last_index: Option<(f64, usize)> = None;
        let mut last_dim: Option<(f64, usize)> = None;
        let n = p.levels.len();
        for (k, level) in p.levels.iter().enumerate() {
            let lpath = format!("policy.levels[{k}]");
            check_id(&format!("{lpath}.id"), &level.id)?;
            if level.id == INSUFFICIENT_EVIDENCE {
                return Err(RubricError::InvalidId {
                    path: format!("{lpath}.id"),
                    id: level.id.clone(),
                    reason: "reserved for candidates without enough evidence".into(),
                });
            }
            if let Some(first) = ids.insert(&level.id, k) {
                return Err(RubricError::DuplicateId {
                    path: format!("{lpath}.id"),
                    id: level.id.clone(),
                    first: format!("policy.levels[{first}].id"),
                });
            }
            if k + 1 == n {
                let condition = if level.min_index.is_some() {
                    Some("min_index")
                } else if level.min_dimension.is_some() {
                    Some("min_dimension")
                } else if !level.min_criteria.is_empty() {
                    Some("min_criteria")
                } else if level.min_technical.is_some() {
                    Some("min_technical")
                } else {
                    None
                };
                if let Some(condition) = condition {
                    return Err(RubricError::CatchAllWithConditions {
                        path: lpath,
                        condition: condition.into(),
                    });
                }
                continue;
            }
            if !level.has_conditions() {
                return Err(RubricError::LevelsNotOrdered {
                    path: lpath,
                    message: format!(
                        "level '{}' has no conditions, so the levels after it could never be reached",
                        level.id
                    ),
                });
            }
            for (name, v) in [
                ("min_index", level.min_index),
                ("min_dimension", level.min_dimension),
                ("min_technical", level.min_technical),
            ] {
                if let Some(v) = v {
                    check_range(&format!("{lpath}.{name}"), v, 0.0, 100.0)?;
                }
            }
            for (name, v, last) in [
                ("min_index", level.min_index, &mut last_index),
                ("min_dimension", level.min_dimension, &mut last_dim),
            ] {
                if let Some(v) = v {
                    if let Some((prev, pk)) = *last {
                        if v > prev {
                            return Err(RubricError::LevelsNotOrdered {
                                path: format!("{lpath}.{name}"),
                                message: format!(
                                    "{name} {v} is above {prev} of the better level policy.levels[{pk}]"
                                ),
                            });
                        }
                    }
                    *last = Some((v, k));
                }
            }
            for (cid, v) in &level.min_criteria {
                let cpath = format!("{lpath}.min_criteria.{cid}");
                if !criteria.contains_key(cid.as_str()) {
                    return Err(RubricError::UnknownCriterion {
                        path: cpath,
                        id: clip(cid),
                        expected: one_of(self.criterion_ids()),
                    });
                }
                check_range(&cpath, *v, self.scale.min, self.scale.max)?;
            }
        }
        Ok(())
    }

    /// All criterion ids in rubric order.
    pub fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.dimensions
            .iter()
            .flat_map(|d| d.criteria.iter().map(|c| c.id.as_str()))
    }

    /// `id@version`, as recorded in provenance.
    pub fn label(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// The canonical JSON of the rubric: compact, object keys sorted, numbers as serde_json
    /// writes them. Two rubrics with the same content have the same canonical JSON, whatever
    /// format or key order they were written in.
    pub fn canonical_json(&self) -> String {
        match serde_json::to_value(self) {
            Ok(v) => canonical_json(&v),
            // Serializing plain data with string keys cannot fail.
            Err(e) => unreachable!("rubric serialization failed: {e}"),
        }
    }

    /// `sha256:<hex>` of [`Rubric::canonical_json`].
    pub fn fingerprint(&self) -> String {
        sha256_prefixed(self.canonical_json().as_bytes())
    }

    /// The rubric as pretty JSON.
    pub fn to_json_string(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(s) => s,
            Err(e) => unreachable!("rubric serialization failed: {e}"),
        }
    }

    /// The rubric as TOML (comments are not kept; see [`STANDARD_TOML`] for the commented
    /// standard rubric).
    ///
    /// # Errors
    /// [`RubricError::InvalidValue`] if a value cannot be written as TOML.
    pub fn to_toml_string(&self) -> Result<String, RubricError> {
        toml::to_string_pretty(self).map_err(|e| RubricError::InvalidValue {
            path: ".".into(),
            message: format!("cannot be written as TOML: {e}"),
        })
    }
}

/// `sha256:` followed by the lowercase hex digest of `bytes`.
pub(crate) fn sha256_prefixed(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Writes a JSON value compactly with object keys sorted (recursively).
pub(crate) fn canonical_json(v: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                crate::sort::sort_stable_by(&mut keys, |a, b| a.cmp(b));
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k.as_str()).unwrap_or_default());
                    out.push(':');
                    if let Some(x) = map.get(k) {
                        write(x, out);
                    }
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            // Scalars through `serde_json::to_string` (the same bytes as `Value`'s `Display`,
            // which would compile serde_json's compact and pretty writers for a formatter type
            // of its own; size budget, issue 6). Writing a scalar into a string cannot fail.
            other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// A TOML syntax error (also a number out of range) with `toml`'s message on one line.
fn toml_syntax(message: &str) -> RubricError {
    RubricError::Syntax {
        format: "TOML",
        message: clip_message(&message.trim().replace('\n', " ")),
    }
}

/// The error for a NaN or infinite float at `path` of a TOML document (JSON has neither, so
/// they are refused rather than becoming null).
fn non_finite_error(path: &str, x: f64) -> RubricError {
    let path = if path.is_empty() { "." } else { path };
    if path.ends_with("weight") {
        RubricError::InvalidWeight {
            path: path.into(),
            value: x,
        }
    } else {
        RubricError::InvalidValue {
            path: path.into(),
            message: format!("must be a finite number, got {x}"),
        }
    }
}

fn check_id(path: &str, id: &str) -> Result<(), RubricError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(RubricError::InvalidId {
            path: path.into(),
            id: clip(id),
            reason: "expected 1–128 characters: letters, digits, '_', '-' or '.'".into(),
        })
    }
}

fn check_weight(path: &str, w: f64) -> Result<(), RubricError> {
    if (1e-100..=1e100).contains(&w) {
        Ok(())
    } else {
        Err(RubricError::InvalidWeight {
            path: path.into(),
            value: w,
        })
    }
}

fn check_range(path: &str, v: f64, lo: f64, hi: f64) -> Result<(), RubricError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        let range = if hi == f64::MAX {
            format!("a number ≥ {lo}")
        } else {
            format!("a number from {lo} to {hi}")
        };
        Err(RubricError::InvalidValue {
            path: path.into(),
            message: format!("must be {range}, got {v}"),
        })
    }
}

/// The located path (`dimensions[1].criteria[0].weight`), `.` at the root.
fn display_path(p: &str) -> String {
    if p.is_empty() {
        ".".into()
    } else {
        p.to_string()
    }
}

/// Shortens a parser's message to at most 300 characters: TOML messages quote the offending
/// line and serde's quote the offending value, which may be megabytes long.
fn clip_message(message: &str) -> String {
    const MAX: usize = 300;
    match message.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_string(),
    }
}

/// Classifies a serde error message into an unknown-key or wrong-type error.
fn serde_error(path: String, message: String) -> RubricError {
    let message = clip_message(&message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, tail)) = rest.split_once('`') {
            let expected = tail
                .trim_start_matches(", expected ")
                .trim_start_matches("one of ")
                .replace('`', "");
            // The path ends with the unknown key itself; report its parent.
            let parent = path
                .strip_suffix(key)
                .map(|p| p.trim_end_matches('.'))
                .filter(|p| !p.is_empty())
                .unwrap_or(".")
                .to_string();
            return RubricError::UnknownKey {
                path: parent,
                key: clip(key),
                expected,
            };
        }
    }
    RubricError::WrongType { path, message }
}

/// The rubric model for [`locate::locate`]: every struct's fields in declaration order (checked
/// against the JSON Schema by the tests).
mod nodes {
    use super::locate::{fails, Node, Shape};
    use super::{Criterion, Dimension, ExpertTrap, Level, Policy, RaterAdjustment, RaterGroup};
    use super::{DimensionKind, Rubric, Scale};
    use crate::cohort::config::{Anonymity, FairnessPolicy, NineBox, NineBoxCuts, TrendPolicy};
    use indexmap::IndexMap;

    const fn leaf(fails: fn(&serde_json::Value) -> bool) -> Node {
        Node {
            fails,
            shape: Shape::Leaf,
        }
    }

    static U32: Node = leaf(fails::<u32>);
    static F64: Node = leaf(fails::<f64>);
    static OPT_F64: Node = leaf(fails::<Option<f64>>);
    static STRING: Node = leaf(fails::<String>);
    static OPT_STRING: Node = leaf(fails::<Option<String>>);
    static STRINGS: Node = Node {
        fails: fails::<Vec<String>>,
        shape: Shape::Seq(&STRING),
    };
    static F64_MAP: Node = Node {
        fails: fails::<IndexMap<String, f64>>,
        shape: Shape::Map(&F64),
    };

    pub(super) static RUBRIC: Node = Node {
        fails: fails::<Rubric>,
        shape: Shape::Struct(&[
            ("format_version", &U32),
            ("id", &STRING),
            ("version", &STRING),
            ("name", &STRING),
            ("description", &OPT_STRING),
            ("scale", &SCALE),
            ("rater_groups", &RATER_GROUPS),
            ("policy", &POLICY),
            ("dimensions", &DIMENSIONS),
            ("nine_box", &NINE_BOX),
        ]),
    };
    pub(super) static SCALE: Node = Node {
        fails: fails::<Scale>,
        shape: Shape::Struct(&[
            ("min", &F64),
            ("max", &F64),
            ("step", &OPT_F64),
            ("labels", &STRINGS),
        ]),
    };
    static RATER_GROUPS: Node = Node {
        fails: fails::<IndexMap<String, RaterGroup>>,
        shape: Shape::Map(&RATER_GROUP),
    };
    pub(super) static RATER_GROUP: Node = Node {
        fails: fails::<RaterGroup>,
        shape: Shape::Struct(&[
            ("weight", &F64),
            ("min_raters", &U32),
            ("label", &OPT_STRING),
        ]),
    };
    pub(super) static POLICY: Node = Node {
        fails: fails::<Policy>,
        shape: Shape::Struct(&[
            ("min_coverage", &F64),
            ("min_raters", &U32),
            ("self_other_gap", &F64),
            ("low_agreement_rwg", &F64),
            ("expert_trap", &EXPERT_TRAP),
            ("strengths", &U32),
            ("development", &U32),
            ("levels", &LEVELS),
            ("anonymity", &ANONYMITY),
            ("trend", &TREND),
            ("fairness", &FAIRNESS),
            ("target_distribution", &F64_MAP),
            ("rater_adjustment", &RATER_ADJUSTMENT),
        ]),
    };
    pub(super) static EXPERT_TRAP: Node = Node {
        fails: fails::<ExpertTrap>,
        shape: Shape::Struct(&[("technical_min", &F64), ("index_max", &F64)]),
    };
    static LEVELS: Node = Node {
        fails: fails::<Vec<Level>>,
        shape: Shape::Seq(&LEVEL),
    };
    pub(super) static LEVEL: Node = Node {
        fails: fails::<Level>,
        shape: Shape::Struct(&[
            ("id", &STRING),
            ("label", &STRING),
            ("min_index", &OPT_F64),
            ("min_dimension", &OPT_F64),
            ("min_criteria", &F64_MAP),
            ("min_technical", &OPT_F64),
        ]),
    };
    static ANONYMITY: Node = Node {
        fails: fails::<Anonymity>,
        shape: Shape::UnitEnum,
    };
    static RATER_ADJUSTMENT: Node = Node {
        fails: fails::<RaterAdjustment>,
        shape: Shape::UnitEnum,
    };
    pub(super) static TREND: Node = Node {
        fails: fails::<TrendPolicy>,
        shape: Shape::Struct(&[("cycles", &U32), ("min_gain", &F64)]),
    };
    pub(super) static FAIRNESS: Node = Node {
        fails: fails::<FairnessPolicy>,
        shape: Shape::Struct(&[("levels", &STRINGS)]),
    };
    static DIMENSIONS: Node = Node {
        fails: fails::<Vec<Dimension>>,
        shape: Shape::Seq(&DIMENSION),
    };
    pub(super) static DIMENSION: Node = Node {
        fails: fails::<Dimension>,
        shape: Shape::Struct(&[
            ("id", &STRING),
            ("name", &STRING),
            ("kind", &KIND),
            ("weight", &F64),
            ("description", &OPT_STRING),
            ("criteria", &CRITERIA),
        ]),
    };
    static KIND: Node = leaf(fails::<DimensionKind>);
    static CRITERIA: Node = Node {
        fails: fails::<Vec<Criterion>>,
        shape: Shape::Seq(&CRITERION),
    };
    pub(super) static CRITERION: Node = Node {
        fails: fails::<Criterion>,
        shape: Shape::Struct(&[
            ("id", &STRING),
            ("name", &STRING),
            ("weight", &F64),
            ("description", &OPT_STRING),
            ("anchors", &STRINGS),
            ("development", &STRINGS),
        ]),
    };
    pub(super) static NINE_BOX: Node = Node {
        fails: fails::<NineBox>,
        shape: Shape::Struct(&[
            ("performance", &STRINGS),
            ("potential", &STRINGS),
            ("cuts", &CUTS),
            ("names", &STRINGS),
        ]),
    };
    static CUTS: Node = leaf(fails::<NineBoxCuts>);
}

#[cfg(test)]
mod locate_tests {
    //! The located paths against `serde_path_to_error` (the path-tracking deserializer this
    //! crate used before): the same error for every document of a large set of broken ones.
    use super::*;
    use serde_json::{json, Map, Value};

    /// The error as the previous reader reported it.
    fn tracked(value: &Value) -> Option<RubricError> {
        serde_path_to_error::deserialize::<_, Rubric>(value.clone())
            .err()
            .map(|e| {
                let path = e.path().to_string();
                let path = if path == "?" { ".".into() } else { path };
                serde_error(display_path(&path), e.inner().to_string())
            })
    }

    /// The error as [`Rubric::from_json_value_with_limits`] reports it now.
    fn located(value: &Value) -> Option<RubricError> {
        Rubric::deserialize(value).err().map(|e| {
            let mut path = String::new();
            locate::locate(&nodes::RUBRIC, value, &mut path);
            serde_error(display_path(&path), e.to_string())
        })
    }

    /// A rubric document with every optional setting present.
    fn full_document() -> Value {
        let mut doc = serde_json::to_value(Rubric::standard()).unwrap_or_default();
        doc["description"] = json!("all settings");
        doc["nine_box"] = json!({"performance": ["impact"], "potential": ["leadership"],
            "cuts": [40, 70], "names": ["a", "b", "c", "d", "e", "f", "g", "h", "i"]});
        doc["policy"]["anonymity"] = json!("roll_up");
        doc["policy"]["trend"] = json!({"cycles": 3, "min_gain": 5});
        doc["policy"]["fairness"] = json!({"levels": ["ready_now"]});
        doc["policy"]["rater_adjustment"] = json!("additive");
        doc["policy"]["target_distribution"] = json!({"ready_now": 0.2, "not_yet": 0.8});
        doc["policy"]["levels"][0]["min_criteria"] = json!({"listens": 3});
        doc["policy"]["levels"][0]["min_technical"] = json!(50);
        doc["rater_groups"]["manager"]["label"] = json!("Manager");
        // Keep the document small: two criteria per dimension.
        if let Some(dims) = doc["dimensions"].as_array_mut() {
            for d in dims {
                if let Some(c) = d["criteria"].as_array_mut() {
                    c.truncate(2);
                }
                d["description"] = json!("d");
            }
        }
        doc
    }

    enum Seg {
        Key(String),
        Index(usize),
    }

    fn walk(v: &Value, at: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(
            at.iter()
                .map(|s| match s {
                    Seg::Key(k) => Seg::Key(k.clone()),
                    Seg::Index(i) => Seg::Index(*i),
                })
                .collect(),
        );
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    at.push(Seg::Key(k.clone()));
                    walk(x, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    at.push(Seg::Index(i));
                    walk(x, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn at_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
        path.iter().fold(v, |v, s| match s {
            Seg::Key(k) => &mut v[k.as_str()],
            Seg::Index(i) => &mut v[*i],
        })
    }

    /// Every document: each value replaced by values of every type, each object with an
    /// unknown key first or last and without each of its keys, each array one item longer or
    /// shorter, and the one-key-object and array forms of enums and structs.
    fn broken_documents() -> Vec<Value> {
        let base = full_document();
        let mut paths = Vec::new();
        walk(&base, &mut Vec::new(), &mut paths);
        let replacements = [
            json!(null),
            json!(true),
            json!(1),
            json!(-1),
            json!(0.5),
            json!(4294967296u64),
            json!("x"),
            json!("roll_up"),
            json!("custom:x"),
            json!([]),
            json!([1]),
            json!(["x", 2]),
            json!([1.0, 2.0]),
            json!({}),
            json!({"zz": 1}),
            json!({"roll_up": null}),
            json!({"roll_up": 5}),
            json!({"mfrm": null, "zz": 1}),
            json!({"": 1}),
        ];
        let mut docs = Vec::new();
        for path in &paths {
            for r in &replacements {
                let mut d = base.clone();
                *at_mut(&mut d, path) = r.clone();
                docs.push(d);
            }
            let node = at_mut(&mut base.clone(), path).clone();
            if let Value::Object(m) = &node {
                for k in m.keys() {
                    let mut d = base.clone();
                    if let Value::Object(m) = at_mut(&mut d, path) {
                        m.shift_remove(k);
                    }
                    docs.push(d);
                }
                for first in [true, false] {
                    let mut d = base.clone();
                    if let Value::Object(m) = at_mut(&mut d, path) {
                        let mut n = Map::new();
                        if first {
                            n.insert("zz_unknown".into(), json!(1));
                        }
                        n.extend(m.clone());
                        if !first {
                            n.insert("zz_unknown".into(), json!(1));
                        }
                        *m = n;
                    }
                    docs.push(d);
                }
                // The struct as an array of its values (serde reads that too), whole and cut.
                let values: Vec<Value> = m.values().cloned().collect();
                for len in [0, 1, values.len(), values.len() + 1] {
                    let mut items: Vec<Value> = values.iter().take(len).cloned().collect();
                    if len > values.len() {
                        items.push(json!("extra"));
                    }
                    let mut d = base.clone();
                    *at_mut(&mut d, path) = Value::Array(items.clone());
                    docs.push(d);
                    if let Some(first) = items.first_mut() {
                        *first = json!({"zz": [1]});
                        let mut d = base.clone();
                        *at_mut(&mut d, path) = Value::Array(items);
                        docs.push(d);
                    }
                }
            }
            if let Value::Array(items) = &node {
                let mut d = base.clone();
                if let Value::Array(a) = at_mut(&mut d, path) {
                    a.push(json!({"zz": "extra"}));
                }
                docs.push(d);
                if !items.is_empty() {
                    let mut d = base.clone();
                    if let Value::Array(a) = at_mut(&mut d, path) {
                        a.remove(0);
                    }
                    docs.push(d);
                }
            }
        }
        docs
    }

    #[test]
    fn located_errors_equal_path_tracked_errors() {
        let docs = broken_documents();
        let mut failing = 0;
        for doc in &docs {
            let want = tracked(doc);
            assert_eq!(located(doc), want, "document: {doc}");
            failing += usize::from(want.is_some());
        }
        // The set is large and mostly broken (a test that compares nothing proves nothing).
        assert!(docs.len() > 3000, "{} documents", docs.len());
        assert!(failing > 2500, "{failing} failing documents");
    }

    #[test]
    fn valid_full_document_reads() {
        assert!(located(&full_document()).is_none());
        assert!(tracked(&full_document()).is_none());
    }

    /// Each struct node lists the fields of the JSON Schema's definition, in order (struct
    /// fields and schema properties are both in declaration order).
    #[test]
    fn nodes_match_the_schema() {
        let schema = serde_json::to_value(crate::schema::rubric_schema()).unwrap_or_default();
        let def = |name: &str| -> Value {
            if name == "Rubric" {
                schema.clone()
            } else {
                schema["$defs"][name].clone()
            }
        };
        for (name, node) in [
            ("Rubric", &nodes::RUBRIC),
            ("Scale", &nodes::SCALE),
            ("RaterGroup", &nodes::RATER_GROUP),
            ("Policy", &nodes::POLICY),
            ("ExpertTrap", &nodes::EXPERT_TRAP),
            ("Level", &nodes::LEVEL),
            ("TrendPolicy", &nodes::TREND),
            ("FairnessPolicy", &nodes::FAIRNESS),
            ("Dimension", &nodes::DIMENSION),
            ("Criterion", &nodes::CRITERION),
            ("NineBox", &nodes::NINE_BOX),
        ] {
            let props: Vec<String> = def(name)["properties"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let fields: Vec<String> = match &node.shape {
                locate::Shape::Struct(f) => f.iter().map(|(n, _)| n.to_string()).collect(),
                _ => Vec::new(),
            };
            assert_eq!(fields, props, "{name}");
        }
    }
}

#[cfg(test)]
mod canonical_tests {
    use serde_json::{json, Value};

    /// The canonical writer as it was: scalars and keys through `Value`'s `Display`.
    fn by_display(v: &Value) -> String {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let items: Vec<String> = keys
                    .into_iter()
                    .map(|k| format!("{}:{}", Value::String(k.clone()), by_display(&map[k])))
                    .collect();
                format!("{{{}}}", items.join(","))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(by_display).collect();
                format!("[{}]", items.join(","))
            }
            other => other.to_string(),
        }
    }

    #[test]
    fn canonical_json_writes_what_value_display_writes() {
        let v = json!({
            "z\u{1}\"\\/é–\u{7f}\u{2028}": ["tab\t", "nl\n", "\u{1f600}", 0.1, 1e300, -0.0, 5, -7,
                18446744073709551615u64, null, true, {"b": 1.5, "a": [], "": {}}],
            "a": {"y": "x", "x": 2.5e-8},
        });
        assert_eq!(super::canonical_json(&v), by_display(&v));
        let standard = serde_json::to_value(super::Rubric::standard()).unwrap_or_default();
        assert_eq!(super::canonical_json(&standard), by_display(&standard));
    }
}
