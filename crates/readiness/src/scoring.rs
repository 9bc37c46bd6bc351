//! Scoring model v1: ratings → criterion, dimension and index scores, intervals, level,
//! reasons, flags, strengths and development areas. See `docs/methodology.md` for every
//! formula; the step numbers below follow it.

use crate::assessment::{
    Assessment, CriterionScore, DevelopmentArea, DimensionScore, Flag, FlagCode, NextLevel,
    Provenance, Readiness, Technical,
};
use crate::error::RatingsError;
use crate::ratings::{RatingSet, Span};
use crate::rubric::{Rubric, INSUFFICIENT_EVIDENCE, SELF_GROUP};
use crate::stats::distributions::t_quantile;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Tolerance for threshold comparisons on computed scores, so a value that is a threshold in
/// exact arithmetic (self 4.0 − others 3.25 = 0.75) is not pushed under it by rounding.
const EPS: f64 = 1e-9;

/// A rubric prepared for scoring: ids interned, weights in flat arrays.
///
/// # Example
/// ```
/// use readiness::{Engine, Rubric};
/// let engine = Engine::new(Rubric::standard()).unwrap();
/// let csv = "candidate,rater,group,criterion,score\n\
///            e-1,m-1,manager,listens,4\ne-1,p-1,peer,listens,3\n";
/// let docs = engine.assess_csv(csv).unwrap();
/// assert_eq!(docs[0].candidate, "e-1");
/// assert_eq!(docs[0].readiness.level, "insufficient_evidence");
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    rubric: Rubric,
    fingerprint: String,
    lo: f64,
    hi: f64,
    null_var: f64,
    crit_dim: Vec<usize>,
    crit_w: Vec<f64>,
    crit_ids: Vec<String>,
    dim_w: Vec<f64>,
    dim_lead: Vec<bool>,
    dim_crit_w: Vec<f64>,
    group_w: Vec<f64>,
    group_min: Vec<u32>,
    group_ids: Vec<String>,
    self_group: Option<usize>,
}

impl Engine {
    /// Prepares `rubric` for scoring (validating it first).
    ///
    /// # Errors
    /// [`crate::RubricError`] when the rubric is invalid.
    pub fn new(rubric: Rubric) -> Result<Engine, crate::RubricError> {
        rubric.validate()?;
        let mut crit_dim = Vec::new();
        let mut crit_w = Vec::new();
        let mut crit_ids = Vec::new();
        let mut dim_crit_w = Vec::new();
        for (d, dim) in rubric.dimensions.iter().enumerate() {
            dim_crit_w.push(dim.criteria.iter().map(|c| c.weight).sum());
            for c in &dim.criteria {
                crit_dim.push(d);
                crit_w.push(c.weight);
                crit_ids.push(c.id.clone());
            }
        }
        Ok(Engine {
            fingerprint: rubric.fingerprint(),
            lo: rubric.scale.min,
            hi: rubric.scale.max,
            null_var: rubric.scale.null_variance(),
            crit_dim,
            crit_w,
            crit_ids,
            dim_w: rubric.dimensions.iter().map(|d| d.weight).collect(),
            dim_lead: rubric
                .dimensions
                .iter()
                .map(|d| d.kind.is_leadership_side())
                .collect(),
            dim_crit_w,
            group_w: rubric.rater_groups.values().map(|g| g.weight).collect(),
            group_min: rubric.rater_groups.values().map(|g| g.min_raters).collect(),
            group_ids: rubric.rater_groups.keys().cloned().collect(),
            self_group: rubric.rater_groups.get_index_of(SELF_GROUP),
            rubric,
        })
    }

    /// An engine for the standard rubric.
    pub fn standard() -> Engine {
        match Engine::new(Rubric::standard()) {
            Ok(e) => e,
            Err(e) => unreachable!("built-in standard rubric is invalid: {e}"),
        }
    }

    /// The rubric this engine scores with.
    pub fn rubric(&self) -> &Rubric {
        &self.rubric
    }

    /// Reads CSV ratings and assesses every candidate.
    ///
    /// # Errors
    /// [`RatingsError`] for bad input, naming the line.
    pub fn assess_csv(&self, csv: &str) -> Result<Vec<Assessment>, RatingsError> {
        let set = RatingSet::from_csv_str(csv, &self.rubric)?;
        Ok(self.assess(&set))
    }

    /// Reads JSON ratings (an array of rating objects) and assesses every candidate.
    ///
    /// # Errors
    /// [`RatingsError`] for bad input, naming the array index.
    pub fn assess_json(&self, json: &str) -> Result<Vec<Assessment>, RatingsError> {
        let set = RatingSet::from_json_str(json, &self.rubric)?;
        Ok(self.assess(&set))
    }

    /// Assesses every candidate (or candidate and cycle) of `ratings`, sorted by candidate id
    /// then cycle.
    ///
    /// `ratings` must have been built for this engine's rubric.
    pub fn assess(&self, ratings: &RatingSet) -> Vec<Assessment> {
        let mut scratch = Scratch::new(self, ratings);
        ratings
            .spans
            .iter()
            .map(|span| {
                let u = self.score_unit(ratings, span, &mut scratch, true);
                self.document(ratings, span, &u)
            })
            .collect()
    }

    /// Point scores only (no intervals, agreement, flags or documents): the readiness index
    /// of every unit, in the order of [`Engine::assess`]. The fast path for large cohorts.
    pub fn index_points(&self, ratings: &RatingSet) -> Vec<Option<f64>> {
        let mut scratch = Scratch::new(self, ratings);
        ratings
            .spans
            .iter()
            .map(|span| self.score_unit(ratings, span, &mut scratch, false).index)
            .collect()
    }

    fn norm(&self, x: f64) -> f64 {
        100.0 * (x - self.lo) / (self.hi - self.lo)
    }

    /// Steps 1–7 for one unit.
    fn score_unit(&self, set: &RatingSet, span: &Span, s: &mut Scratch, full: bool) -> UnitScores {
        let nc = self.crit_w.len();
        let nd = self.dim_w.len();
        let ng = self.group_w.len();
        s.reset(nc, nd, ng);
        // One pass: group × criterion sums, and each rater's own dimension scores.
        let mut i = span.start;
        let mut scoring_raters = 0u32;
        while i < span.end {
            let rater = set.rater[i];
            let g = usize::from(set.group[i]);
            let scoring = self.group_w[g] > 0.0;
            s.rdsum.iter_mut().for_each(|v| *v = 0.0);
            s.rdw.iter_mut().for_each(|v| *v = 0.0);
            let mut any = false;
            while i < span.end && set.rater[i] == rater {
                let x = set.score[i];
                if !x.is_nan() {
                    let c = set.crit[i] as usize;
                    s.gsum[g * nc + c] += x;
                    s.gcnt[g * nc + c] += 1;
                    let d = self.crit_dim[c];
                    s.rdsum[d] += self.crit_w[c] * x;
                    s.rdw[d] += self.crit_w[c];
                    any = true;
                }
                i += 1;
            }
            if !any {
                continue;
            }
            for d in 0..nd {
                if s.rdw[d] > 0.0 {
                    s.group_raters[d * ng + g] += 1;
                    if scoring {
                        s.reps.push((g, d, s.rdsum[d] / s.rdw[d]));
                    }
                }
            }
            if scoring {
                scoring_raters += 1;
                if full {
                    // Each scoring rater's own index and technical score (step 6).
                    let (mut li, mut lw, mut ti, mut tw) = (0.0, 0.0, 0.0, 0.0);
                    for d in 0..nd {
                        if s.rdw[d] > 0.0 {
                            let v = self.norm(s.rdsum[d] / s.rdw[d]);
                            if self.dim_lead[d] {
                                li += self.dim_w[d] * v;
                                lw += self.dim_w[d];
                            } else {
                                ti += self.dim_w[d] * v;
                                tw += self.dim_w[d];
                            }
                        }
                    }
                    if lw > 0.0 {
                        s.index_reps.push((g, li / lw));
                    }
                    if tw > 0.0 {
                        s.tech_reps.push((g, ti / tw));
                    }
                }
            }
        }
        // Steps 1–2: group means and criterion scores over groups with weight > 0.
        let mut crit_score = vec![None; nc];
        for (c, cs) in crit_score.iter_mut().enumerate() {
            let (mut num, mut den) = (0.0, 0.0);
            for g in 0..ng {
                let n = s.gcnt[g * nc + c];
                if n > 0 && self.group_w[g] > 0.0 {
                    num += self.group_w[g] * (s.gsum[g * nc + c] / f64::from(n));
                    den += self.group_w[g];
                }
            }
            if den > 0.0 {
                *cs = Some(num / den);
            }
        }
        // Step 3: dimension scores and coverage.
        let mut dim_raw = vec![None; nd];
        let mut coverage = vec![0.0; nd];
        {
            let mut num = vec![0.0; nd];
            let mut den = vec![0.0; nd];
            for c in 0..nc {
                if let Some(v) = crit_score[c] {
                    let d = self.crit_dim[c];
                    num[d] += self.crit_w[c] * v;
                    den[d] += self.crit_w[c];
                }
            }
            for d in 0..nd {
                if den[d] > 0.0 {
                    dim_raw[d] = Some(num[d] / den[d]);
                }
                coverage[d] = den[d] / self.dim_crit_w[d];
            }
        }
        // Step 4: readiness index over leadership-side dimensions; technical apart.
        let composite = |lead: bool| {
            let (mut num, mut den) = (0.0, 0.0);
            for d in 0..nd {
                if self.dim_lead[d] == lead {
                    if let Some(v) = dim_raw[d] {
                        num += self.dim_w[d] * self.norm(v);
                        den += self.dim_w[d];
                    }
                }
            }
            (den > 0.0).then(|| num / den)
        };
        let index = composite(true);
        let technical = composite(false);
        let mut u = UnitScores {
            crit_score,
            dim_raw,
            coverage,
            index,
            technical,
            scoring_raters,
            ..UnitScores::default()
        };
        if !full {
            return u;
        }
        // Step 6: intervals.
        u.dim_ci = vec![None; nd];
        u.dim_raters = vec![0; nd];
        for d in 0..nd {
            let Some(raw) = u.dim_raw[d] else { continue };
            s.pairs.clear();
            for &(g, dd, v) in &s.reps {
                if dd == d {
                    let n = s.group_raters[d * ng + g];
                    s.pairs.push((self.group_w[g] / f64::from(n), v));
                }
            }
            u.dim_raters[d] = s.pairs.len() as u32;
            let scale = 100.0 / (self.hi - self.lo);
            u.dim_ci[d] = interval(&s.pairs, self.norm(raw), scale, &mut s.t_cache);
        }
        for (reps, centre, out) in [
            (&s.index_reps, u.index, &mut u.index_ci),
            (&s.tech_reps, u.technical, &mut u.technical_ci),
        ] {
            let Some(centre) = centre else { continue };
            let mut per_group = vec![0u32; ng];
            for &(g, _) in reps.iter() {
                per_group[g] += 1;
            }
            let pairs: Vec<(f64, f64)> = reps
                .iter()
                .map(|&(g, v)| (self.group_w[g] / f64::from(per_group[g]), v))
                .collect();
            *out = interval(&pairs, centre, 1.0, &mut s.t_cache);
        }
        // Step 7: rwg(J) per dimension over the scoring raters (second pass, exact variance).
        let mut mean = vec![0.0; nc];
        let mut cnt = vec![0u32; nc];
        for c in 0..nc {
            let (mut sum, mut n) = (0.0, 0u32);
            for g in 0..ng {
                if self.group_w[g] > 0.0 {
                    sum += s.gsum[g * nc + c];
                    n += s.gcnt[g * nc + c];
                }
            }
            cnt[c] = n;
            if n > 0 {
                mean[c] = sum / f64::from(n);
            }
        }
        let mut ss = vec![0.0; nc];
        for k in span.start..span.end {
            let x = set.score[k];
            if !x.is_nan() && self.group_w[usize::from(set.group[k])] > 0.0 {
                let c = set.crit[k] as usize;
                ss[c] += (x - mean[c]) * (x - mean[c]);
            }
        }
        u.rwg = (0..nd)
            .map(|d| {
                let (mut sum_var, mut j) = (0.0, 0u32);
                for c in 0..nc {
                    if self.crit_dim[c] == d && cnt[c] >= 2 {
                        sum_var += ss[c] / f64::from(cnt[c] - 1);
                        j += 1;
                    }
                }
                (j > 0).then(|| rwg_j(sum_var / f64::from(j), self.null_var, f64::from(j)))
            })
            .collect();
        // Group breakdowns and the self score per dimension.
        u.group_dim = vec![None; nd * ng];
        for g in 0..ng {
            let mut num = vec![0.0; nd];
            let mut den = vec![0.0; nd];
            for c in 0..nc {
                let n = s.gcnt[g * nc + c];
                if n > 0 {
                    let d = self.crit_dim[c];
                    num[d] += self.crit_w[c] * s.gsum[g * nc + c] / f64::from(n);
                    den[d] += self.crit_w[c];
                }
            }
            for d in 0..nd {
                if den[d] > 0.0 {
                    u.group_dim[d * ng + g] = Some(num[d] / den[d]);
                }
            }
        }
        u.group_raters = s.group_raters.clone();
        u
    }

    /// Steps 5, 7–9: level, reasons, flags, strengths and the document.
    fn document(&self, set: &RatingSet, span: &Span, u: &UnitScores) -> Assessment {
        let r = &self.rubric;
        let nd = self.dim_w.len();
        let ng = self.group_w.len();
        let dim_score: Vec<Option<f64>> =
            u.dim_raw.iter().map(|v| v.map(|x| self.norm(x))).collect();
        let readiness = self.level(u, &dim_score);
        let mut dimensions = Vec::with_capacity(nd);
        let mut flags = Vec::new();
        if u.scoring_raters < r.policy.min_raters {
            flags.push(Flag {
                code: FlagCode::FewRaters,
                message: format!(
                    "{} scoring rater{}, fewer than the {} the policy asks for: treat the scores as provisional",
                    u.scoring_raters,
                    if u.scoring_raters == 1 { "" } else { "s" },
                    r.policy.min_raters
                ),
                dimension: None,
            });
        }
        if let (Some(t), Some(idx)) = (u.technical, u.index) {
            let trap = &r.policy.expert_trap;
            if t >= trap.technical_min - EPS && idx < trap.index_max - EPS {
                flags.push(Flag {
                    code: FlagCode::ExpertTrap,
                    message: format!(
                        "technical {} ≥ {} but readiness index {} < {}: a strong expert whose leadership is not yet shown",
                        fmt1(t),
                        trap.technical_min,
                        fmt_below(idx, trap.index_max),
                        trap.index_max
                    ),
                    dimension: None,
                });
            }
        }
        for (d, dim) in r.dimensions.iter().enumerate() {
            let self_gap = match (self.self_group, u.dim_raw[d]) {
                (Some(sg), Some(raw)) => u.group_dim[d * ng + sg].map(|sv| sv - raw),
                _ => None,
            };
            if let (Some(gap), Some(raw), Some(sg)) = (self_gap, u.dim_raw[d], self.self_group) {
                let own = u.group_dim[d * ng + sg].unwrap_or(raw);
                let limit = r.policy.self_other_gap;
                let code = if gap >= limit - EPS {
                    Some((FlagCode::BlindSpot, "above"))
                } else if gap <= -limit + EPS {
                    Some((FlagCode::HiddenStrength, "below"))
                } else {
                    None
                };
                if let Some((code, dir)) = code {
                    flags.push(Flag {
                        code,
                        message: format!(
                            "self rates {} {:.2} scale points {dir} the others ({:.2} vs {:.2})",
                            dim.id,
                            gap.abs(),
                            own,
                            raw
                        ),
                        dimension: Some(dim.id.clone()),
                    });
                }
            }
            if let Some(rwg) = u.rwg[d] {
                if rwg < r.policy.low_agreement_rwg - EPS {
                    flags.push(Flag {
                        code: FlagCode::LowAgreement,
                        message: format!(
                            "raters disagree on {}: rwg(J) {:.2} < {}; discuss before acting on this score",
                            dim.id, rwg, r.policy.low_agreement_rwg
                        ),
                        dimension: Some(dim.id.clone()),
                    });
                }
            }
            let mut by_group = IndexMap::new();
            let mut suppressed = IndexMap::new();
            for g in 0..ng {
                let n = u.group_raters[d * ng + g];
                let value = u.group_dim[d * ng + g];
                if value.is_some() && n < self.group_min[g] {
                    by_group.insert(self.group_ids[g].clone(), None);
                    suppressed.insert(
                        self.group_ids[g].clone(),
                        format!(
                            "{n} rater{} < {} (anonymity minimum)",
                            if n == 1 { "" } else { "s" },
                            self.group_min[g]
                        ),
                    );
                } else {
                    by_group.insert(self.group_ids[g].clone(), value.map(|v| self.norm(v)));
                }
            }
            dimensions.push(DimensionScore {
                id: dim.id.clone(),
                kind: dim.kind.as_str().into_owned(),
                score: dim_score[d],
                raw: u.dim_raw[d],
                ci95: u.dim_ci[d],
                coverage: u.coverage[d],
                raters: u.dim_raters[d],
                rwg: u.rwg[d],
                self_gap,
                by_group,
                suppressed,
            });
        }
        // Step 8: strengths and development areas among leadership-side criteria.
        let mut ranked: Vec<(usize, f64)> = u
            .crit_score
            .iter()
            .enumerate()
            .filter_map(|(c, v)| {
                v.filter(|_| self.dim_lead[self.crit_dim[c]])
                    .map(|v| (c, v))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let n_strength = (r.policy.strengths as usize).min(ranked.len());
        let strengths: Vec<String> = ranked[..n_strength]
            .iter()
            .map(|&(c, _)| self.crit_ids[c].clone())
            .collect();
        let mut rest: Vec<(usize, f64)> = ranked[n_strength..].to_vec();
        rest.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let development = rest
            .iter()
            .take(r.policy.development as usize)
            .map(|&(c, v)| DevelopmentArea {
                criterion: self.crit_ids[c].clone(),
                raw: v,
                actions: r.dimensions[self.crit_dim[c]]
                    .criteria
                    .iter()
                    .find(|k| k.id == self.crit_ids[c])
                    .map(|k| k.development.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let criteria = u
            .crit_score
            .iter()
            .enumerate()
            .map(|(c, v)| CriterionScore {
                id: self.crit_ids[c].clone(),
                dimension: r.dimensions[self.crit_dim[c]].id.clone(),
                raw: *v,
                score: v.map(|x| self.norm(x)),
            })
            .collect();
        Assessment {
            candidate: set.candidate_name(span.cand).to_string(),
            cycle: set
                .has_cycle
                .then(|| set.cycles.name(span.cycle).to_string()),
            readiness,
            dimensions,
            technical: Technical {
                score: u.technical,
                ci95: u.technical_ci,
            },
            criteria,
            flags,
            strengths,
            development,
            provenance: Provenance {
                engine: crate::VERSION.to_string(),
                rubric: r.label(),
                fingerprint: self.fingerprint.clone(),
            },
        }
    }

    /// Step 5: the level and the reasons for it.
    fn level(&self, u: &UnitScores, dim_score: &[Option<f64>]) -> Readiness {
        let r = &self.rubric;
        let mut thin = Vec::new();
        for (d, dim) in r.dimensions.iter().enumerate() {
            if self.dim_lead[d] && u.coverage[d] < r.policy.min_coverage - EPS {
                thin.push(format!(
                    "{INSUFFICIENT_EVIDENCE}: coverage of {} {:.2} < {}",
                    dim.id, u.coverage[d], r.policy.min_coverage
                ));
            }
        }
        if !thin.is_empty() {
            return Readiness {
                index: u.index,
                ci95: u.index_ci,
                level: INSUFFICIENT_EVIDENCE.into(),
                label: "Insufficient evidence".into(),
                reasons: thin,
                next_level: None,
            };
        }
        let mut reasons = Vec::new();
        let mut previous: Option<(String, Option<f64>, Vec<String>)> = None;
        for level in &r.policy.levels {
            let failed = self.failed_conditions(level, u, dim_score);
            if failed.is_empty() {
                let next_level = previous.map(|(level, gap, unmet)| NextLevel {
                    level,
                    index_gap: gap,
                    unmet,
                });
                return Readiness {
                    index: u.index,
                    ci95: u.index_ci,
                    level: level.id.clone(),
                    label: level.display_label().to_string(),
                    reasons,
                    next_level,
                };
            }
            let gap = match (level.min_index, u.index) {
                (Some(m), Some(i)) => Some((m - i).max(0.0)),
                (None, Some(_)) => Some(0.0),
                _ => None,
            };
            reasons.extend(failed.iter().map(|f| format!("{}: {f}", level.id)));
            previous = Some((level.id.clone(), gap, failed));
        }
        // Validation guarantees the last level has no conditions, so it always matches.
        unreachable!("the catch-all level always matches")
    }

    fn failed_conditions(
        &self,
        level: &crate::rubric::Level,
        u: &UnitScores,
        dim_score: &[Option<f64>],
    ) -> Vec<String> {
        let mut failed = Vec::new();
        if let Some(min) = level.min_index {
            match u.index {
                Some(i) if i >= min - EPS => {}
                Some(i) => failed.push(format!("index {} < {min}", fmt_below(i, min))),
                None => failed.push(format!("index not available < {min}")),
            }
        }
        if let Some(min) = level.min_dimension {
            for (d, dim) in self.rubric.dimensions.iter().enumerate() {
                if !self.dim_lead[d] {
                    continue;
                }
                match dim_score[d] {
                    Some(v) if v >= min - EPS => {}
                    Some(v) => failed.push(format!("{} {} < {min}", dim.id, fmt_below(v, min))),
                    None => failed.push(format!("{} not rated (minimum {min})", dim.id)),
                }
            }
        }
        for (cid, min) in &level.min_criteria {
            let c = self.crit_ids.iter().position(|k| k == cid);
            match c.and_then(|c| u.crit_score[c]) {
                Some(v) if v >= min - EPS => {}
                Some(v) => failed.push(format!("{cid} {} < {min}", fmt_below_raw(v, *min))),
                None => failed.push(format!("{cid} not rated (minimum {min})")),
            }
        }
        if let Some(min) = level.min_technical {
            match u.technical {
                Some(t) if t >= min - EPS => {}
                Some(t) => failed.push(format!("technical {} < {min}", fmt_below(t, min))),
                None => failed.push(format!("technical not rated (minimum {min})")),
            }
        }
        failed
    }
}

/// The per-unit numbers steps 1–7 produce.
#[derive(Debug, Default)]
struct UnitScores {
    crit_score: Vec<Option<f64>>,
    dim_raw: Vec<Option<f64>>,
    coverage: Vec<f64>,
    index: Option<f64>,
    technical: Option<f64>,
    scoring_raters: u32,
    dim_ci: Vec<Option<[f64; 2]>>,
    dim_raters: Vec<u32>,
    index_ci: Option<[f64; 2]>,
    technical_ci: Option<[f64; 2]>,
    rwg: Vec<Option<f64>>,
    group_dim: Vec<Option<f64>>,
    group_raters: Vec<u32>,
}

/// Reusable buffers, so scoring a unit allocates little.
struct Scratch {
    gsum: Vec<f64>,
    gcnt: Vec<u32>,
    rdsum: Vec<f64>,
    rdw: Vec<f64>,
    group_raters: Vec<u32>,
    reps: Vec<(usize, usize, f64)>,
    index_reps: Vec<(usize, f64)>,
    tech_reps: Vec<(usize, f64)>,
    pairs: Vec<(f64, f64)>,
    t_cache: HashMap<u64, Option<f64>>,
}

impl Scratch {
    fn new(e: &Engine, _set: &RatingSet) -> Scratch {
        let (nc, nd, ng) = (e.crit_w.len(), e.dim_w.len(), e.group_w.len());
        Scratch {
            gsum: vec![0.0; nc * ng],
            gcnt: vec![0; nc * ng],
            rdsum: vec![0.0; nd],
            rdw: vec![0.0; nd],
            group_raters: vec![0; nd * ng],
            reps: Vec::new(),
            index_reps: Vec::new(),
            tech_reps: Vec::new(),
            pairs: Vec::new(),
            t_cache: HashMap::new(),
        }
    }

    fn reset(&mut self, _nc: usize, _nd: usize, _ng: usize) {
        self.gsum.iter_mut().for_each(|v| *v = 0.0);
        self.gcnt.iter_mut().for_each(|v| *v = 0);
        self.group_raters.iter_mut().for_each(|v| *v = 0);
        self.reps.clear();
        self.index_reps.clear();
        self.tech_reps.clear();
    }
}

/// The replicate interval of step 6: weights a_j, values D_j, centred on `centre`;
/// `scale` converts the standard error to 0–100. `None` below two replicates.
///
/// V1 = Σa, V2 = Σa², n_eff = V1²/V2, μ = Σ a D / V1, s² = Σ a (D − μ)² / (V1 − V2/V1),
/// SE = s/√n_eff, interval = centre ± t(0.975, n_eff − 1)·SE·scale, clamped to [0, 100].
fn interval(
    pairs: &[(f64, f64)],
    centre: f64,
    scale: f64,
    cache: &mut HashMap<u64, Option<f64>>,
) -> Option<[f64; 2]> {
    if pairs.len() < 2 {
        return None;
    }
    let v1: f64 = pairs.iter().map(|p| p.0).sum();
    let v2: f64 = pairs.iter().map(|p| p.0 * p.0).sum();
    let denom = v1 - v2 / v1;
    if !(v1 > 0.0 && v2 > 0.0 && denom > 0.0) {
        return None;
    }
    let n_eff = v1 * v1 / v2;
    let mu = pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / v1;
    let s2 = pairs
        .iter()
        .map(|p| p.0 * (p.1 - mu) * (p.1 - mu))
        .sum::<f64>()
        / denom;
    let se = (s2.max(0.0)).sqrt() / n_eff.sqrt();
    let df = n_eff - 1.0;
    let t = *cache
        .entry(df.to_bits())
        .or_insert_with(|| t_quantile(0.975, df));
    let half = t? * se * scale;
    if !half.is_finite() {
        return Some([0.0, 100.0]);
    }
    Some([
        (centre - half).clamp(0.0, 100.0),
        (centre + half).clamp(0.0, 100.0),
    ])
}

/// rwg(J) = J(1 − S̄/σ²) / (J(1 − S̄/σ²) + S̄/σ²), truncated to 0 at and beyond the pole
/// (S̄ ≥ σ²).
pub(crate) fn rwg_j(mean_var: f64, null_var: f64, j: f64) -> f64 {
    let ratio = mean_var / null_var;
    if ratio >= 1.0 {
        return 0.0;
    }
    let a = j * (1.0 - ratio);
    a / (a + ratio)
}

/// One decimal, or more when one decimal would round a value below `threshold` up to it.
fn fmt_below(v: f64, threshold: f64) -> String {
    for decimals in 1..=6 {
        let s = format!("{v:.decimals$}");
        if s.parse::<f64>().is_ok_and(|x| x < threshold) {
            return s;
        }
    }
    format!("{v}")
}

fn fmt_below_raw(v: f64, threshold: f64) -> String {
    for decimals in 2..=6 {
        let s = format!("{v:.decimals$}");
        if s.parse::<f64>().is_ok_and(|x| x < threshold) {
            return s;
        }
    }
    format!("{v}")
}

fn fmt1(v: f64) -> String {
    format!("{v:.1}")
}
