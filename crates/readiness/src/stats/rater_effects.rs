//! Rater leniency and severity by the additive model
//! `score = μ + α_candidate + ρ_rater + γ_criterion + ε`, fitted by least squares with
//! sum-to-zero effects (`Σ α = Σ ρ = Σ γ = 0`) on the observed ratings only.
//!
//! Missing cells are allowed: the fit uses whatever ratings exist, and the candidate's adjusted
//! mean `μ + α` is its predicted score for an average rater on an average criterion. The design
//! must be connected: candidates, raters and criteria that are never linked through common
//! ratings cannot be put on one scale, and the fit names the disconnected subsets
//! ([`StatsError::Disconnected`]) instead of returning meaningless effects.
//!
//! The fit solves the normal equations with the candidate block eliminated first (it is
//! diagonal when each candidate has its own level `θ = μ + α`), so the cost is linear in the
//! number of candidates. Standard errors are the usual OLS ones, `σ̂²(X'X)⁻¹` with
//! `σ̂² = SSE / (n − rank)`, carried over to the sum-to-zero effects.

use super::error::{Result, StatsError};

/// One rating in long format: who was rated, by whom, on what, and the score.
#[derive(
    Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Rating {
    /// Candidate index, `0..n_candidates`.
    pub candidate: usize,
    /// Rater index, `0..n_raters` (for a nested 360 design: the rater *group*).
    pub rater: usize,
    /// Criterion index, `0..n_criteria`.
    pub criterion: usize,
    /// The score given.
    pub score: f64,
}

impl Rating {
    /// A rating of `candidate` by `rater` on `criterion`.
    ///
    /// # Example
    /// ```
    /// let r = readiness::stats::rater_effects::Rating::new(0, 1, 2, 3.0);
    /// assert_eq!(r.rater, 1);
    /// ```
    pub fn new(candidate: usize, rater: usize, criterion: usize, score: f64) -> Self {
        Rating {
            candidate,
            rater,
            criterion,
            score,
        }
    }
}

/// Elements of the design that are linked to each other but to nothing outside.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ElementSubset {
    /// Candidate indices in the subset (empty when the disconnection is between other facets).
    pub candidates: Vec<usize>,
    /// Rater indices in the subset.
    pub raters: Vec<usize>,
    /// Criterion indices in the subset.
    pub criteria: Vec<usize>,
}

/// Number of elements per facet of a checked design.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct DesignSize {
    /// Number of candidates (largest index + 1).
    pub candidates: usize,
    /// Number of raters.
    pub raters: usize,
    /// Number of criteria.
    pub criteria: usize,
}

/// An estimated effect with its standard error.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Effect {
    /// Number of ratings that involve the element.
    pub count: usize,
    /// The estimate.
    pub estimate: f64,
    /// OLS standard error; `None` when there are no residual degrees of freedom.
    pub se: Option<f64>,
}

/// The fitted additive model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AdditiveEffects {
    /// Number of ratings used.
    pub n_obs: usize,
    /// Facet sizes.
    pub size: DesignSize,
    /// `μ`, the mean of the candidates' adjusted means (the effect-coded intercept).
    pub intercept: Effect,
    /// `α` per candidate (sum zero).
    pub candidate_effects: Vec<Effect>,
    /// `μ + α` per candidate: the predicted score for an average rater on an average criterion.
    pub candidate_adjusted_means: Vec<Effect>,
    /// `ρ` per rater (sum zero): positive is lenient, negative severe.
    pub rater_leniency: Vec<Effect>,
    /// `γ` per criterion (sum zero): positive means the criterion draws higher scores.
    pub criterion_effects: Vec<Effect>,
    /// Residual degrees of freedom `n − (candidates + raters + criteria − 2)`.
    pub residual_df: usize,
    /// Residual mean square `SSE / residual_df`; `None` when `residual_df` is 0.
    pub residual_mse: Option<f64>,
    /// Each input rating with its rater's leniency removed (`score − ρ_rater`), in input order.
    pub adjusted_ratings: Vec<f64>,
}

impl AdditiveEffects {
    /// Rater severity, the negative of leniency (`−ρ`), per rater.
    ///
    /// # Example
    /// ```
    /// use readiness::stats::rater_effects::{additive_effects, Rating};
    /// let ratings = [
    ///     Rating::new(0, 0, 0, 3.0), Rating::new(0, 1, 0, 4.0),
    ///     Rating::new(1, 0, 0, 2.0), Rating::new(1, 1, 0, 3.0),
    /// ];
    /// let fit = additive_effects(&ratings)?;
    /// assert!((fit.rater_severity()[0] - 0.5).abs() < 1e-12);
    /// # Ok::<(), readiness::stats::error::StatsError>(())
    /// ```
    pub fn rater_severity(&self) -> Vec<f64> {
        self.rater_leniency.iter().map(|e| -e.estimate).collect()
    }
}

/// A facet's name, size and index accessor.
type FacetGetter = (&'static str, usize, fn(&Rating) -> usize);

/// Union-find over `n` nodes.
struct Components(Vec<usize>);

impl Components {
    fn new(n: usize) -> Self {
        Components((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Checks a long-format design: finite scores, every element index in use, and each pair of
/// facets (candidate–rater, candidate–criterion, rater–criterion) connected through ratings.
///
/// A disconnected pair makes the additive and Rasch models unidentifiable: one subset could
/// be shifted up and its partner facet down without changing any fit.
///
/// # Errors
/// [`StatsError::TooFew`] without ratings, [`StatsError::NonFinite`] for a NaN or infinite
/// score, [`StatsError::OutOfRange`] for a score beyond
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE), [`StatsError::EmptyElement`] for an index below the largest that has no rating,
/// [`StatsError::Disconnected`] naming the subsets.
///
/// # Example
/// ```
/// use readiness::stats::{error::StatsError, rater_effects::{check_design, Rating}};
/// // Candidate 0 rated only by rater 0, candidate 1 only by rater 1: two subsets.
/// let ratings = [Rating::new(0, 0, 0, 3.0), Rating::new(1, 1, 0, 4.0)];
/// let err = check_design(&ratings).unwrap_err();
/// assert_eq!(err.code(), "disconnected");
/// ```
pub fn check_design(ratings: &[Rating]) -> Result<DesignSize> {
    if ratings.is_empty() {
        return Err(StatsError::TooFew {
            what: "ratings",
            min: 1,
            found: 0,
        });
    }
    for (i, r) in ratings.iter().enumerate() {
        super::error::check_value("score", i, r.score)?;
    }
    // Indices must be dense, so none can reach the number of ratings; checking that first
    // also keeps a huge index from sizing an allocation.
    for (name, get) in [
        (
            "candidate",
            (|r: &Rating| r.candidate) as fn(&Rating) -> usize,
        ),
        ("rater", |r: &Rating| r.rater),
        ("criterion", |r: &Rating| r.criterion),
    ] {
        if ratings.iter().any(|r| get(r) >= ratings.len()) {
            let mut seen = vec![false; ratings.len() + 1];
            for r in ratings {
                if let Some(s) = seen.get_mut(get(r)) {
                    *s = true;
                }
            }
            let index = seen.iter().position(|s| !s).unwrap_or(ratings.len());
            return Err(StatsError::EmptyElement { facet: name, index });
        }
    }
    let size = DesignSize {
        candidates: ratings
            .iter()
            .map(|r| r.candidate)
            .max()
            .map_or(0, |m| m + 1),
        raters: ratings.iter().map(|r| r.rater).max().map_or(0, |m| m + 1),
        criteria: ratings
            .iter()
            .map(|r| r.criterion)
            .max()
            .map_or(0, |m| m + 1),
    };
    let facets: [FacetGetter; 3] = [
        ("candidate", size.candidates, |r| r.candidate),
        ("rater", size.raters, |r| r.rater),
        ("criterion", size.criteria, |r| r.criterion),
    ];
    for (name, n, get) in facets {
        let mut seen = vec![false; n];
        for r in ratings {
            seen[get(r)] = true;
        }
        if let Some(index) = seen.iter().position(|s| !s) {
            return Err(StatsError::EmptyElement { facet: name, index });
        }
    }
    for (x, y) in [(0usize, 1usize), (0, 2), (1, 2)] {
        let (nx, gx) = (facets[x].1, facets[x].2);
        let (ny, gy) = (facets[y].1, facets[y].2);
        let mut comp = Components::new(nx + ny);
        for r in ratings {
            comp.union(gx(r), nx + gy(r));
        }
        let roots: Vec<usize> = (0..nx + ny).map(|i| comp.find(i)).collect();
        let mut distinct: Vec<usize> = roots.clone();
        crate::sort::sort_stable_by(&mut distinct, |a, b| a.cmp(b));
        distinct.dedup();
        if distinct.len() > 1 {
            let subsets = distinct
                .iter()
                .map(|&root| {
                    let mut lists: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
                    for (i, r) in roots.iter().enumerate() {
                        if *r == root {
                            if i < nx {
                                lists[x].push(i);
                            } else {
                                lists[y].push(i - nx);
                            }
                        }
                    }
                    let [candidates, raters, criteria] = lists;
                    ElementSubset {
                        candidates,
                        raters,
                        criteria,
                    }
                })
                .collect();
            return Err(StatsError::Disconnected {
                facets: match (x, y) {
                    (0, 1) => "candidate-rater",
                    (0, 2) => "candidate-criterion",
                    _ => "rater-criterion",
                },
                subsets,
            });
        }
    }
    Ok(size)
}

/// In-place Cholesky factorisation of a symmetric positive-definite `n×n` matrix (row-major);
/// `None` when a pivot is not clearly positive (the matrix is singular).
pub(crate) fn cholesky(a: &mut [f64], n: usize) -> Option<()> {
    let scale = (0..n)
        .map(|i| a[i * n + i].abs())
        .fold(0.0, f64::max)
        .max(1.0);
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 1e-10 * scale {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    Some(())
}

/// Solves `L Lᵀ x = b` given the factor from [`cholesky`].
pub(crate) fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// The inverse of the matrix factored by [`cholesky`].
pub(crate) fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    let mut col = vec![0.0; n];
    for j in 0..n {
        col.iter_mut().for_each(|c| *c = 0.0);
        col[j] = 1.0;
        cholesky_solve(l, n, &mut col);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    inv
}

/// Coordinates of one rating in the reduced sum-to-zero parametrisation of raters and
/// criteria: the last element of a facet is minus the sum of the others.
fn reduced_row(r: &Rating, size: DesignSize) -> Vec<(usize, f64)> {
    let jr = size.raters - 1;
    let ic = size.criteria - 1;
    let mut row = Vec::new();
    if r.rater < jr {
        row.push((r.rater, 1.0));
    } else {
        row.extend((0..jr).map(|j| (j, -1.0)));
    }
    if r.criterion < ic {
        row.push((jr + r.criterion, 1.0));
    } else {
        row.extend((0..ic).map(|i| (jr + i, -1.0)));
    }
    row
}

/// Fits the additive model `score = μ + α_candidate + ρ_rater + γ_criterion + ε` by least
/// squares with sum-to-zero effects, on whatever ratings exist (missing cells allowed).
///
/// Gives each effect with its OLS standard error, the candidates' adjusted means `μ + α`, the
/// residual mean square, and every rating with its rater's leniency removed.
///
/// # Errors
/// Those of [`check_design`] (empty input, non-finite score, unused index, disconnected
/// design), and [`StatsError::NotIdentifiable`] when the connected design is still
/// rank-deficient.
///
/// # Example
/// ```
/// use readiness::stats::rater_effects::{additive_effects, Rating};
/// // Rater 1 scores everyone one point higher than rater 0.
/// let ratings = [
///     Rating::new(0, 0, 0, 2.0), Rating::new(0, 1, 0, 3.0),
///     Rating::new(1, 0, 0, 4.0), Rating::new(1, 1, 0, 5.0),
///     Rating::new(2, 1, 0, 4.0),
/// ];
/// let fit = additive_effects(&ratings)?;
/// assert!((fit.rater_leniency[1].estimate - 0.5).abs() < 1e-12);
/// // Candidate 2 was only seen by the lenient rater: adjusted down to 3.5.
/// assert!((fit.candidate_adjusted_means[2].estimate - 3.5).abs() < 1e-12);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn additive_effects(ratings: &[Rating]) -> Result<AdditiveEffects> {
    let size = check_design(ratings)?;
    let nc = size.candidates;
    let jr = size.raters - 1;
    let s = jr + size.criteria - 1;

    // Normal equations with θ_n = μ + α_n as the candidate parameters:
    // [D  B][θ]   [X_θ'y]
    // [B' S][β] = [X_S'y], D diagonal (counts).
    let mut d = vec![0.0; nc];
    let mut xty = vec![0.0; nc];
    let mut b = vec![0.0; nc * s];
    let mut ss = vec![0.0; s * s];
    let mut xsy = vec![0.0; s];
    let mut counts = [
        vec![0usize; nc],
        vec![0usize; size.raters],
        vec![0usize; size.criteria],
    ];
    for r in ratings {
        counts[0][r.candidate] += 1;
        counts[1][r.rater] += 1;
        counts[2][r.criterion] += 1;
        d[r.candidate] += 1.0;
        xty[r.candidate] += r.score;
        let row = reduced_row(r, size);
        for &(p, v) in &row {
            b[r.candidate * s + p] += v;
            xsy[p] += v * r.score;
            for &(q, w) in &row {
                ss[p * s + q] += v * w;
            }
        }
    }
    // Schur complement M = S − B'D⁻¹B and right-hand side X_S'y − B'D⁻¹X_θ'y.
    let mut m = ss;
    let mut rhs = xsy;
    for n in 0..nc {
        let bn = &b[n * s..(n + 1) * s];
        for p in 0..s {
            if bn[p] == 0.0 {
                continue;
            }
            rhs[p] -= bn[p] * xty[n] / d[n];
            for q in 0..s {
                m[p * s + q] -= bn[p] * bn[q] / d[n];
            }
        }
    }
    let mut l = m;
    if s > 0 && cholesky(&mut l, s).is_none() {
        return Err(StatsError::NotIdentifiable {
            model: "additive rater effects",
        });
    }
    let mut beta = rhs;
    if s > 0 {
        cholesky_solve(&l, s, &mut beta);
    }
    let minv = if s > 0 {
        cholesky_inverse(&l, s)
    } else {
        Vec::new()
    };
    let theta: Vec<f64> = (0..nc)
        .map(|n| {
            let bn = &b[n * s..(n + 1) * s];
            (xty[n] - bn.iter().zip(&beta).map(|(x, y)| x * y).sum::<f64>()) / d[n]
        })
        .collect();
    let full = |reduced: &[f64], len: usize| -> Vec<f64> {
        let mut v = reduced.to_vec();
        v.push(-reduced.iter().sum::<f64>());
        v.truncate(len);
        v
    };
    let rater_eff = full(&beta[..jr], size.raters);
    let crit_eff = full(&beta[jr..], size.criteria);

    let mut sse = 0.0;
    for r in ratings {
        let fit = theta[r.candidate] + rater_eff[r.rater] + crit_eff[r.criterion];
        sse += (r.score - fit).powi(2);
    }
    let rank = nc + s;
    let residual_df = ratings.len().saturating_sub(rank);
    let sigma2 = (residual_df > 0).then(|| sse / residual_df as f64);

    // Covariances (in units of σ²): Var(β) = M⁻¹; with w_n = B_n / d_n,
    // Var(θ) = D⁻¹ + W M⁻¹ W', Cov(θ, β) = −W M⁻¹.
    let quad = |u: &[f64], v: &[f64]| -> f64 {
        let mut acc = 0.0;
        for p in 0..s {
            if u[p] == 0.0 {
                continue;
            }
            for q in 0..s {
                acc += u[p] * minv[p * s + q] * v[q];
            }
        }
        acc
    };
    let w: Vec<Vec<f64>> = (0..nc)
        .map(|n| b[n * s..(n + 1) * s].iter().map(|x| x / d[n]).collect())
        .collect();
    let wbar: Vec<f64> = (0..s)
        .map(|p| w.iter().map(|wn| wn[p]).sum::<f64>() / nc as f64)
        .collect();
    let ncf = nc as f64;
    let inv_d_sum: f64 = d.iter().map(|x| 1.0 / x).sum();
    let var_mean = inv_d_sum / (ncf * ncf) + quad(&wbar, &wbar);
    let mu = theta.iter().sum::<f64>() / ncf;
    let se = |v: f64| sigma2.map(|s2| (s2 * v.max(0.0)).sqrt());

    let mut candidate_adjusted_means = Vec::with_capacity(nc);
    let mut candidate_effects = Vec::with_capacity(nc);
    for n in 0..nc {
        let var_theta = 1.0 / d[n] + quad(&w[n], &w[n]);
        let cov_theta_mean = 1.0 / (d[n] * ncf) + quad(&w[n], &wbar);
        candidate_adjusted_means.push(Effect {
            count: counts[0][n],
            estimate: theta[n],
            se: se(var_theta),
        });
        candidate_effects.push(Effect {
            count: counts[0][n],
            estimate: theta[n] - mu,
            se: se(var_theta - 2.0 * cov_theta_mean + var_mean),
        });
    }
    // Effect k of a facet whose reduced coordinates start at `offset` with `len` free ones:
    // the contrast vector is e_k, or −1 on all free ones for the last element.
    let facet_effects = |est: &[f64], offset: usize, len: usize, cnt: &[usize]| -> Vec<Effect> {
        (0..=len)
            .map(|k| {
                let mut a = vec![0.0; s];
                if k < len {
                    a[offset + k] = 1.0;
                } else {
                    a[offset..offset + len].iter_mut().for_each(|x| *x = -1.0);
                }
                Effect {
                    count: cnt[k],
                    estimate: est[k],
                    se: se(quad(&a, &a)),
                }
            })
            .collect()
    };
    let rater_leniency = facet_effects(&rater_eff, 0, jr, &counts[1]);
    let criterion_effects = facet_effects(&crit_eff, jr, size.criteria - 1, &counts[2]);
    let adjusted_ratings = ratings
        .iter()
        .map(|r| r.score - rater_eff[r.rater])
        .collect();
    Ok(AdditiveEffects {
        n_obs: ratings.len(),
        size,
        intercept: Effect {
            count: ratings.len(),
            estimate: mu,
            se: se(var_mean),
        },
        candidate_effects,
        candidate_adjusted_means,
        rater_leniency,
        criterion_effects,
        residual_df,
        residual_mse: sigma2,
        adjusted_ratings,
    })
}
