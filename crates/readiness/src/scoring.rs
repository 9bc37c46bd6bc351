//! Scoring model v1: ratings → criterion, dimension and index scores, intervals, level,
//! reasons, flags, strengths and development areas. See `docs/methodology.md` for every
//! formula; the step numbers below follow it.

use crate::assessment::{
    Assessment, CriterionScore, DevelopmentArea, DimensionScore, Flag, FlagCode, NextLevel,
    Provenance, Readiness, Technical,
};
use crate::error::Error;
use crate::ratings::{RatingSet, Span};
use crate::rubric::{Rubric, INSUFFICIENT_EVIDENCE, SELF_GROUP};
use crate::stats::distributions::t_quantile;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Tolerance for threshold comparisons on computed scores, so a value that is a threshold in
/// exact arithmetic (self 4.0 − others 3.25 = 0.75) is not pushed under it by rounding.
const EPS: f64 = 1e-9;

/// Display label of the `insufficient_evidence` level.
const INSUFFICIENT_EVIDENCE_LABEL: &str = "Insufficient evidence";

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
    /// `rubric.label()`, formatted once.
    label: String,
    lo: f64,
    hi: f64,
    null_var: f64,
    crit_dim: Box<[usize]>,
    crit_w: Box<[f64]>,
    crit_ids: Vec<String>,
    dim_w: Box<[f64]>,
    dim_lead: Box<[bool]>,
    dim_crit_w: Box<[f64]>,
    group_w: Box<[f64]>,
    group_min: Box<[u32]>,
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
            label: rubric.label(),
            lo: rubric.scale.min,
            hi: rubric.scale.max,
            null_var: rubric.scale.null_variance(),
            crit_dim: crit_dim.into_boxed_slice(),
            crit_w: crit_w.into_boxed_slice(),
            crit_ids,
            dim_w: rubric.dimensions.iter().map(|d| d.weight).collect(),
            dim_lead: rubric
                .dimensions
                .iter()
                .map(|d| d.kind.is_leadership_side())
                .collect(),
            dim_crit_w: dim_crit_w.into_boxed_slice(),
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
    /// [`Error::Ratings`] for bad input, naming the line; [`Error::Stats`] when the rubric's
    /// rater adjustment cannot be estimated (see [`Engine::assess`]).
    pub fn assess_csv(&self, csv: &str) -> Result<Vec<Assessment>, Error> {
        let set = RatingSet::from_csv_str(csv, &self.rubric)?;
        self.assess(&set)
    }

    /// Reads JSON ratings (an array of rating objects) and assesses every candidate.
    ///
    /// # Errors
    /// [`Error::Ratings`] for bad input, naming the array index; [`Error::Stats`] as for
    /// [`Engine::assess_csv`].
    pub fn assess_json(&self, json: &str) -> Result<Vec<Assessment>, Error> {
        let set = RatingSet::from_json_str(json, &self.rubric)?;
        self.assess(&set)
    }

    /// Assesses every candidate (or candidate and cycle) of `ratings`, sorted by candidate id
    /// then cycle.
    ///
    /// `ratings` must have been built for this engine's rubric. When the rubric's
    /// `policy.rater_adjustment` is `additive` or `mfrm`, scores are computed from the
    /// rater-adjusted ratings ([`crate::adjust::adjusted_scores`]) and the adjustment is
    /// recorded in each document's provenance. Group breakdowns below their anonymity minimum
    /// are withheld, together with any breakdown that would let someone solve for them
    /// ([`crate::cohort::anonymity::protect`]).
    ///
    /// # Errors
    /// [`Error::Stats`] when a rater adjustment is configured and cannot be estimated on these
    /// ratings (for example a design whose raters and candidates are not connected).
    pub fn assess(&self, ratings: &RatingSet) -> Result<Vec<Assessment>, Error> {
        let adjusted = self.adjusted(ratings)?;
        let set = adjusted.as_ref().unwrap_or(ratings);
        let mut docs = self.documents(set);
        // No withheld group breakdown may be recoverable from what a document shows.
        crate::cohort::anonymity::protect(&mut docs, &self.rubric, set);
        Ok(docs)
    }

    /// [`Engine::assess`] without the complementary suppression of group breakdowns (groups
    /// below their own minimum are still withheld). Only for testing that the protection
    /// defeats a differencing attack; never show its output to anyone.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    #[doc(hidden)]
    pub fn assess_without_complementary_suppression(
        &self,
        ratings: &RatingSet,
    ) -> Result<Vec<Assessment>, Error> {
        let adjusted = self.adjusted(ratings)?;
        Ok(self.documents(adjusted.as_ref().unwrap_or(ratings)))
    }

    /// Steps 1–9 for every unit of `set` (already adjusted), before anonymity protection.
    /// With the `parallel` feature, runs of units are scored on several threads and
    /// concatenated in order (each unit's numbers depend only on its own ratings).
    fn documents(&self, set: &RatingSet) -> Vec<Assessment> {
        crate::parallel::map_units(
            &set.spans,
            || Scratch::new(self),
            |s, span| {
                self.score_unit(set, span, s, true);
                self.document(set, span, &s.u)
            },
        )
    }

    /// Point scores only (no intervals, agreement, flags or documents): the readiness index
    /// of every unit, in the order of [`Engine::assess`]. The fast path for large cohorts.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn index_points(&self, ratings: &RatingSet) -> Result<Vec<Option<f64>>, Error> {
        let adjusted = self.adjusted(ratings)?;
        let set = adjusted.as_ref().unwrap_or(ratings);
        let mut s = Scratch::new(self);
        Ok(set
            .spans
            .iter()
            .map(|span| {
                self.score_unit(set, span, &mut s, false);
                s.u.index
            })
            .collect())
    }

    /// Every number of the assessments — index, intervals, level, dimension scores, coverage,
    /// agreement, technical score and flags — as columns, without building documents. The
    /// numbers are the ones [`Engine::assess`] puts in the documents.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn score_table(&self, ratings: &RatingSet) -> Result<ScoreTable, Error> {
        let adjusted = self.adjusted(ratings)?;
        let ratings = adjusted.as_ref().unwrap_or(ratings);
        let parts =
            crate::parallel::map_chunks(&ratings.spans, |spans| self.score_rows(ratings, spans));
        Ok(ScoreTable::concat(parts).unwrap_or_else(|| self.score_rows(ratings, &[])))
    }

    /// The [`ScoreTable`] rows of `spans`.
    fn score_rows(&self, ratings: &RatingSet, spans: &[Span]) -> ScoreTable {
        let n = spans.len();
        let nd = self.dim_w.len();
        let mut t = ScoreTable {
            dimensions: self
                .rubric
                .dimensions
                .iter()
                .map(|d| d.id.clone())
                .collect(),
            levels: self
                .rubric
                .policy
                .levels
                .iter()
                .map(|l| l.id.clone())
                .collect(),
            index: Vec::with_capacity(n),
            index_ci: Vec::with_capacity(n),
            level: Vec::with_capacity(n),
            dimension_score: Vec::with_capacity(n * nd),
            dimension_ci: Vec::with_capacity(n * nd),
            coverage: Vec::with_capacity(n * nd),
            rwg: Vec::with_capacity(n * nd),
            technical: Vec::with_capacity(n),
            technical_ci: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
        };
        let mut s = Scratch::new(self);
        for span in spans {
            self.score_unit(ratings, span, &mut s, true);
            let u = &s.u;
            t.index.push(u.index);
            t.index_ci.push(u.index_ci);
            t.level.push(self.level_of(u));
            for d in 0..nd {
                t.dimension_score.push(u.dim_raw[d].map(|x| self.norm(x)));
                t.dimension_ci.push(u.dim_ci[d]);
                t.coverage.push(u.coverage[d]);
                t.rwg.push(u.rwg[d]);
            }
            t.technical.push(u.technical);
            t.technical_ci.push(u.technical_ci);
            t.flags.push(self.flag_bits(u));
        }
        t
    }

    /// The flat table of [`crate::table::assessments_table`] (one row per unit, in the order of
    /// [`Engine::assess`]) computed straight from the ratings, without building documents:
    /// the same columns and values as flattening the documents of [`Engine::assess`].
    ///
    /// # Errors
    /// As [`Engine::assess`].
    ///
    /// # Example
    /// ```
    /// use readiness::{table::assessments_table, Engine, RatingSet};
    /// let engine = Engine::standard();
    /// let csv = "candidate,rater,group,criterion,score\ne-1,m,manager,listens,4\n";
    /// let set = RatingSet::from_csv_str(csv, engine.rubric())?;
    /// let docs = engine.assess(&set)?;
    /// assert_eq!(engine.assessments_table(&set)?, assessments_table(&docs, engine.rubric()));
    /// # Ok::<(), readiness::Error>(())
    /// ```
    pub fn assessments_table(&self, ratings: &RatingSet) -> Result<crate::table::Table, Error> {
        let adjusted = self.adjusted(ratings)?;
        let set = adjusted.as_ref().unwrap_or(ratings);
        let parts = crate::parallel::map_chunks(&set.spans, |spans| self.table_rows(set, spans));
        Ok(crate::table::Table::concat(parts))
    }

    /// The rows of [`Engine::assessments_table`] for the units of `spans`.
    pub(crate) fn table_rows(&self, set: &RatingSet, spans: &[Span]) -> crate::table::Table {
        use crate::table::{DimensionRow, Row, TableBuilder};
        let nd = self.dim_w.len();
        let mut b = TableBuilder::new(&self.rubric, spans.len(), set.has_cycle);
        let mut s = Scratch::new(self);
        let mut dims = vec![DimensionRow::default(); nd];
        let mut flags = Vec::new();
        for span in spans {
            self.score_unit(set, span, &mut s, true);
            let u = &s.u;
            for (d, row) in dims.iter_mut().enumerate() {
                *row = DimensionRow {
                    score: u.dim_raw[d].map(|x| self.norm(x)),
                    ci: u.dim_ci[d],
                    coverage: Some(u.coverage[d]),
                    rwg: u.rwg[d],
                };
            }
            flags.clear();
            self.for_each_flag(u, |code, _| flags.push(code.as_str()));
            let (strengths, development) = self.strengths_and_development(u);
            let strengths: Vec<&str> = strengths.iter().map(|&c| self.criterion_id(c)).collect();
            let development: Vec<&str> = development
                .iter()
                .map(|&(c, _)| self.criterion_id(c))
                .collect();
            let (level, label) = self.level_name(self.level_of(u));
            b.push(&Row {
                candidate: set.candidate_name(span.cand),
                cycle: set.has_cycle.then(|| set.cycles.name(span.cycle)),
                level,
                label,
                index: u.index,
                index_ci: u.index_ci,
                dimensions: &dims,
                technical: u.technical,
                technical_ci: u.technical_ci,
                flags: &flags,
                strengths: &strengths,
                development: &development,
            });
        }
        b.finish()
    }

    /// The ratings with rater-adjusted scores when the policy asks for an adjustment.
    pub(crate) fn adjusted(&self, ratings: &RatingSet) -> Result<Option<RatingSet>, Error> {
        if self.rubric.policy.rater_adjustment.is_none() {
            return Ok(None);
        }
        Ok(crate::adjust::adjusted_scores(ratings, &self.rubric)?
            .map(|scores| ratings.with_scores(scores)))
    }

    pub(crate) fn norm(&self, x: f64) -> f64 {
        100.0 * (x - self.lo) / (self.hi - self.lo)
    }

    /// Steps 1–4 (and 6–7 when `full`) for one unit, into `s.u`. Only the accumulator cells a
    /// unit touches are visited and reset, so the cost is linear in its ratings whatever the
    /// size of the rubric.
    pub(crate) fn score_unit(&self, set: &RatingSet, span: &Span, s: &mut Scratch, full: bool) {
        let nc = self.crit_w.len();
        let nd = self.dim_w.len();
        let ng = self.group_w.len();
        s.u.clear(full);
        // Slices of the columns: indexing a `Vec` is a call in the size-optimised WebAssembly
        // build (the engine's and the scratch arrays are boxed slices for the same reason).
        let (raters, groups, scores, crits): (&[u32], &[u16], &[f64], &[u32]) =
            (&set.rater, &set.group, &set.score, &set.crit);
        // One pass: group × criterion sums, and (full) each rater's own dimension scores.
        let mut i = span.start;
        while i < span.end {
            let rater = raters[i];
            let g = usize::from(groups[i]);
            let scoring = self.group_w[g] > 0.0;
            let mut any = false;
            while i < span.end && raters[i] == rater {
                let x = scores[i];
                if !x.is_nan() {
                    let c = crits[i] as usize;
                    let k = g * nc + c;
                    if s.gcnt[k] == 0 {
                        s.touched.push(k);
                    }
                    s.gsum[k] += x;
                    s.gcnt[k] += 1;
                    if full {
                        s.gsq[k] += x * x;
                        let d = self.crit_dim[c];
                        s.rdsum[d] += self.crit_w[c] * x;
                        s.rdw[d] += self.crit_w[c];
                    }
                    any = true;
                }
                i += 1;
            }
            if !full || !any {
                continue;
            }
            let (mut li, mut lw, mut ti, mut tw) = (0.0, 0.0, 0.0, 0.0);
            for d in 0..nd {
                if s.rdw[d] > 0.0 {
                    s.u.group_raters[d * ng + g] += 1;
                    if scoring {
                        let own = s.rdsum[d] / s.rdw[d];
                        s.reps.push((g, d, own));
                        // Each scoring rater's own index and technical score (step 6).
                        let v = self.norm(own);
                        if self.dim_lead[d] {
                            li += self.dim_w[d] * v;
                            lw += self.dim_w[d];
                        } else {
                            ti += self.dim_w[d] * v;
                            tw += self.dim_w[d];
                        }
                    }
                }
                s.rdsum[d] = 0.0;
                s.rdw[d] = 0.0;
            }
            if scoring {
                s.u.scoring_raters += 1;
                if lw > 0.0 {
                    s.index_reps.push((g, li / lw));
                }
                if tw > 0.0 {
                    s.tech_reps.push((g, ti / tw));
                }
            }
        }
        // Visit cells in (criterion, group) order, so every sum below runs in rubric order and
        // the result does not depend on how raters are named or rows are ordered.
        // When most cells are touched, walking all of them in order is cheaper than sorting.
        if s.touched.len() * 4 >= nc * ng {
            s.touched.clear();
            for c in 0..nc {
                for g in 0..ng {
                    if s.gcnt[g * nc + c] > 0 {
                        s.touched.push(g * nc + c);
                    }
                }
            }
        } else {
            s.touched.sort_unstable_by_key(|&k| (k % nc, k / nc));
        }
        if !full {
            // Scoring raters are counted in the full pass only; points need none.
            for &k in &s.touched {
                let g = k / nc;
                if self.group_w[g] > 0.0 {
                    let c = k % nc;
                    if s.cden[c] == 0.0 {
                        s.crit_touched.push(c);
                    }
                    s.cnum[c] += self.group_w[g] * (s.gsum[k] / f64::from(s.gcnt[k]));
                    s.cden[c] += self.group_w[g];
                }
            }
        } else {
            for &k in &s.touched {
                let g = k / nc;
                let c = k % nc;
                let mean = s.gsum[k] / f64::from(s.gcnt[k]);
                // Group breakdowns (all groups, self included).
                let d = self.crit_dim[c];
                s.gdnum[d * ng + g] += self.crit_w[c] * mean;
                s.gdden[d * ng + g] += self.crit_w[c];
                if self.group_w[g] > 0.0 {
                    if s.cden[c] == 0.0 {
                        s.crit_touched.push(c);
                    }
                    s.cnum[c] += self.group_w[g] * mean;
                    s.cden[c] += self.group_w[g];
                    s.msum[c] += s.gsum[k];
                    s.msq[c] += s.gsq[k];
                    s.mcnt[c] += s.gcnt[k];
                }
            }
        }
        // Steps 2–3: criterion scores, dimension scores and coverage.
        for &c in &s.crit_touched {
            let v = s.cnum[c] / s.cden[c];
            s.u.crit_score[c] = Some(v);
            let d = self.crit_dim[c];
            s.dnum[d] += self.crit_w[c] * v;
            s.dden[d] += self.crit_w[c];
        }
        for d in 0..nd {
            if s.dden[d] > 0.0 {
                s.u.dim_raw[d] = Some(s.dnum[d] / s.dden[d]);
            }
            s.u.coverage[d] = s.dden[d] / self.dim_crit_w[d];
            s.dnum[d] = 0.0;
            s.dden[d] = 0.0;
        }
        // Step 4: readiness index over leadership-side dimensions; technical apart.
        let (mut ln, mut ld, mut tn, mut td) = (0.0, 0.0, 0.0, 0.0);
        for d in 0..nd {
            if let Some(v) = s.u.dim_raw[d] {
                let x = self.dim_w[d] * self.norm(v);
                if self.dim_lead[d] {
                    ln += x;
                    ld += self.dim_w[d];
                } else {
                    tn += x;
                    td += self.dim_w[d];
                }
            }
        }
        s.u.index = (ld > 0.0).then(|| ln / ld);
        s.u.technical = (td > 0.0).then(|| tn / td);
        if full {
            self.intervals_and_agreement(s);
        }
        // Reset exactly the cells this unit touched.
        for &k in &s.touched {
            s.gsum[k] = 0.0;
            s.gsq[k] = 0.0;
            s.gcnt[k] = 0;
        }
        for &c in &s.crit_touched {
            s.cnum[c] = 0.0;
            s.cden[c] = 0.0;
            s.msum[c] = 0.0;
            s.msq[c] = 0.0;
            s.mcnt[c] = 0;
        }
        s.touched.clear();
        s.crit_touched.clear();
        s.reps.clear();
        s.index_reps.clear();
        s.tech_reps.clear();
    }

    /// Steps 6–7 and the group breakdowns, for a unit whose sums are in `s`.
    fn intervals_and_agreement(&self, s: &mut Scratch) {
        let nd = self.dim_w.len();
        let ng = self.group_w.len();
        let scale = 100.0 / (self.hi - self.lo);
        // Step 6: dimension intervals from rater replicates, a_j = w_g / n(c,d,g).
        for d in 0..nd {
            let Some(raw) = s.u.dim_raw[d] else {
                continue;
            };
            s.pairs.clear();
            for &(g, dd, v) in &s.reps {
                if dd == d {
                    let n = s.u.group_raters[d * ng + g];
                    s.pairs.push((self.group_w[g] / f64::from(n), v));
                }
            }
            s.u.dim_raters[d] = s.pairs.len() as u32;
            s.u.dim_ci[d] = interval(&mut s.pairs, self.norm(raw), scale, &mut s.t_cache);
        }
        // Index and technical intervals: a_j = w_g / n_g among raters who have such a score.
        for tech in [false, true] {
            let (reps, centre) = if tech {
                (&s.tech_reps, s.u.technical)
            } else {
                (&s.index_reps, s.u.index)
            };
            let Some(centre) = centre else {
                continue;
            };
            s.per_group.iter_mut().for_each(|v| *v = 0);
            for &(g, _) in reps.iter() {
                s.per_group[g] += 1;
            }
            s.pairs.clear();
            for &(g, v) in reps.iter() {
                s.pairs
                    .push((self.group_w[g] / f64::from(s.per_group[g]), v));
            }
            let ci = interval(&mut s.pairs, centre, 1.0, &mut s.t_cache);
            if tech {
                s.u.technical_ci = ci;
            } else {
                s.u.index_ci = ci;
            }
        }
        // Step 7: rwg(J) per dimension over the scoring raters. The sum of squared deviations
        // is (n Σx² − (Σx)²)/n: exact for ratings on whole or half points, so it does not
        // depend on the order of the ratings.
        for &c in &s.crit_touched {
            if s.mcnt[c] >= 2 {
                let d = self.crit_dim[c];
                let n = f64::from(s.mcnt[c]);
                let ss = ((n * s.msq[c] - s.msum[c] * s.msum[c]) / n).max(0.0);
                s.dnum[d] += ss / (n - 1.0);
                s.dden[d] += 1.0;
            }
        }
        for d in 0..nd {
            if s.dden[d] > 0.0 {
                s.u.rwg[d] = Some(rwg_j(s.dnum[d] / s.dden[d], self.null_var, s.dden[d]));
            }
            s.dnum[d] = 0.0;
            s.dden[d] = 0.0;
        }
        // Group breakdowns and the self score per dimension.
        for k in 0..nd * ng {
            if s.gdden[k] > 0.0 {
                s.u.group_dim[k] = Some(s.gdnum[k] / s.gdden[k]);
            }
            s.gdnum[k] = 0.0;
            s.gdden[k] = 0.0;
        }
    }

    /// Steps 5, 7–9: level, reasons, flags, strengths and the document.
    fn document(&self, set: &RatingSet, span: &Span, u: &UnitScores) -> Assessment {
        let r = &self.rubric;
        let nd = self.dim_w.len();
        let ng = self.group_w.len();
        let dim_score: Vec<Option<f64>> =
            u.dim_raw.iter().map(|v| v.map(|x| self.norm(x))).collect();
        let readiness = self.level(u);
        let mut dimensions = Vec::with_capacity(nd);
        let mut flags = Vec::new();
        self.for_each_flag(u, |code, d| {
            flags.push(Flag {
                code,
                message: self.flag_message(u, code, d),
                dimension: d.map(|d| r.dimensions[d].id.clone()),
            });
        });
        for (d, dim) in r.dimensions.iter().enumerate() {
            let self_gap = self.self_gap(u, d);
            let mut by_group = IndexMap::with_capacity(ng);
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
        let (strengths, rest) = self.strengths_and_development(u);
        let strengths: Vec<String> = strengths
            .iter()
            .map(|&c| self.crit_ids[c].clone())
            .collect();
        let development = rest
            .iter()
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
                rubric: self.label.clone(),
                fingerprint: self.fingerprint.clone(),
                rater_adjustment: r.policy.rater_adjustment.as_str().to_string(),
            },
        }
    }

    /// Step 8: the strengths (criterion indices, best first) and the development areas
    /// (criterion, raw score; weakest first) among the leadership-side criteria.
    pub(crate) fn strengths_and_development(
        &self,
        u: &UnitScores,
    ) -> (Vec<usize>, Vec<(usize, f64)>) {
        let r = &self.rubric;
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
        let strengths: Vec<usize> = ranked[..n_strength].iter().map(|&(c, _)| c).collect();
        let mut rest: Vec<(usize, f64)> = ranked[n_strength..].to_vec();
        rest.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        rest.truncate(r.policy.development as usize);
        (strengths, rest)
    }

    /// Criterion id of index `c` (rubric order).
    pub(crate) fn criterion_id(&self, c: usize) -> &str {
        &self.crit_ids[c]
    }

    /// Id and display label of a level as [`ScoreTable::level`] numbers it.
    pub(crate) fn level_name(&self, k: u16) -> (&str, &str) {
        match self.rubric.policy.levels.get(usize::from(k)) {
            Some(level) => (level.id.as_str(), level.display_label()),
            None => (INSUFFICIENT_EVIDENCE, INSUFFICIENT_EVIDENCE_LABEL),
        }
    }

    /// Step 7: calls `f` with every flag the unit raises, in document order (candidate flags,
    /// then per dimension the self–other gap and agreement).
    pub(crate) fn for_each_flag(&self, u: &UnitScores, mut f: impl FnMut(FlagCode, Option<usize>)) {
        let p = &self.rubric.policy;
        if u.scoring_raters < p.min_raters {
            f(FlagCode::FewRaters, None);
        }
        if let (Some(t), Some(idx)) = (u.technical, u.index) {
            if t >= p.expert_trap.technical_min - EPS && idx < p.expert_trap.index_max - EPS {
                f(FlagCode::ExpertTrap, None);
            }
        }
        for d in 0..self.dim_w.len() {
            if let Some(gap) = self.self_gap(u, d) {
                if gap >= p.self_other_gap - EPS {
                    f(FlagCode::BlindSpot, Some(d));
                } else if gap <= -p.self_other_gap + EPS {
                    f(FlagCode::HiddenStrength, Some(d));
                }
            }
            if u.rwg[d].is_some_and(|rwg| rwg < p.low_agreement_rwg - EPS) {
                f(FlagCode::LowAgreement, Some(d));
            }
        }
    }

    /// The flags of a unit as bits `1 << code` ([`FlagCode`] order).
    fn flag_bits(&self, u: &UnitScores) -> u32 {
        let mut bits = 0;
        self.for_each_flag(u, |code, _| bits |= 1 << (code as u32));
        bits
    }

    /// The `self` group's own score on dimension `d` minus D(c,d), in scale points.
    fn self_gap(&self, u: &UnitScores, d: usize) -> Option<f64> {
        let ng = self.group_w.len();
        let sg = self.self_group?;
        let raw = u.dim_raw[d]?;
        u.group_dim[d * ng + sg].map(|own| own - raw)
    }

    fn flag_message(&self, u: &UnitScores, code: FlagCode, d: Option<usize>) -> String {
        let p = &self.rubric.policy;
        let dim_id = d.map_or("", |d| self.rubric.dimensions[d].id.as_str());
        match code {
            FlagCode::FewRaters => format!(
                "{} scoring rater{}, fewer than the {} the policy asks for: treat the scores as provisional",
                u.scoring_raters,
                if u.scoring_raters == 1 { "" } else { "s" },
                p.min_raters
            ),
            FlagCode::ExpertTrap => format!(
                "technical {} ≥ {} but readiness index {} < {}: a strong expert whose leadership is not yet shown",
                fmt1(u.technical.unwrap_or(0.0)),
                p.expert_trap.technical_min,
                fmt_below(u.index.unwrap_or(0.0), p.expert_trap.index_max),
                p.expert_trap.index_max
            ),
            FlagCode::BlindSpot | FlagCode::HiddenStrength => {
                let d = d.unwrap_or(0);
                let gap = self.self_gap(u, d).unwrap_or(0.0);
                let raw = u.dim_raw[d].unwrap_or(0.0);
                let dir = if code == FlagCode::BlindSpot { "above" } else { "below" };
                format!(
                    "self rates {dim_id} {:.2} scale points {dir} the others ({:.2} vs {:.2})",
                    gap.abs(),
                    raw + gap,
                    raw
                )
            }
            FlagCode::LowAgreement => format!(
                "raters disagree on {dim_id}: rwg(J) {:.2} < {}; discuss before acting on this score",
                d.and_then(|d| u.rwg[d]).unwrap_or(0.0),
                p.low_agreement_rwg
            ),
        }
    }

    /// Leadership-side dimensions whose coverage is below the policy minimum.
    fn thin_dimensions<'a>(&'a self, u: &'a UnitScores) -> impl Iterator<Item = usize> + 'a {
        (0..self.dim_w.len()).filter(move |&d| {
            self.dim_lead[d] && u.coverage[d] < self.rubric.policy.min_coverage - EPS
        })
    }

    /// Step 5, numbers only: the index of the level reached, `levels.len()` for
    /// `insufficient_evidence`.
    pub(crate) fn level_of(&self, u: &UnitScores) -> u16 {
        let levels = &self.rubric.policy.levels;
        if self.thin_dimensions(u).next().is_some() {
            return levels.len() as u16;
        }
        for (k, level) in levels.iter().enumerate() {
            let mut failed = false;
            self.check_level(level, u, |_| failed = true);
            if !failed {
                return k as u16;
            }
        }
        // Validation guarantees the last level has no conditions.
        (levels.len() - 1) as u16
    }

    /// Step 5: the level and the reasons for it.
    fn level(&self, u: &UnitScores) -> Readiness {
        let r = &self.rubric;
        let thin: Vec<String> = self
            .thin_dimensions(u)
            .map(|d| {
                format!(
                    "{INSUFFICIENT_EVIDENCE}: coverage of {} {:.2} < {}",
                    r.dimensions[d].id, u.coverage[d], r.policy.min_coverage
                )
            })
            .collect();
        if !thin.is_empty() {
            return Readiness {
                index: u.index,
                ci95: u.index_ci,
                level: INSUFFICIENT_EVIDENCE.into(),
                label: INSUFFICIENT_EVIDENCE_LABEL.into(),
                reasons: thin,
                next_level: None,
            };
        }
        let mut reasons = Vec::new();
        let mut previous: Option<(String, Option<f64>, Vec<String>)> = None;
        for level in &r.policy.levels {
            let mut failed = Vec::new();
            self.check_level(level, u, |f| failed.push(self.describe(f)));
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

    /// Calls `fail` with every condition of `level` the unit does not meet.
    fn check_level<'l>(
        &self,
        level: &'l crate::rubric::Level,
        u: &UnitScores,
        mut fail: impl FnMut(Unmet<'l>),
    ) {
        if let Some(min) = level.min_index {
            if !u.index.is_some_and(|i| i >= min - EPS) {
                fail(Unmet::Index {
                    value: u.index,
                    min,
                });
            }
        }
        if let Some(min) = level.min_dimension {
            for d in 0..self.dim_w.len() {
                if !self.dim_lead[d] {
                    continue;
                }
                let value = u.dim_raw[d].map(|x| self.norm(x));
                if !value.is_some_and(|v| v >= min - EPS) {
                    fail(Unmet::Dimension { d, value, min });
                }
            }
        }
        for (cid, min) in &level.min_criteria {
            let value = self
                .crit_ids
                .iter()
                .position(|id| id == cid)
                .and_then(|c| u.crit_score[c]);
            if !value.is_some_and(|v| v >= min - EPS) {
                fail(Unmet::Criterion {
                    id: cid,
                    value,
                    min: *min,
                });
            }
        }
        if let Some(min) = level.min_technical {
            if !u.technical.is_some_and(|t| t >= min - EPS) {
                fail(Unmet::Technical {
                    value: u.technical,
                    min,
                });
            }
        }
    }

    fn describe(&self, unmet: Unmet<'_>) -> String {
        match unmet {
            Unmet::Index {
                value: Some(v),
                min,
            } => format!("index {} < {min}", fmt_below(v, min)),
            Unmet::Index { value: None, min } => format!("index not available < {min}"),
            Unmet::Dimension { d, value, min } => {
                let id = &self.rubric.dimensions[d].id;
                match value {
                    Some(v) => format!("{id} {} < {min}", fmt_below(v, min)),
                    None => format!("{id} not rated (minimum {min})"),
                }
            }
            Unmet::Criterion { id, value, min } => match value {
                Some(v) => format!("{id} {} < {min}", fmt_below_raw(v, min)),
                None => format!("{id} not rated (minimum {min})"),
            },
            Unmet::Technical {
                value: Some(v),
                min,
            } => {
                format!("technical {} < {min}", fmt_below(v, min))
            }
            Unmet::Technical { value: None, min } => {
                format!("technical not rated (minimum {min})")
            }
        }
    }
}

/// A level condition a unit does not meet.
#[derive(Debug, Clone, Copy)]
enum Unmet<'a> {
    Index {
        value: Option<f64>,
        min: f64,
    },
    Dimension {
        d: usize,
        value: Option<f64>,
        min: f64,
    },
    Criterion {
        id: &'a str,
        value: Option<f64>,
        min: f64,
    },
    Technical {
        value: Option<f64>,
        min: f64,
    },
}

/// The numbers of [`Engine::assess`] as columns, one row per unit (candidate, or candidate and
/// cycle), in the same order. Per-dimension columns are stored row-major: row `r`, dimension
/// `d` at `r * dimensions.len() + d`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTable {
    /// Dimension ids, in rubric order.
    pub dimensions: Vec<String>,
    /// Level ids, best first; a level value equal to `levels.len()` is `insufficient_evidence`.
    pub levels: Vec<String>,
    /// Readiness index.
    pub index: Vec<Option<f64>>,
    /// Its 95% interval.
    pub index_ci: Vec<Option<[f64; 2]>>,
    /// Index into `levels` (or `levels.len()` for insufficient evidence).
    pub level: Vec<u16>,
    /// Dimension scores on 0–100.
    pub dimension_score: Vec<Option<f64>>,
    /// Dimension intervals.
    pub dimension_ci: Vec<Option<[f64; 2]>>,
    /// Dimension coverage.
    pub coverage: Vec<f64>,
    /// Dimension rwg(J).
    pub rwg: Vec<Option<f64>>,
    /// Technical score.
    pub technical: Vec<Option<f64>>,
    /// Its 95% interval.
    pub technical_ci: Vec<Option<[f64; 2]>>,
    /// Flags raised, as bits `1 << (FlagCode as u32)`.
    pub flags: Vec<u32>,
}

impl ScoreTable {
    /// The rows of `parts` (tables of the same rubric) in order, `None` without parts. The
    /// columns are assembled on two threads with the `parallel` feature.
    fn concat(parts: Vec<ScoreTable>) -> Option<ScoreTable> {
        let first = parts.first()?;
        let (dimensions, levels) = (first.dimensions.clone(), first.levels.clone());
        let (mut index, mut index_ci, mut level, mut dimension_score, mut dimension_ci) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut coverage, mut rwg, mut technical, mut technical_ci, mut flags) =
            (vec![], vec![], vec![], vec![], vec![]);
        for p in parts {
            index.push(p.index);
            index_ci.push(p.index_ci);
            level.push(p.level);
            dimension_score.push(p.dimension_score);
            dimension_ci.push(p.dimension_ci);
            coverage.push(p.coverage);
            rwg.push(p.rwg);
            technical.push(p.technical);
            technical_ci.push(p.technical_ci);
            flags.push(p.flags);
        }
        use crate::parallel::concat;
        let (a, b) = crate::parallel::join(
            || {
                (
                    concat(index),
                    concat(index_ci),
                    concat(level),
                    concat(dimension_score),
                    concat(dimension_ci),
                )
            },
            || {
                (
                    concat(coverage),
                    concat(rwg),
                    concat(technical),
                    concat(technical_ci),
                    concat(flags),
                )
            },
        );
        Some(ScoreTable {
            dimensions,
            levels,
            index: a.0,
            index_ci: a.1,
            level: a.2,
            dimension_score: a.3,
            dimension_ci: a.4,
            coverage: b.0,
            rwg: b.1,
            technical: b.2,
            technical_ci: b.3,
            flags: b.4,
        })
    }
}

/// The per-unit numbers steps 1–7 produce (buffers reused from unit to unit).
#[derive(Debug, Default)]
pub(crate) struct UnitScores {
    pub(crate) crit_score: Box<[Option<f64>]>,
    pub(crate) dim_raw: Box<[Option<f64>]>,
    pub(crate) coverage: Box<[f64]>,
    pub(crate) index: Option<f64>,
    pub(crate) technical: Option<f64>,
    scoring_raters: u32,
    pub(crate) dim_ci: Box<[Option<[f64; 2]>]>,
    dim_raters: Box<[u32]>,
    pub(crate) index_ci: Option<[f64; 2]>,
    pub(crate) technical_ci: Option<[f64; 2]>,
    pub(crate) rwg: Box<[Option<f64>]>,
    group_dim: Box<[Option<f64>]>,
    group_raters: Box<[u32]>,
}

impl UnitScores {
    fn new(nc: usize, nd: usize, ng: usize) -> Self {
        UnitScores {
            crit_score: vec![None; nc].into_boxed_slice(),
            dim_raw: vec![None; nd].into_boxed_slice(),
            coverage: vec![0.0; nd].into_boxed_slice(),
            dim_ci: vec![None; nd].into_boxed_slice(),
            dim_raters: vec![0; nd].into_boxed_slice(),
            rwg: vec![None; nd].into_boxed_slice(),
            group_dim: vec![None; nd * ng].into_boxed_slice(),
            group_raters: vec![0; nd * ng].into_boxed_slice(),
            ..UnitScores::default()
        }
    }

    fn clear(&mut self, full: bool) {
        self.crit_score.iter_mut().for_each(|v| *v = None);
        self.dim_raw.iter_mut().for_each(|v| *v = None);
        self.coverage.iter_mut().for_each(|v| *v = 0.0);
        self.index = None;
        self.technical = None;
        self.scoring_raters = 0;
        self.index_ci = None;
        self.technical_ci = None;
        if full {
            self.dim_ci.iter_mut().for_each(|v| *v = None);
            self.dim_raters.iter_mut().for_each(|v| *v = 0);
            self.rwg.iter_mut().for_each(|v| *v = None);
            self.group_dim.iter_mut().for_each(|v| *v = None);
            self.group_raters.iter_mut().for_each(|v| *v = 0);
        }
    }
}

/// Accumulators reused from unit to unit, so scoring allocates nothing per rating.
pub(crate) struct Scratch {
    pub(crate) u: UnitScores,
    gsum: Box<[f64]>,
    gsq: Box<[f64]>,
    gcnt: Box<[u32]>,
    touched: Vec<usize>,
    cnum: Box<[f64]>,
    cden: Box<[f64]>,
    msum: Box<[f64]>,
    msq: Box<[f64]>,
    mcnt: Box<[u32]>,
    crit_touched: Vec<usize>,
    dnum: Box<[f64]>,
    dden: Box<[f64]>,
    gdnum: Box<[f64]>,
    gdden: Box<[f64]>,
    rdsum: Box<[f64]>,
    rdw: Box<[f64]>,
    per_group: Box<[u32]>,
    reps: Vec<(usize, usize, f64)>,
    index_reps: Vec<(usize, f64)>,
    tech_reps: Vec<(usize, f64)>,
    pairs: Vec<(f64, f64)>,
    t_cache: HashMap<u64, Option<f64>>,
}

impl Scratch {
    pub(crate) fn new(e: &Engine) -> Scratch {
        let (nc, nd, ng) = (e.crit_w.len(), e.dim_w.len(), e.group_w.len());
        Scratch {
            u: UnitScores::new(nc, nd, ng),
            gsum: vec![0.0; nc * ng].into_boxed_slice(),
            gsq: vec![0.0; nc * ng].into_boxed_slice(),
            gcnt: vec![0; nc * ng].into_boxed_slice(),
            touched: Vec::new(),
            cnum: vec![0.0; nc].into_boxed_slice(),
            cden: vec![0.0; nc].into_boxed_slice(),
            msum: vec![0.0; nc].into_boxed_slice(),
            msq: vec![0.0; nc].into_boxed_slice(),
            mcnt: vec![0; nc].into_boxed_slice(),
            crit_touched: Vec::new(),
            dnum: vec![0.0; nd].into_boxed_slice(),
            dden: vec![0.0; nd].into_boxed_slice(),
            gdnum: vec![0.0; nd * ng].into_boxed_slice(),
            gdden: vec![0.0; nd * ng].into_boxed_slice(),
            rdsum: vec![0.0; nd].into_boxed_slice(),
            rdw: vec![0.0; nd].into_boxed_slice(),
            per_group: vec![0; ng].into_boxed_slice(),
            reps: Vec::new(),
            index_reps: Vec::new(),
            tech_reps: Vec::new(),
            pairs: Vec::new(),
            t_cache: HashMap::new(),
        }
    }
}

/// The replicate interval of step 6: weights a_j, values D_j, centred on `centre`;
/// `scale` converts the standard error to 0–100. `None` below two replicates.
///
/// V1 = Σa, V2 = Σa², n_eff = V1²/V2, μ = Σ a D / V1, s² = Σ a (D − μ)² / (V1 − V2/V1),
/// SE = s/√n_eff, interval = centre ± t(0.975, n_eff − 1)·SE·scale, clamped to [0, 100].
fn interval(
    pairs: &mut [(f64, f64)],
    centre: f64,
    scale: f64,
    cache: &mut HashMap<u64, Option<f64>>,
) -> Option<[f64; 2]> {
    if pairs.len() < 2 {
        return None;
    }
    // Sum in a canonical order (by weight, then value) so that renaming raters or reordering
    // rows cannot change the last digits.
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let pairs = &*pairs;
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
