//! Section 7: assessments per cycle, per-candidate trajectories with `stalled` and `declining`
//! flags, and gaps in the quarterly follow-up cadence.

use crate::assessment::Assessment;
use crate::rubric::Rubric;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longitudinal view over cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trends {
    /// Cycles in chronological order (quarters `YYYY-Qn` by date; other labels after them, in
    /// text order), with the assessments in each.
    pub cycles: Vec<CycleSummary>,
    /// Consecutive cycles more than one quarter apart (missed follow-ups).
    pub gaps: Vec<CycleGap>,
    /// Every candidate's trajectory (only when the ratings carry cycles).
    pub candidates: Vec<CandidateTrend>,
    /// Number of most recent cycles the flags look at.
    pub window: u32,
    /// Smallest gain that counts as progress, in index points.
    pub min_gain: f64,
    /// Why the section is empty or partial, when it is.
    pub note: Option<String>,
}

/// Assessments of one cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CycleSummary {
    /// Cycle label.
    pub cycle: String,
    /// Candidates assessed in the cycle.
    pub assessed: u32,
    /// Mean readiness index of the cycle's candidates with an index.
    pub mean_index: Option<f64>,
    /// Candidates per computed level.
    pub levels: IndexMap<String, u32>,
}

/// A follow-up gap: cycle `before` came more than one quarter after cycle `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CycleGap {
    /// The cycle before the gap.
    pub after: String,
    /// The cycle after the gap.
    pub before: String,
    /// Quarters without an assessment in between.
    pub missing_quarters: u32,
}

/// One candidate's index over the cycles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateTrend {
    /// Candidate id.
    pub candidate: String,
    /// Index per assessed cycle, chronological.
    pub indexes: Vec<CyclePoint>,
    /// Least-squares slope of the index per quarter (per cycle when labels are not quarters);
    /// `null` below two indexes.
    pub slope: Option<f64>,
    /// Index change since the previous assessed cycle.
    pub change: Option<f64>,
    /// `stalled` and/or `declining`.
    pub flags: Vec<TrendFlag>,
}

/// The index in one cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CyclePoint {
    /// Cycle label.
    pub cycle: String,
    /// Readiness index (`null` when not computable).
    pub index: Option<f64>,
    /// Computed level.
    pub level: String,
}

/// Trend flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrendFlag {
    /// Over the last `window` indexes the gain (last − first) is below `min_gain` (and the
    /// candidate is not at the best level).
    Stalled,
    /// Over the last `window` indexes the index fell by at least `min_gain`.
    Declining,
}

/// `(year, quarter)` of a label like `2026-Q1`, `2026Q1` or `2026-q1`.
pub fn parse_quarter(label: &str) -> Option<(i32, u32)> {
    let l = label.trim();
    let (y, q) = l.split_once(['Q', 'q'])?;
    let y = y.trim_end_matches(['-', '_', ' ']);
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let q: u32 = q.parse().ok()?;
    (1..=4).contains(&q).then_some(())?;
    Some((y.parse().ok()?, q))
}

/// Chronological order key of a cycle label: quarters first by date, other labels after.
pub(crate) fn cycle_key(label: &str) -> (u8, i64, String) {
    match parse_quarter(label) {
        Some((y, q)) => (0, i64::from(y) * 4 + i64::from(q) - 1, String::new()),
        None => (1, 0, label.to_string()),
    }
}

pub(crate) fn trends(docs: &[Assessment], rubric: &Rubric) -> Trends {
    let policy = &rubric.policy.trend;
    let mut t = Trends {
        cycles: Vec::new(),
        gaps: Vec::new(),
        candidates: Vec::new(),
        window: policy.cycles,
        min_gain: policy.min_gain,
        note: None,
    };
    if docs.iter().all(|d| d.cycle.is_none()) {
        t.note = Some("the ratings carry no cycle column, so there is no trend to report".into());
        return t;
    }
    let mut labels: Vec<&str> = docs.iter().filter_map(|d| d.cycle.as_deref()).collect();
    crate::sort::sort_stable_by(&mut labels, |a, b| cycle_key(a).cmp(&cycle_key(b)));
    labels.dedup();
    for l in &labels {
        let here: Vec<&Assessment> = docs
            .iter()
            .filter(|d| d.cycle.as_deref() == Some(*l))
            .collect();
        let idx: Vec<f64> = here.iter().filter_map(|d| d.readiness.index).collect();
        let mut levels: IndexMap<String, u32> = rubric
            .policy
            .levels
            .iter()
            .map(|x| (x.id.clone(), 0))
            .collect();
        for d in &here {
            *levels.entry(d.readiness.level.clone()).or_insert(0) += 1;
        }
        t.cycles.push(CycleSummary {
            cycle: (*l).to_string(),
            assessed: here.len() as u32,
            mean_index: super::util::mean(&idx),
            levels,
        });
    }
    let quarters: Vec<Option<i64>> = labels
        .iter()
        .map(|l| parse_quarter(l).map(|(y, q)| i64::from(y) * 4 + i64::from(q) - 1))
        .collect();
    let all_quarters = quarters.iter().all(Option::is_some);
    for w in 0..labels.len().saturating_sub(1) {
        if let (Some(a), Some(b)) = (quarters[w], quarters[w + 1]) {
            if b - a > 1 {
                t.gaps.push(CycleGap {
                    after: labels[w].to_string(),
                    before: labels[w + 1].to_string(),
                    missing_quarters: (b - a - 1) as u32,
                });
            }
        }
    }
    if !all_quarters {
        t.note = Some("some cycle labels are not quarters (YYYY-Qn): they are ordered by text after the quarters, and no gaps are checked around them".into());
    }
    let position = |label: &str| -> f64 {
        let k = labels.iter().position(|l| *l == label).unwrap_or(0);
        match (all_quarters, quarters[k]) {
            (true, Some(q)) => q as f64,
            _ => k as f64,
        }
    };
    let best = rubric
        .policy
        .levels
        .first()
        .map(|l| l.id.as_str())
        .unwrap_or("");
    // Each candidate's documents, candidates in name order: positions in a `HashMap<&str,
    // usize>` and the shared sort rather than a `BTreeMap`, whose tree code would be the
    // WebAssembly module's only one (size budget, issue 6).
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut by_cand: Vec<(&str, Vec<&Assessment>)> = Vec::new();
    for d in docs {
        let name = d.candidate.as_str();
        let k = match slot.get(name) {
            Some(&k) => k,
            None => {
                slot.insert(name, by_cand.len());
                by_cand.push((name, Vec::new()));
                by_cand.len() - 1
            }
        };
        by_cand[k].1.push(d);
    }
    crate::sort::sort_stable_by(&mut by_cand, |a, b| a.0.cmp(b.0));
    for (cand, mut ds) in by_cand {
        crate::sort::sort_stable_by(&mut ds, |a, b| {
            let key = |d: &&Assessment| cycle_key(d.cycle.as_deref().unwrap_or(""));
            key(a).cmp(&key(b))
        });
        let indexes: Vec<CyclePoint> = ds
            .iter()
            .map(|d| CyclePoint {
                cycle: d.cycle.clone().unwrap_or_default(),
                index: d.readiness.index,
                level: d.readiness.level.clone(),
            })
            .collect();
        let pts: Vec<(f64, f64)> = indexes
            .iter()
            .filter_map(|p| p.index.map(|i| (position(&p.cycle), i)))
            .collect();
        let slope = (pts.len() >= 2).then(|| {
            let n = pts.len() as f64;
            let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
            let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
            let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
            if sxx > 0.0 {
                sxy / sxx
            } else {
                0.0
            }
        });
        let change = (pts.len() >= 2).then(|| pts[pts.len() - 1].1 - pts[pts.len() - 2].1);
        let mut flags = Vec::new();
        let w = policy.cycles as usize;
        if pts.len() >= w {
            let window = &pts[pts.len() - w..];
            let gain = window[w - 1].1 - window[0].1;
            let latest_level = ds.last().map_or("", |d| d.readiness.level.as_str());
            if gain < 0.0 && gain <= -policy.min_gain {
                flags.push(TrendFlag::Declining);
            } else if gain < policy.min_gain && latest_level != best {
                flags.push(TrendFlag::Stalled);
            }
        }
        t.candidates.push(CandidateTrend {
            candidate: cand.to_string(),
            indexes,
            slope,
            change,
            flags,
        });
    }
    t
}
