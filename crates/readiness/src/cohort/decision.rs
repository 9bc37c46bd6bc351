//! Section 6: do past promotion decisions follow technical expertise or leadership readiness?

use super::inputs::Decision;
use super::util::{fisher_ci, pearson, r2, t_two_sided};
use super::Unit;
use crate::rubric::Rubric;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Audit of past promotion decisions against the current assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionAudit {
    /// Candidates with a decision.
    pub n: u32,
    /// Of which promoted.
    pub promoted: u32,
    /// `promoted` against the technical score.
    pub technical: Association,
    /// `promoted` against the readiness index.
    pub readiness: Association,
    /// Which score past promotions followed more: `technical`, `readiness` or `undetermined`.
    pub driver: String,
    /// Two-sided p of Williams' t test that the two correlations are equal (they share
    /// `promoted`, so they are dependent); `null` when it cannot be computed.
    pub difference_p: Option<f64>,
    /// Plain-language verdict with the numbers.
    pub verdict: String,
    /// Promoted candidates whose computed level is the catch-all (lowest) level.
    pub promoted_not_ready: Vec<String>,
    /// Candidates at the best computed level who were not promoted.
    pub ready_not_promoted: Vec<String>,
}

/// Association of `promoted` (1/0) with a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Association {
    /// Candidates with both a decision and the score.
    pub n: u32,
    /// Point-biserial correlation (Pearson r with `promoted` coded 1/0).
    pub r: Option<f64>,
    /// 95% interval of r by Fisher's z.
    pub ci95: Option<[f64; 2]>,
    /// Area under the ROC curve: P(score of a promoted > score of a not promoted), ties ½
    /// (Mann–Whitney U / (n₁ n₀)).
    pub auc: Option<f64>,
}

fn association(pairs: &[(bool, f64)]) -> Association {
    let y: Vec<f64> = pairs.iter().map(|p| if p.0 { 1.0 } else { 0.0 }).collect();
    let x: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let r = pearson(&y, &x);
    let pos: Vec<f64> = pairs.iter().filter(|p| p.0).map(|p| p.1).collect();
    let neg: Vec<f64> = pairs.iter().filter(|p| !p.0).map(|p| p.1).collect();
    let auc = (!pos.is_empty() && !neg.is_empty()).then(|| {
        let mut u = 0.0;
        for a in &pos {
            for b in &neg {
                u += if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                };
            }
        }
        u / (pos.len() * neg.len()) as f64
    });
    Association {
        n: pairs.len() as u32,
        r,
        ci95: r.and_then(|r| fisher_ci(r, pairs.len())),
        auc,
    }
}

/// Williams' t (Williams 1959; Steiger 1980, eq. 7) for r₁₂ = r₁₃ with r₂₃ known, df n − 3.
fn williams_p(r12: f64, r13: f64, r23: f64, n: usize) -> Option<f64> {
    if n <= 3 {
        return None;
    }
    let nf = n as f64;
    let det = 1.0 - r12 * r12 - r13 * r13 - r23 * r23 + 2.0 * r12 * r13 * r23;
    let rbar = (r12 + r13) / 2.0;
    let den = 2.0 * (nf - 1.0) / (nf - 3.0) * det + rbar * rbar * (1.0 - r23).powi(3);
    if den.is_nan() || den <= 0.0 {
        return None;
    }
    let t = (r12 - r13) * ((nf - 1.0) * (1.0 + r23) / den).sqrt();
    t_two_sided(t, nf - 3.0)
}

pub(crate) fn audit(units: &[Unit<'_>], rubric: &Rubric, decisions: &[Decision]) -> DecisionAudit {
    // Unit indexes, not references: one `HashMap<&str, usize>` type serves the cold maps of the
    // cohort report (each key/value type compiles its own hash table code; size budget, issue 6).
    let by_cand: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.doc.candidate.as_str(), i))
        .collect();
    let mut tech = Vec::new();
    let mut read = Vec::new();
    let mut both = Vec::new();
    let best = rubric
        .policy
        .levels
        .first()
        .map(|l| l.id.as_str())
        .unwrap_or("");
    let worst = rubric
        .policy
        .levels
        .last()
        .map(|l| l.id.as_str())
        .unwrap_or("");
    let mut promoted_not_ready = Vec::new();
    let mut ready_not_promoted = Vec::new();
    for d in decisions {
        let Some(u) = by_cand.get(d.candidate.as_str()).map(|&i| &units[i]) else {
            continue;
        };
        let t = u.doc.technical.score;
        let r = u.doc.readiness.index;
        if let Some(t) = t {
            tech.push((d.promoted, t));
        }
        if let Some(r) = r {
            read.push((d.promoted, r));
        }
        if let (Some(t), Some(r)) = (t, r) {
            both.push((d.promoted, t, r));
        }
        let level = u.doc.readiness.level.as_str();
        if d.promoted && level == worst {
            promoted_not_ready.push(d.candidate.clone());
        }
        if !d.promoted && level == best {
            ready_not_promoted.push(d.candidate.clone());
        }
    }
    crate::sort::sort_stable_by(&mut promoted_not_ready, |a, b| a.cmp(b));
    crate::sort::sort_stable_by(&mut ready_not_promoted, |a, b| a.cmp(b));
    let technical = association(&tech);
    let readiness = association(&read);
    // The dependent-correlation test on the candidates with both scores.
    let y: Vec<f64> = both.iter().map(|b| if b.0 { 1.0 } else { 0.0 }).collect();
    let tv: Vec<f64> = both.iter().map(|b| b.1).collect();
    let rv: Vec<f64> = both.iter().map(|b| b.2).collect();
    let difference_p = match (pearson(&y, &tv), pearson(&y, &rv), pearson(&tv, &rv)) {
        (Some(a), Some(b), Some(c)) => williams_p(a, b, c, both.len()),
        _ => None,
    };
    let (driver, verdict) = match (technical.r, readiness.r) {
        (Some(rt), Some(rr)) => {
            let caveat = match difference_p {
                Some(p) if p >= 0.05 => format!(
                    "; the difference is not statistically significant (Williams t, p = {})",
                    r2(p)
                ),
                Some(p) if p < 0.001 => " (Williams t, p < 0.001)".to_string(),
                Some(p) => format!(" (Williams t, p = {p:.3})"),
                None => String::new(),
            };
            if rt > rr {
                (
                    "technical",
                    format!(
                        "past promotions followed technical expertise (r = {}) more than leadership readiness (r = {}){caveat}",
                        r2(rt),
                        r2(rr)
                    ),
                )
            } else if rr > rt {
                (
                    "readiness",
                    format!(
                        "past promotions followed leadership readiness (r = {}) more than technical expertise (r = {}){caveat}",
                        r2(rr),
                        r2(rt)
                    ),
                )
            } else {
                ("undetermined", format!("past promotions followed technical expertise and leadership readiness equally (r = {})", r2(rt)))
            }
        }
        _ => (
            "undetermined",
            "not enough decisions with both outcomes and scores to compare (at least 3 candidates, some promoted and some not)".to_string(),
        ),
    };
    DecisionAudit {
        n: decisions.len() as u32,
        promoted: decisions.iter().filter(|d| d.promoted).count() as u32,
        technical,
        readiness,
        driver: driver.into(),
        difference_p,
        verdict,
        promoted_not_ready,
        ready_not_promoted,
    }
}
