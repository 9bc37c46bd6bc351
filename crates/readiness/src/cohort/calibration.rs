//! Section 4: rater leniency and severity, the level distribution against a target, and the
//! shift of levels by overrides.

use super::util::{holm, mean, quantile_sorted, t_two_sided, var};
use super::Unit;
use crate::ratings::RatingSet;
use crate::rubric::{Rubric, INSUFFICIENT_EVIDENCE};
use crate::stats::distributions::chi_square_sf;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Family-wise significance level of the rater verdicts (Holm-adjusted).
pub const ALPHA: f64 = 0.05;

/// Calibration of raters and of the level distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Calibration {
    /// How rater effects are computed, in words.
    pub method: String,
    /// Family-wise significance level of the verdicts.
    pub alpha: f64,
    /// Raters of non-anonymous scoring groups (`min_raters` 1, e.g. managers), by group then id.
    pub raters: Vec<RaterCalibration>,
    /// Every scoring group, summarised (anonymous groups are only reported here).
    pub groups: Vec<GroupCalibration>,
    /// Candidates per level before (computed) and after (final) overrides.
    pub levels: Vec<LevelShift>,
    /// The computed level distribution against `policy.target_distribution`; `null` without a
    /// target.
    pub distribution: Option<DistributionTest>,
}

/// Verdict on a rater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RaterVerdict {
    /// Rates significantly above the other raters of the same candidates.
    Lenient,
    /// Rates significantly below.
    Severe,
    /// No significant difference.
    Typical,
}

/// One rater's leniency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RaterCalibration {
    /// Rater id.
    pub rater: String,
    /// Rater group.
    pub group: String,
    /// Distinct candidates the rater rated (with at least one co-rated criterion).
    pub n_candidates: u32,
    /// Leniency in scale points: the rater's mean deviation from the other raters of the same
    /// candidate and criterion, minus the group reference (the median of the other raters of
    /// the group, when at least 3 have a deviation; else 0) — positive = lenient; `null`
    /// without a co-rated criterion.
    pub effect: Option<f64>,
    /// Standard error of `effect`: the sd of the rater's per-candidate deviations over √n;
    /// `null` below two candidates.
    pub se: Option<f64>,
    /// Degrees of freedom (candidates − 1).
    pub df: Option<f64>,
    /// Two-sided p-value of `effect` (t test); `null` below two candidates.
    pub p: Option<f64>,
    /// `p` adjusted for testing every rater (Holm).
    pub p_adjusted: Option<f64>,
    /// `lenient` or `severe` when `p_adjusted < alpha`, else `typical`; `null` for raters of
    /// fewer than two candidates (no verdict).
    pub verdict: Option<RaterVerdict>,
}

/// Leniency of a rater group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupCalibration {
    /// Group id.
    pub group: String,
    /// Whether the group's raters are listed individually (only when `min_raters` is 1).
    pub listed: bool,
    /// Raters in the group.
    pub n_raters: u32,
    /// Mean deviation of the group's ratings from the other raters of the same candidate and
    /// criterion, in scale points.
    pub mean_deviation: Option<f64>,
    /// Raters with the verdict `lenient`.
    pub lenient: u32,
    /// Raters with the verdict `severe`.
    pub severe: u32,
}

/// One level before and after overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LevelShift {
    /// Level id.
    pub level: String,
    /// Candidates at the computed level.
    pub computed: u32,
    /// Candidates at the final level.
    #[serde(rename = "final")]
    pub final_count: u32,
    /// `final − computed`.
    pub delta: i64,
}

/// Pearson's chi-square goodness-of-fit test of the computed levels against the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionTest {
    /// Candidates with a level (`insufficient_evidence` left out).
    pub n: u32,
    /// Candidates left out as `insufficient_evidence`.
    pub excluded: u32,
    /// Observed and expected counts per level.
    pub levels: Vec<DistributionLevel>,
    /// Σ (O − E)² / E.
    pub chi_square: Option<f64>,
    /// Levels − 1.
    pub df: u32,
    /// Upper tail of χ²(df); `null` when n = 0.
    pub p: Option<f64>,
    /// Whether an expected count is below 5 (the approximation is then rough).
    pub small_expected: bool,
}

/// One level of the distribution test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionLevel {
    /// Level id.
    pub level: String,
    /// Target share (normalised).
    pub target: f64,
    /// Observed count.
    pub observed: u32,
    /// Expected count `n · target`.
    pub expected: f64,
}

/// Per (rater, group) lists of (candidate, mean deviation), keys in first-seen order.
struct Deviations {
    keys: Vec<(u32, u16)>,
    lists: Vec<Vec<(u32, f64)>>,
    /// (rater, group) to its position in `keys`: the `HashMap<(usize, usize), usize>` type the
    /// cohort report already has (each key/value type compiles its own hash table code; size
    /// budget, issue 6).
    index: HashMap<(usize, usize), usize>,
}

impl Deviations {
    fn of(&self, (r, g): (u32, u16)) -> &[(u32, f64)] {
        self.index
            .get(&(r as usize, usize::from(g)))
            .map_or(&[], |&k| &self.lists[k])
    }
}

/// Per-rater, per-unit mean deviations from the other scoring raters of the same unit and
/// criterion.
fn deviations(set: &RatingSet, rubric: &Rubric) -> Deviations {
    let scoring: Vec<bool> = rubric
        .rater_groups
        .values()
        .map(|g| g.weight > 0.0)
        .collect();
    let nc = rubric.criterion_ids().count();
    let mut sum = vec![0.0; nc];
    let mut cnt = vec![0u32; nc];
    let mut out = Deviations {
        keys: Vec::new(),
        lists: Vec::new(),
        index: HashMap::new(),
    };
    for span in &set.spans {
        sum.iter_mut().for_each(|v| *v = 0.0);
        cnt.iter_mut().for_each(|v| *v = 0);
        for i in span.start..span.end {
            let x = set.score[i];
            if !x.is_nan() && scoring[usize::from(set.group[i])] {
                sum[set.crit[i] as usize] += x;
                cnt[set.crit[i] as usize] += 1;
            }
        }
        let mut i = span.start;
        while i < span.end {
            let r = set.rater[i];
            let g = set.group[i];
            let (mut dsum, mut dn) = (0.0, 0u32);
            while i < span.end && set.rater[i] == r {
                let x = set.score[i];
                let c = set.crit[i] as usize;
                if !x.is_nan() && scoring[usize::from(set.group[i])] && cnt[c] >= 2 {
                    dsum += x - (sum[c] - x) / f64::from(cnt[c] - 1);
                    dn += 1;
                }
                i += 1;
            }
            if dn > 0 {
                let at = (r as usize, usize::from(g));
                let k = match out.index.get(&at) {
                    Some(&k) => k,
                    None => {
                        out.index.insert(at, out.keys.len());
                        out.keys.push((r, g));
                        out.lists.push(Vec::new());
                        out.keys.len() - 1
                    }
                };
                out.lists[k].push((span.cand, dsum / f64::from(dn)));
            }
        }
    }
    out
}

pub(crate) fn calibration(set: &RatingSet, rubric: &Rubric, finals: &[Unit<'_>]) -> Calibration {
    // Keyed by (rater, group): someone who is manager of one candidate and peer of another is
    // judged separately in each role.
    let dev = deviations(set, rubric);
    let mut raters: Vec<(u32, u16)> = dev.keys.clone();
    crate::sort::sort_stable_by(&mut raters, |a, b| {
        a.1.cmp(&b.1)
            .then_with(|| set.raters.name(a.0).cmp(set.raters.name(b.0)))
    });
    struct Row {
        rater: u32,
        group: u16,
        n_cand: u32,
        effect: Option<f64>,
        se: Option<f64>,
        df: Option<f64>,
        p: Option<f64>,
    }
    let mut rows: Vec<Row> = Vec::new();
    for &key in &raters {
        let (r, g) = key;
        let mine: Vec<f64> = dev.of(key).iter().map(|x| x.1).collect();
        let mut cands: Vec<u32> = dev.of(key).iter().map(|x| x.0).collect();
        crate::sort::sort_stable_by(&mut cands, |a, b| a.cmp(b));
        cands.dedup();
        let n_cand = cands.len() as u32;
        // The group reference: the median of the other raters' own mean deviations (robust to
        // one outlying rater), when at least 3 other raters of the group have one; else 0, the
        // co-raters of the same candidates.
        let mut others: Vec<f64> = raters
            .iter()
            .filter(|&&o| o != key && o.1 == g)
            .filter_map(|&o| mean(&dev.of(o).iter().map(|x| x.1).collect::<Vec<_>>()))
            .collect();
        crate::sort::sort_stable_by(&mut others, |a, b| a.total_cmp(b));
        let reference = if others.len() >= 3 {
            quantile_sorted(&others, 0.5).unwrap_or(0.0)
        } else {
            0.0
        };
        let effect = mean(&mine).map(|m| m - reference);
        let (mut se, mut df, mut p) = (None, None, None);
        if n_cand >= 2 && mine.len() >= 2 {
            let s2 = var(&mine).unwrap_or(0.0) / mine.len() as f64;
            if s2 > 0.0 {
                se = Some(s2.sqrt());
                df = Some((mine.len() - 1) as f64);
            }
            if let (Some(e), Some(s), Some(d)) = (effect, se, df) {
                p = t_two_sided(e / s, d);
            }
        }
        rows.push(Row {
            rater: r,
            group: g,
            n_cand,
            effect,
            se,
            df,
            p,
        });
    }
    let adjusted = holm(&rows.iter().map(|r| r.p).collect::<Vec<_>>());
    let verdicts: Vec<Option<RaterVerdict>> = rows
        .iter()
        .zip(&adjusted)
        .map(|(r, pa)| match (r.effect, pa) {
            (Some(e), Some(pa)) if r.n_cand >= 2 => Some(if *pa < ALPHA && e > 0.0 {
                RaterVerdict::Lenient
            } else if *pa < ALPHA && e < 0.0 {
                RaterVerdict::Severe
            } else {
                RaterVerdict::Typical
            }),
            _ => None,
        })
        .collect();
    let group_name = |g: u16| {
        rubric
            .rater_groups
            .get_index(usize::from(g))
            .map_or("", |(k, _)| k.as_str())
    };
    let listed = |g: u16| {
        rubric
            .rater_groups
            .get_index(usize::from(g))
            .is_some_and(|(_, v)| v.min_raters <= 1)
    };
    let rater_rows = rows
        .iter()
        .zip(adjusted.iter().zip(&verdicts))
        .filter(|(r, _)| listed(r.group))
        .map(|(r, (pa, v))| RaterCalibration {
            rater: set.raters.name(r.rater).to_string(),
            group: group_name(r.group).to_string(),
            n_candidates: r.n_cand,
            effect: r.effect,
            se: r.se,
            df: r.df,
            p: r.p,
            p_adjusted: *pa,
            verdict: *v,
        })
        .collect();
    let groups = rubric
        .rater_groups
        .iter()
        .enumerate()
        .filter(|(_, (_, g))| g.weight > 0.0)
        .map(|(gi, (id, _))| {
            let gi = gi as u16;
            let members: Vec<usize> = (0..rows.len()).filter(|&k| rows[k].group == gi).collect();
            let all_dev: Vec<f64> = members
                .iter()
                .flat_map(|&k| dev.of((rows[k].rater, rows[k].group)).iter().map(|x| x.1))
                .collect();
            GroupCalibration {
                group: id.clone(),
                listed: listed(gi),
                n_raters: members.len() as u32,
                mean_deviation: mean(&all_dev),
                lenient: members
                    .iter()
                    .filter(|&&k| verdicts[k] == Some(RaterVerdict::Lenient))
                    .count() as u32,
                severe: members
                    .iter()
                    .filter(|&&k| verdicts[k] == Some(RaterVerdict::Severe))
                    .count() as u32,
            }
        })
        .collect();
    let mut level_ids: Vec<&str> = rubric.policy.levels.iter().map(|l| l.id.as_str()).collect();
    level_ids.push(INSUFFICIENT_EVIDENCE);
    let levels = level_ids
        .iter()
        .map(|id| {
            let computed = finals
                .iter()
                .filter(|u| u.doc.readiness.level == *id)
                .count() as u32;
            let final_count = finals.iter().filter(|u| u.final_level == *id).count() as u32;
            LevelShift {
                level: (*id).to_string(),
                computed,
                final_count,
                delta: i64::from(final_count) - i64::from(computed),
            }
        })
        .collect();
    Calibration {
        method: "deviation of each scoring rating from the mean of the other scoring raters of the same candidate and criterion, averaged per candidate; a rater's effect is the mean of those per-candidate deviations minus the median of the other raters of the same group (one-sample t test over candidates, Holm-adjusted over raters)".into(),
        alpha: ALPHA,
        raters: rater_rows,
        groups,
        levels,
        distribution: distribution(finals, rubric),
    }
}

fn distribution(units: &[Unit<'_>], rubric: &Rubric) -> Option<DistributionTest> {
    let target = &rubric.policy.target_distribution;
    if target.is_empty() {
        return None;
    }
    let total: f64 = target.values().sum();
    let n = units
        .iter()
        .filter(|u| u.doc.readiness.level != INSUFFICIENT_EVIDENCE)
        .count();
    let excluded = (units.len() - n) as u32;
    let levels: Vec<DistributionLevel> = rubric
        .policy
        .levels
        .iter()
        .map(|l| {
            let share = target.get(&l.id).copied().unwrap_or(0.0) / total;
            DistributionLevel {
                level: l.id.clone(),
                target: share,
                observed: units
                    .iter()
                    .filter(|u| u.doc.readiness.level == l.id)
                    .count() as u32,
                expected: n as f64 * share,
            }
        })
        .collect();
    let chi_square = (n > 0).then(|| {
        levels
            .iter()
            .map(|l| (f64::from(l.observed) - l.expected).powi(2) / l.expected)
            .sum::<f64>()
    });
    let df = levels.len().saturating_sub(1) as u32;
    let p = chi_square.and_then(|x| chi_square_sf(x, f64::from(df)));
    Some(DistributionTest {
        n: n as u32,
        excluded,
        small_expected: levels.iter().any(|l| l.expected < 5.0),
        levels,
        chi_square,
        df,
        p,
    })
}
