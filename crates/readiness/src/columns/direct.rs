//! The flat table of a table whose rows are already in the set's order (candidate, cycle,
//! rater, criterion by name) — survey exports and sorted data frames — scored in **one pass**
//! over the borrowed columns, without building the engine's rating columns.
//!
//! Everything that can be done per distinct value is: each id column's codes get a table
//! (code → rank of the name in byte order, or "refused"), group and criterion codes a table of
//! the rubric's indices. The pass reads the codes a block at a time through those tables and,
//! per row, checks the order (a strictly increasing key, which also rules out duplicates), a
//! rater's group against the previous row of the same rater, and the score. Valid rows go into
//! a small batch of a few thousand ratings (reused, so it stays in cache) that is scored as
//! soon as it is full; what the documents need later is kept in 4 bytes per rating (the rater's
//! position in its unit, group, criterion, and the score as an index into the distinct scores
//! seen), not in the 18 of the engine's columns.
//!
//! With the `parallel` feature the rows are split at candidate boundaries into runs scored on
//! rayon's pool; each unit's numbers depend only on its own rows, and the runs are joined in
//! order, so the table is the same with any number of threads.
//!
//! Returns `None` at the first problem of any kind (unsorted rows, a missing or unknown value,
//! a bad score, a duplicate, a limit), when the rubric asks for a rater adjustment (which is
//! estimated over the whole cohort), and beyond what 4 bytes hold (more than 255 raters in a
//! unit, criteria or groups, or distinct scores in a run): the caller then takes the general
//! path, which sorts and reports errors exactly as the row-wise builder does. For valid sorted
//! input the table and the documents are those of the general path (tested in
//! `super::tests`).

use super::fast::{ranks, NONE};
use super::{Codes, Factor, IdColumns};
use crate::ratings::{Interner, Limits, RatingSet, Span};
use crate::scoring::Engine;
use crate::table::Table;
use std::collections::HashMap;

/// Rows read per block: the mapped codes of a block stay in L1.
const BLOCK: usize = 1024;
/// Ratings per scored batch (a batch ends at the first candidate after it is this full).
const BATCH: usize = 8192;
/// Score index of "not rated".
const UNRATED: u8 = u8::MAX;

/// The ratings of one run of units, 4 bytes each, for building documents later.
#[derive(Debug, Clone, Default)]
pub(super) struct Run {
    /// Candidate names, one per candidate of the run.
    names: Vec<String>,
    /// Per unit: index into `names`, cycle id, number of ratings.
    units: Vec<(u32, u32, u32)>,
    /// Per rating: rater position in its unit, group, criterion, score index (`UNRATED`).
    rows: Vec<[u8; 4]>,
    /// The distinct scores of the run, as stored (index = score index).
    scores: Vec<f64>,
}

/// The ratings of a table scored by this path, kept compactly (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Compact {
    pub(super) runs: Vec<Run>,
    cycles: Vec<String>,
    has_cycle: bool,
}

impl Compact {
    /// Number of units.
    pub(super) fn units(&self) -> usize {
        self.runs.iter().map(|r| r.units.len()).sum()
    }

    /// The kept ratings as scoring columns (no per-row candidate column, no rater names), the
    /// set [`super::scoring_set`] makes of the same table up to the ids' numbering.
    pub(super) fn rating_set(&self) -> RatingSet {
        let rows: usize = self.runs.iter().map(|r| r.rows.len()).sum();
        let mut set = RatingSet {
            candidates: Interner::default(),
            raters: Interner::default(),
            cycles: Interner::from_names(self.cycles.clone()),
            has_cycle: self.has_cycle,
            cand: Vec::new(),
            cycle: Vec::new(),
            rater: Vec::with_capacity(rows),
            group: Vec::with_capacity(rows),
            crit: Vec::with_capacity(rows),
            score: Vec::with_capacity(rows),
            spans: Vec::with_capacity(self.units()),
        };
        let mut names = Vec::new();
        let mut rater_base = 0u32;
        let mut at = 0usize;
        for run in &self.runs {
            let name_base = names.len() as u32;
            names.extend(run.names.iter().cloned());
            let mut k = 0usize;
            for &(cand, cycle, n) in &run.units {
                let start = at;
                let mut top = 0u32;
                for r in run.rows.get(k..k + n as usize).unwrap_or_default() {
                    let [rater, group, crit, score] = *r;
                    set.rater.push(rater_base + u32::from(rater));
                    top = top.max(u32::from(rater) + 1);
                    set.group.push(u16::from(group));
                    set.crit.push(u32::from(crit));
                    set.score.push(if score == UNRATED {
                        f64::NAN
                    } else {
                        run.scores
                            .get(usize::from(score))
                            .copied()
                            .unwrap_or(f64::NAN)
                    });
                }
                k += n as usize;
                at += n as usize;
                rater_base += top;
                set.spans.push(Span {
                    cand: name_base + cand,
                    cycle,
                    start,
                    end: at,
                });
            }
        }
        set.candidates = Interner::from_names(names);
        set
    }
}

/// The per-distinct-value tables of a table's columns.
struct Tables<'c, 'a, S: AsRef<str>> {
    ids: &'c IdColumns<'c, 'a, S>,
    scores: &'a [f64],
    cand_rank: Vec<u32>,
    rater_rank: Vec<u32>,
    cycle_rank: Vec<u32>,
    crit_of: Vec<u32>,
    group_of: Vec<u32>,
    check: ScoreCheck,
}

/// What one run gives: its rows of the flat table, its kept ratings, and the keys of its first
/// and last unit (to check the order across runs).
struct Part {
    table: Table,
    run: Run,
    first: Option<u64>,
    last: Option<u64>,
}

pub(super) fn assess<S: AsRef<str> + Sync>(
    ids: &IdColumns<'_, '_, S>,
    scores: &[f64],
    rows: usize,
    engine: &Engine,
) -> Option<(Table, Compact)> {
    let rubric = engine.rubric();
    let limits = Limits::default();
    if !rubric.policy.rater_adjustment.is_none()
        || rows as u64 > limits.max_ratings
        || u32::try_from(rows).is_err()
        || rubric.criterion_ids().count() > usize::from(u8::MAX)
        || rubric.rater_groups.len() > usize::from(u8::MAX)
    {
        return None;
    }
    let lens = [
        ids.candidate.codes.len(),
        ids.rater.codes.len(),
        ids.group.codes.len(),
        ids.criterion.codes.len(),
        scores.len(),
    ];
    if lens.iter().any(|&n| n != rows) || ids.cycle.is_some_and(|c| c.codes.len() != rows) {
        return None;
    }
    let max_len = limits.max_id_len;
    let id_ok = |v: &str| !v.is_empty() && v.len() <= max_len;
    let (cycle_rank, cycle_names) = match ids.cycle {
        Some(f) => {
            let table = rank_table(f, Some(""), |v| v.len() <= max_len);
            let mut names = vec![String::new(); f.values.len() + 1];
            let mut used = 0;
            for (c, &r) in table.iter().enumerate() {
                if r != NONE {
                    names[r as usize] = f.values.get(c).map_or("", AsRef::as_ref).to_string();
                    used = used.max(r as usize + 1);
                }
            }
            names.truncate(used);
            (table, names)
        }
        None => (Vec::new(), Vec::new()),
    };
    let criteria: HashMap<&str, u32> = (0u32..)
        .zip(rubric.criterion_ids())
        .map(|(i, c)| (c, i))
        .collect();
    let groups: HashMap<&str, u32> = (0u32..)
        .zip(rubric.rater_groups.keys())
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let lookup = |f: &Factor<'_, S>, map: &HashMap<&str, u32>| -> Vec<u32> {
        let mut t: Vec<u32> = f
            .values
            .iter()
            .map(|v| map.get(v.as_ref()).copied().unwrap_or(NONE))
            .collect();
        t.push(NONE);
        t
    };
    let t = Tables {
        ids,
        scores,
        cand_rank: rank_table(ids.candidate, None, id_ok),
        rater_rank: rank_table(ids.rater, None, id_ok),
        cycle_rank,
        crit_of: lookup(ids.criterion, &criteria),
        group_of: lookup(ids.group, &groups),
        check: ScoreCheck::new(rubric),
    };

    let bounds = t.runs(rows);
    let parts = map_runs(&bounds, |&(start, end)| t.run(engine, start, end));
    let mut table: Option<Table> = None;
    let mut runs = Vec::with_capacity(parts.len());
    let mut last: Option<u64> = None;
    for part in parts {
        let part = part?;
        if let (Some(a), Some(b)) = (last, part.first) {
            if a >= b {
                return None; // runs out of order
            }
        }
        last = part.last.or(last);
        match &mut table {
            Some(all) => all.append(part.table),
            None => table = Some(part.table),
        }
        runs.push(part.run);
    }
    let table = match table {
        Some(t) => t,
        None => engine.table_rows(&empty_set(ids.cycle.is_some()), &[]),
    };
    Some((
        table,
        Compact {
            runs,
            cycles: cycle_names,
            has_cycle: ids.cycle.is_some(),
        },
    ))
}

/// `f` over `bounds`, in order; on rayon's pool with the `parallel` feature.
fn map_runs<T: Send>(
    bounds: &[(usize, usize)],
    f: impl Fn(&(usize, usize)) -> T + Send + Sync,
) -> Vec<T> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        if bounds.len() > 1 {
            return bounds.par_iter().map(f).collect();
        }
    }
    bounds.iter().map(f).collect()
}

impl<S: AsRef<str> + Sync> Tables<'_, '_, S> {
    /// Row ranges for the runs: one without the `parallel` feature (or with one thread or few
    /// rows), else a few per thread, each starting at a new candidate.
    fn runs(&self, rows: usize) -> Vec<(usize, usize)> {
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        let pieces = {
            let threads = rayon::current_num_threads();
            if threads > 1 && rows >= 4 * BATCH * threads {
                4 * threads
            } else {
                1
            }
        };
        #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
        let pieces = 1;
        let cand = |i: usize| {
            usize::try_from(self.ids.candidate.codes.get(i))
                .ok()
                .and_then(|c| self.cand_rank.get(c))
                .copied()
                .unwrap_or(NONE)
        };
        let mut out = Vec::with_capacity(pieces);
        let mut start = 0;
        for k in 1..pieces {
            let mut cut = (rows * k / pieces).max(start + 1);
            while cut < rows && cand(cut) == cand(cut - 1) && cand(cut) != NONE {
                cut += 1;
            }
            if cut >= rows {
                break;
            }
            out.push((start, cut));
            start = cut;
        }
        out.push((start, rows));
        out
    }

    /// Checks and scores rows `start..end` (whole candidates) in batches.
    fn run(&self, engine: &Engine, start: usize, end: usize) -> Option<Part> {
        let ids = self.ids;
        let mut out = Part {
            table: engine.table_rows(&empty_set(ids.cycle.is_some()), &[]),
            run: Run::default(),
            first: None,
            last: None,
        };
        out.run.rows.reserve_exact(end - start);
        let mut batch = empty_set(ids.cycle.is_some());
        let cap = BATCH + BLOCK;
        batch.rater.reserve(cap);
        batch.group.reserve(cap);
        batch.crit.reserve(cap);
        batch.score.reserve(cap);
        // The batch needs the cycle names for the table: all of them (few).
        if let Some(f) = ids.cycle {
            let mut names = vec![String::new(); f.values.len() + 1];
            for (c, &r) in self.cycle_rank.iter().enumerate() {
                if r != NONE {
                    names[r as usize] = f.values.get(c).map_or("", AsRef::as_ref).to_string();
                }
            }
            batch.cycles = Interner::from_names(names);
        }
        let mut batch_names_from = 0usize;
        let mut dict = ScoreDict::default();
        let (mut cb, mut yb, mut rb, mut gb, mut kb) = (
            [0u32; BLOCK],
            [0u32; BLOCK],
            [0u32; BLOCK],
            [0u32; BLOCK],
            [0u32; BLOCK],
        );
        // Key of the previous row: (candidate rank, cycle rank) and (rater rank, criterion).
        let mut prev: Option<(u64, u64)> = None;
        let mut prev_group = NONE;
        let mut rater_pos = 0u32;
        let mut unit_start = 0usize; // in the batch
        let mut at = start;
        while at < end {
            let stop = (at + BLOCK).min(end);
            let n = stop - at;
            map_block(&ids.candidate.codes, at, &self.cand_rank, &mut cb[..n])?;
            map_block(&ids.rater.codes, at, &self.rater_rank, &mut rb[..n])?;
            map_block(&ids.group.codes, at, &self.group_of, &mut gb[..n])?;
            map_block(&ids.criterion.codes, at, &self.crit_of, &mut kb[..n])?;
            if let Some(f) = ids.cycle {
                map_block(&f.codes, at, &self.cycle_rank, &mut yb[..n])?;
            }
            let block_scores = self.scores.get(at..stop)?;
            for j in 0..n {
                let unit = (u64::from(cb[j]) << 32) | u64::from(yb[j]);
                let within = (u64::from(rb[j]) << 32) | u64::from(kb[j]);
                let group = gb[j];
                match prev {
                    Some((pu, pw)) if pu == unit => {
                        if within <= pw {
                            return None; // unsorted, or a duplicate
                        }
                        if pw >> 32 == within >> 32 {
                            if group != prev_group {
                                return None; // a rater in two groups
                            }
                        } else {
                            rater_pos += 1;
                            if rater_pos > u32::from(u8::MAX) {
                                return None;
                            }
                        }
                    }
                    Some((pu, _)) if pu > unit => return None,
                    _ => {
                        // A new unit: close the previous one.
                        let row = at + j;
                        let new_candidate = prev.is_none_or(|(pu, _)| pu >> 32 != unit >> 32);
                        if prev.is_some() {
                            let len = batch.score.len() - unit_start;
                            close_unit(&mut batch, &mut out.run, unit_start, len)?;
                            unit_start = batch.score.len();
                        }
                        if new_candidate {
                            if batch.score.len() >= BATCH {
                                flush(engine, &mut batch, &mut out, &mut batch_names_from);
                                unit_start = 0;
                            }
                            let code = usize::try_from(ids.candidate.codes.get(row)).ok()?;
                            let name = ids.candidate.values.get(code)?.as_ref().to_string();
                            out.run.names.push(name);
                        }
                        out.first.get_or_insert(unit);
                        // The unit's candidate (last name) and cycle, for `close_unit`.
                        batch.spans.push(Span {
                            cand: u32::try_from(out.run.names.len() - 1).ok()?,
                            cycle: yb[j],
                            start: 0,
                            end: 0,
                        });
                        rater_pos = 0;
                    }
                }
                prev = Some((unit, within));
                prev_group = group;
                let raw = *block_scores.get(j)?;
                let (code, x) = if raw.is_nan() {
                    (UNRATED, f64::NAN)
                } else {
                    dict.code(raw, &self.check)?
                };
                out.run
                    .rows
                    .push([rater_pos as u8, group as u8, kb[j] as u8, code]);
                batch.rater.push(rb[j]);
                batch.group.push(group as u16);
                batch.crit.push(kb[j]);
                batch.score.push(x);
            }
            at = stop;
        }
        if prev.is_some() {
            let len = batch.score.len() - unit_start;
            close_unit(&mut batch, &mut out.run, unit_start, len)?;
            flush(engine, &mut batch, &mut out, &mut batch_names_from);
        }
        out.last = prev.map(|(u, _)| u);
        out.run.scores = dict.values;
        Some(out)
    }
}

/// A set without ratings.
fn empty_set(has_cycle: bool) -> RatingSet {
    RatingSet::empty(has_cycle)
}

/// Completes the last span of `batch` (pushed when its unit began) and records the unit.
fn close_unit(batch: &mut RatingSet, run: &mut Run, start: usize, len: usize) -> Option<()> {
    let span = batch.spans.last_mut()?;
    span.start = start;
    span.end = start + len;
    run.units
        .push((span.cand, span.cycle, u32::try_from(len).ok()?));
    Some(())
}

/// Scores the units of `batch` into `out.table` and empties the batch.
fn flush(engine: &Engine, batch: &mut RatingSet, out: &mut Part, names_from: &mut usize) {
    // Span candidate ids count from the run's first name; the batch holds its own names.
    let base = *names_from as u32;
    for s in &mut batch.spans {
        s.cand -= base;
    }
    batch.candidates = Interner::from_names(
        out.run
            .names
            .get(*names_from..)
            .unwrap_or_default()
            .to_vec(),
    );
    let part = engine.table_rows(batch, &batch.spans);
    out.table.append(part);
    // The last name may begin the next batch's first unit only when no unit was open; all
    // units are closed here, so the next batch starts with a new candidate.
    *names_from = out.run.names.len();
    batch.rater.clear();
    batch.group.clear();
    batch.crit.clear();
    batch.score.clear();
    batch.spans.clear();
}

/// Distinct scores of a run and their indices (at most 255; a small open-addressed table).
/// Each distinct value is checked against the scale once, when first seen.
struct ScoreDict {
    slots: [u8; 512],
    /// Raw bits of each distinct score (as read) and its stored value.
    values: Vec<f64>,
    bits: Vec<u64>,
}

impl Default for ScoreDict {
    fn default() -> Self {
        ScoreDict {
            slots: [UNRATED; 512],
            values: Vec::new(),
            bits: Vec::new(),
        }
    }
}

impl ScoreDict {
    /// The index and stored value of score `x` (not NaN); `None` when `x` fails the scale's
    /// checks or beyond 255 distinct scores.
    #[inline]
    fn code(&mut self, x: f64, check: &ScoreCheck) -> Option<(u8, f64)> {
        // No "same as the previous row" shortcut: scores change from row to row, and the
        // mispredicted branch cost more than the probe, which finds a score in its first slot.
        self.lookup(x, x.to_bits(), check)
    }

    #[inline]
    fn lookup(&mut self, x: f64, bits: u64, check: &ScoreCheck) -> Option<(u8, f64)> {
        let mut i = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 55) as usize;
        loop {
            let c = *self.slots.get(i)?;
            if c == UNRATED {
                return self.insert(i, x, bits, check);
            }
            if self.bits.get(usize::from(c)) == Some(&bits) {
                return Some((c, *self.values.get(usize::from(c))?));
            }
            i = (i + 1) % self.slots.len();
        }
    }

    /// Adds `x` (bits `bits`) at free slot `i`, after checking it.
    #[cold]
    fn insert(&mut self, i: usize, x: f64, bits: u64, check: &ScoreCheck) -> Option<(u8, f64)> {
        if self.values.len() >= usize::from(UNRATED) {
            return None;
        }
        let v = check.score(x)?;
        let c = self.values.len() as u8;
        self.values.push(v);
        self.bits.push(bits);
        *self.slots.get_mut(i)? = c;
        Some((c, v))
    }
}

/// Code → rank of its name in byte order, with one more entry for a missing (negative) code:
/// the rank of `missing` when given, else NONE; names `valid` refuses are NONE too.
fn rank_table<S: AsRef<str>>(
    f: &Factor<'_, S>,
    missing: Option<&str>,
    valid: impl Fn(&str) -> bool,
) -> Vec<u32> {
    let m = f.values.len();
    let name = |c: usize| f.values.get(c).map_or(missing.unwrap_or(""), AsRef::as_ref);
    let n = m + usize::from(missing.is_some());
    let mut rank = ranks(n, name);
    for (c, r) in rank.iter_mut().enumerate() {
        if !valid(name(c)) {
            *r = NONE;
        }
    }
    if missing.is_none() {
        rank.push(NONE);
    }
    rank
}

/// `out[j] = table[code of row start + j]`, a negative code reading the table's last entry;
/// `None` when a code is out of range or maps to NONE.
fn map_block(codes: &Codes<'_>, start: usize, table: &[u32], out: &mut [u32]) -> Option<()> {
    fn run<T: Copy + Into<i64>>(c: &[T], table: &[u32], out: &mut [u32]) -> Option<()> {
        let missing = table.len().checked_sub(1)?;
        let mut bad = false;
        for (o, &x) in out.iter_mut().zip(c) {
            let x: i64 = x.into();
            let i = if x < 0 { missing } else { x as usize };
            let v = *table.get(i)?;
            bad |= v == NONE;
            *o = v;
        }
        (!bad).then_some(())
    }
    let end = start + out.len();
    match codes {
        Codes::I8(c) => run(c.get(start..end)?, table, out),
        Codes::I16(c) => run(c.get(start..end)?, table, out),
        Codes::I32(c) => run(c.get(start..end)?, table, out),
        Codes::I64(c) => run(c.get(start..end)?, table, out),
        Codes::Runs(r) => {
            // One table lookup per run: ids come in runs of tens to hundreds of rows.
            let missing = table.len().checked_sub(1)?;
            let mut at = start;
            for (run_end, code) in r.starting_at(start) {
                if at >= end {
                    break;
                }
                let stop = run_end.min(end);
                let i = usize::try_from(code).unwrap_or(missing);
                let v = *table.get(i)?;
                if v == NONE {
                    return None;
                }
                out.get_mut(at - start..stop - start)?.fill(v);
                at = stop;
            }
            (at == end).then_some(())
        }
    }
}

/// The score checks of `fast::checked_scores`, one value at a time.
struct ScoreCheck {
    lo: f64,
    hi: f64,
    step: Option<f64>,
}

impl ScoreCheck {
    fn new(rubric: &crate::rubric::Rubric) -> ScoreCheck {
        ScoreCheck {
            lo: rubric.scale.min,
            hi: rubric.scale.max,
            step: rubric.scale.step,
        }
    }

    /// The score as stored (NaN = not rated), or `None` when it is not finite, outside the
    /// scale or off its step.
    #[inline]
    fn score(&self, x: f64) -> Option<f64> {
        if x.is_nan() {
            return Some(f64::NAN);
        }
        if !x.is_finite() || x < self.lo || x > self.hi {
            return None;
        }
        if let Some(step) = self.step {
            let k = (x - self.lo) / step;
            if (k - ((k + 0.5) as i64) as f64).abs() > 1e-9 {
                return None;
            }
        }
        Some(x + 0.0)
    }
}
