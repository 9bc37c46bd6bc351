//! Sections 1 and 2: ranking with percentiles and the level distribution; the 9-box grid.

use super::config::{NineBoxCuts, RelativeCuts, DEFAULT_CELL_NAMES};
use super::util::{mean, quantile_sorted, var};
use super::Unit;
use crate::rubric::{DimensionKind, Rubric, INSUFFICIENT_EVIDENCE};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Ranking and distribution of the candidates' current assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ranking {
    /// Candidates by readiness index, best first; candidates without an index come last.
    pub candidates: Vec<RankedCandidate>,
    /// Candidates per level (policy order, then `insufficient_evidence`), computed and final.
    pub levels: Vec<LevelCount>,
    /// Summary of the index distribution; `null` when no candidate has an index.
    pub index: Option<IndexSummary>,
}

/// One candidate's place in the cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RankedCandidate {
    /// Candidate id.
    pub candidate: String,
    /// Cycle of the assessment used (the latest), when ratings carry cycles.
    pub cycle: Option<String>,
    /// Competition rank by index (1 = highest; ties share a rank); `null` without an index.
    pub rank: Option<u32>,
    /// Readiness index, 0–100.
    pub index: Option<f64>,
    /// 95% interval of the index.
    pub ci95: Option<[f64; 2]>,
    /// Percentile rank: 100·(below + ½·tied)/n over candidates with an index.
    pub percentile: Option<f64>,
    /// Level computed by the engine.
    pub level: String,
    /// Level after human overrides (equal to `level` when not overridden).
    pub final_level: String,
    /// The next better level (`null` at the top).
    pub next_level: Option<String>,
    /// Index points missing to the next level's `min_index`.
    pub index_gap: Option<f64>,
}

/// Number of candidates at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LevelCount {
    /// Level id.
    pub level: String,
    /// Level label.
    pub label: String,
    /// Candidates at this computed level.
    pub computed: u32,
    /// Candidates at this final level (after overrides).
    #[serde(rename = "final")]
    pub final_count: u32,
    /// `computed / candidates`.
    pub share: f64,
}

/// Distribution of the readiness index over the cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IndexSummary {
    /// Candidates with an index.
    pub n: u32,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (`null` below 2 candidates).
    pub sd: Option<f64>,
    /// Minimum.
    pub min: f64,
    /// First quartile (type-7 quantile).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Maximum.
    pub max: f64,
}

pub(crate) fn ranking(units: &[Unit<'_>], rubric: &Rubric) -> Ranking {
    let mut values: Vec<f64> = units.iter().filter_map(|u| u.doc.readiness.index).collect();
    crate::sort::sort_stable_by(&mut values, |a, b| a.total_cmp(b));
    let n = values.len();
    let mut order: Vec<&Unit<'_>> = units.iter().collect();
    crate::sort::sort_stable_by(&mut order, |a, b| {
        match (a.doc.readiness.index, b.doc.readiness.index) {
            (Some(x), Some(y)) => y
                .total_cmp(&x)
                .then_with(|| a.doc.candidate.cmp(&b.doc.candidate)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.doc.candidate.cmp(&b.doc.candidate),
        }
    });
    let candidates = order
        .iter()
        .map(|u| {
            let r = &u.doc.readiness;
            let (rank, percentile) = match r.index {
                Some(x) => {
                    let below = values.partition_point(|v| *v < x);
                    let upto = values.partition_point(|v| *v <= x);
                    let above = n - upto;
                    (
                        Some(above as u32 + 1),
                        Some(100.0 * (below as f64 + 0.5 * (upto - below) as f64) / n as f64),
                    )
                }
                None => (None, None),
            };
            RankedCandidate {
                candidate: u.doc.candidate.clone(),
                cycle: u.doc.cycle.clone(),
                rank,
                index: r.index,
                ci95: r.ci95,
                percentile,
                level: r.level.clone(),
                final_level: u.final_level.clone(),
                next_level: r.next_level.as_ref().map(|l| l.level.clone()),
                index_gap: r.next_level.as_ref().and_then(|l| l.index_gap),
            }
        })
        .collect();
    let total = units.len().max(1) as f64;
    let mut levels: Vec<(String, String)> = rubric
        .policy
        .levels
        .iter()
        .map(|l| (l.id.clone(), l.display_label().to_string()))
        .collect();
    levels.push((INSUFFICIENT_EVIDENCE.into(), "Insufficient evidence".into()));
    let levels = levels
        .into_iter()
        .map(|(id, label)| {
            let computed = units.iter().filter(|u| u.doc.readiness.level == id).count() as u32;
            let final_count = units.iter().filter(|u| u.final_level == id).count() as u32;
            LevelCount {
                share: f64::from(computed) / total,
                level: id,
                label,
                computed,
                final_count,
            }
        })
        .collect();
    let index = (n > 0).then(|| IndexSummary {
        n: n as u32,
        mean: mean(&values).unwrap_or(0.0),
        sd: var(&values).map(f64::sqrt),
        min: values[0],
        q1: quantile_sorted(&values, 0.25).unwrap_or(values[0]),
        median: quantile_sorted(&values, 0.5).unwrap_or(values[0]),
        q3: quantile_sorted(&values, 0.75).unwrap_or(values[0]),
        max: values[n - 1],
    });
    Ranking {
        candidates,
        levels,
        index,
    }
}

/// The 9-box grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NineBoxReport {
    /// How the cuts were set: `fixed` or `tertiles`.
    pub method: String,
    /// The performance (horizontal) axis.
    pub performance: NineBoxAxis,
    /// The potential (vertical) axis.
    pub potential: NineBoxAxis,
    /// The nine cells, 1–9, with their counts.
    pub cells: Vec<NineBoxCell>,
    /// Each candidate's axis scores and cell (`null` when an axis has no score).
    pub candidates: Vec<NineBoxPlacement>,
}

/// One axis of the 9-box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NineBoxAxis {
    /// Dimension ids averaged (weighted by their rubric weights) into the axis.
    pub dimensions: Vec<String>,
    /// Cut points `[a, b]` on 0–100: low < a ≤ middle < b ≤ high; `null` when tertiles cannot
    /// be computed (no candidate scored on the axis).
    pub cuts: Option<[f64; 2]>,
}

/// One cell of the 9-box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NineBoxCell {
    /// Cell id 1–9: `3·potential_band + performance_band + 1` (bands 0 low, 1 middle, 2 high).
    pub cell: u8,
    /// Cell name (rubric `nine_box.names` or the defaults).
    pub name: String,
    /// `low`, `middle` or `high`.
    pub performance: String,
    /// `low`, `middle` or `high`.
    pub potential: String,
    /// Candidates in the cell.
    pub count: u32,
}

/// A candidate's place in the 9-box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NineBoxPlacement {
    /// Candidate id.
    pub candidate: String,
    /// Performance axis score, 0–100.
    pub performance: Option<f64>,
    /// Potential axis score, 0–100.
    pub potential: Option<f64>,
    /// Cell id 1–9.
    pub cell: Option<u8>,
    /// Cell name.
    pub name: Option<String>,
}

const BANDS: [&str; 3] = ["low", "middle", "high"];

fn axis_dims(rubric: &Rubric, ids: &[String], kinds: &[DimensionKind]) -> Vec<usize> {
    if ids.is_empty() {
        (0..rubric.dimensions.len())
            .filter(|&d| kinds.contains(&rubric.dimensions[d].kind))
            .collect()
    } else {
        ids.iter()
            .filter_map(|id| rubric.dimensions.iter().position(|d| &d.id == id))
            .collect()
    }
}

fn axis_score(u: &Unit<'_>, dims: &[usize], rubric: &Rubric) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for &d in dims {
        if let Some(s) = u.doc.dimensions.get(d).and_then(|x| x.score) {
            num += rubric.dimensions[d].weight * s;
            den += rubric.dimensions[d].weight;
        }
    }
    (den > 0.0).then(|| num / den)
}

fn band(x: f64, cuts: [f64; 2]) -> usize {
    if x < cuts[0] {
        0
    } else if x < cuts[1] {
        1
    } else {
        2
    }
}

pub(crate) fn nine_box(units: &[Unit<'_>], rubric: &Rubric) -> NineBoxReport {
    let nb = &rubric.nine_box;
    let perf = axis_dims(rubric, &nb.performance, &[DimensionKind::Impact]);
    let pot = axis_dims(
        rubric,
        &nb.potential,
        &[DimensionKind::Leadership, DimensionKind::Attitude],
    );
    let scores: Vec<(Option<f64>, Option<f64>)> = units
        .iter()
        .map(|u| (axis_score(u, &perf, rubric), axis_score(u, &pot, rubric)))
        .collect();
    let cuts_of = |vals: Vec<f64>| -> Option<[f64; 2]> {
        match nb.cuts {
            NineBoxCuts::Fixed(c) => Some(c),
            NineBoxCuts::Relative(RelativeCuts::Tertiles) => {
                let mut v = vals;
                crate::sort::sort_stable_by(&mut v, |a, b| a.total_cmp(b));
                Some([
                    quantile_sorted(&v, 1.0 / 3.0)?,
                    quantile_sorted(&v, 2.0 / 3.0)?,
                ])
            }
        }
    };
    let pcuts = cuts_of(scores.iter().filter_map(|s| s.0).collect());
    let qcuts = cuts_of(scores.iter().filter_map(|s| s.1).collect());
    let name = |cell: usize| -> String {
        nb.names
            .get(cell)
            .cloned()
            .unwrap_or_else(|| DEFAULT_CELL_NAMES[cell].to_string())
    };
    let mut counts = [0u32; 9];
    let candidates = units
        .iter()
        .zip(&scores)
        .map(|(u, &(p, q))| {
            let cell = match (p, q, pcuts, qcuts) {
                (Some(p), Some(q), Some(pc), Some(qc)) => Some(3 * band(q, qc) + band(p, pc)),
                _ => None,
            };
            if let Some(c) = cell {
                counts[c] += 1;
            }
            NineBoxPlacement {
                candidate: u.doc.candidate.clone(),
                performance: p,
                potential: q,
                cell: cell.map(|c| c as u8 + 1),
                name: cell.map(name),
            }
        })
        .collect();
    let ids = |d: &[usize]| d.iter().map(|&k| rubric.dimensions[k].id.clone()).collect();
    NineBoxReport {
        method: match nb.cuts {
            NineBoxCuts::Fixed(_) => "fixed".into(),
            NineBoxCuts::Relative(RelativeCuts::Tertiles) => "tertiles".into(),
        },
        performance: NineBoxAxis {
            dimensions: ids(&perf),
            cuts: pcuts,
        },
        potential: NineBoxAxis {
            dimensions: ids(&pot),
            cuts: qcuts,
        },
        cells: (0..9)
            .map(|c| NineBoxCell {
                cell: c as u8 + 1,
                name: name(c),
                performance: BANDS[c % 3].into(),
                potential: BANDS[c / 3].into(),
                count: counts[c],
            })
            .collect(),
        candidates,
    }
}
