//! Rater adjustment: ratings corrected for rater leniency or severity, as the rubric's
//! `policy.rater_adjustment` asks (`none` | `additive` | `mfrm`), and the rater-effect summary
//! behind it.
//!
//! Which ratings: only the scoring raters' (groups with weight > 0). Ratings of weight-0
//! groups (`self`) are returned unchanged: self-inflation is what the self–other gap reports,
//! so removing it would hide the blind spot. Missing ratings stay NaN.
//!
//! The facet: with a crossed design (see [`crate::stats::reliability`] for the rule) each rater
//! is an element; in a nested or mixed design individual raters are not identifiable (each
//! rates one candidate, so their leniency is confounded with the candidate), so the rater
//! *group* is the facet.
//!
//! - `additive`: the least-squares model `x = μ + α_candidate + ρ_facet + γ_criterion + ε`
//!   with sum-to-zero effects ([`crate::stats::rater_effects::additive_effects`]);
//!   the adjusted rating is `x − ρ_facet`: the rating an average-leniency rater would have
//!   given under the model.
//! - `mfrm`: the many-facet Rasch rating scale model ([`crate::stats::mfrm::mfrm`], JMLE) on the
//!   category index `(x − min)/step`; the adjusted rating is
//!   `x − step·(E(θ_n − β_j − δ_i) − E(θ_n − β̄ − δ_i))`, with `E(η) = Σ_k k·P(k | η)` the
//!   model's expected category and `β̄` the mean severity: the rating minus how far this rater's
//!   expected score lies above that of a rater of average severity, for this candidate and
//!   criterion. It is the per-rating counterpart of FACETS' fair average (the element's expected
//!   score with the other facets at their means), and unlike a shift in logits it stays in score
//!   points, so the weighted scoring model applies unchanged. Near the scale ends the
//!   correction shrinks, as the Rasch model's expected scores do.
//!
//! Both are clamped to the scale `[min, max]`, so a correction never leaves the scale (at the
//! ends a correction can be partly lost; the unclamped value is not used anywhere).

use crate::ratings::RatingSet;
use crate::rubric::{RaterAdjustment, Rubric};
use crate::stats::error::Result;
use crate::stats::mfrm::{mfrm, Mfrm, MfrmOptions};
use crate::stats::rater_effects::{additive_effects, AdditiveEffects, Rating};
use crate::stats::reliability::{Design, Panel};

/// What an element of the rater facet is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RaterFacet {
    /// Each scoring rater (crossed designs).
    Rater,
    /// Each scoring rater group (nested and mixed designs).
    Group,
}

/// The additive leniency of one rater (or rater group).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RaterLeniency {
    /// Rater id, or group id when the facet is [`RaterFacet::Group`].
    pub id: String,
    /// The rater's group (the id itself for a group facet).
    pub group: String,
    /// Number of ratings.
    pub count: usize,
    /// Leniency `ρ` in scale points (sum zero over the facet): positive is lenient, negative
    /// severe.
    pub leniency: f64,
    /// OLS standard error of `ρ`; `None` without residual degrees of freedom.
    pub se: Option<f64>,
}

/// The additive rater-effect summary of a cohort.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RaterEffectsSummary {
    /// The detected design.
    pub design: Design,
    /// What the elements are.
    pub facet: RaterFacet,
    /// Number of scoring ratings in the fit.
    pub n_ratings: usize,
    /// Residual mean square of the fit; `None` without residual degrees of freedom.
    pub residual_mse: Option<f64>,
    /// Every element, most lenient first (ties by id).
    pub effects: Vec<RaterLeniency>,
}

/// The scoring ratings in long format with dense indices, and where they came from.
struct Long {
    design: Design,
    facet: RaterFacet,
    ratings: Vec<Rating>,
    /// Row of each long rating in the rating set.
    rows: Vec<usize>,
    /// Name and group of each facet element.
    elements: Vec<(String, String)>,
}

fn long(set: &RatingSet, rubric: &Rubric) -> Result<Long> {
    let panel = Panel::new(set, rubric)?;
    let facet = if panel.design == Design::Crossed {
        RaterFacet::Rater
    } else {
        RaterFacet::Group
    };
    let group_name = |g: u16| {
        rubric
            .rater_groups
            .get_index(usize::from(g))
            .map_or_else(String::new, |(k, _)| k.clone())
    };
    let mut unit_ix = vec![usize::MAX; panel.n_units()];
    let mut elem_ix = vec![usize::MAX; set.raters.len().max(rubric.rater_groups.len())];
    let mut crit_ix = vec![usize::MAX; rubric.criterion_ids().count()];
    let (mut n_units, mut n_crit) = (0usize, 0usize);
    let mut elements = Vec::new();
    let mut ratings = Vec::new();
    let mut rows = Vec::new();
    for f in &panel.forms {
        let e = match facet {
            RaterFacet::Rater => f.rater as usize,
            RaterFacet::Group => usize::from(f.group),
        };
        for i in f.start..f.end {
            let x = set.score[i];
            if x.is_nan() {
                continue;
            }
            if unit_ix[f.unit] == usize::MAX {
                unit_ix[f.unit] = n_units;
                n_units += 1;
            }
            if elem_ix[e] == usize::MAX {
                elem_ix[e] = elements.len();
                let g = group_name(f.group);
                let name = match facet {
                    RaterFacet::Rater => set.raters.name(f.rater).to_string(),
                    RaterFacet::Group => g.clone(),
                };
                elements.push((name, g));
            }
            let c = set.crit[i] as usize;
            if crit_ix[c] == usize::MAX {
                crit_ix[c] = n_crit;
                n_crit += 1;
            }
            ratings.push(Rating::new(unit_ix[f.unit], elem_ix[e], crit_ix[c], x));
            rows.push(i);
        }
    }
    Ok(Long {
        design: panel.design,
        facet,
        ratings,
        rows,
        elements,
    })
}

/// The additive leniency of every scoring rater (or rater group in nested and mixed designs),
/// most lenient first.
///
/// # Errors
/// [`crate::stats::error::StatsError::TooFew`] without scoring ratings; the errors of
/// [`crate::stats::rater_effects::additive_effects`] (a disconnected design names its subsets).
///
/// # Example
/// ```
/// use readiness::{RatingSet, Rubric};
/// use readiness::adjust::rater_effects_summary;
/// let csv = "candidate,rater,group,criterion,score\n\
///            e-1,p-1,peer,listens,2\ne-1,p-2,peer,listens,4\n\
///            e-2,p-1,peer,listens,3\ne-2,p-2,peer,listens,5\n";
/// let set = RatingSet::from_csv_str(csv, &Rubric::standard()).unwrap();
/// let s = rater_effects_summary(&set, &Rubric::standard())?;
/// assert_eq!(s.effects[0].id, "p-2");
/// assert!((s.effects[0].leniency - 1.0).abs() < 1e-12);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn rater_effects_summary(ratings: &RatingSet, rubric: &Rubric) -> Result<RaterEffectsSummary> {
    let l = long(ratings, rubric)?;
    let fit = fit_additive(&l)?;
    let mut effects: Vec<RaterLeniency> = fit
        .rater_leniency
        .iter()
        .zip(&l.elements)
        .map(|(e, (id, group))| RaterLeniency {
            id: id.clone(),
            group: group.clone(),
            count: e.count,
            leniency: e.estimate,
            se: e.se,
        })
        .collect();
    crate::sort::sort_stable_by(&mut effects, |a, b| {
        b.leniency
            .total_cmp(&a.leniency)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(RaterEffectsSummary {
        design: l.design,
        facet: l.facet,
        n_ratings: l.ratings.len(),
        residual_mse: fit.residual_mse,
        effects,
    })
}

/// The additive fit; with a single facet element there is no leniency to estimate (all zero).
fn fit_additive(l: &Long) -> Result<AdditiveEffects> {
    additive_effects(&l.ratings)
}

/// Ratings adjusted for rater leniency as `rubric.policy.rater_adjustment` says, in the rating
/// set's order (sorted by candidate, cycle, rater id, criterion), or `None` for `none`.
///
/// The formulas, and which ratings are adjusted, are in the module documentation: scoring
/// raters' ratings become `x − ρ_rater` (additive) or `x − step·(E_rater − E_average)` (mfrm),
/// clamped to the scale; weight-0 groups and missing ratings (NaN) are left as they are.
///
/// # Errors
/// [`crate::stats::error::StatsError::TooFew`] without scoring ratings; the errors of
/// [`crate::stats::rater_effects::additive_effects`] or [`crate::stats::mfrm::mfrm`] (a
/// disconnected design, no finite estimate, no convergence): an adjustment that cannot be made
/// is reported, never replaced by unadjusted scores.
///
/// # Example
/// ```
/// use readiness::{RatingSet, Rubric};
/// use readiness::adjust::adjusted_scores;
/// let mut rubric = Rubric::standard();
/// rubric.policy.rater_adjustment = readiness::rubric::RaterAdjustment::Additive;
/// // p-2 rates everyone one point higher than p-1.
/// let csv = "candidate,rater,group,criterion,score\n\
///            e-1,p-1,peer,listens,2\ne-1,p-2,peer,listens,3\n\
///            e-2,p-1,peer,listens,3\ne-2,p-2,peer,listens,4\n";
/// let set = RatingSet::from_csv_str(csv, &rubric).unwrap();
/// let adj = adjusted_scores(&set, &rubric)?.unwrap();
/// // Order: (e-1, p-1), (e-1, p-2), (e-2, p-1), (e-2, p-2); both raters meet in the middle.
/// assert_eq!(adj, [2.5, 2.5, 3.5, 3.5]);
/// rubric.policy.rater_adjustment = readiness::rubric::RaterAdjustment::None;
/// assert_eq!(adjusted_scores(&set, &rubric)?, None);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn adjusted_scores(ratings: &RatingSet, rubric: &Rubric) -> Result<Option<Vec<f64>>> {
    let method = rubric.policy.rater_adjustment;
    if method == RaterAdjustment::None {
        return Ok(None);
    }
    let l = long(ratings, rubric)?;
    let (lo, hi) = (rubric.scale.min, rubric.scale.max);
    let mut out = ratings.score.clone();
    match method {
        RaterAdjustment::None => return Ok(None),
        RaterAdjustment::Additive => {
            let fit = fit_additive(&l)?;
            for (r, &row) in l.ratings.iter().zip(&l.rows) {
                out[row] = (r.score - fit.rater_leniency[r.rater].estimate).clamp(lo, hi);
            }
        }
        RaterAdjustment::Mfrm => {
            let step = rubric.scale.step.unwrap_or(1.0);
            // Category index (x − min)/step: integer for every rating on the scale's steps.
            let cats: Vec<Rating> = l
                .ratings
                .iter()
                .map(|r| {
                    let k = (r.score - lo) / step;
                    let rk = k.round();
                    let k = if (k - rk).abs() <= 1e-9 { rk } else { k };
                    Rating { score: k, ..*r }
                })
                .collect();
            let fit = mfrm(&cats, &MfrmOptions::default())?;
            let shift = mfrm_shifts(&fit, &cats);
            for ((r, &row), s) in l.ratings.iter().zip(&l.rows).zip(shift) {
                out[row] = (r.score - step * s).clamp(lo, hi);
            }
        }
    }
    Ok(Some(out))
}

/// Per rating: `E(θ_n − β_j − δ_i) − E(θ_n − β̄ − δ_i)` in category units, with `E` the
/// expected category value under the fitted rating scale model.
fn mfrm_shifts(fit: &Mfrm, ratings: &[Rating]) -> Vec<f64> {
    let values: Vec<f64> = fit.categories.iter().map(|c| c.value).collect();
    let mut cum = vec![0.0; fit.thresholds.len() + 1];
    for (h, t) in fit.thresholds.iter().enumerate() {
        cum[h + 1] = cum[h] + t;
    }
    let mean_beta =
        fit.raters.iter().map(|r| r.measure).sum::<f64>() / fit.raters.len().max(1) as f64;
    let mut logp = vec![0.0; cum.len()];
    let mut expected = |eta: f64| -> f64 {
        let mut max = f64::NEG_INFINITY;
        for (k, c) in cum.iter().enumerate() {
            logp[k] = k as f64 * eta - c;
            max = max.max(logp[k]);
        }
        let (mut num, mut den) = (0.0, 0.0);
        for (k, lp) in logp.iter().enumerate() {
            let p = libm::exp(lp - max);
            num += p * values[k];
            den += p;
        }
        num / den
    };
    ratings
        .iter()
        .map(|r| {
            let theta = fit.candidates[r.candidate].measure;
            let delta = fit.criteria[r.criterion].measure;
            let beta = fit.raters[r.rater].measure;
            expected(theta - beta - delta) - expected(theta - mean_beta - delta)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratings::Rating as Rec;

    /// 8 candidates rated by a crossed panel of 4 peers on 3 leadership criteria; `p-4` is one
    /// point more lenient than the others (capped at 5).
    fn panel_with_lenient_rater(adjust: RaterAdjustment) -> (Rubric, RatingSet, Vec<Rec>) {
        let mut rubric = Rubric::standard();
        rubric.policy.rater_adjustment = adjust;
        let crits = ["listens", "gives_room", "connects"];
        let mut recs = Vec::new();
        for c in 0..8 {
            for r in 1..=4 {
                for (i, crit) in crits.iter().enumerate() {
                    // true level 1..4 by candidate, small criterion/rater-free noise
                    let base = 1 + (c + i + r) % 3 + usize::from(c >= 4);
                    let lenient = usize::from(r == 4);
                    let s = (base + lenient).min(5) as f64;
                    recs.push(Rec::new(
                        &format!("e-{c}"),
                        &format!("p-{r}"),
                        "peer",
                        crit,
                        Some(s),
                    ));
                }
            }
            // a self rating that must stay as given
            recs.push(Rec::new(
                &format!("e-{c}"),
                &format!("e-{c}"),
                "self",
                "listens",
                Some(5.0),
            ));
        }
        // one missing rating stays NaN
        recs.push(Rec::new("e-0", "p-1", "peer", "shows_direction", None));
        let set = RatingSet::from_records(&recs, &rubric).unwrap();
        (rubric, set, recs)
    }

    fn mean_by_rater(set: &RatingSet, scores: &[f64], rater: &str) -> f64 {
        let v: Vec<f64> = (0..set.len())
            .filter(|&i| set.raters.name(set.rater[i]) == rater && !scores[i].is_nan())
            .map(|i| scores[i])
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn none_returns_none() {
        let (rubric, set, _) = panel_with_lenient_rater(RaterAdjustment::None);
        assert_eq!(adjusted_scores(&set, &rubric).unwrap(), None);
    }

    #[test]
    fn additive_corrects_a_planted_lenient_rater() {
        let (rubric, set, _) = panel_with_lenient_rater(RaterAdjustment::Additive);
        let raw_gap =
            mean_by_rater(&set, &set.score, "p-4") - mean_by_rater(&set, &set.score, "p-1");
        assert!(raw_gap > 0.8, "planted leniency {raw_gap}");
        let adj = adjusted_scores(&set, &rubric).unwrap().unwrap();
        let gap = mean_by_rater(&set, &adj, "p-4") - mean_by_rater(&set, &adj, "p-1");
        assert!(gap.abs() < 0.05, "after adjustment {gap}");
        let summary = rater_effects_summary(&set, &rubric).unwrap();
        assert_eq!(summary.facet, RaterFacet::Rater);
        assert_eq!(summary.effects[0].id, "p-4");
        assert!(summary.effects[0].se.unwrap() > 0.0);
        check_untouched(&set, &adj);
    }

    #[test]
    fn mfrm_corrects_a_planted_lenient_rater() {
        let (rubric, set, _) = panel_with_lenient_rater(RaterAdjustment::Mfrm);
        let raw_gap =
            mean_by_rater(&set, &set.score, "p-4") - mean_by_rater(&set, &set.score, "p-1");
        let adj = adjusted_scores(&set, &rubric).unwrap().unwrap();
        let gap = mean_by_rater(&set, &adj, "p-4") - mean_by_rater(&set, &adj, "p-1");
        assert!(gap.abs() < 0.25 * raw_gap, "mfrm: {raw_gap} -> {gap}");
        check_untouched(&set, &adj);
    }

    /// Self ratings and missing ratings are left as they are; everything stays on the scale.
    fn check_untouched(set: &RatingSet, adj: &[f64]) {
        for i in 0..set.len() {
            if set.score[i].is_nan() {
                assert!(adj[i].is_nan());
            } else if set.raters.name(set.rater[i]).starts_with("e-") {
                assert_eq!(adj[i], set.score[i]);
            } else {
                assert!((1.0..=5.0).contains(&adj[i]));
            }
        }
    }

    #[test]
    fn nested_design_uses_the_rater_group() {
        let mut rubric = Rubric::standard();
        rubric.policy.rater_adjustment = RaterAdjustment::Additive;
        let mut recs = Vec::new();
        for c in 0..6 {
            let level = 2 + c % 3;
            recs.push(Rec::new(
                &format!("e-{c}"),
                &format!("m-{c}"),
                "manager",
                "listens",
                Some(level as f64),
            ));
            for p in 0..3 {
                // peers are one point more lenient than managers
                let s = (level + 1 + (p + c) % 2).min(5) as f64;
                recs.push(Rec::new(
                    &format!("e-{c}"),
                    &format!("p-{c}-{p}"),
                    "peer",
                    "listens",
                    Some(s),
                ));
            }
        }
        let set = RatingSet::from_records(&recs, &rubric).unwrap();
        let s = rater_effects_summary(&set, &rubric).unwrap();
        assert_eq!(s.design, Design::Nested);
        assert_eq!(s.facet, RaterFacet::Group);
        let ids: Vec<&str> = s.effects.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["peer", "manager"]);
        assert!(s.effects[0].leniency > 0.5);
        let adj = adjusted_scores(&set, &rubric).unwrap().unwrap();
        assert_eq!(adj.len(), set.len());
    }

    #[test]
    fn disconnected_design_is_an_error_not_unadjusted_scores() {
        let mut rubric = Rubric::standard();
        rubric.policy.rater_adjustment = RaterAdjustment::Additive;
        let recs = [
            Rec::new("e-1", "p-1", "peer", "listens", Some(3.0)),
            Rec::new("e-1", "p-2", "peer", "listens", Some(4.0)),
            Rec::new("e-2", "p-1", "peer", "listens", Some(2.0)),
            Rec::new("e-2", "p-2", "peer", "listens", Some(3.0)),
            Rec::new("e-3", "p-3", "peer", "connects", Some(5.0)),
            Rec::new("e-3", "p-4", "peer", "connects", Some(4.0)),
        ];
        let set = RatingSet::from_records(&recs, &rubric).unwrap();
        assert!(adjusted_scores(&set, &rubric).is_err());
    }
}
