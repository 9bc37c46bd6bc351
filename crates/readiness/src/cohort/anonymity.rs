//! Anonymity of group breakdowns: withheld breakdowns stay unrecoverable.
//!
//! The engine withholds a rater group's breakdown when fewer than `min_raters` distinct raters
//! of the group rated the dimension. That alone is not enough: the dimension score is a known
//! linear combination of the groups' means (weights from the rubric), and the criterion scores
//! are too, so with every other breakdown shown a reader could solve for the withheld one
//! ("differencing"). [`protect`] closes that gap:
//!
//! 1. For each dimension, the unknowns are the group means m(i,g) of every scoring group g on
//!    every criterion i it rated. What a document shows is a set of linear equations in them:
//!    each criterion score s(i) = Σ w_g m(i,g) / Σ w_g, each shown breakdown
//!    B_g = Σ v_i m(i,g) / Σ v_i, and (with `roll_up`) the combined breakdown of the withheld
//!    groups. The dimension score, the index and the technical score are combinations of the
//!    criterion scores and add nothing.
//! 2. A withheld value is recoverable exactly when its coefficient vector lies in the row space
//!    of those equations (checked by Gram–Schmidt projection). The protected values are each
//!    withheld group's B_g and, while the withheld groups together have fewer raters than the
//!    largest of their `min_raters`, their pooled value (else two single raters could be
//!    recovered as a pair, and each of them knows their own rating).
//!    The groups below their minimum are also protected as one pool while they together have
//!    fewer raters than the largest of their minimums — unless the criterion scores alone
//!    show that pool (criteria rated only by those groups): no withheld breakdown can change
//!    that, so the pool is not a target and the groups' reasons say so.
//! 3. While a protected value is recoverable, one more breakdown is withheld (complementary
//!    suppression): the shown scoring group with the fewest raters, then the lowest weight,
//!    then the last in rubric order — among the groups whose breakdown the criterion scores do
//!    not already show (withholding those changes nothing).
//!
//! With `policy.anonymity = "roll_up"` the withheld scoring groups are merged into
//! `by_group.others` (their pooled value, weighted like the score), shown when they together
//! reach the largest of their `min_raters`.
//!
//! A withheld `self` breakdown (possible when `self.min_raters` > 1) also withholds
//! `self_gap` and the numbers in the self–other flags. When every scoring rater of a dimension
//! is in withheld groups, the dimension score itself is their pooled value; the score is still
//! shown (it is the assessment) and the reason says so. Interval widths are not covered: they
//! are a non-linear function of individual raters' scores, not of group means.

use super::config::{Anonymity, OTHERS};
use crate::assessment::{Assessment, FlagCode};
use crate::ratings::{RatingSet, Span};
use crate::rubric::{Rubric, SELF_GROUP};
use std::collections::HashMap;

/// Applies anonymity protection to assessment documents made from `ratings` with `rubric`
/// (in any order; documents without ratings are left alone). Idempotent.
///
/// # Example
/// ```
/// use readiness::{cohort::anonymity::protect, Engine, RatingSet, Rubric};
/// // One manager, two peers (below the anonymity minimum of 3), three direct reports.
/// let mut csv = String::from("candidate,rater,group,criterion,score\n");
/// for (r, g, s) in [("m", "manager", 4), ("p1", "peer", 2), ("p2", "peer", 3),
///                   ("d1", "direct_report", 5), ("d2", "direct_report", 4), ("d3", "direct_report", 4)] {
///     csv.push_str(&format!("e-1,{r},{g},listens,{s}\n"));
/// }
/// let rubric = Rubric::standard();
/// let set = RatingSet::from_csv_str(&csv, &rubric)?;
/// let mut docs = Engine::new(rubric.clone())?.assess(&set)?;
/// protect(&mut docs, &rubric, &set); // `assess` has done this already; it is idempotent
/// let lead = &docs[0].dimensions[0];
/// // Peers are withheld; so is the manager, or peers = (score − 0.4·m − 0.3·dr)/0.3.
/// assert_eq!(lead.by_group["peer"], None);
/// assert_eq!(lead.by_group["manager"], None);
/// assert!(lead.by_group["direct_report"].is_some());
/// # Ok::<(), readiness::Error>(())
/// ```
pub fn protect(docs: &mut [Assessment], rubric: &Rubric, ratings: &RatingSet) {
    let aligned = docs.len() == ratings.spans.len()
        && docs.iter().zip(&ratings.spans).all(|(d, s)| {
            d.candidate == ratings.candidates.name(s.cand)
                && d.cycle.as_deref().unwrap_or("")
                    == if ratings.has_cycle {
                        ratings.cycles.name(s.cycle)
                    } else {
                        ""
                    }
        });
    let lookup: HashMap<(&str, &str), usize> = if aligned {
        HashMap::new()
    } else {
        ratings
            .spans
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let cyc = if ratings.has_cycle {
                    ratings.cycles.name(s.cycle)
                } else {
                    ""
                };
                ((ratings.candidates.name(s.cand), cyc), k)
            })
            .collect()
    };
    let prep = Prepared::new(rubric);
    // Each document is protected from its own ratings: several at once with `parallel`.
    crate::parallel::for_each_mut(docs, |k, doc| {
        if !doc.dimensions.iter().any(|d| !d.suppressed.is_empty()) {
            return;
        }
        let span = if aligned {
            Some(k)
        } else {
            lookup
                .get(&(doc.candidate.as_str(), doc.cycle.as_deref().unwrap_or("")))
                .copied()
        };
        if let Some(s) = span {
            protect_unit(doc, &prep, rubric, ratings, &ratings.spans[s]);
        }
    });
}

/// The rubric as numbers, by criterion and rater-group index. Boxed slices rather than
/// vectors: indexing them needs no call in the size-optimised WebAssembly build, where
/// `Vec`'s `Index` is not inlined (benches/README.md).
struct Prepared {
    nc: usize,
    ng: usize,
    crit_dim: Box<[usize]>,
    crit_w: Box<[f64]>,
    group_w: Box<[f64]>,
    group_min: Box<[u32]>,
    group_ids: Box<[String]>,
    dims: Box<[Box<[usize]>]>,
    self_group: Option<usize>,
    lo: f64,
    hi: f64,
}

impl Prepared {
    fn new(rubric: &Rubric) -> Prepared {
        let mut crit_dim = Vec::new();
        let mut crit_w = Vec::new();
        let mut dims = Vec::new();
        for (d, dim) in rubric.dimensions.iter().enumerate() {
            let mut cs = Vec::new();
            for c in &dim.criteria {
                cs.push(crit_dim.len());
                crit_dim.push(d);
                crit_w.push(c.weight);
            }
            dims.push(cs.into_boxed_slice());
        }
        Prepared {
            nc: crit_dim.len(),
            ng: rubric.rater_groups.len(),
            crit_dim: crit_dim.into_boxed_slice(),
            crit_w: crit_w.into_boxed_slice(),
            group_w: rubric.rater_groups.values().map(|g| g.weight).collect(),
            group_min: rubric.rater_groups.values().map(|g| g.min_raters).collect(),
            group_ids: rubric.rater_groups.keys().cloned().collect(),
            dims: dims.into_boxed_slice(),
            self_group: rubric.rater_groups.get_index_of(SELF_GROUP),
            lo: rubric.scale.min,
            hi: rubric.scale.max,
        }
    }
}

/// The space spanned by coefficient rows, as an orthonormal basis (modified Gram–Schmidt,
/// each row orthogonalised twice for stability), built once and tested against many vectors.
/// Rows are added in order, so a space extended by more rows is the space of all of them.
#[derive(Clone)]
struct RowSpace {
    /// Numbers per row.
    dim: usize,
    /// The basis vectors, `dim` numbers each, one after another.
    basis: Vec<f64>,
}

impl RowSpace {
    /// The row space of `rows` (`dim` numbers each, one after another).
    fn new(rows: &[f64], dim: usize) -> RowSpace {
        let mut space = RowSpace {
            dim,
            basis: Vec::new(),
        };
        if dim > 0 {
            for r in rows.chunks_exact(dim) {
                space.push(r);
            }
        }
        space
    }

    /// Adds the row `r` (`dim` numbers) to the spanning rows.
    fn push(&mut self, r: &[f64]) {
        let mut v = r.to_vec();
        self.project_out(&mut v);
        let n = norm(&v);
        if n > 1e-10 * norm(r).max(f64::MIN_POSITIVE) {
            for x in v.iter_mut() {
                *x /= n;
            }
            self.basis.extend_from_slice(&v);
        }
    }

    /// `v` minus its projections on the basis vectors, twice. Index loops over slices: they
    /// need no call per number in the size-optimised WebAssembly build (benches/README.md).
    fn project_out(&self, v: &mut [f64]) {
        let (basis, dim) = (&self.basis[..], self.dim);
        for _ in 0..2 {
            let mut start = 0;
            while start < basis.len() {
                let q = &basis[start..start + dim];
                let mut dot = 0.0;
                let mut j = 0;
                while j < dim {
                    dot += v[j] * q[j];
                    j += 1;
                }
                j = 0;
                while j < dim {
                    v[j] -= dot * q[j];
                    j += 1;
                }
                start += dim;
            }
        }
    }

    /// Whether `target` lies in the space (relative tolerance 1e-9).
    fn contains(&self, target: &[f64]) -> bool {
        let t0 = norm(target);
        if t0 == 0.0 {
            return true;
        }
        let mut t = target.to_vec();
        self.project_out(&mut t);
        norm(&t) <= 1e-9 * t0
    }
}

/// Euclidean norm.
fn norm(v: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut j = 0;
    while j < v.len() {
        sum += v[j] * v[j];
        j += 1;
    }
    sum.sqrt()
}

fn protect_unit(doc: &mut Assessment, p: &Prepared, rubric: &Rubric, set: &RatingSet, span: &Span) {
    let (nc, ng) = (p.nc, p.ng);
    let nd = p.dims.len();
    let (mut gsum_v, mut gcnt_v) = (vec![0.0; ng * nc], vec![0u32; ng * nc]);
    let (mut raters_v, mut touched_v) = (vec![0u32; ng * nd], vec![false; nd]);
    // Slices, not vectors, in the loops (see `Prepared`).
    let (gsum, gcnt): (&mut [f64], &mut [u32]) = (&mut gsum_v, &mut gcnt_v);
    let (raters, touched): (&mut [u32], &mut [bool]) = (&mut raters_v, &mut touched_v);
    let (rater, group, score, crit): (&[u32], &[u16], &[f64], &[u32]) =
        (&set.rater, &set.group, &set.score, &set.crit);
    let mut i = span.start;
    while i < span.end {
        let r = rater[i];
        let g = usize::from(group[i]);
        touched.fill(false);
        while i < span.end && rater[i] == r {
            let x = score[i];
            if !x.is_nan() {
                let c = crit[i] as usize;
                gsum[g * nc + c] += x;
                gcnt[g * nc + c] += 1;
                touched[p.crit_dim[c]] = true;
            }
            i += 1;
        }
        for d in 0..nd {
            if touched[d] {
                raters[g * nd + d] += 1;
            }
        }
    }
    let (gsum, gcnt, raters): (&[f64], &[u32], &[u32]) = (gsum, gcnt, raters);
    let roll_up = rubric.policy.anonymity == Anonymity::RollUp;
    let norm = |x: f64| 100.0 * (x - p.lo) / (p.hi - p.lo);
    for d in 0..nd {
        let Some(ds) = doc
            .dimensions
            .iter_mut()
            .find(|x| x.id == rubric.dimensions[d].id)
        else {
            continue;
        };
        let cs = &p.dims[d];
        let rated = |g: usize| cs.iter().any(|&c| gcnt[g * nc + c] > 0);
        let n_of = |g: usize| raters[g * nd + d];
        // Weight-0 groups (self): withheld breakdown also withholds the self gap.
        for g in 0..ng {
            if p.group_w[g] == 0.0
                && rated(g)
                && n_of(g) < p.group_min[g]
                && Some(g) == p.self_group
            {
                ds.self_gap = None;
                for f in doc.flags.iter_mut() {
                    if f.dimension.as_deref() == Some(ds.id.as_str()) {
                        let dir = match f.code {
                            FlagCode::BlindSpot => "above",
                            FlagCode::HiddenStrength => "below",
                            _ => continue,
                        };
                        f.message = format!(
                            "self rates {} at least {} scale points {dir} the others (numbers withheld: the self breakdown is below its anonymity minimum)",
                            ds.id, rubric.policy.self_other_gap
                        );
                    }
                }
            }
        }
        let scoring: Vec<usize> = (0..ng)
            .filter(|&g| p.group_w[g] > 0.0 && rated(g))
            .collect();
        let below: Vec<usize> = scoring
            .iter()
            .copied()
            .filter(|&g| n_of(g) < p.group_min[g])
            .collect();
        if below.is_empty() {
            continue;
        }
        // Unknowns m(i,g): `var_of[ci * ng + g]` is the index of criterion `cs[ci]`'s mean in
        // group g, or `NONE`.
        const NONE: usize = usize::MAX;
        let mut var_of_v = vec![NONE; cs.len() * ng];
        let mut nv = 0;
        for (ci, &c) in cs.iter().enumerate() {
            for &g in &scoring {
                if gcnt[g * nc + c] > 0 {
                    var_of_v[ci * ng + g] = nv;
                    nv += 1;
                }
            }
        }
        let var_of: &[usize] = &var_of_v;
        // The summed weight of the groups of `set_g` that rated criterion c.
        let weight_of = |set_g: &[usize], c: usize| {
            let mut wc = 0.0;
            for &g in set_g {
                if gcnt[g * nc + c] > 0 {
                    wc += p.group_w[g];
                }
            }
            wc
        };
        // Coefficients of the pooled value of a set of groups (the score restricted to them).
        let pooled = |set_g: &[usize]| -> Vec<f64> {
            let mut row = vec![0.0; nv];
            let mut vsum = 0.0;
            for &c in cs.iter() {
                if weight_of(set_g, c) > 0.0 {
                    vsum += p.crit_w[c];
                }
            }
            for (ci, &c) in cs.iter().enumerate() {
                let wc = weight_of(set_g, c);
                if wc > 0.0 {
                    for &g in set_g {
                        let k = var_of[ci * ng + g];
                        if k != NONE {
                            row[k] = p.crit_w[c] / vsum * p.group_w[g] / wc;
                        }
                    }
                }
            }
            row
        };
        let pooled_value = |set_g: &[usize]| -> Option<f64> {
            let (mut num, mut den) = (0.0, 0.0);
            for &c in cs {
                let (mut s, mut w) = (0.0, 0.0);
                for &g in set_g {
                    let n = gcnt[g * nc + c];
                    if n > 0 {
                        s += p.group_w[g] * gsum[g * nc + c] / f64::from(n);
                        w += p.group_w[g];
                    }
                }
                if w > 0.0 {
                    num += p.crit_w[c] * s / w;
                    den += p.crit_w[c];
                }
            }
            (den > 0.0).then(|| num / den)
        };
        let big_enough = |set_g: &[usize]| {
            let n: u32 = set_g.iter().map(|&g| n_of(g)).sum();
            let need = set_g.iter().map(|&g| p.group_min[g]).max().unwrap_or(0);
            n >= need
        };
        // The criterion scores' coefficient rows, `nv` numbers each, one after another.
        let mut crit_rows: Vec<f64> = Vec::new();
        for (ci, &c) in cs.iter().enumerate() {
            if !scoring.iter().any(|&g| gcnt[g * nc + c] > 0) {
                continue;
            }
            let wc = weight_of(&scoring, c);
            let at = crit_rows.len();
            crit_rows.resize(at + nv, 0.0);
            for &g in &scoring {
                let k = var_of[ci * ng + g];
                if k != NONE {
                    crit_rows[at + k] = p.group_w[g] / wc;
                }
            }
        }
        let crit_space = RowSpace::new(&crit_rows, nv);
        // The groups below their minimum as a pool (two single raters, each knowing their own
        // rating): protected like the withheld groups' pooled value, unless the criterion
        // scores alone already show it (criteria rated only by these groups), which no
        // withheld breakdown can change; the reason then says so.
        let pool_below = (below.len() >= 2 && !big_enough(&below)).then(|| pooled(&below));
        let pool_shown_by_scores = pool_below.as_ref().is_some_and(|t| crit_space.contains(t));
        let pool_below = pool_below.filter(|_| !pool_shown_by_scores);
        let mut hidden: Vec<usize> = below.clone();
        let mut complementary: Vec<usize> = Vec::new();
        let mut unresolved = false;
        loop {
            let others_shown = roll_up && big_enough(&hidden);
            // What the document shows: the criterion scores, the shown breakdowns and (rolled
            // up) the withheld groups' pooled value.
            let mut shown = crit_space.clone();
            for &g in &scoring {
                if !hidden.contains(&g) {
                    shown.push(&pooled(&[g]));
                }
            }
            if others_shown {
                shown.push(&pooled(&hidden));
            }
            let mut targets: Vec<Vec<f64>> = below.iter().map(|&g| pooled(&[g])).collect();
            if !big_enough(&hidden) {
                let pool = pooled(&hidden);
                if !crit_space.contains(&pool) {
                    targets.push(pool);
                }
            }
            targets.extend(pool_below.iter().cloned());
            if !targets.iter().any(|t| shown.contains(t)) {
                break;
            }
            // A group whose breakdown the criterion scores already show (it alone rated its
            // criteria) adds nothing to what can be solved for: withholding it cannot help.
            let next = scoring
                .iter()
                .copied()
                .filter(|g| !hidden.contains(g) && !crit_space.contains(&pooled(&[*g])))
                .min_by(|&a, &b| {
                    n_of(a)
                        .cmp(&n_of(b))
                        .then(p.group_w[a].total_cmp(&p.group_w[b]))
                        .then(b.cmp(&a))
                });
            match next {
                Some(g) => {
                    hidden.push(g);
                    complementary.push(g);
                }
                None => {
                    unresolved = true;
                    break;
                }
            }
        }
        // Every scoring group withheld and together too few: the dimension score is their
        // pooled value (shown, as the assessment; the reasons say so).
        unresolved |= hidden.len() == scoring.len() && !big_enough(&hidden);
        crate::sort::sort_stable_by(&mut hidden, |a, b| a.cmp(b));
        let others_shown = roll_up && big_enough(&hidden);
        for &g in &hidden {
            let id = &p.group_ids[g];
            let n = n_of(g);
            let mut reason = if complementary.contains(&g) {
                "withheld so that a withheld breakdown cannot be recovered from the dimension score and the shown breakdowns (complementary suppression)".to_string()
            } else {
                format!(
                    "{n} rater{} < {} (anonymity minimum)",
                    if n == 1 { "" } else { "s" },
                    p.group_min[g]
                )
            };
            if roll_up {
                reason.push_str(if others_shown {
                    "; rolled up into others"
                } else {
                    "; too few raters to roll up into others"
                });
            }
            if unresolved {
                reason.push_str("; the dimension score itself rests only on withheld groups");
            } else if pool_shown_by_scores && below.contains(&g) {
                reason.push_str(
                    "; the criterion scores rated only by the groups below their minimum show their pooled value",
                );
            }
            ds.by_group.insert(id.clone(), None);
            ds.suppressed.insert(id.clone(), reason);
        }
        if roll_up {
            if others_shown {
                ds.by_group
                    .insert(OTHERS.into(), pooled_value(&hidden).map(norm));
                ds.suppressed.shift_remove(OTHERS);
            } else {
                let n: u32 = hidden.iter().map(|&g| n_of(g)).sum();
                let need = hidden.iter().map(|&g| p.group_min[g]).max().unwrap_or(0);
                ds.by_group.insert(OTHERS.into(), None);
                ds.suppressed.insert(
                    OTHERS.into(),
                    format!(
                        "{n} rater{} < {need} (anonymity minimum of the merged groups)",
                        if n == 1 { "" } else { "s" }
                    ),
                );
            }
        }
    }
}
