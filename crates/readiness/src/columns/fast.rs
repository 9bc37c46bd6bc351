//! The column-wise construction of a [`RatingSet`] for valid input: ids are interned once per
//! distinct value (not once per row), every column is filled in one pass with its final size
//! reserved, and rows already in the set's order (candidate, cycle, rater, criterion) — as
//! survey exports and sorted data frames are — are kept as they are instead of being sorted.
//!
//! Returns `None` at the first problem of any kind (a missing or unknown value, a bad score, a
//! duplicate, a limit): the caller then builds the set row by row, which reports the error
//! exactly as for CSV and JSON input. For valid input the set is the one the row-wise builder
//! makes: the same ids in the same order of first appearance, the same rows in the same order.

use super::{Codes, Factor, IdColumns};
use crate::ratings::{Interner, Limits, RatingSet, Span};
use crate::rubric::Rubric;
use std::collections::HashMap;

/// Marks a code not seen yet (or without an id).
pub(super) const NONE: u32 = u32::MAX;

pub(super) fn rating_set<S: AsRef<str>>(
    ids: &IdColumns<'_, '_, S>,
    scores: &[f64],
    rows: usize,
    rubric: &Rubric,
) -> Option<RatingSet> {
    let limits = Limits::default();
    if rows as u64 > limits.max_ratings || u32::try_from(rows).is_err() {
        return None;
    }
    let max_len = limits.max_id_len;
    let (cand, candidates, cand_rank) = intern(ids.candidate, false, |v| {
        !v.is_empty() && v.len() <= max_len
    })?;
    let (rater, raters, rater_rank) =
        intern(ids.rater, false, |v| !v.is_empty() && v.len() <= max_len)?;
    let (cycle, cycles, cycle_rank) = match ids.cycle {
        Some(f) => intern(f, true, |v| v.len() <= max_len)?,
        None => (Vec::new(), Vec::new(), vec![0]),
    };
    let has_cycle = ids.cycle.is_some();
    let criteria: HashMap<&str, u32> = (0u32..)
        .zip(rubric.criterion_ids())
        .map(|(i, c)| (c, i))
        .collect();
    let groups: HashMap<&str, u16> = (0u16..)
        .zip(rubric.rater_groups.keys())
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let crit = lookup(ids.criterion, |v| criteria.get(v).copied())?;
    let group = lookup(ids.group, |v| groups.get(v).copied())?;
    let score = checked_scores(scores, rubric)?;
    if [
        cand.len(),
        rater.len(),
        crit.len(),
        group.len(),
        score.len(),
    ]
    .iter()
    .any(|&n| n != rows)
        || (has_cycle && cycle.len() != rows)
    {
        return None;
    }

    let order = {
        let cycle_of = |i: usize| if has_cycle { cycle[i] } else { 0 };
        let key = |i: usize| {
            (
                cand_rank[cand[i] as usize],
                cycle_rank[cycle_of(i) as usize],
                rater_rank[rater[i] as usize],
                crit[i],
            )
        };
        let mut sorted = true;
        if rows > 0 {
            let mut prev = key(0);
            for i in 1..rows {
                let k = key(i);
                if k <= prev {
                    sorted = false;
                    break;
                }
                prev = k;
            }
        }
        if sorted {
            None
        } else {
            let mut order: Vec<u32> = (0..rows as u32).collect();
            order.sort_unstable_by_key(|&i| key(i as usize));
            Some(order)
        }
    };
    let mut set = RatingSet {
        candidates: Interner::from_names(candidates),
        raters: Interner::from_names(raters),
        cycles: Interner::from_names(cycles),
        has_cycle,
        cand,
        cycle,
        rater,
        group,
        crit,
        score,
        spans: Vec::new(),
    };
    if let Some(order) = order {
        // One column at a time, so only one copy is alive besides the set.
        set.cand = permute(&set.cand, &order);
        if has_cycle {
            set.cycle = permute(&set.cycle, &order);
        }
        set.rater = permute(&set.rater, &order);
        set.group = permute(&set.group, &order);
        set.crit = permute(&set.crit, &order);
        set.score = permute(&set.score, &order);
    }
    let cycle_of = |i: usize| if has_cycle { set.cycle[i] } else { 0 };
    // In this order a rater's rows of one unit are adjacent: a duplicate or a rater in two
    // groups shows between neighbours. Both are errors the row-wise builder reports.
    let conflict = |i: usize| {
        set.rater[i - 1] == set.rater[i]
            && set.cand[i - 1] == set.cand[i]
            && cycle_of(i - 1) == cycle_of(i)
            && (set.group[i - 1] != set.group[i] || set.crit[i - 1] == set.crit[i])
    };
    if (1..rows).any(conflict) {
        return None;
    }
    let mut start = 0;
    for i in 1..=rows {
        if i == rows || set.cand[i] != set.cand[start] || cycle_of(i) != cycle_of(start) {
            set.spans.push(Span {
                cand: set.cand[start],
                cycle: cycle_of(start),
                start,
                end: i,
            });
            start = i;
        }
    }
    Some(set)
}

/// Calls `f` with every code of `codes`, in row order, collecting what it returns; stops at
/// the first `None`.
fn map_codes<O>(codes: &Codes<'_>, f: impl FnMut(i64) -> Option<O>) -> Option<Vec<O>> {
    fn run<T: Copy + Into<i64>, O>(c: &[T], mut f: impl FnMut(i64) -> Option<O>) -> Option<Vec<O>> {
        let mut out = Vec::with_capacity(c.len());
        for &x in c {
            out.push(f(x.into())?);
        }
        Some(out)
    }
    match codes {
        Codes::I8(c) => run(c, f),
        Codes::I16(c) => run(c, f),
        Codes::I32(c) => run(c, f),
        Codes::I64(c) => run(c, f),
        Codes::Runs(r) => {
            let mut f = f;
            let mut out = Vec::with_capacity(r.len());
            for (end, code) in r.starting_at(0) {
                while out.len() < end {
                    out.push(f(code.into())?);
                }
            }
            Some(out)
        }
    }
}

/// Interns an id column: ids in order of first appearance, the distinct names, and the rank
/// of each id's name in byte order. Equal names under different codes share one id. With
/// `missing_is_empty`, a negative code is the empty name; otherwise it is a problem, as is a
/// name `valid` refuses.
fn intern<S: AsRef<str>>(
    f: &Factor<'_, S>,
    missing_is_empty: bool,
    valid: impl Fn(&str) -> bool,
) -> Option<(Vec<u32>, Vec<String>, Vec<u32>)> {
    let m = f.values.len();
    // Position m stands for the missing value when it counts as the empty name.
    let name = |c: usize| f.values.get(c).map_or("", AsRef::as_ref);
    let n_names = m + usize::from(missing_is_empty);
    let rank = ranks(n_names, name);
    let mut id_of_code = vec![NONE; n_names];
    let mut id_of_rank = vec![NONE; n_names];
    let mut names = Vec::new();
    let mut rank_of_id = Vec::new();
    let ids = map_codes(&f.codes, |code| {
        let c = match usize::try_from(code) {
            Ok(c) if c < m => c,
            Err(_) if missing_is_empty => m,
            _ => return None,
        };
        let id = id_of_code[c];
        if id != NONE {
            return Some(id);
        }
        let r = rank[c];
        let mut id = id_of_rank[r as usize];
        if id == NONE {
            let v = name(c);
            if !valid(v) {
                return None;
            }
            id = u32::try_from(names.len()).ok()?;
            names.push(v.to_string());
            rank_of_id.push(r);
            id_of_rank[r as usize] = id;
        }
        id_of_code[c] = id;
        Some(id)
    })?;
    Some((ids, names, rank_of_id))
}

/// The rank of each of `n` names in byte order (equal names share a rank); the identity, found
/// in one pass, when the names are already strictly increasing.
pub(super) fn ranks<'s>(n: usize, name: impl Fn(usize) -> &'s str) -> Vec<u32> {
    if (1..n).all(|i| name(i - 1) < name(i)) {
        return (0..n as u32).collect();
    }
    let mut idx: Vec<u32> = (0..n as u32).collect();
    idx.sort_unstable_by(|&a, &b| name(a as usize).cmp(name(b as usize)));
    let mut rank = vec![0u32; n];
    let mut r = 0u32;
    for k in 0..idx.len() {
        if k > 0 && name(idx[k - 1] as usize) != name(idx[k] as usize) {
            r += 1;
        }
        rank[idx[k] as usize] = r;
    }
    rank
}

/// A group or criterion column through a per-code table: each distinct value is looked up once.
fn lookup<S: AsRef<str>, T: Copy>(
    f: &Factor<'_, S>,
    find: impl Fn(&str) -> Option<T>,
) -> Option<Vec<T>> {
    let table: Vec<Option<T>> = f.values.iter().map(|v| find(v.as_ref())).collect();
    map_codes(&f.codes, |code| *table.get(usize::try_from(code).ok()?)?)
}

/// The scores as the row-wise builder stores them (NaN = not rated), or `None` when one is
/// not finite, outside the scale or off its step.
fn checked_scores(scores: &[f64], rubric: &Rubric) -> Option<Vec<f64>> {
    let scale = &rubric.scale;
    let (lo, hi) = (scale.min, scale.max);
    let mut out = Vec::with_capacity(scores.len());
    for &x in scores {
        if x.is_nan() {
            out.push(f64::NAN);
            continue;
        }
        if !x.is_finite() || x < lo || x > hi {
            return None;
        }
        if let Some(step) = scale.step {
            // k ≥ 0 here, so k + 0.5 truncated is k rounded (half away from zero, as
            // `f64::round`); a k too large for i64 saturates and is refused, and the row-wise
            // builder then decides with `f64::round`.
            let k = (x - lo) / step;
            if (k - ((k + 0.5) as i64) as f64).abs() > 1e-9 {
                return None;
            }
        }
        // Negative zero and plain zero are the same rating.
        out.push(x + 0.0);
    }
    Some(out)
}

fn permute<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
    order.iter().map(|&i| v[i as usize]).collect()
}
