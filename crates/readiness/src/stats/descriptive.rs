//! Descriptive building blocks: exact summation, means, variances, the weighted mean with
//! renormalisation over missing values, and the t interval for a mean.
//!
//! Sums are computed exactly (Shewchuk 1997, "Adaptive precision floating-point arithmetic":
//! a list of non-overlapping partial sums, the algorithm behind Python's `math.fsum`), so a
//! result does not depend on the order of the inputs and cannot lose digits to cancellation.

use super::distributions::t_quantile;
use super::error::{check_confidence, Result, StatsError};

/// Exact sum of `values`, rounded once at the end (Shewchuk's partials).
///
/// Non-finite inputs give a non-finite result, as in ordinary summation.
///
/// # Example
/// ```
/// use readiness::stats::descriptive::exact_sum;
/// assert_eq!(exact_sum(&[1e16, 1.0, -1e16]), 1.0);
/// ```
pub fn exact_sum(values: &[f64]) -> f64 {
    // Fast path: a fixed-point superaccumulator (below); the result is the same correctly
    // rounded exact sum, only computed in O(1) per value instead of O(partials).
    // Short inputs keep Shewchuk's partials, whose cost is small there while the
    // superaccumulator has a fixed cost of about a hundred bins.
    if values.len() <= 8 {
        return short_sum::<8>(values);
    }
    if values.len() <= SHORT {
        return short_sum::<SHORT>(values);
    }
    if let Some(sum) = superaccumulated_sum(values) {
        return sum;
    }
    let mut acc = ExactSum::default();
    for &v in values {
        acc.add(v);
    }
    acc.value()
}

/// Number of 32-bit chunks covering every finite double's bits, from 2^−1074 up, with room
/// for the top chunk's carries.
const CHUNKS: usize = 68;

/// The exact sum of `values`, correctly rounded, by superaccumulators (Neal 2015, "Fast exact
/// summation using small and large superaccumulators"). A double is `±M·2^(s−1074)` with
/// `M < 2^53` and `s` fixed by its exponent field.
/// - Large: the signed mantissas of the doubles with the same exponent field are added in one
///   64-bit integer per exponent. Blocks of at most 1,024 values keep every such sum below
///   2^63, so it is exact; at the end of a block each exponent used is flushed into the small
///   superaccumulator.
/// - Small: signed 64-bit bins holding 32-bit chunks of a fixed-point number; after carry
///   propagation each chunk is an exact double, and the chunks are summed by [`ExactSum`]
///   (Shewchuk), which rounds the exact total once.
///
/// The result is therefore bit-identical to summing the values with [`ExactSum`] directly.
///
/// `None` (use [`ExactSum`]) for a non-finite value, a value of magnitude ≥ 2^960 (where the
/// fixed-point range would end), or more than 2^30 values (bin overflow).
fn superaccumulated_sum(values: &[f64]) -> Option<f64> {
    if values.len() > 1 << 30 {
        return None;
    }
    let mut bins = [0i64; CHUNKS];
    let mut large = [0i64; 2048];
    let mut used = [0u64; 32];
    for block in values.chunks(1024) {
        for &v in block {
            let bits = v.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as usize;
            // 2047 is inf/NaN; ≥ 2007 is ≥ 2^960.
            if exp >= 2007 {
                return None;
            }
            let frac = bits & ((1u64 << 52) - 1);
            let mant = if exp == 0 { frac } else { frac | (1u64 << 52) } as i64;
            large[exp] += if bits >> 63 == 1 { -mant } else { mant };
            used[exp / 64] |= 1 << (exp % 64);
        }
        for (w, word) in used.iter_mut().enumerate() {
            while *word != 0 {
                let exp = w * 64 + word.trailing_zeros() as usize;
                *word &= *word - 1;
                // value = sum · 2^(shift − 1074); subnormals (exp 0) share exp 1's scale
                let sum = std::mem::take(&mut large[exp]);
                let shift = exp.max(1) - 1;
                let k = shift / 32;
                let wide = u128::from(sum.unsigned_abs()) << (shift % 32);
                let parts = [
                    (wide & 0xffff_ffff) as i64,
                    ((wide >> 32) & 0xffff_ffff) as i64,
                    (wide >> 64) as i64,
                ];
                let chunk = &mut bins[k..k + 3];
                for (b, p) in chunk.iter_mut().zip(parts) {
                    *b += if sum < 0 { -p } else { p };
                }
            }
        }
    }
    // Carry propagation: every bin but the last in [0, 2^32); the last carries the sign. A
    // negative total is negated first, so that the chunks of its magnitude are all
    // non-negative and the top ones (beyond 2^1000) are zero.
    let propagate = |bins: &mut [i64; CHUNKS]| {
        for k in 0..CHUNKS - 1 {
            let carry = bins[k] >> 32;
            bins[k] -= carry << 32;
            bins[k + 1] += carry;
        }
    };
    propagate(&mut bins);
    let negative = bins[CHUNKS - 1] < 0;
    if negative {
        bins.iter_mut().for_each(|b| *b = -*b);
        propagate(&mut bins);
    }
    let mut acc = ExactSum::default();
    for (k, &b) in bins.iter().enumerate().rev() {
        if b != 0 {
            // 0 < b < 2^32 scaled by a power of two: exact (chunk 0 is a multiple of 2^−1074).
            acc.add(b as f64 * pow2(32 * k as i32 - 1074));
        }
    }
    let total = acc.value();
    Some(if negative {
        -total
    } else if total == 0.0
        && !values.is_empty()
        && values.iter().all(|v| v.to_bits() == (-0.0f64).to_bits())
    {
        // Shewchuk's sum of negative zeros only is −0 (as Python's math.fsum).
        -0.0
    } else {
        total
    })
}

/// `2^e` for `−1074 ≤ e ≤ 1023`, exactly.
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// Running exact sum (Shewchuk's non-overlapping partials).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExactSum {
    partials: Vec<f64>,
    special: f64,
}

impl ExactSum {
    /// Adds one value.
    pub(crate) fn add(&mut self, value: f64) {
        let len = self.partials.len();
        // room for the one partial `add_partial` may append
        self.partials.push(0.0);
        let len = add_partial(&mut self.partials, len, value, &mut self.special);
        self.partials.truncate(len);
    }

    /// The sum, rounded to the nearest double.
    pub(crate) fn value(&self) -> f64 {
        round_partials(&self.partials, self.special)
    }
}

/// Inputs up to this long are summed with Shewchuk's partials in a fixed array.
const SHORT: usize = 48;

/// [`ExactSum`] over at most `N` values, with the partials in an array (n values leave at
/// most n partials); no allocation.
fn short_sum<const N: usize>(values: &[f64]) -> f64 {
    debug_assert!(values.len() <= N);
    let mut partials = [0.0; N];
    let (mut len, mut special) = (0, 0.0);
    for &v in values.iter().take(N) {
        len = add_partial(&mut partials, len, v, &mut special);
    }
    round_partials(&partials[..len], special)
}

/// Adds `value` to the non-overlapping partials `p[..len]` (Shewchuk's grow-expansion, as
/// `math.fsum`); `p` has room for one more. Non-finite values and overflow go to `special`.
/// Returns the new number of partials.
fn add_partial(p: &mut [f64], len: usize, value: f64, special: &mut f64) -> usize {
    if !value.is_finite() {
        *special += value;
        return len;
    }
    let mut x = value;
    let mut kept = 0;
    for i in 0..len {
        let mut y = p[i];
        if x.abs() < y.abs() {
            std::mem::swap(&mut x, &mut y);
        }
        let hi = x + y;
        let lo = y - (hi - x);
        if lo != 0.0 {
            p[kept] = lo;
            kept += 1;
        }
        x = hi;
    }
    if x.is_finite() {
        p[kept] = x;
        kept += 1;
    } else {
        *special += x;
    }
    kept
}

/// The sum of the partials `p` (ascending magnitude), rounded once to the nearest double.
fn round_partials(p: &[f64], special: f64) -> f64 {
    if special != 0.0 || special.is_nan() {
        return special;
    }
    let Some((&last, rest)) = p.split_last() else {
        return 0.0;
    };
    let mut hi = last;
    let mut lo = 0.0;
    let mut idx = rest.len();
    while idx > 0 {
        idx -= 1;
        let x = hi;
        let y = rest[idx];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    // round-half-even correction (as in `math.fsum`)
    if idx > 0 && ((lo < 0.0 && rest[idx - 1] < 0.0) || (lo > 0.0 && rest[idx - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

/// Mean of `values`: exact when all values are equal, otherwise the exact sum divided by n.
/// `None` for an empty slice.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    if values.iter().all(|&v| v == first) {
        return Some(first);
    }
    Some(exact_sum(values) / values.len() as f64)
}

/// Sample variance (denominator n − 1) by the two-pass formula; exactly 0 when all values are
/// equal; `None` for fewer than two values.
pub(crate) fn sample_variance(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let sq: Vec<f64> = values.iter().map(|&v| (v - m) * (v - m)).collect();
    Some(exact_sum(&sq) / (values.len() - 1) as f64)
}

/// How a weighted mean sums its products.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Summation {
    /// Exact summation (Shewchuk), rounded once: the engine's default.
    Exact,
    /// Left-to-right floating-point summation, as `numpy.average` on short inputs; offered only
    /// to reproduce other tools' results (it can lose every digit to cancellation).
    Naive,
}

/// A weighted mean over the values that are present.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct WeightedMean {
    /// `Σ wᵢxᵢ / Σ wᵢ` over the present values.
    pub weighted_mean: f64,
    /// `Σ wᵢ` over the present values (the renormalising denominator).
    pub weights_used_sum: f64,
    /// Number of values present.
    pub n_used: usize,
}

/// Weighted mean with renormalisation over missing values: a missing value's weight is dropped
/// and the rest are rescaled, `Σ wᵢxᵢ / Σ wᵢ` over present values, summed exactly.
///
/// Returns `Ok(None)` when no value is present or the present weights sum to 0.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when `values` and `weights` differ in length,
/// [`StatsError::NonFinite`] for a non-finite value or weight, and
/// [`StatsError::InvalidParameter`] for a negative weight.
///
/// # Example
/// ```
/// use readiness::stats::descriptive::weighted_mean;
/// let m = weighted_mean(&[Some(4.0), None, Some(2.0)], &[0.4, 0.3, 0.3]).unwrap().unwrap();
/// assert!((m.weighted_mean - 22.0 / 7.0).abs() < 1e-15);
/// assert!((m.weights_used_sum - 0.7).abs() < 1e-15);
/// ```
pub fn weighted_mean(values: &[Option<f64>], weights: &[f64]) -> Result<Option<WeightedMean>> {
    weighted_mean_with(values, weights, Summation::Exact)
}

/// [`weighted_mean`] with a choice of [`Summation`].
///
/// # Errors
/// As [`weighted_mean`].
///
/// # Example
/// ```
/// use readiness::stats::descriptive::{weighted_mean_with, Summation};
/// let v = [Some(1e16), Some(1.0), Some(-1e16)];
/// let w = [1.0, 1.0, 1.0];
/// let exact = weighted_mean_with(&v, &w, Summation::Exact).unwrap().unwrap();
/// let naive = weighted_mean_with(&v, &w, Summation::Naive).unwrap().unwrap();
/// assert!((exact.weighted_mean - 1.0 / 3.0).abs() < 1e-15);
/// assert_eq!(naive.weighted_mean, 0.0);
/// ```
pub fn weighted_mean_with(
    values: &[Option<f64>],
    weights: &[f64],
    summation: Summation,
) -> Result<Option<WeightedMean>> {
    if values.len() != weights.len() {
        return Err(StatsError::LengthMismatch {
            what: "values and weights",
            left: values.len(),
            right: weights.len(),
        });
    }
    let mut products = Vec::with_capacity(values.len());
    let mut used = Vec::with_capacity(values.len());
    for (i, (v, &w)) in values.iter().zip(weights).enumerate() {
        if !w.is_finite() {
            return Err(StatsError::NonFinite {
                what: "weight",
                index: i,
                value: w,
            });
        }
        if w < 0.0 {
            return Err(StatsError::InvalidParameter {
                name: "weight",
                expected: "non-negative",
                value: w,
            });
        }
        if let Some(x) = v {
            if !x.is_finite() {
                return Err(StatsError::NonFinite {
                    what: "value",
                    index: i,
                    value: *x,
                });
            }
            products.push(w * x);
            used.push(w);
        }
    }
    let (num, den) = match summation {
        Summation::Exact => (exact_sum(&products), exact_sum(&used)),
        Summation::Naive => (products.iter().sum::<f64>(), used.iter().sum::<f64>()),
    };
    if used.is_empty() || den <= 0.0 {
        return Ok(None);
    }
    let m = num / den;
    Ok(m.is_finite().then_some(WeightedMean {
        weighted_mean: m,
        weights_used_sum: den,
        n_used: used.len(),
    }))
}

/// A Student-t confidence interval for a mean: `mean ± t(1 − (1 − c)/2, n − 1) · sd/√n`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TInterval {
    /// Number of values.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator); `None` for n = 1.
    pub sd: Option<f64>,
    /// Standard error `sd/√n`; `None` for n = 1.
    pub se: Option<f64>,
    /// Degrees of freedom, n − 1.
    pub df: usize,
    /// Critical value `t(1 − (1 − c)/2, df)`; `None` for df = 0.
    pub t_crit: Option<f64>,
    /// Lower bound; `None` for n = 1 (a single value says nothing about spread).
    pub lower: Option<f64>,
    /// Upper bound; `None` for n = 1.
    pub upper: Option<f64>,
    /// Confidence level `c`.
    pub confidence: f64,
}

/// Two-sided t interval for the mean of `values` at level `confidence`.
///
/// With zero variance the interval has zero width (`[mean, mean]`); with one value the spread,
/// critical value and bounds are undefined (`None`).
///
/// # Errors
/// [`StatsError::TooFew`] for no values, [`StatsError::NonFinite`] for a non-finite value,
/// [`StatsError::InvalidParameter`] when `confidence` is not in (0, 1).
///
/// # Example
/// ```
/// use readiness::stats::descriptive::t_interval;
/// let ci = t_interval(&[3.0, 4.0], 0.95).unwrap();
/// assert!((ci.lower.unwrap() + 2.853102368087347).abs() < 1e-9);
/// ```
pub fn t_interval(values: &[f64], confidence: f64) -> Result<TInterval> {
    check_confidence(confidence)?;
    if let Some((i, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "value",
            index: i,
            value: v,
        });
    }
    let n = values.len();
    let m = mean(values).ok_or(StatsError::TooFew {
        what: "values",
        min: 1,
        found: 0,
    })?;
    let df = n - 1;
    let sd = sample_variance(values).map(f64::sqrt);
    let se = sd.map(|s| s / (n as f64).sqrt());
    let t_crit = if df == 0 {
        None
    } else {
        t_quantile(1.0 - (1.0 - confidence) / 2.0, df as f64)
    };
    let (lower, upper) = match (se, t_crit) {
        (Some(se), Some(t)) => (Some(m - t * se), Some(m + t * se)),
        _ => (None, None),
    };
    Ok(TInterval {
        n,
        mean: m,
        sd,
        se,
        df,
        t_crit,
        lower,
        upper,
        confidence,
    })
}

#[cfg(test)]
mod exact_sum_tests {
    use super::*;

    fn reference(values: &[f64]) -> f64 {
        let mut acc = ExactSum::default();
        for &v in values {
            acc.add(v);
        }
        acc.value()
    }

    /// The superaccumulator gives bit-identical results to Shewchuk's partials.
    #[test]
    fn superaccumulator_matches_shewchuk_bit_for_bit() {
        let mut next = crate::test_rng::splitmix64(0x9e37_79b9_7f4a_7c15u64);
        let fixed: Vec<Vec<f64>> = vec![
            vec![],
            vec![-0.0],
            vec![-0.0, -0.0],
            vec![0.0, -0.0],
            vec![1.0, -1.0],
            vec![1e16, 1.0, -1e16],
            vec![1e300, 1e-300, -1e300],
            vec![f64::MIN_POSITIVE / 4.0, -f64::MIN_POSITIVE, 5e-324],
            vec![0.1; 10],
            vec![1.0, 2f64.powi(-53), 2f64.powi(-106)],
            vec![1.0, 2f64.powi(-53)],
            vec![1.0, -2f64.powi(-54), -2f64.powi(-107)],
            vec![2f64.powi(900), -3.5, 2f64.powi(-900)],
        ];
        for v in &fixed {
            // `None` (beyond the fixed-point range) falls back to the reference itself.
            if let Some(fast) = superaccumulated_sum(v) {
                assert_eq!(fast.to_bits(), reference(v).to_bits(), "{v:?}");
            }
            assert_eq!(exact_sum(v).to_bits(), reference(v).to_bits(), "{v:?}");
        }
        // Long inputs: several blocks of the large superaccumulator, with the largest
        // mantissas of one exponent (the block bound), subnormals, and both signs.
        let max_mant = f64::from_bits(0x3fff_ffff_ffff_ffff);
        let long: Vec<Vec<f64>> = vec![
            vec![max_mant; 5000],
            vec![-max_mant; 3073],
            (0..4000)
                .map(|i| if i % 3 == 0 { -max_mant } else { max_mant })
                .collect(),
            vec![-5e-324; 2500],
            (0..3000)
                .map(|i| f64::from(i) * 2.0f64.powi(-1070))
                .collect(),
            (0..2049)
                .map(|i| 2.0f64.powi(i % 1900 - 1000) * 1.75)
                .collect(),
        ];
        for v in &long {
            assert_eq!(
                superaccumulated_sum(v).unwrap().to_bits(),
                reference(v).to_bits()
            );
        }
        for case in 0..2400 {
            let n = if case >= 2000 {
                1000 + (next() % 3000) as usize
            } else {
                (next() % 120) as usize
            };
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    let r = next();
                    let mant = (r >> 11) as f64 / (1u64 << 53) as f64;
                    let exp = match case % 4 {
                        0 => (r % 8) as i32 - 4,
                        1 => (r % 200) as i32 - 100,
                        2 => (r % 1900) as i32 - 1070,
                        _ => 0,
                    };
                    let x = mant * 2f64.powi(exp);
                    if r & 1 == 1 {
                        -x
                    } else {
                        x
                    }
                })
                .collect();
            // Add exact cancellations too.
            let mut w = v.clone();
            w.extend(v.iter().take(n / 2).map(|x| -x));
            for s in [&v, &w] {
                let fast = superaccumulated_sum(s).unwrap();
                assert_eq!(fast.to_bits(), reference(s).to_bits(), "{s:?}");
                assert_eq!(exact_sum(s).to_bits(), reference(s).to_bits(), "{s:?}");
            }
        }
    }
}
