//! Krippendorff's alpha for any number of coders, missing data, and nominal, ordinal, interval
//! or ratio metrics (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").
//!
//! Input orientation: rows are coders (raters), columns are units; `None` is a missing value.
//!
//! - Coincidences: for each unit u with `m_u ≥ 2` values,
//!   `o_ck += (number of ordered pairs of values (c, k) from different coders) / (m_u − 1)`.
//! - Marginals `n_c = Σ_k o_ck`, `n = Σ_c n_c` (the number of pairable values).
//! - `α = 1 − D_o / D_e` with `D_o = Σ o_ck δ²_ck / n` and
//!   `D_e = Σ n_c n_k δ²_ck / (n (n − 1))`.
//! - Metrics δ²: nominal `[c ≠ k]`; ordinal `(Σ_{g=c..k} n_g − (n_c + n_k)/2)²` over the
//!   ordered value domain; interval `(c − k)²`; ratio `((c − k)/(c + k))²`.
//!
//! α is undefined (`None`) when no unit has two values, or when `D_e = 0` (a single value in
//! the domain actually used).

/// Domains up to this many distinct values are counted in a dense unit × value table.
const DENSE_DOMAIN: usize = 64;

/// Largest value domain: the coincidence matrix of the result has one row and one column per
/// value, so 4,096 values are 16.8 million entries (128 MiB); continuous data with more distinct
/// values are refused with [`StatsError::TooLarge`] instead of exhausting memory.
pub const MAX_DOMAIN: usize = 4096;

use super::error::{check_matrix, Result, StatsError};

/// Level of measurement, which fixes the difference metric δ².
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Categories without order.
    Nominal,
    /// Ordered categories (ranks).
    Ordinal,
    /// Equal-interval numbers.
    Interval,
    /// Numbers with a true zero.
    Ratio,
}

/// Krippendorff's alpha with its coincidence matrix.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct KrippendorffAlpha {
    /// The level of measurement used.
    pub level: Level,
    /// The coefficient; `None` when undefined (no pairable unit, or one value only).
    pub alpha: Option<f64>,
    /// The value domain, ascending: the distinct values observed, or the domain given.
    pub values: Vec<f64>,
    /// Coincidence matrix `o_ck`, indexed like `values`.
    pub coincidence_matrix: Vec<Vec<f64>>,
    /// Marginals `n_c` of the coincidence matrix.
    pub marginals: Vec<f64>,
    /// Number of pairable values, `n = Σ n_c`.
    pub n_pairable_values: f64,
    /// Number of units (columns).
    pub n_units_total: usize,
    /// Units with at least two values.
    pub n_units_pairable: usize,
    /// Observed disagreement `D_o`; `None` when no unit is pairable.
    pub observed_disagreement: Option<f64>,
    /// Expected disagreement `D_e`; `None` when no unit is pairable.
    pub expected_disagreement: Option<f64>,
}

/// Krippendorff's alpha over the values observed.
///
/// # Errors
/// [`StatsError::RaggedMatrix`] when rows differ in length, [`StatsError::NonFinite`] for a
/// NaN/∞ value, [`StatsError::OutOfRange`] for one beyond
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE), [`StatsError::InvalidParameter`] for a negative value at the ratio level.
///
/// # Example
/// ```
/// use readiness::stats::krippendorff::{krippendorff_alpha, Level};
/// // Krippendorff (2011), section E: 4 observers, 12 units, missing data
/// let raw = [
///     [Some(1.), Some(2.), Some(3.), Some(3.), Some(2.), Some(1.), Some(4.), Some(1.), Some(2.), None, None, None],
///     [Some(1.), Some(2.), Some(3.), Some(3.), Some(2.), Some(2.), Some(4.), Some(1.), Some(2.), Some(5.), None, Some(3.)],
///     [None, Some(3.), Some(3.), Some(3.), Some(2.), Some(3.), Some(4.), Some(2.), Some(2.), Some(5.), Some(1.), None],
///     [Some(1.), Some(2.), Some(3.), Some(3.), Some(2.), Some(4.), Some(4.), Some(1.), Some(2.), Some(5.), Some(1.), None],
/// ];
/// let rows: Vec<Vec<Option<f64>>> = raw.iter().map(|r| r.to_vec()).collect();
/// let a = krippendorff_alpha(&rows, Level::Nominal).unwrap();
/// assert!((a.alpha.unwrap() - 0.743).abs() < 5e-4);
/// ```
pub fn krippendorff_alpha(rows: &[Vec<Option<f64>>], level: Level) -> Result<KrippendorffAlpha> {
    krippendorff_alpha_with_domain(rows, level, None)
}

/// Krippendorff's alpha with an explicit value domain (e.g. the whole rating scale 1…5).
///
/// The domain matters for the ordinal metric only through the values between two ranks; values
/// of the domain that are never used get zero marginals.
///
/// # Errors
/// As [`krippendorff_alpha`], and [`StatsError::InvalidParameter`] when a value is not in the
/// domain or the domain has a non-finite entry.
///
/// # Example
/// ```
/// use readiness::stats::krippendorff::{krippendorff_alpha_with_domain, Level};
/// let rows = vec![vec![Some(3.0), Some(3.0)], vec![Some(3.0), Some(3.0)]];
/// let domain = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let a = krippendorff_alpha_with_domain(&rows, Level::Interval, Some(&domain)).unwrap();
/// assert_eq!(a.alpha, None); // one value used: no expected disagreement
/// ```
pub fn krippendorff_alpha_with_domain(
    rows: &[Vec<Option<f64>>],
    level: Level,
    domain: Option<&[f64]>,
) -> Result<KrippendorffAlpha> {
    if let Some(alpha) = by_unit_patterns(rows, level, domain)? {
        return Ok(alpha);
    }
    by_unit_counts(rows, level, domain)
}

/// The general path: per-unit counts of the values in the domain.
fn by_unit_counts(
    rows: &[Vec<Option<f64>>],
    level: Level,
    domain: Option<&[f64]>,
) -> Result<KrippendorffAlpha> {
    let n_units = check_matrix(rows, "value")?;
    let values = match domain {
        Some(d) => {
            check_finite_domain(d)?;
            d.to_vec()
        }
        None => distinct_values(rows),
    };
    let values = sorted_domain(values, level)?;
    let lookup = Lookup::new(&values);
    let bad = |x: f64| StatsError::InvalidParameter {
        name: "value",
        expected: "in the value domain",
        value: x,
    };
    let mut flat: Vec<(usize, f64)> = Vec::with_capacity(rows.len() * n_units);
    let mut offsets: Vec<usize> = Vec::with_capacity(n_units + 1);
    offsets.push(0);
    let v = values.len();
    if v <= DENSE_DOMAIN && n_units.saturating_mul(v) <= 1 << 26 {
        // Small domain (rating scales): count per unit in a dense table, reading each coder's
        // row in order (cache-friendly), then list each unit's non-zero counts in value order.
        let mut dense = vec![0u32; n_units * v];
        for row in rows {
            for (u, x) in row.iter().enumerate() {
                let Some(x) = *x else { continue };
                let x = x + 0.0;
                let idx = lookup.index(&values, x).ok_or_else(|| bad(x))?;
                dense[u * v + idx] += 1;
            }
        }
        for unit in dense.chunks_exact(v.max(1)).take(n_units) {
            for (c, &n) in unit.iter().enumerate() {
                if n > 0 {
                    flat.push((c, f64::from(n)));
                }
            }
            offsets.push(flat.len());
        }
        if v == 0 {
            offsets.resize(n_units + 1, 0);
        }
    } else {
        // Sparse per-unit counts in one flat buffer (no allocation per unit).
        for u in 0..n_units {
            let start = flat.len();
            for row in rows {
                let Some(x) = row[u] else { continue };
                let x = x + 0.0;
                let idx = lookup.index(&values, x).ok_or_else(|| bad(x))?;
                match flat[start..].iter_mut().find(|(i, _)| *i == idx) {
                    Some(entry) => entry.1 += 1.0,
                    None => flat.push((idx, 1.0)),
                }
            }
            offsets.push(flat.len());
        }
    }
    Ok(from_counts(&flat, &offsets, values, level))
}

/// Krippendorff's alpha from per-unit value counts: `counts[u][c]` is how many coders gave unit
/// `u` the value `domain[c]`. Coder identities do not enter alpha, so this is the whole input
/// (and the natural one for nested designs, where each unit has its own coders).
///
/// # Errors
/// [`StatsError::RaggedMatrix`] when a row's length differs from the domain's,
/// [`StatsError::InvalidParameter`] when the domain is not finite, strictly increasing, or has
/// a negative value at the ratio level.
///
/// # Example
/// ```
/// use readiness::stats::krippendorff::{krippendorff_alpha_from_counts, Level};
/// // two units; unit 0: two coders said 1; unit 1: one said 1, one said 2
/// let a = krippendorff_alpha_from_counts(&[vec![2, 0], vec![1, 1]], &[1.0, 2.0], Level::Nominal)
///     .unwrap();
/// assert_eq!(a.n_units_pairable, 2);
/// ```
pub fn krippendorff_alpha_from_counts(
    counts: &[Vec<usize>],
    domain: &[f64],
    level: Level,
) -> Result<KrippendorffAlpha> {
    check_finite_domain(domain)?;
    for w in domain.windows(2) {
        if w[0] >= w[1] {
            return Err(StatsError::InvalidParameter {
                name: "domain",
                expected: "strictly increasing",
                value: w[1],
            });
        }
    }
    check_ratio(domain, level)?;
    check_domain_size(domain.len())?;
    let mut flat: Vec<(usize, f64)> = Vec::new();
    let mut offsets: Vec<usize> = vec![0];
    for (u, row) in counts.iter().enumerate() {
        if row.len() != domain.len() {
            return Err(StatsError::RaggedMatrix {
                row: u,
                expected: domain.len(),
                found: row.len(),
            });
        }
        flat.extend(
            row.iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(c, &n)| (c, n as f64)),
        );
        offsets.push(flat.len());
    }
    Ok(from_counts(&flat, &offsets, domain.to_vec(), level))
}

/// Largest pattern table of [`by_unit_patterns`].
const MAX_PATTERNS: u64 = 1 << 20;

/// Fast path for integer values in a short range (rating scales), bit-identical to the general
/// path. With `R` coders, each unit's value counts are encoded as one number,
/// `Σ_j count_j·(R + 1)^j` over the offsets `j = x − min`; the units are tallied per pattern,
/// and the pair counts of each distinct pattern (at most a few hundred for 5 coders on a
/// 1–5 scale) are added once, multiplied by its number of units. Pair counts are integers and
/// add up exactly, so the sums per unit size are the same as unit by unit.
///
/// `Ok(None)` when the data do not fit (ragged or non-finite input, non-integer or widely
/// spread values, too many coders for the table, a value outside the domain given): the
/// general path then computes alpha or reports the error.
fn by_unit_patterns(
    rows: &[Vec<Option<f64>>],
    level: Level,
    domain: Option<&[f64]>,
) -> Result<Option<KrippendorffAlpha>> {
    let n_units = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != n_units) {
        return Ok(None);
    }
    // First pass: the range (written without branches on missing values, which are
    // irregular). A NaN is ignored by the comparisons, so it is looked for separately.
    // Four independent minima and maxima, so that the comparisons do not wait on each other.
    let (mut lo4, mut hi4, mut nan) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4], false);
    for row in rows {
        let quads = row.chunks_exact(4);
        let tail = quads.remainder();
        for quad in quads.chain(std::iter::once(tail)) {
            for ((x, lo), hi) in quad.iter().zip(&mut lo4).zip(&mut hi4) {
                let (low, high) = (x.unwrap_or(f64::INFINITY), x.unwrap_or(f64::NEG_INFINITY));
                *lo = if low < *lo { low } else { *lo };
                *hi = if high > *hi { high } else { *hi };
                nan |= x.unwrap_or(0.0).is_nan();
            }
        }
    }
    let lo = lo4
        .iter()
        .fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
    let hi = hi4
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    // Nothing present leaves lo > hi; ±∞ as lo is not an integer, +∞ as hi makes the span ∞.
    if nan || lo > hi || !is_integer(lo) || hi - lo > 64.0 {
        return Ok(None);
    }
    let span = (hi - lo) as u32 + 1;
    let base = rows.len() as u64 + 1;
    let limit = MAX_PATTERNS.min((4 * n_units as u64).max(1024));
    let Some(n_patterns) = base.checked_pow(span).filter(|&p| p <= limit) else {
        return Ok(None);
    };
    let mut pw = [0u32; 65];
    for (j, p) in pw.iter_mut().take(span as usize).enumerate() {
        *p = base.pow(j as u32) as u32;
    }
    // Second pass: the pattern keys, and whether every value is lo plus a whole offset.
    let mut keys = vec![0u32; n_units];
    let mut whole = true;
    for row in rows {
        for (key, x) in keys.iter_mut().zip(row) {
            let present = x.is_some();
            let x = x.unwrap_or(lo);
            // 0 ≤ x − lo ≤ 64; truncated, then checked exactly (lo + j is exact).
            let j = ((x - lo) as u32).min(64);
            whole &= lo + f64::from(j) == x;
            *key += pw[j as usize] & u32::from(present).wrapping_neg();
        }
    }
    if !whole {
        return Ok(None);
    }
    let mut tally = vec![0usize; n_patterns as usize];
    for &key in &keys {
        tally[key as usize] += 1;
    }
    let digits = |mut p: usize| {
        (0..span as usize).map(move |_| {
            let d = p % base as usize;
            p /= base as usize;
            d
        })
    };
    let mut seen = vec![false; span as usize];
    for (p, _) in tally.iter().enumerate().filter(|(_, &t)| t > 0) {
        for (s, d) in seen.iter_mut().zip(digits(p)) {
            *s |= d > 0;
        }
    }
    // The value domain and each offset's index in it.
    let values = match domain {
        Some(d) => {
            check_finite_domain(d)?;
            d.to_vec()
        }
        None => (0..span)
            .filter(|&j| seen[j as usize])
            .map(|j| lo + f64::from(j))
            .collect(),
    };
    let values = sorted_domain(values, level)?;
    let mut index = vec![usize::MAX; span as usize];
    for j in (0..span).filter(|&j| seen[j as usize]) {
        let x = lo + f64::from(j) + 0.0;
        match values.binary_search_by(|p| p.total_cmp(&x)) {
            Ok(i) => index[j as usize] = i,
            Err(_) => return Ok(None),
        }
    }
    let mut pairs = PairCounts::new(values.len());
    let mut n_units_pairable = 0;
    let mut counts: Vec<(usize, f64)> = Vec::with_capacity(span as usize);
    for (p, &t) in tally.iter().enumerate().filter(|(_, &t)| t > 0) {
        counts.clear();
        counts.extend(
            digits(p)
                .enumerate()
                .filter(|&(_, d)| d > 0)
                .map(|(j, d)| (index[j], d as f64)),
        );
        let m: usize = digits(p).sum();
        if m < 2 {
            continue;
        }
        n_units_pairable += t;
        pairs.add(m, &counts, t as f64);
    }
    Ok(Some(finish(
        pairs,
        n_units_pairable,
        n_units,
        values,
        level,
    )))
}

/// The distinct values of `rows` (unsorted, -0.0 folded into 0.0). Ratings take few distinct
/// values, so a small sorted set is kept while it stays small, instead of sorting every value.
fn distinct_values(rows: &[Vec<Option<f64>>]) -> Vec<f64> {
    // Integer ratings in a short range: one pass for the range, one to mark the values seen.
    let (mut lo, mut hi, mut integral) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for &x in rows.iter().flatten().flatten() {
        lo = lo.min(x);
        hi = hi.max(x);
        integral &= is_integer(x);
    }
    if lo > hi {
        return Vec::new();
    }
    if integral && hi - lo <= 4096.0 {
        let mut seen = vec![false; (hi - lo) as usize + 1];
        for &x in rows.iter().flatten().flatten() {
            seen[(x - lo) as usize] = true;
        }
        return (0..seen.len())
            .filter(|&i| seen[i])
            .map(|i| lo + i as f64)
            .collect();
    }
    let mut all: Vec<f64> = rows.iter().flatten().flatten().map(|x| x + 0.0).collect();
    crate::sort::sort_stable_by(&mut all, |a, b| a.total_cmp(b));
    all.dedup();
    all
}

/// Whether `x` is a whole number (false for |x| ≥ 2^62, which no rating scale reaches).
fn is_integer(x: f64) -> bool {
    x.abs() < 4.6e18 && (x as i64) as f64 == x
}

/// Maps a value to its index in the sorted domain: a direct table when the domain is a set of
/// integers in a short range (rating scales), binary search otherwise.
enum Lookup {
    Integers { min: f64, table: Vec<u32> },
    Search,
}

impl Lookup {
    fn new(values: &[f64]) -> Lookup {
        let (Some(&min), Some(&max)) = (values.first(), values.last()) else {
            return Lookup::Search;
        };
        if max - min > 4096.0 || !values.iter().all(|&v| is_integer(v)) {
            return Lookup::Search;
        }
        let mut table = vec![u32::MAX; (max - min) as usize + 1];
        for (i, v) in values.iter().enumerate() {
            table[(v - min) as usize] = i as u32;
        }
        Lookup::Integers { min, table }
    }

    fn index(&self, values: &[f64], x: f64) -> Option<usize> {
        match self {
            Lookup::Integers { min, table } => {
                let k = x - min;
                if k >= 0.0 && k < table.len() as f64 && is_integer(k) {
                    // The check against the value itself guards against a rounded `x − min`.
                    let i = table[k as usize] as usize;
                    (values.get(i) == Some(&x)).then_some(i)
                } else {
                    None
                }
            }
            Lookup::Search => values.binary_search_by(|p| p.total_cmp(&x)).ok(),
        }
    }
}

/// Refuses a domain with a NaN or infinite value.
fn check_finite_domain(domain: &[f64]) -> Result<()> {
    match domain.iter().find(|v| !v.is_finite()) {
        Some(&bad) => Err(StatsError::InvalidParameter {
            name: "domain",
            expected: "finite values",
            value: bad,
        }),
        None => Ok(()),
    }
}

/// The value domain ascending, without repeats (-0.0 and 0.0 are one value), checked for the
/// level and [`MAX_DOMAIN`].
fn sorted_domain(mut values: Vec<f64>, level: Level) -> Result<Vec<f64>> {
    values.iter_mut().for_each(|x| *x += 0.0);
    crate::sort::sort_stable_by(&mut values, |a, b| a.total_cmp(b));
    values.dedup();
    check_ratio(&values, level)?;
    check_domain_size(values.len())?;
    Ok(values)
}

/// Refuses a value domain larger than [`MAX_DOMAIN`].
fn check_domain_size(values: usize) -> Result<()> {
    if values > MAX_DOMAIN {
        return Err(StatsError::TooLarge {
            what: "the number of distinct values (the coincidence matrix is values × values; \
                   round or bin continuous data)",
            max: MAX_DOMAIN as u64,
            found: values as u64,
        });
    }
    Ok(())
}

fn check_ratio(values: &[f64], level: Level) -> Result<()> {
    if level == Level::Ratio {
        if let Some(&neg) = values.iter().find(|&&v| v < 0.0) {
            return Err(StatsError::InvalidParameter {
                name: "value",
                expected: "non-negative at the ratio level",
                value: neg,
            });
        }
    }
    Ok(())
}

/// Alpha from sparse per-unit counts `(domain index, count)` over the sorted domain `values`;
/// unit u's counts are `flat[offsets[u]..offsets[u + 1]]`.
fn from_counts(
    flat: &[(usize, f64)],
    offsets: &[usize],
    values: Vec<f64>,
    level: Level,
) -> KrippendorffAlpha {
    let n_units = offsets.len().saturating_sub(1);
    // o_ck = Σ_u pairs_u(c, k)/(m_u − 1), summed per unit size m first: the pair counts are
    // integers and add up exactly, so there is one division per (m, c, k) instead of one per
    // unit and pair.
    let mut pairs = PairCounts::new(values.len());
    let mut n_units_pairable = 0;
    for w in offsets.windows(2) {
        let counts = &flat[w[0]..w[1]];
        let m_u: f64 = counts.iter().map(|&(_, n)| n).sum();
        if m_u < 2.0 {
            continue;
        }
        n_units_pairable += 1;
        pairs.add(m_u as usize, counts, 1.0);
    }
    finish(pairs, n_units_pairable, n_units, values, level)
}

/// Most entries of the dense pair tables of [`PairCounts`] (32 MiB); beyond, pairs are kept
/// sparse.
const MAX_DENSE_PAIRS: usize = 1 << 22;

/// Largest unit size kept in the dense tables of [`PairCounts`].
const MAX_DENSE_SIZE: usize = 1 << 16;

/// The number of ordered pairs of values `(c, k)` from different coders, summed per unit size
/// `m`. The counts are integers and add up exactly, in any order.
enum PairCounts {
    /// One `v × v` table per unit size (`pairs[c·v + k]`), for small domains, few sizes and
    /// sizes up to [`MAX_DENSE_SIZE`]; `slot[m]` is the index of size m's table plus one
    /// (0: none yet).
    Dense {
        v: usize,
        tables: Vec<(usize, Vec<f64>)>,
        slot: Vec<u32>,
    },
    /// `((m, c, k), count)` for the pairs that occur (large domains, or many unit sizes), in
    /// the order added; merged into one entry per key, in key order, whenever the list outgrows
    /// `limit` and before it is read. A sorted list rather than a `BTreeMap`: the sort is the
    /// crate's shared one (`crate::sort`), a map type would compile its own tree code into the
    /// WebAssembly module (size budget, issue 6). Each key's counts are added in the order they
    /// came, as the map added them.
    Sparse {
        items: Vec<((usize, usize, usize), f64)>,
        limit: usize,
    },
}

/// Merges `items` into one entry per key, in key order, adding each key's counts in list order.
fn merge_sorted(items: &mut Vec<((usize, usize, usize), f64)>) {
    crate::sort::sort_stable_by(items, |a, b| a.0.cmp(&b.0));
    items.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
}

impl PairCounts {
    fn new(v: usize) -> PairCounts {
        if v <= DENSE_DOMAIN {
            PairCounts::Dense {
                v,
                tables: Vec::new(),
                slot: Vec::new(),
            }
        } else {
            PairCounts::sparse(Vec::new())
        }
    }

    /// Sparse counts starting from `items` (unique keys in key order).
    fn sparse(items: Vec<((usize, usize, usize), f64)>) -> PairCounts {
        let limit = (2 * items.len()).max(1 << 12);
        PairCounts::Sparse { items, limit }
    }

    /// Adds `units` units of size `m` with the value counts `counts` (`(index, count)`).
    fn add(&mut self, m: usize, counts: &[(usize, f64)], units: f64) {
        let pair = |c: usize, nc: f64, k: usize, nk: f64| {
            units * if c == k { nc * (nc - 1.0) } else { nc * nk }
        };
        if let PairCounts::Dense { v, tables, slot } = self {
            let v = *v;
            let i = match slot.get(m).copied().unwrap_or(0) {
                0 if m <= MAX_DENSE_SIZE && (tables.len() + 1) * v * v <= MAX_DENSE_PAIRS => {
                    tables.push((m, vec![0.0; v * v]));
                    if slot.len() <= m {
                        slot.resize(m + 1, 0);
                    }
                    slot[m] = tables.len() as u32;
                    Some(tables.len() - 1)
                }
                0 => None,
                i => Some(i as usize - 1),
            };
            if let Some(i) = i {
                let table = &mut tables[i].1;
                for &(c, nc) in counts {
                    for &(k, nk) in counts {
                        table[c * v + k] += pair(c, nc, k, nk);
                    }
                }
                return;
            }
            let items = self.entries().map(|(m, c, k, p)| ((m, c, k), p)).collect();
            *self = PairCounts::sparse(items);
        }
        if let PairCounts::Sparse { items, limit } = self {
            for &(c, nc) in counts {
                for &(k, nk) in counts {
                    items.push(((m, c, k), pair(c, nc, k, nk)));
                }
            }
            if items.len() > *limit {
                merge_sorted(items);
                *limit = (2 * items.len()).max(1 << 12);
            }
        }
    }

    /// The non-zero counts `(m, c, k, count)`, ordered by `m`, then `c`, then `k`.
    fn entries(&mut self) -> Box<dyn Iterator<Item = (usize, usize, usize, f64)> + '_> {
        if let PairCounts::Sparse { items, .. } = self {
            merge_sorted(items);
        }
        let this: &PairCounts = self;
        match this {
            PairCounts::Dense { v, tables, .. } => {
                let v = *v;
                // One table per unit size, so the sizes are distinct and any sort gives this
                // order; the crate's shared one compiles no new sort (size budget, issue 6).
                let mut order: Vec<usize> = (0..tables.len()).collect();
                crate::sort::sort_stable_by(&mut order, |&a, &b| tables[a].0.cmp(&tables[b].0));
                Box::new(order.into_iter().flat_map(move |i| {
                    let (m, table) = &tables[i];
                    table
                        .iter()
                        .enumerate()
                        .filter(|&(_, &p)| p > 0.0)
                        .map(move |(ck, &p)| (*m, ck / v, ck % v, p))
                }))
            }
            PairCounts::Sparse { items, .. } => Box::new(
                items
                    .iter()
                    .filter(|&&(_, p)| p > 0.0)
                    .map(|&((m, c, k), p)| (m, c, k, p)),
            ),
        }
    }
}

/// Alpha from the pair counts summed per unit size (integers, summed exactly).
fn finish(
    mut pairs: PairCounts,
    n_units_pairable: usize,
    n_units: usize,
    values: Vec<f64>,
    level: Level,
) -> KrippendorffAlpha {
    let v = values.len();
    let mut o = vec![vec![0.0; v]; v];
    // For each (c, k), the sizes are added in increasing order.
    for (m, c, k, p) in pairs.entries() {
        o[c][k] += p / (m - 1) as f64;
    }
    let marginals: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
    let n: f64 = marginals.iter().sum();
    // Ordinal: δ²(c, k) for c < k from a running sum of the marginals over c..=k (the same
    // additions, in the same order, as summing each range on its own), stored as a triangle:
    // O(v²) instead of O(v³).
    let ordinal: Vec<f64> = if level == Level::Ordinal {
        let mut t = Vec::with_capacity(v * (v + 1) / 2);
        for lo in 0..v {
            let mut between = 0.0;
            for hi in lo..v {
                between += marginals[hi];
                let d = between - (marginals[lo] + marginals[hi]) / 2.0;
                t.push(d * d);
            }
        }
        t
    } else {
        Vec::new()
    };
    let delta = |c: usize, k: usize| -> f64 {
        if c == k {
            return 0.0;
        }
        match level {
            Level::Nominal => 1.0,
            Level::Ordinal => {
                let (lo, hi) = if c < k { (c, k) } else { (k, c) };
                // row lo of the triangle starts after Σ_{i<lo} (v − i) entries
                ordinal[lo * v - lo * lo.saturating_sub(1) / 2 + (hi - lo)]
            }
            Level::Interval => {
                let d = values[c] - values[k];
                d * d
            }
            Level::Ratio => {
                let s = values[c] + values[k];
                if s == 0.0 {
                    0.0
                } else {
                    let d = (values[c] - values[k]) / s;
                    d * d
                }
            }
        }
    };
    let (mut obs, mut exp) = (0.0, 0.0);
    for c in 0..v {
        for k in 0..v {
            if c == k {
                continue;
            }
            let d = delta(c, k);
            obs += o[c][k] * d;
            exp += marginals[c] * marginals[k] * d;
        }
    }
    let (observed, expected, alpha) = if n_units_pairable == 0 || n <= 1.0 {
        (None, None, None)
    } else {
        let d_o = obs / n;
        let d_e = exp / (n * (n - 1.0));
        let a = 1.0 - d_o / d_e;
        (
            Some(d_o),
            Some(d_e),
            (d_e > 0.0 && a.is_finite()).then_some(a),
        )
    };
    KrippendorffAlpha {
        level,
        alpha,
        values,
        coincidence_matrix: o,
        marginals,
        n_pairable_values: n,
        n_units_total: n_units,
        n_units_pairable,
        observed_disagreement: observed,
        expected_disagreement: expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sparse list gives what a `BTreeMap` adding each key's counts in arrival order gives,
    /// bit for bit (counts that are not integers too), across the merges it makes as it grows.
    #[test]
    fn sparse_list_sums_like_an_ordered_map() {
        let mut next = crate::test_rng::splitmix64(7);
        let mut counts = PairCounts::sparse(Vec::new());
        let mut map = std::collections::BTreeMap::new();
        for _ in 0..3000 {
            let m = 2 + (next() % 5) as usize;
            let vals: Vec<(usize, f64)> = (0..1 + next() % 4)
                .map(|_| ((next() % 70) as usize, (next() % 1000) as f64 / 7.0))
                .collect();
            let units = (1 + next() % 3) as f64;
            counts.add(m, &vals, units);
            for &(c, nc) in &vals {
                for &(k, nk) in &vals {
                    let p = units * if c == k { nc * (nc - 1.0) } else { nc * nk };
                    *map.entry((m, c, k)).or_insert(0.0) += p;
                }
            }
        }
        let want: Vec<(usize, usize, usize, u64)> = map
            .into_iter()
            .filter(|&(_, p)| p > 0.0)
            .map(|((m, c, k), p)| (m, c, k, f64::to_bits(p)))
            .collect();
        let got: Vec<(usize, usize, usize, u64)> = counts
            .entries()
            .map(|(m, c, k, p)| (m, c, k, p.to_bits()))
            .collect();
        assert!(want.len() > 1000, "{} keys", want.len());
        assert_eq!(got, want);
    }

    /// Dense tables and the sparse map hold the same counts in the same order, including
    /// after the switch from dense to sparse when there are many unit sizes.
    #[test]
    fn pair_counts_dense_and_sparse_agree() {
        let v = 40;
        // more unit sizes than the dense budget holds tables of v × v
        let sizes = MAX_DENSE_PAIRS / (v * v) + 5;
        let fill = |counts: &mut PairCounts, ms: &mut dyn Iterator<Item = usize>| {
            for m in ms {
                let a = (m / 2) as f64;
                counts.add(m, &[(0, a), (2, m as f64 - a)], 1.0);
                counts.add(m, &[(1, 2.0)], 3.0);
            }
        };
        let mut dense = PairCounts::new(v);
        let mut sparse = PairCounts::sparse(Vec::new());
        fill(&mut dense, &mut (2..sizes + 2).rev());
        fill(&mut sparse, &mut (2..sizes + 2));
        let mut large = PairCounts::new(v);
        // a unit size beyond the dense index switches to the map as well
        fill(&mut large, &mut [5, 3, MAX_DENSE_SIZE + 1, 4].into_iter());
        assert!(matches!(large, PairCounts::Sparse { .. }));
        let mut large_sparse = PairCounts::sparse(Vec::new());
        fill(
            &mut large_sparse,
            &mut [5, 3, MAX_DENSE_SIZE + 1, 4].into_iter(),
        );
        assert_eq!(
            large.entries().collect::<Vec<_>>(),
            large_sparse.entries().collect::<Vec<_>>()
        );
        assert!(matches!(dense, PairCounts::Sparse { .. }));
        let a: Vec<_> = dense.entries().collect();
        let b: Vec<_> = sparse.entries().collect();
        assert_eq!(a, b);
        assert!(a.len() > sizes * 3);
        assert_eq!(a[1], (2, 1, 1, 6.0));
        assert!(a
            .windows(2)
            .all(|w| (w[0].0, w[0].1, w[0].2) < (w[1].0, w[1].1, w[1].2)));
        assert_eq!(a[0], (2, 0, 2, 1.0));
        assert_eq!(a[2], (2, 2, 0, 1.0));
        // few sizes stay dense
        let mut small = PairCounts::new(3);
        small.add(3, &[(0, 3.0)], 2.0);
        small.add(2, &[(0, 1.0), (1, 1.0)], 1.0);
        assert!(matches!(small, PairCounts::Dense { .. }));
        let e: Vec<_> = small.entries().collect();
        assert_eq!(e, vec![(2, 0, 1, 1.0), (2, 1, 0, 1.0), (3, 0, 0, 12.0)]);
    }

    /// More distinct values than [`MAX_DOMAIN`] are refused before anything of size
    /// values × values is allocated; the largest domain allowed is computed.
    #[test]
    fn domain_size_is_bounded() {
        let continuous = |n: usize| -> Vec<Vec<Option<f64>>> {
            (0..2)
                .map(|r| {
                    (0..n)
                        .map(|u| Some((2 * u + r) as f64 * 0.25 + 0.1))
                        .collect()
                })
                .collect()
        };
        let rows = continuous(MAX_DOMAIN / 2 + 1);
        for level in [
            Level::Nominal,
            Level::Ordinal,
            Level::Interval,
            Level::Ratio,
        ] {
            match krippendorff_alpha(&rows, level) {
                Err(StatsError::TooLarge { max, found, .. }) => {
                    assert_eq!((max, found), (MAX_DOMAIN as u64, MAX_DOMAIN as u64 + 2));
                }
                other => panic!("{other:?}"),
            }
        }
        let domain: Vec<f64> = (0..=MAX_DOMAIN).map(|i| i as f64).collect();
        let small = vec![vec![Some(1.0), Some(2.0)], vec![Some(1.0), Some(3.0)]];
        let err = krippendorff_alpha_with_domain(&small, Level::Interval, Some(&domain));
        assert!(matches!(err, Err(StatsError::TooLarge { .. })), "{err:?}");
        let counts = vec![vec![1usize; MAX_DOMAIN + 1]];
        let err = krippendorff_alpha_from_counts(&counts, &domain, Level::Nominal);
        assert!(matches!(err, Err(StatsError::TooLarge { .. })), "{err:?}");
        // exactly MAX_DOMAIN values: computed (ordinal in O(v²)); the two coders differ by a
        // quarter on every unit of a wide range, so alpha is close to 1
        let rows = continuous(MAX_DOMAIN / 2);
        let a = krippendorff_alpha(&rows, Level::Ordinal).unwrap();
        assert_eq!(a.values.len(), MAX_DOMAIN);
        assert!(a.alpha.unwrap() > 0.99, "{a:?}");
        let a = krippendorff_alpha(&rows, Level::Interval).unwrap();
        assert!(a.alpha.unwrap() > 0.99);
    }

    /// The pattern path must give exactly what the general path gives (or the same error).
    #[test]
    fn unit_patterns_match_the_general_path_bit_for_bit() {
        let mut next = crate::test_rng::splitmix64(0x5eed_u64);
        let mut fast_cases = 0;
        for case in 0..3000 {
            let coders = 1 + (next() % 7) as usize;
            let units = (next() % 40) as usize;
            let lo = [-3.0, 0.0, 1.0, -0.0, 1e17][(next() % 5) as usize];
            let step = if lo == 1e17 { 16.0 } else { 1.0 };
            let span = 1 + next() % 6;
            let missing = next() % 4;
            let rows: Vec<Vec<Option<f64>>> = (0..coders)
                .map(|_| {
                    (0..units)
                        .map(|_| {
                            (next() % 4 >= missing).then(|| lo + step * (next() % span) as f64)
                        })
                        .collect()
                })
                .collect();
            let domain: Option<Vec<f64>> = match case % 3 {
                0 => None,
                // the whole scale, in reverse and with a duplicate
                1 => Some(
                    (0..span + 1)
                        .rev()
                        .chain([0])
                        .map(|j| lo + step * j as f64)
                        .collect(),
                ),
                // a domain that may miss a value used
                _ => Some((1..span).map(|j| lo + step * j as f64).collect()),
            };
            for level in [
                Level::Nominal,
                Level::Ordinal,
                Level::Interval,
                Level::Ratio,
            ] {
                let fast = by_unit_patterns(&rows, level, domain.as_deref());
                let general = by_unit_counts(&rows, level, domain.as_deref());
                match fast {
                    Ok(Some(a)) => {
                        fast_cases += 1;
                        assert_eq!(format!("{a:?}"), format!("{:?}", general.as_ref().unwrap()));
                    }
                    Ok(None) => {}
                    Err(e) => assert_eq!(
                        format!("{e:?}"),
                        format!("{:?}", general.as_ref().unwrap_err())
                    ),
                }
                let public = krippendorff_alpha_with_domain(&rows, level, domain.as_deref());
                assert_eq!(format!("{public:?}"), format!("{general:?}"));
            }
        }
        assert!(fast_cases > 3000, "{fast_cases}");
    }
}
