//! Cohort analytics: one call, [`cohort_report`], turns the ratings of a whole group into the
//! answers HR needs about it — ranking and level distribution, the 9-box, reliability, rater
//! calibration, fairness, an audit of past promotion decisions, quarterly trends, human
//! overrides, and the provenance of it all. Every formula is in `docs/methodology.md`
//! ("Cohort analytics").
//!
//! ```
//! use readiness::cohort::{cohort_report, CohortInputs};
//! use readiness::{RatingSet, Rubric};
//!
//! let rubric = Rubric::standard();
//! let csv = "candidate,rater,group,criterion,score\n\
//!            e-1,m-1,manager,listens,4\ne-1,p-1,peer,listens,5\n\
//!            e-2,m-1,manager,listens,2\ne-2,p-2,peer,listens,3\n";
//! let ratings = RatingSet::from_csv_str(csv, &rubric)?;
//! let report = cohort_report(&ratings, &rubric, &CohortInputs::default())?;
//! assert_eq!(report.ranking.candidates[0].candidate, "e-1");
//! assert!(report.provenance.ratings_digest.starts_with("sha256:"));
//! # Ok::<(), readiness::Error>(())
//! ```

pub mod anonymity;
pub mod calibration;
pub mod config;
pub mod decision;
pub mod fairness;
pub mod inputs;
pub mod ranking;
pub mod trends;
mod util;

pub use inputs::{CohortInputs, Decision, Override};

use crate::assessment::Assessment;
use crate::error::Error;
use crate::ratings::RatingSet;
use crate::rubric::{sha256_prefixed, Rubric};
use crate::scoring::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The cohort report document (`schema/cohort.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CohortReport {
    /// Ranking by readiness index, percentiles and the level distribution.
    pub ranking: ranking::Ranking,
    /// The 9-box grid of performance × potential.
    pub nine_box: ranking::NineBoxReport,
    /// Reliability of the ratings per dimension.
    pub reliability: ReliabilitySection,
    /// Rater leniency/severity, the level distribution against a target, overrides' shifts.
    pub calibration: calibration::Calibration,
    /// Adverse impact per attribute and per pair of attributes (empty without attributes).
    pub fairness: Vec<fairness::FairnessTable>,
    /// Audit of past promotion decisions; `null` without decisions.
    pub decision_audit: Option<decision::DecisionAudit>,
    /// Trajectories over cycles and follow-up gaps.
    pub trends: trends::Trends,
    /// Human overrides: computed and final level side by side.
    pub overrides: OverridesSection,
    /// What the report was computed from.
    pub provenance: CohortProvenance,
}

/// Reliability of the ratings per dimension (`readiness::stats::reliability`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReliabilitySection {
    /// The reliability table; `null` when it cannot be computed.
    pub table: Option<crate::stats::reliability::ReliabilityTable>,
    /// Why there is no table, when there is none.
    pub unavailable: Option<String>,
}

/// Every override with the level it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverridesSection {
    /// Number of overrides.
    pub n: u32,
    /// Overrides that raised the level.
    pub raised: u32,
    /// Overrides that lowered the level.
    pub lowered: u32,
    /// Every override, by candidate and cycle.
    pub items: Vec<OverrideItem>,
}

/// One human override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverrideItem {
    /// Candidate id.
    pub candidate: String,
    /// Cycle overridden (`null` without cycles).
    pub cycle: Option<String>,
    /// The level the engine computed.
    pub computed_level: String,
    /// The level set by the override.
    pub final_level: String,
    /// `raised`, `lowered` or `unchanged` (relative to the computed level; from
    /// `insufficient_evidence` any level counts as raised).
    pub direction: String,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// When.
    pub date: String,
}

/// What a cohort report was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CohortProvenance {
    /// Engine version.
    pub engine: String,
    /// `id@version` of the rubric.
    pub rubric: String,
    /// `sha256:` of the rubric's canonical JSON.
    pub fingerprint: String,
    /// `sha256:` of the canonical ratings: one line per rating,
    /// `candidate\tcycle\trater\tgroup\tcriterion\tscore\n` (score in shortest round-trip form,
    /// empty when not rated), lines sorted bytewise — independent of row order and comments.
    pub ratings_digest: String,
    /// Rating rows, including rows without a score.
    pub ratings: u64,
    /// Ratings with a score.
    pub scored: u64,
    /// Distinct candidates.
    pub candidates: u64,
    /// Distinct raters.
    pub raters: u64,
    /// Distinct cycles (0 without cycles).
    pub cycles: u64,
    /// Assessed units (candidate × cycle).
    pub assessments: u64,
    /// Rows of the attributes table (`null` when not given).
    pub attributes: Option<u64>,
    /// Rows of the decisions table (`null` when not given).
    pub decisions: Option<u64>,
    /// Overrides applied.
    pub overrides: u64,
    /// The anonymity policy applied to group breakdowns (`suppress` or `roll_up`).
    pub anonymity: config::Anonymity,
}

/// A candidate's assessment in the report with its final level.
#[derive(Debug)]
pub(crate) struct Unit<'a> {
    pub doc: &'a Assessment,
    pub final_level: String,
}

/// Builds the cohort report: assesses every candidate (with anonymity protection), applies the
/// overrides, and computes every section. Ranking, 9-box, calibration of levels, fairness and the
/// decision audit use each candidate's latest cycle; trends use all cycles.
///
/// # Errors
/// [`Error::Rubric`] for an invalid rubric, [`Error::Cohort`] for an input table that does not
/// fit the ratings (unknown candidate, duplicate key, override without reason, unknown level),
/// [`Error::Stats`] if a statistic rejects its input.
///
/// # Example
/// See the [module documentation](self).
pub fn cohort_report(
    ratings: &RatingSet,
    rubric: &Rubric,
    inputs: &CohortInputs,
) -> Result<CohortReport, Error> {
    let engine = Engine::new(rubric.clone())?;
    inputs.validate(ratings, rubric)?;
    // `assess` already protects withheld breakdowns (`anonymity::protect`).
    let docs = engine.assess(ratings)?;

    // Latest cycle per candidate.
    let mut latest: HashMap<&str, usize> = HashMap::new();
    for (k, d) in docs.iter().enumerate() {
        let key = trends::cycle_key(d.cycle.as_deref().unwrap_or(""));
        latest
            .entry(d.candidate.as_str())
            .and_modify(|j| {
                if key > trends::cycle_key(docs[*j].cycle.as_deref().unwrap_or("")) {
                    *j = k;
                }
            })
            .or_insert(k);
    }
    // Overrides: with a cycle for that cycle, without one for the latest.
    let mut finals: Vec<String> = docs.iter().map(|d| d.readiness.level.clone()).collect();
    let rank = |level: &str| rubric.policy.levels.iter().position(|l| l.id == level);
    let mut items = Vec::new();
    for o in &inputs.overrides {
        let k = match &o.cycle {
            Some(c) => docs
                .iter()
                .position(|d| d.candidate == o.candidate && d.cycle.as_deref() == Some(c.as_str())),
            None => latest.get(o.candidate.as_str()).copied(),
        };
        let Some(k) = k else { continue };
        finals[k] = o.level.clone();
        let computed = docs[k].readiness.level.clone();
        let direction = match (rank(&computed), rank(&o.level)) {
            (Some(a), Some(b)) if b < a => "raised",
            (Some(a), Some(b)) if b > a => "lowered",
            (Some(_), Some(_)) => "unchanged",
            _ => "raised",
        };
        items.push(OverrideItem {
            candidate: o.candidate.clone(),
            cycle: docs[k].cycle.clone(),
            computed_level: computed,
            final_level: o.level.clone(),
            direction: direction.into(),
            reason: o.reason.clone(),
            author: o.author.clone(),
            date: o.date.clone(),
        });
    }
    crate::sort::sort_stable_by(&mut items, |a, b| {
        (&a.candidate, &a.cycle).cmp(&(&b.candidate, &b.cycle))
    });
    let overrides = OverridesSection {
        n: items.len() as u32,
        raised: items.iter().filter(|i| i.direction == "raised").count() as u32,
        lowered: items.iter().filter(|i| i.direction == "lowered").count() as u32,
        items,
    };
    let mut current: Vec<usize> = latest.values().copied().collect();
    crate::sort::sort_stable_by(&mut current, |a, b| a.cmp(b));
    let units: Vec<Unit<'_>> = current
        .iter()
        .map(|&k| Unit {
            doc: &docs[k],
            final_level: finals[k].clone(),
        })
        .collect();

    let reliability = match crate::stats::reliability::reliability_table(ratings, rubric) {
        Ok(t) => ReliabilitySection {
            table: Some(t),
            unavailable: None,
        },
        Err(e) => ReliabilitySection {
            table: None,
            unavailable: Some(e.to_string()),
        },
    };
    let decision_audit = inputs
        .decisions
        .as_ref()
        .map(|d| decision::audit(&units, rubric, d));
    Ok(CohortReport {
        ranking: ranking::ranking(&units, rubric),
        nine_box: ranking::nine_box(&units, rubric),
        reliability,
        calibration: calibration::calibration(ratings, rubric, &units),
        fairness: fairness::fairness(&units, rubric, inputs.attributes.as_ref())?,
        decision_audit,
        trends: trends::trends(&docs, rubric),
        overrides,
        provenance: provenance(ratings, rubric, inputs),
    })
}

fn provenance(set: &RatingSet, rubric: &Rubric, inputs: &CohortInputs) -> CohortProvenance {
    let crit: Vec<&str> = rubric.criterion_ids().collect();
    let groups: Vec<&str> = rubric.rater_groups.keys().map(String::as_str).collect();
    let mut lines: Vec<String> = (0..set.len())
        .map(|i| {
            let score = set.score[i];
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                set.candidates.name(set.cand[i]),
                if set.has_cycle {
                    set.cycles.name(set.cycle[i])
                } else {
                    ""
                },
                set.raters.name(set.rater[i]),
                groups.get(usize::from(set.group[i])).copied().unwrap_or(""),
                crit.get(set.crit[i] as usize).copied().unwrap_or(""),
                if score.is_nan() {
                    String::new()
                } else {
                    format!("{score}")
                }
            )
        })
        .collect();
    crate::sort::sort_stable_by(&mut lines, |a, b| a.cmp(b));
    let mut bytes = Vec::with_capacity(lines.iter().map(String::len).sum());
    for l in &lines {
        bytes.extend_from_slice(l.as_bytes());
    }
    CohortProvenance {
        engine: crate::VERSION.into(),
        rubric: rubric.label(),
        fingerprint: rubric.fingerprint(),
        ratings_digest: sha256_prefixed(&bytes),
        ratings: set.len() as u64,
        scored: set.scored() as u64,
        candidates: set.candidates.len() as u64,
        raters: set.raters.len() as u64,
        cycles: if set.has_cycle {
            set.cycles.len() as u64
        } else {
            0
        },
        assessments: set.units() as u64,
        attributes: inputs.attributes.as_ref().map(|a| a.rows.len() as u64),
        decisions: inputs.decisions.as_ref().map(|d| d.len() as u64),
        overrides: inputs.overrides.len() as u64,
        anonymity: rubric.policy.anonymity,
    }
}
