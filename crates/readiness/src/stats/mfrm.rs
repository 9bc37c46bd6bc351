//! Many-facet Rasch model (Linacre 1989) with the rating scale model (Andrich 1978), estimated
//! by joint maximum likelihood (JMLE).
//!
//! For candidate `n`, rater `j` and criterion `i`, the probability of category `k = 0..m` is
//!
//! ```text
//! P(k) ∝ exp( Σ_{h=1..k} (θ_n − β_j − δ_i − τ_h) ),   P(0) ∝ 1,
//! ```
//!
//! with ability `θ`, rater severity `β`, criterion difficulty `δ` and Andrich thresholds `τ`,
//! all in logits. Identification: `Σ β = 0`, `Σ δ = 0`, `Σ τ = 0` (over the non-extreme
//! elements), candidates free. The categories are the distinct observed scores in order
//! (unobserved intermediate scores are collapsed, FACETS' "ordinal" default).
//!
//! Estimation is a full Newton–Raphson on the joint likelihood in the constrained coordinates,
//! with step halving whenever the likelihood would decrease; the candidate block of the
//! Hessian is diagonal and is eliminated first, so the cost grows linearly with the number of
//! candidates. Convergence: the largest absolute gradient (score points) is at most
//! [`MfrmOptions::tolerance`]. At the solution the JML estimating equations hold: each element's
//! expected raw score equals its observed raw score, and expected category counts equal
//! observed ones.
//!
//! Extreme scores are handled as FACETS does: an element whose every rating is in the lowest
//! (or highest) category has an infinite estimate, so it is dropped from the joint estimation
//! (repeatedly, since dropping one can make another extreme) and afterwards estimated alone,
//! with the others fixed, for its raw score moved 0.3 score points inward (FACETS' default
//! extreme-score adjustment). It is reported with [`MfrmElement::extreme`] set and no fit
//! statistics.
//!
//! In a nested 360 design each rater rates one candidate, so individual severities are not
//! identifiable: use the rater *group* (self, manager, peer, direct report) as the rater index.

use super::error::{Result, StatsError};
use super::rater_effects::{check_design, cholesky, cholesky_solve, Rating};

/// Largest magnitude (logits) of a jointly estimated parameter; beyond it the estimation
/// stops with [`StatsError::Diverged`].
pub const MAX_LOGIT: f64 = 20.0;

/// Options of the JMLE estimation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MfrmOptions {
    /// Stop when the largest absolute gradient (in score points) is at most this.
    pub tolerance: f64,
    /// Give up (with [`StatsError::NoConvergence`]) after this many Newton iterations.
    pub max_iterations: usize,
    /// Score points by which an extreme raw score is moved inward before estimating it.
    pub extreme_adjustment: f64,
}

impl Default for MfrmOptions {
    fn default() -> Self {
        MfrmOptions {
            tolerance: 1e-10,
            max_iterations: 100,
            extreme_adjustment: 0.3,
        }
    }
}

/// Which end of the scale an extreme element sits at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExtremeScore {
    /// Every rating in the lowest category.
    Minimum,
    /// Every rating in the highest category.
    Maximum,
}

/// Measure and fit of one element (a candidate, a rater or a criterion).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MfrmElement {
    /// Number of ratings involving the element.
    pub count: usize,
    /// Sum of its scores.
    pub observed_raw_score: f64,
    /// Mean of its scores.
    pub observed_average: f64,
    /// Sum of the model's expected scores at the estimates. At convergence it equals the
    /// observed raw score for non-extreme elements when the categories are consecutive
    /// integers; when a gap was collapsed, the estimating equations hold in category ranks
    /// (`0..=m`), not in the original score values.
    pub expected_raw_score: f64,
    /// The measure in logits: ability for candidates, severity for raters, difficulty for
    /// criteria.
    pub measure: f64,
    /// Model standard error `1 / √(Σ Var(k))`; `None` when the information is zero.
    pub model_se: Option<f64>,
    /// Information-weighted mean-square `Σ (x − E)² / Σ Var`; `None` for extreme elements.
    pub infit_mnsq: Option<f64>,
    /// Unweighted mean-square `mean((x − E)² / Var)`; `None` for extreme elements.
    pub outfit_mnsq: Option<f64>,
    /// Expected score on the rating scale for this element with the other facets at their
    /// mean measures (FACETS' "Fair(M) average").
    pub fair_average: f64,
    /// `Some` when the element has an extreme score (see the module docs).
    pub extreme: Option<ExtremeScore>,
}

/// One category of the rating scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MfrmCategory {
    /// The score value.
    pub value: f64,
    /// Number of ratings in the category (non-extreme elements only).
    pub observed_count: usize,
    /// Expected number at the estimates.
    pub expected_count: f64,
}

/// The fitted many-facet Rasch model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Mfrm {
    /// Per candidate (index order).
    pub candidates: Vec<MfrmElement>,
    /// Per rater (or rater group).
    pub raters: Vec<MfrmElement>,
    /// Per criterion.
    pub criteria: Vec<MfrmElement>,
    /// The categories of the scale, lowest first.
    pub categories: Vec<MfrmCategory>,
    /// Andrich thresholds `τ_1..τ_m` (τ_h between categories h−1 and h), summing to 0.
    pub thresholds: Vec<f64>,
    /// Joint log-likelihood at the estimates (ratings of non-extreme elements).
    pub log_likelihood: f64,
    /// Number of ratings in the joint estimation.
    pub n_used: usize,
    /// Newton iterations run.
    pub iterations: usize,
    /// Largest absolute gradient at the solution.
    pub max_gradient: f64,
}

/// Largest standard deviation (logits, from the full inverse information) of a finite
/// maximum; a diverging direction has one of order `1/√tolerance`.
const MAX_SD: f64 = 1e3;

/// Checks the full inverse information at the solution: `Err(((coord kind, index), sd))` for
/// the first coordinate whose standard deviation exceeds [`MAX_SD`] (`usize::MAX` marks a
/// candidate, otherwise `.1` is the reduced coordinate), or when the information is singular.
#[allow(
    clippy::type_complexity,
    reason = "private helper, mapped to StatsError at once"
)]
fn check_finite_maximum(
    a_ss: &[f64],
    a_ts: &[f64],
    a_theta: &[f64],
    active: &[bool],
    s: usize,
) -> std::result::Result<(), ((usize, usize), f64)> {
    let mut m = a_ss.to_vec();
    for (n, &a) in a_theta.iter().enumerate() {
        if !active[n] || a <= 0.0 {
            continue;
        }
        let row = &a_ts[n * s..(n + 1) * s];
        for q1 in 0..s {
            for q2 in 0..s {
                m[q1 * s + q2] -= row[q1] * row[q2] / a;
            }
        }
    }
    let minv = if s > 0 {
        if cholesky(&mut m, s).is_none() {
            return Err(((0, 0), f64::INFINITY));
        }
        super::rater_effects::cholesky_inverse(&m, s)
    } else {
        Vec::new()
    };
    for q in 0..s {
        let sd = minv[q * s + q].max(0.0).sqrt();
        if sd > MAX_SD {
            return Err(((0, q), sd));
        }
    }
    for (n, &a) in a_theta.iter().enumerate() {
        if !active[n] {
            continue;
        }
        if a <= 0.0 {
            return Err(((usize::MAX, n), f64::INFINITY));
        }
        let w: Vec<f64> = a_ts[n * s..(n + 1) * s].iter().map(|x| x / a).collect();
        let mut quad = 0.0;
        for q1 in 0..s {
            for q2 in 0..s {
                quad += w[q1] * minv[q1 * s + q2] * w[q2];
            }
        }
        let sd = (1.0 / a + quad).max(0.0).sqrt();
        if sd > MAX_SD {
            return Err(((usize::MAX, n), sd));
        }
    }
    Ok(())
}

/// A rating as category indices.
#[derive(Debug, Clone, Copy)]
struct Obs {
    n: usize,
    j: usize,
    i: usize,
    k: usize,
}

/// Category probabilities at linear predictor `eta` with cumulative thresholds `cum[k] =
/// Σ_{h≤k} τ_h` (`cum[0] = 0`), written into `p`.
fn probs(eta: f64, cum: &[f64], p: &mut [f64]) {
    let mut max = f64::NEG_INFINITY;
    for (k, c) in cum.iter().enumerate() {
        p[k] = k as f64 * eta - c;
        max = max.max(p[k]);
    }
    let mut total = 0.0;
    for x in p.iter_mut() {
        *x = libm::exp(*x - max);
        total += *x;
    }
    for x in p.iter_mut() {
        *x /= total;
    }
}

fn mean_var(p: &[f64]) -> (f64, f64) {
    let e: f64 = p.iter().enumerate().map(|(k, q)| k as f64 * q).sum();
    let v: f64 = p
        .iter()
        .enumerate()
        .map(|(k, q)| (k as f64 - e).powi(2) * q)
        .sum();
    (e, v)
}

fn cumulative(tau: &[f64]) -> Vec<f64> {
    let mut cum = vec![0.0; tau.len() + 1];
    for h in 0..tau.len() {
        cum[h + 1] = cum[h] + tau[h];
    }
    cum
}

/// A facet with a sum-to-zero constraint over its active elements: the last active element is
/// minus the sum of the others. `coord[e]` is the element's free coordinate, `None` for the
/// last active element and for inactive ones.
struct Constrained {
    active: Vec<usize>,
    coord: Vec<Option<usize>>,
}

impl Constrained {
    fn new(active_mask: &[bool], offset: usize) -> Self {
        let active: Vec<usize> = (0..active_mask.len()).filter(|&e| active_mask[e]).collect();
        let mut coord = vec![None; active_mask.len()];
        for (pos, &e) in active
            .iter()
            .enumerate()
            .take(active.len().saturating_sub(1))
        {
            coord[e] = Some(offset + pos);
        }
        Constrained { active, coord }
    }
    fn free(&self) -> usize {
        self.active.len().saturating_sub(1)
    }
    /// Adds `w × (reduced coefficient vector of element e)` to `out`.
    fn add(&self, e: usize, w: f64, offset: usize, out: &mut [f64]) {
        match self.coord[e] {
            Some(c) => out[c] += w,
            None => {
                for x in &mut out[offset..offset + self.free()] {
                    *x -= w;
                }
            }
        }
    }
    fn expand(&self, reduced: &[f64], len: usize) -> Vec<f64> {
        let mut full = vec![0.0; len];
        let sum: f64 = reduced.iter().sum();
        for (pos, &e) in self.active.iter().enumerate() {
            full[e] = if pos < reduced.len() {
                reduced[pos]
            } else {
                -sum
            };
        }
        full
    }
}

struct State {
    theta: Vec<f64>,
    beta: Vec<f64>,
    delta: Vec<f64>,
    tau: Vec<f64>,
}

fn log_likelihood(obs: &[Obs], st: &State, p: &mut [f64]) -> f64 {
    let cum = cumulative(&st.tau);
    obs.iter()
        .map(|o| {
            probs(st.theta[o.n] - st.beta[o.j] - st.delta[o.i], &cum, p);
            libm::log(p[o.k])
        })
        .sum()
}

/// Fits the many-facet Rasch model (rating scale model) by JMLE.
///
/// `ratings` are long-format observations with integer scores; for a nested 360 design pass
/// the rater *group* as the rater index. See the module docs for the model, constraints,
/// convergence criterion and the handling of extreme scores.
///
/// # Errors
/// Those of [`check_design`]; [`StatsError::NonIntegerScore`] for a fractional score;
/// [`StatsError::TooFew`] with fewer than two score categories, or when nothing is left after
/// removing extreme elements, or when a category is used only by extreme elements;
/// [`StatsError::Unestimable`] when an element that is not extreme has ratings only with
/// extreme elements;
/// [`StatsError::NotIdentifiable`] for a singular information matrix;
/// [`StatsError::Diverged`] when an estimate exceeds [`MAX_LOGIT`] or the solution has a
/// direction with a standard deviation above 1000 logits (no finite maximum);
/// [`StatsError::NoConvergence`] when the tolerance is not reached in `max_iterations`;
/// [`StatsError::InvalidParameter`] for a non-positive tolerance or a negative adjustment.
///
/// # Example
/// ```
/// use readiness::stats::mfrm::{mfrm, MfrmOptions};
/// use readiness::stats::rater_effects::Rating;
/// let scores = [[1.0, 2.0, 2.0], [2.0, 3.0, 3.0], [3.0, 3.0, 1.0], [2.0, 1.0, 3.0]];
/// let mut ratings = Vec::new();
/// for (n, row) in scores.iter().enumerate() {
///     for (j, s) in row.iter().enumerate() {
///         ratings.push(Rating::new(n, j, 0, *s));
///         ratings.push(Rating::new(n, j, 1, if *s > 1.0 { s - 1.0 } else { 2.0 }));
///     }
/// }
/// let fit = mfrm(&ratings, &MfrmOptions::default())?;
/// // The JML estimating equations hold at the solution.
/// for c in &fit.candidates {
///     assert!((c.expected_raw_score - c.observed_raw_score).abs() < 1e-8);
/// }
/// assert!(fit.thresholds.iter().sum::<f64>().abs() < 1e-12);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn mfrm(ratings: &[Rating], options: &MfrmOptions) -> Result<Mfrm> {
    if options.tolerance.is_nan() || options.tolerance <= 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "tolerance",
            expected: "positive",
            value: options.tolerance,
        });
    }
    if options.extreme_adjustment.is_nan() || options.extreme_adjustment < 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "extreme_adjustment",
            expected: "non-negative",
            value: options.extreme_adjustment,
        });
    }
    let size = check_design(ratings)?;
    for (index, r) in ratings.iter().enumerate() {
        if r.score.fract() != 0.0 {
            return Err(StatsError::NonIntegerScore {
                index,
                value: r.score,
            });
        }
    }
    let mut values: Vec<f64> = ratings.iter().map(|r| r.score).collect();
    crate::sort::sort_stable_by(&mut values, |a, b| a.total_cmp(b));
    values.dedup();
    if values.len() < 2 {
        return Err(StatsError::TooFew {
            what: "score categories",
            min: 2,
            found: values.len(),
        });
    }
    let m = values.len() - 1;
    let all: Vec<Obs> = ratings
        .iter()
        .map(|r| Obs {
            n: r.candidate,
            j: r.rater,
            i: r.criterion,
            k: values.partition_point(|v| *v < r.score),
        })
        .collect();

    // Extreme elements, found repeatedly until none is left among the remaining ratings.
    let sizes = [size.candidates, size.raters, size.criteria];
    let mut extreme: [Vec<Option<ExtremeScore>>; 3] = sizes.map(|s| vec![None; s]);
    let facet_of = |o: &Obs, f: usize| [o.n, o.j, o.i][f];
    let mut active: Vec<Obs> = all.clone();
    loop {
        let mut changed = false;
        for f in 0..3 {
            let mut lo = vec![true; sizes[f]];
            let mut hi = vec![true; sizes[f]];
            let mut any = vec![false; sizes[f]];
            for o in &active {
                let e = facet_of(o, f);
                any[e] = true;
                lo[e] &= o.k == 0;
                hi[e] &= o.k == m;
            }
            for e in 0..sizes[f] {
                if any[e] && extreme[f][e].is_none() && (lo[e] || hi[e]) {
                    extreme[f][e] = Some(if lo[e] {
                        ExtremeScore::Minimum
                    } else {
                        ExtremeScore::Maximum
                    });
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        active.retain(|o| (0..3).all(|f| extreme[f][facet_of(o, f)].is_none()));
    }
    if active.is_empty() {
        return Err(StatsError::TooFew {
            what: "ratings of non-extreme elements",
            min: 1,
            found: 0,
        });
    }
    let mut cat_count = vec![0usize; m + 1];
    for o in &active {
        cat_count[o.k] += 1;
    }
    if let Some(found) = cat_count.iter().copied().find(|c| *c == 0) {
        return Err(StatsError::TooFew {
            what: "ratings in every category among non-extreme elements",
            min: 1,
            found,
        });
    }

    let mask = |f: usize| -> Vec<bool> {
        let mut v = vec![false; sizes[f]];
        for o in &active {
            v[facet_of(o, f)] = true;
        }
        v
    };
    // An element that is not extreme but whose ratings all involve extreme elements has none
    // left: its measure is not estimable (it would stay at its starting value, with a count of
    // 0 and an undefined average; fuzz finding 6).
    for (f, facet) in ["candidate", "rater", "criterion"].into_iter().enumerate() {
        let used = mask(f);
        if let Some(index) = (0..sizes[f]).find(|&e| !used[e] && extreme[f][e].is_none()) {
            return Err(StatsError::Unestimable { facet, index });
        }
    }
    let cand_active = mask(0);
    let raters = Constrained::new(&mask(1), 0);
    let off_d = raters.free();
    let crits = Constrained::new(&mask(2), off_d);
    let off_t = off_d + crits.free();
    let s = off_t + m - 1;
    // Thresholds: τ_h free for h < m, τ_m = −Σ.
    let add_tau = |h: usize, w: f64, out: &mut [f64]| {
        if h < m - 1 {
            out[off_t + h] += w;
        } else {
            for x in &mut out[off_t..off_t + m - 1] {
                *x -= w;
            }
        }
    };

    let mut st = State {
        theta: vec![0.0; size.candidates],
        beta: vec![0.0; size.raters],
        delta: vec![0.0; size.criteria],
        tau: vec![0.0; m],
    };
    let mut red = vec![0.0; s]; // reduced coordinates of β, δ, τ
    let mut p = vec![0.0; m + 1];
    let mut ll = log_likelihood(&active, &st, &mut p);
    let mut iterations = 0;
    let mut max_gradient;
    let nc = size.candidates;
    loop {
        // Gradient g and information A = −Hessian, candidate block diagonal.
        let cum = cumulative(&st.tau);
        let mut g_theta = vec![0.0; nc];
        let mut a_theta = vec![0.0; nc];
        let mut a_ts = vec![0.0; nc * s];
        let mut g_s = vec![0.0; s];
        let mut a_ss = vec![0.0; s * s];
        let mut c = vec![0.0; s];
        let mut gt = vec![0.0; m];
        let mut cov = vec![0.0; m];
        let mut ge_cum = vec![0.0; m + 1];
        let mut tk = vec![0.0; m + 1];
        let mut rc = vec![0.0; s];
        let mut full = vec![0.0; s];
        let mut w_sum = vec![0.0; m * m];
        let n_crit = size.criteria;
        let mut cell_v = vec![0.0; size.raters * n_crit];
        let mut cell_cov = vec![0.0; size.raters * n_crit * m];
        for o in &active {
            probs(st.theta[o.n] - st.beta[o.j] - st.delta[o.i], &cum, &mut p);
            let (e, v) = mean_var(&p);
            // G_h = P(k ≥ h), from the top.
            ge_cum[m] = p[m];
            for k in (0..m).rev() {
                ge_cum[k] = ge_cum[k + 1] + p[k];
            }
            let ge = o.k as f64 - e;
            // Reduced coefficient vector of η restricted to the small block: −β_j − δ_i.
            c.iter_mut().for_each(|x| *x = 0.0);
            raters.add(o.j, -1.0, 0, &mut c);
            crits.add(o.i, -1.0, off_d, &mut c);
            // τ parts: ∂L/∂τ_h = G_h − 1[x ≥ h]; ∂²L/∂η∂τ_h = Cov(k, 1[k ≥ h]);
            // ∂²L/∂τ_h∂τ_g = −(G_max(h,g) − G_h G_g).
            let mut tail_k = 0.0; // Σ_{k≥h} k P_k
            for k in (0..=m).rev() {
                tail_k += k as f64 * p[k];
                tk[k] = tail_k;
            }
            for h in 1..=m {
                gt[h - 1] = ge_cum[h] - if o.k >= h { 1.0 } else { 0.0 };
                cov[h - 1] = tk[h] - e * ge_cum[h];
            }
            g_theta[o.n] += ge;
            a_theta[o.n] += v;
            let row = &mut a_ts[o.n * s..(o.n + 1) * s];
            // A_θS = −H_θS: H_θS = −V c + R'cov (θ coefficient +1).
            for q in 0..off_t {
                row[q] += v * c[q];
            }
            for (h, cv) in cov.iter().enumerate() {
                add_tau(h, -cv, row);
            }
            for q in 0..off_t {
                g_s[q] += ge * c[q];
            }
            for (h, gv) in gt.iter().enumerate() {
                add_tau(h, *gv, &mut g_s);
            }
            // A_SS = V c c' − (c ⊗ R'cov + R'cov ⊗ c) + R'(G_max − G_h G_g)R; c depends only
            // on the (rater, criterion) cell, so V and cov are summed per cell first.
            let cell = o.j * n_crit + o.i;
            cell_v[cell] += v;
            for (x, cv) in cell_cov[cell * m..(cell + 1) * m].iter_mut().zip(&cov) {
                *x += cv;
            }
            for h in 1..=m {
                for g2 in 1..=m {
                    w_sum[(h - 1) * m + g2 - 1] += ge_cum[h.max(g2)] - ge_cum[h] * ge_cum[g2];
                }
            }
        }
        for j in 0..size.raters {
            for i in 0..n_crit {
                let cell = j * n_crit + i;
                if cell_v[cell] == 0.0 {
                    continue;
                }
                let v = cell_v[cell];
                full.iter_mut().for_each(|x| *x = 0.0);
                raters.add(j, -1.0, 0, &mut full);
                crits.add(i, -1.0, off_d, &mut full);
                rc.iter_mut().for_each(|x| *x = 0.0);
                for (h, cv) in cell_cov[cell * m..(cell + 1) * m].iter().enumerate() {
                    add_tau(h, *cv, &mut rc);
                }
                for q1 in 0..s {
                    let (f1, r1) = (full[q1], rc[q1]);
                    if f1 == 0.0 && r1 == 0.0 {
                        continue;
                    }
                    for q2 in 0..s {
                        a_ss[q1 * s + q2] += v * f1 * full[q2] - f1 * rc[q2] - r1 * full[q2];
                    }
                }
            }
        }
        // + R'WR for the threshold block, with W summed over all ratings.
        for h in 0..m {
            let mut rows = vec![0.0; s];
            add_tau(h, 1.0, &mut rows);
            for g2 in 0..m {
                let mut u = vec![0.0; s];
                add_tau(g2, w_sum[h * m + g2], &mut u);
                for q1 in off_t..s {
                    for q2 in off_t..s {
                        a_ss[q1 * s + q2] += rows[q1] * u[q2];
                    }
                }
            }
        }
        // A finite MLE of rating data stays far inside ±MAX_LOGIT; beyond it the estimates
        // are running off to infinity (the data separate) and no tolerance would make them
        // meaningful.
        let facets: [(&'static str, &[f64]); 4] = [
            ("candidate", &st.theta),
            ("rater", &st.beta),
            ("criterion", &st.delta),
            ("threshold", &st.tau),
        ];
        for (facet, values) in facets {
            if let Some((index, &measure)) =
                values.iter().enumerate().find(|(_, x)| x.abs() > MAX_LOGIT)
            {
                return Err(StatsError::Diverged {
                    facet,
                    index,
                    measure,
                    bound: MAX_LOGIT,
                });
            }
        }
        max_gradient = g_theta
            .iter()
            .zip(&cand_active)
            .filter(|(_, a)| **a)
            .map(|(g, _)| g.abs())
            .chain(g_s.iter().map(|g| g.abs()))
            .fold(0.0, f64::max);
        if max_gradient <= options.tolerance {
            // A finite maximum has a well-conditioned information matrix; when estimates run
            // off to infinity along some direction, the information there decays with the
            // gradient and that direction's standard deviation explodes.
            check_finite_maximum(&a_ss, &a_ts, &a_theta, &cand_active, s).map_err(
                |(facet_index, sd)| {
                    let (facet, index) = if facet_index.0 == usize::MAX {
                        ("candidate", facet_index.1)
                    } else if facet_index.1 < off_d {
                        (
                            "rater",
                            raters.active.get(facet_index.1).copied().unwrap_or(0),
                        )
                    } else if facet_index.1 < off_t {
                        (
                            "criterion",
                            crits
                                .active
                                .get(facet_index.1 - off_d)
                                .copied()
                                .unwrap_or(0),
                        )
                    } else {
                        ("threshold", facet_index.1 - off_t)
                    };
                    StatsError::Diverged {
                        facet,
                        index,
                        measure: sd,
                        bound: MAX_SD,
                    }
                },
            )?;
            break;
        }
        if iterations >= options.max_iterations {
            return Err(StatsError::NoConvergence {
                model: "many-facet Rasch model",
                iterations,
                max_gradient,
            });
        }
        iterations += 1;
        // Newton step: eliminate the diagonal candidate block.
        let mut m_s = a_ss;
        let mut rhs = g_s;
        for n in 0..nc {
            if !cand_active[n] {
                continue;
            }
            let row = &a_ts[n * s..(n + 1) * s];
            let inv = 1.0 / a_theta[n];
            for q1 in 0..s {
                if row[q1] == 0.0 {
                    continue;
                }
                rhs[q1] -= row[q1] * inv * g_theta[n];
                for q2 in 0..s {
                    m_s[q1 * s + q2] -= row[q1] * inv * row[q2];
                }
            }
        }
        if s > 0 && cholesky(&mut m_s, s).is_none() {
            return Err(StatsError::NotIdentifiable {
                model: "many-facet Rasch model",
            });
        }
        let mut d_s = rhs;
        if s > 0 {
            cholesky_solve(&m_s, s, &mut d_s);
        }
        let d_theta: Vec<f64> = (0..nc)
            .map(|n| {
                if !cand_active[n] || a_theta[n] <= 0.0 {
                    return 0.0;
                }
                let row = &a_ts[n * s..(n + 1) * s];
                (g_theta[n] - row.iter().zip(&d_s).map(|(a, b)| a * b).sum::<f64>()) / a_theta[n]
            })
            .collect();
        // Step halving: never accept a decrease of the likelihood.
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            let new_red: Vec<f64> = red.iter().zip(&d_s).map(|(r, d)| r + step * d).collect();
            let trial = State {
                theta: st
                    .theta
                    .iter()
                    .zip(&d_theta)
                    .map(|(t, d)| t + step * d)
                    .collect(),
                beta: raters.expand(&new_red[..off_d], size.raters),
                delta: crits.expand(&new_red[off_d..off_t], size.criteria),
                tau: {
                    let mut t = new_red[off_t..].to_vec();
                    t.push(-t.iter().sum::<f64>());
                    t
                },
            };
            let trial_ll = log_likelihood(&active, &trial, &mut p);
            if trial_ll >= ll - 1e-12 * ll.abs().max(1.0) {
                st = trial;
                red = new_red;
                ll = trial_ll;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return Err(StatsError::NoConvergence {
                model: "many-facet Rasch model",
                iterations,
                max_gradient,
            });
        }
    }

    // Extreme elements: each estimated alone, the others fixed, for its adjusted raw score.
    let cum = cumulative(&st.tau);
    for f in 0..3 {
        for e in 0..sizes[f] {
            let Some(kind) = extreme[f].get(e).copied().flatten() else {
                continue;
            };
            let own: Vec<&Obs> = all.iter().filter(|o| facet_of(o, f) == e).collect();
            let target = match kind {
                ExtremeScore::Minimum => options.extreme_adjustment,
                ExtremeScore::Maximum => (m * own.len()) as f64 - options.extreme_adjustment,
            };
            // Candidates enter η with +1, raters and criteria with −1.
            let sign = if f == 0 { 1.0 } else { -1.0 };
            let base: Vec<f64> = own
                .iter()
                .map(|o| {
                    let eta = st.theta[o.n] - st.beta[o.j] - st.delta[o.i];
                    eta - sign * [st.theta[o.n], st.beta[o.j], st.delta[o.i]][f]
                })
                .collect();
            let expected = |x: f64, p: &mut [f64]| -> f64 {
                base.iter()
                    .map(|b| {
                        probs(b + sign * x, &cum, p);
                        mean_var(p).0
                    })
                    .sum()
            };
            // Expected score is monotone in x (increasing for candidates); bisection.
            let (mut lo, mut hi) = (-60.0, 60.0);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                let too_high = (expected(mid, &mut p) > target) == (sign > 0.0);
                if too_high {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            let x = 0.5 * (lo + hi);
            match f {
                0 => st.theta[e] = x,
                1 => st.beta[e] = x,
                _ => st.delta[e] = x,
            }
        }
    }

    // Element statistics over the ratings of non-extreme elements; extreme elements over their
    // own ratings.
    let mean_of = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let means = [mean_of(&st.theta), mean_of(&st.beta), mean_of(&st.delta)];
    let expected_value = |p: &[f64]| -> f64 { p.iter().zip(&values).map(|(q, v)| q * v).sum() };
    let mut elements: Vec<Vec<MfrmElement>> = Vec::with_capacity(3);
    for f in 0..3 {
        let mut acc = vec![(0usize, 0.0, 0.0, 0.0, 0.0, 0.0); sizes[f]];
        for o in &all {
            let e = facet_of(o, f);
            let is_extreme = extreme[f][e].is_some();
            let in_joint = (0..3).all(|g| extreme[g][facet_of(o, g)].is_none());
            if !(is_extreme || in_joint) {
                continue;
            }
            let a = &mut acc[e];
            a.0 += 1;
            a.1 += values[o.k];
            probs(st.theta[o.n] - st.beta[o.j] - st.delta[o.i], &cum, &mut p);
            let (ek, v) = mean_var(&p);
            let r2 = (o.k as f64 - ek).powi(2);
            a.2 += expected_value(&p);
            a.3 += v;
            a.4 += r2;
            a.5 += if v > 0.0 { r2 / v } else { 0.0 };
        }
        let measures = [&st.theta, &st.beta, &st.delta][f];
        let list = (0..sizes[f])
            .map(|e| {
                let (count, raw, exp_raw, info, ssr, sum_z2) = acc[e];
                let eta = match f {
                    0 => measures[e] - means[1] - means[2],
                    1 => means[0] - measures[e] - means[2],
                    _ => means[0] - means[1] - measures[e],
                };
                probs(eta, &cum, &mut p);
                let fit = extreme[f][e].is_none() && info > 0.0;
                MfrmElement {
                    count,
                    observed_raw_score: raw,
                    observed_average: raw / count as f64,
                    expected_raw_score: exp_raw,
                    measure: measures[e],
                    model_se: (info > 0.0).then(|| 1.0 / info.sqrt()),
                    infit_mnsq: fit.then(|| ssr / info),
                    outfit_mnsq: fit.then(|| sum_z2 / count as f64),
                    fair_average: expected_value(&p),
                    extreme: extreme[f][e],
                }
            })
            .collect();
        elements.push(list);
    }
    let mut expected_counts = vec![0.0; m + 1];
    for o in &active {
        probs(st.theta[o.n] - st.beta[o.j] - st.delta[o.i], &cum, &mut p);
        for k in 0..=m {
            expected_counts[k] += p[k];
        }
    }
    let categories = (0..=m)
        .map(|k| MfrmCategory {
            value: values[k],
            observed_count: cat_count[k],
            expected_count: expected_counts[k],
        })
        .collect();
    let criteria = elements.pop().unwrap_or_default();
    let raters_out = elements.pop().unwrap_or_default();
    let candidates = elements.pop().unwrap_or_default();
    Ok(Mfrm {
        candidates,
        raters: raters_out,
        criteria,
        categories,
        thresholds: st.tau,
        log_likelihood: ll,
        n_used: active.len(),
        iterations,
        max_gradient,
    })
}
