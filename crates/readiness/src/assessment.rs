//! The assessment document: the result for one candidate, identical in every binding.
//!
//! Its JSON form is pinned by `schema/assessment.schema.json`, generated from these types.
//! Scores are on 0–100 (`raw` values on the rubric's scale); undefined values are `null`,
//! never NaN.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The readiness assessment of one candidate (in one cycle, when cycles are given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Candidate id.
    pub candidate: String,
    /// Cycle label, present only when the ratings carry cycles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    /// Readiness index, interval, level and the reasons for it.
    pub readiness: Readiness,
    /// Every dimension of the rubric, in rubric order (technical ones too, marked by `kind`).
    pub dimensions: Vec<DimensionScore>,
    /// Technical expertise, reported apart: it may gate a level, never enters the index.
    pub technical: Technical,
    /// Criterion scores s(c,i) on the raw scale, in rubric order (`null` when not rated).
    pub criteria: Vec<CriterionScore>,
    /// Flags raised for this candidate.
    pub flags: Vec<Flag>,
    /// Ids of the highest-scoring leadership-side criteria.
    pub strengths: Vec<String>,
    /// The lowest-scoring leadership-side criteria, with development actions.
    pub development: Vec<DevelopmentArea>,
    /// Engine and rubric the assessment was made with.
    pub provenance: Provenance,
}

/// Readiness index, its interval and the level it leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    /// R(c) on 0–100 over the leadership-side dimensions; `null` when none was rated.
    pub index: Option<f64>,
    /// 95% interval of the index; `null` with fewer than two scoring raters.
    pub ci95: Option<[f64; 2]>,
    /// Level id: one of the rubric's levels, or `insufficient_evidence`.
    pub level: String,
    /// Level label.
    pub label: String,
    /// Every failed condition of every better level, with the numbers.
    pub reasons: Vec<String>,
    /// The next better level and how far the index is from its minimum (`null` at the top).
    pub next_level: Option<NextLevel>,
}

/// Distance to the next better level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextLevel {
    /// The next better level's id.
    pub level: String,
    /// Index points still missing to that level's `min_index` (0 when the index is met and
    /// another condition holds the candidate back; `null` when the index is undefined).
    pub index_gap: Option<f64>,
    /// That level's failed conditions.
    pub unmet: Vec<String>,
}

/// The score of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionScore {
    /// Dimension id.
    pub id: String,
    /// Dimension kind (`leadership`, `attitude`, `impact`, `technical`, `custom:<name>`).
    pub kind: String,
    /// norm(D(c,d)) on 0–100; `null` when no criterion was rated.
    pub score: Option<f64>,
    /// D(c,d) on the rubric's scale.
    pub raw: Option<f64>,
    /// 95% interval on 0–100; `null` with fewer than two replicate raters.
    pub ci95: Option<[f64; 2]>,
    /// Share of the dimension's criterion weight that was rated (0–1).
    pub coverage: f64,
    /// Number of distinct scoring raters (groups with weight > 0) who rated the dimension.
    pub raters: u32,
    /// rwg(J) over the scoring raters; `null` when no criterion has two ratings.
    pub rwg: Option<f64>,
    /// Self score minus D(c,d) in scale points; `null` without self ratings.
    pub self_gap: Option<f64>,
    /// Each rater group's own score on 0–100, in rubric order; `null` when the group did not
    /// rate the dimension or its breakdown is suppressed.
    pub by_group: IndexMap<String, Option<f64>>,
    /// Groups whose breakdown is suppressed, with the reason.
    pub suppressed: IndexMap<String, String>,
}

/// Technical expertise, kept apart from the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Technical {
    /// Weighted technical score on 0–100; `null` when not rated or the rubric has none.
    pub score: Option<f64>,
    /// 95% interval; `null` with fewer than two replicate raters.
    pub ci95: Option<[f64; 2]>,
}

/// The score of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionScore {
    /// Criterion id.
    pub id: String,
    /// Dimension id.
    pub dimension: String,
    /// s(c,i) on the rubric's scale; `null` when no scoring group rated it.
    pub raw: Option<f64>,
    /// norm(s(c,i)) on 0–100.
    pub score: Option<f64>,
}

/// A flag raised for a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// Stable code.
    pub code: FlagCode,
    /// Plain-language explanation with the numbers.
    pub message: String,
    /// The dimension concerned, for dimension flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
}

/// Codes of the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlagCode {
    /// Strong technical expert whose leadership is not yet shown.
    ExpertTrap,
    /// Self rates a dimension well above the others.
    BlindSpot,
    /// Self rates a dimension well below the others.
    HiddenStrength,
    /// Raters disagree on a dimension (rwg(J) below the policy threshold).
    LowAgreement,
    /// Fewer scoring raters than the policy asks for.
    FewRaters,
}

impl FlagCode {
    /// The code as written in documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            FlagCode::ExpertTrap => "expert_trap",
            FlagCode::BlindSpot => "blind_spot",
            FlagCode::HiddenStrength => "hidden_strength",
            FlagCode::LowAgreement => "low_agreement",
            FlagCode::FewRaters => "few_raters",
        }
    }
}

/// A development area with the rubric's actions for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DevelopmentArea {
    /// Criterion id.
    pub criterion: String,
    /// s(c,i) on the rubric's scale.
    pub raw: f64,
    /// Development actions from the rubric.
    pub actions: Vec<String>,
}

/// What an assessment was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Engine version.
    pub engine: String,
    /// `id@version` of the rubric.
    pub rubric: String,
    /// `sha256:` of the rubric's canonical JSON.
    pub fingerprint: String,
    /// Rater adjustment the scores were computed with: `none`, `additive` or `mfrm`.
    pub rater_adjustment: String,
}
