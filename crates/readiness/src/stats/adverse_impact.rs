//! Adverse impact: selection rates, impact ratios and the four-fifths rule, Fisher's exact test
//! and the two-proportion z-tests, with a small-sample warning.
//!
//! Conventions (the same as scipy's `fisher_exact`, statsmodels' `proportions_ztest` and
//! fairlearn's `demographic_parity_ratio`):
//!
//! - The 2×2 table is `[[focal_selected, focal_not_selected], [reference_selected,
//!   reference_not_selected]]`; the exact tests condition on both margins, so the count `a` of
//!   selected focal-group members follows the hypergeometric distribution.
//! - The four-fifths rule (EEOC Uniform Guidelines, 29 CFR 1607.4(D)) flags a violation when the
//!   focal rate is *strictly below* 4/5 of the reference rate. It is decided in integers,
//!   `5·a·n_r < 4·c·n_f`, because in floating point (2/3)/(5/6) is 0.7999999999999999.
//! - Fisher's test (Fisher 1922; Agresti 2002, §3.5) is computed in log space from the ratio of
//!   successive hypergeometric probabilities, so it is exact at N = 3000 and beyond (statrs
//!   0.19.1's `fishers_exact` and `Hypergeometric::pmf` are not).
//! - Undefined statistics (nobody or everybody selected, a zero standard error) are `None`.

use super::error::{Result, StatsError};
use libm::erfc;

/// Relative tolerance under which two table probabilities count as equal in the two-sided
/// Fisher test (R's `fisher.test` uses the same `1 + 1e-7`), so that mathematically tied
/// tables are not split by rounding.
const FISHER_TIE_TOLERANCE: f64 = 1e-7;

/// Significance level used by the small-sample checks.
const ALPHA: f64 = 0.05;

/// Below this approximate power (to detect a four-fifths disparity) the warning is raised.
const MIN_POWER: f64 = 0.5;

/// Below this smallest expected cell count the z-tests' normal approximation is flagged.
const MIN_EXPECTED_CELL: f64 = 5.0;

/// Largest group or cell count accepted (2^50): counts stay exact in `f64` and their sums
/// cannot overflow.
const MAX_COUNT: u64 = 1 << 50;

/// Largest number of tables with the observed margins that [`fisher_exact`] enumerates
/// (2^17 = 131 072: over a hundred thousand people selected *and* not selected in both groups;
/// such a table takes about a second, and the z tests are then as good as exact).
pub const MAX_FISHER_SUPPORT: u64 = 1 << 17;

/// Selected and total counts of one group.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct GroupCounts {
    /// Number of people in the group who were selected.
    pub selected: u64,
    /// Number of people in the group.
    pub total: u64,
}

impl GroupCounts {
    /// Counts of a group: `selected` of `total`.
    ///
    /// # Example
    /// ```
    /// let g = readiness::stats::adverse_impact::GroupCounts::new(3, 4);
    /// assert_eq!(g.total, 4);
    /// ```
    pub fn new(selected: u64, total: u64) -> Self {
        GroupCounts { selected, total }
    }

    fn rate(self) -> f64 {
        self.selected as f64 / self.total as f64
    }
}

/// One group compared with the highest-rate group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct GroupImpact {
    /// The group's counts.
    pub counts: GroupCounts,
    /// Selection rate `selected / total`.
    pub selection_rate: f64,
    /// Whether this group has the highest selection rate (ties: every tied group).
    pub is_highest: bool,
    /// Selection rate over the highest group's rate; `None` when nobody at all was selected.
    pub impact_ratio: Option<f64>,
    /// Whether the impact ratio is strictly below 4/5 (decided in integers).
    pub four_fifths_violation: bool,
    /// Selections the group would have had at the highest group's rate, minus its actual
    /// selections (0 for the highest group).
    pub shortfall: f64,
}

/// Selection rates of several groups, each compared with the highest-rate group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SelectionRates {
    /// One entry per input group, in input order.
    pub groups: Vec<GroupImpact>,
    /// Lowest rate over highest rate (fairlearn's demographic parity ratio); `None` when nobody
    /// was selected.
    pub min_over_max_ratio: Option<f64>,
    /// Highest rate minus lowest rate (fairlearn's demographic parity difference).
    pub max_minus_min_difference: f64,
}

/// Fisher's exact test of a 2×2 table, with the odds ratios.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FisherExact {
    /// Two-sided p-value: the probability of every table at most as likely as the observed
    /// one (relative tie tolerance 1e-7).
    pub p_two_sided: f64,
    /// One-sided p-value `P(X ≤ a)`: evidence that the focal group is selected *less* often.
    pub p_less: f64,
    /// One-sided p-value `P(X ≥ a)`: evidence that the focal group is selected *more* often.
    pub p_greater: f64,
    /// Smallest two-sided p-value any table with these margins could give (1 when a margin is
    /// zero); above 0.05 the test cannot detect anything.
    pub min_attainable_p_two_sided: f64,
    /// Sample odds ratio `a·d / (b·c)`; `None` when `b·c = 0` (undefined or infinite).
    pub sample_odds_ratio: Option<f64>,
    /// Conditional maximum-likelihood odds ratio (Fisher's noncentral hypergeometric); `None`
    /// when a margin is zero (undefined) or when `a` is at the top of its range (infinite).
    pub conditional_mle_odds_ratio: Option<f64>,
    /// Exact 95% confidence interval of the conditional odds ratio.
    pub conditional_odds_ratio_ci95: OddsRatioInterval,
}

/// A confidence interval of an odds ratio.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct OddsRatioInterval {
    /// Lower limit (0 when the observed count is at the bottom of its range).
    pub lower: f64,
    /// Upper limit; `None` means unbounded (+∞), as when the count is at the top of its range
    /// or a margin is zero.
    pub upper: Option<f64>,
}

/// A two-proportion z-test.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ZTest {
    /// `(rate_focal − rate_reference) / se`; `None` when the standard error is zero.
    pub z: Option<f64>,
    /// Two-sided normal p-value `2·(1 − Φ(|z|))`; `None` with `z`.
    pub p_two_sided: Option<f64>,
}

/// Why a significance test on these counts should not be read as evidence either way.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SmallSampleWarning {
    /// Even the most extreme table with these margins has a two-sided Fisher p above 0.05.
    CannotReachSignificance {
        /// The smallest attainable two-sided p-value.
        min_p: f64,
    },
    /// The approximate power to detect a four-fifths disparity at α = 0.05 is below 0.5.
    LowPower {
        /// The approximate power (pooled two-proportion z-test, normal approximation).
        power: f64,
    },
    /// An expected cell count is below 5, so the z-tests' normal approximation is unreliable
    /// (prefer Fisher's test).
    SmallExpectedCount {
        /// The smallest expected cell count under independence.
        min_expected: f64,
    },
}

/// Adverse-impact analysis of a focal group against a reference group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AdverseImpact {
    /// `[[focal_selected, focal_not_selected], [reference_selected, reference_not_selected]]`.
    pub table: [[u64; 2]; 2],
    /// Focal selection rate.
    pub selection_rate_focal: f64,
    /// Reference selection rate.
    pub selection_rate_reference: f64,
    /// Focal rate over reference rate; `None` when the reference rate is 0.
    pub impact_ratio: Option<f64>,
    /// Lower rate over higher rate; `None` when nobody was selected.
    pub impact_ratio_min_over_max: Option<f64>,
    /// Focal rate strictly below 4/5 of the reference rate (`5·a·n_r < 4·c·n_f`, in integers).
    pub four_fifths_violation: bool,
    /// Focal rate minus reference rate.
    pub rate_difference: f64,
    /// Focal selections expected at the pooled rate of both groups, minus actual focal
    /// selections (positive: the focal group got fewer than under no difference).
    pub shortfall_at_pooled_rate: f64,
    /// Focal selections expected at the reference rate, minus actual focal selections.
    pub shortfall_at_reference_rate: f64,
    /// Fisher's exact test.
    pub fisher: FisherExact,
    /// Pooled two-proportion z-test (the score test of equal rates).
    pub z_pooled: ZTest,
    /// Unpooled (Wald) two-proportion z-test.
    pub z_unpooled: ZTest,
    /// Approximate power to detect a four-fifths disparity (see [`SmallSampleWarning::LowPower`]);
    /// `None` when nobody was selected.
    pub power_four_fifths: Option<f64>,
    /// Reasons not to read the tests as evidence; empty when none applies.
    pub warnings: Vec<SmallSampleWarning>,
}

fn check_group(g: GroupCounts, what: &'static str) -> Result<()> {
    if g.total == 0 {
        return Err(StatsError::TooFew {
            what,
            min: 1,
            found: 0,
        });
    }
    if g.total > MAX_COUNT {
        return Err(StatsError::InvalidParameter {
            name: "group size",
            expected: "at most 2^50",
            value: g.total as f64,
        });
    }
    if g.selected > g.total {
        return Err(StatsError::SelectedExceedsTotal {
            group: what,
            selected: g.selected,
            total: g.total,
        });
    }
    Ok(())
}

/// Whether `focal` is selected at strictly less than 4/5 of `reference`'s rate, decided
/// exactly in integers: `5·s_f·n_r < 4·s_r·n_f`.
///
/// # Errors
/// [`StatsError::TooFew`] when a group is empty, [`StatsError::SelectedExceedsTotal`] when
/// more are selected than the group has, [`StatsError::InvalidParameter`] when a group has
/// more than 2^50 members.
///
/// # Example
/// ```
/// use readiness::stats::adverse_impact::{four_fifths_violation, GroupCounts};
/// // 2/3 vs 5/6 is exactly 4/5: not a violation, although (2/3)/(5/6) < 0.8 in floats.
/// assert!(!four_fifths_violation(GroupCounts::new(2, 3), GroupCounts::new(5, 6))?);
/// assert!(four_fifths_violation(GroupCounts::new(12, 40), GroupCounts::new(48, 80))?);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn four_fifths_violation(focal: GroupCounts, reference: GroupCounts) -> Result<bool> {
    check_group(focal, "focal group")?;
    check_group(reference, "reference group")?;
    Ok(violates(focal, reference))
}

fn violates(focal: GroupCounts, reference: GroupCounts) -> bool {
    // u128: the products of two u64 counts and a small constant cannot overflow.
    5 * u128::from(focal.selected) * u128::from(reference.total)
        < 4 * u128::from(reference.selected) * u128::from(focal.total)
}

/// Selection rate of each group, its impact ratio against the highest-rate group, the
/// four-fifths flag and the shortfall against the highest rate.
///
/// # Errors
/// [`StatsError::TooFew`] when there is no group or a group is empty,
/// [`StatsError::SelectedExceedsTotal`] when a group has more selected than members.
///
/// # Example
/// ```
/// use readiness::stats::adverse_impact::{selection_rates, GroupCounts};
/// let r = selection_rates(&[GroupCounts::new(48, 80), GroupCounts::new(12, 40)])?;
/// assert_eq!(r.groups[1].impact_ratio, Some(0.5));
/// assert!(r.groups[1].four_fifths_violation);
/// assert_eq!(r.groups[1].shortfall, 12.0);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn selection_rates(groups: &[GroupCounts]) -> Result<SelectionRates> {
    if groups.is_empty() {
        return Err(StatsError::TooFew {
            what: "groups",
            min: 1,
            found: 0,
        });
    }
    for g in groups {
        check_group(*g, "group")?;
    }
    // The highest rate compared exactly: s_i / n_i > s_j / n_j  ⇔  s_i·n_j > s_j·n_i.
    let mut best = groups[0];
    let mut worst = groups[0];
    for g in &groups[1..] {
        if u128::from(g.selected) * u128::from(best.total)
            > u128::from(best.selected) * u128::from(g.total)
        {
            best = *g;
        }
        if u128::from(g.selected) * u128::from(worst.total)
            < u128::from(worst.selected) * u128::from(g.total)
        {
            worst = *g;
        }
    }
    let max_rate = best.rate();
    let out = groups
        .iter()
        .map(|g| {
            let is_highest = u128::from(g.selected) * u128::from(best.total)
                == u128::from(best.selected) * u128::from(g.total);
            GroupImpact {
                counts: *g,
                selection_rate: g.rate(),
                is_highest,
                impact_ratio: (best.selected > 0).then(|| g.rate() / max_rate),
                four_fifths_violation: violates(*g, best),
                shortfall: g.total as f64 * max_rate - g.selected as f64,
            }
        })
        .collect();
    Ok(SelectionRates {
        groups: out,
        min_over_max_ratio: (best.selected > 0).then(|| worst.rate() / max_rate),
        max_minus_min_difference: max_rate - worst.rate(),
    })
}

/// Log-probabilities (up to a constant) of the hypergeometric support `lo..=hi` of the
/// top-left cell, built outward from the mode by the ratio of successive probabilities
/// `P(x+1)/P(x) = (n1−x)(m−x) / ((x+1)(n2−m+x+1))`, so that no factorial is ever formed.
struct Hypergeometric {
    lo: u64,
    log_w: Vec<f64>,
}

impl Hypergeometric {
    fn new(n1: u64, n2: u64, m: u64) -> Self {
        let lo = m.saturating_sub(n2);
        let hi = n1.min(m);
        let len = (hi - lo + 1) as usize;
        let ratio = |x: u64| -> f64 {
            // log P(x+1) − log P(x)
            let (n1, n2, m, x) = (n1 as f64, n2 as f64, m as f64, x as f64);
            libm::log((n1 - x) * (m - x)) - libm::log((x + 1.0) * (n2 - m + x + 1.0))
        };
        // Mode of the hypergeometric distribution.
        let mode = (((n1 + 1) as f64 * (m + 1) as f64 / (n1 + n2 + 2) as f64).floor() as u64)
            .clamp(lo, hi);
        let mut log_w = vec![0.0; len];
        let mi = (mode - lo) as usize;
        for i in mi + 1..len {
            log_w[i] = log_w[i - 1] + ratio(lo + i as u64 - 1);
        }
        for i in (0..mi).rev() {
            log_w[i] = log_w[i + 1] - ratio(lo + i as u64);
        }
        Hypergeometric { lo, log_w }
    }

    /// Probabilities of the support under odds ratio `exp(t)`, normalised to sum to 1.
    fn probs(&self, t: f64) -> Vec<f64> {
        let lw: Vec<f64> = self
            .log_w
            .iter()
            .enumerate()
            .map(|(i, w)| w + t * (self.lo as f64 + i as f64))
            .collect();
        let max = lw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = lw.iter().map(|x| libm::exp(x - max)).collect();
        let total: f64 = w.iter().sum();
        w.into_iter().map(|x| x / total).collect()
    }

    fn mean_var(&self, t: f64) -> (f64, f64) {
        let p = self.probs(t);
        let mean: f64 = p
            .iter()
            .enumerate()
            .map(|(i, q)| q * (self.lo as f64 + i as f64))
            .sum();
        let var: f64 = p
            .iter()
            .enumerate()
            .map(|(i, q)| q * (self.lo as f64 + i as f64 - mean).powi(2))
            .sum();
        (mean, var)
    }

    /// `P(X ≥ x)` under odds ratio `exp(t)`, summed from the tail itself.
    fn sf_incl(&self, x: u64, t: f64) -> f64 {
        let p = self.probs(t);
        let k = (x.saturating_sub(self.lo) as usize).min(p.len());
        p[k..].iter().sum()
    }

    /// `P(X ≤ x)` under odds ratio `exp(t)`.
    fn cdf(&self, x: u64, t: f64) -> f64 {
        let p = self.probs(t);
        let k = ((x - self.lo) as usize + 1).min(p.len());
        p[..k].iter().sum()
    }
}

/// Solves `f(t) = target` for a monotone `f` by bisection on `t = ln ψ`, expanding the bracket
/// until it holds the root. `increasing` gives the direction of `f`.
fn solve_log_odds(f: impl Fn(f64) -> f64, target: f64, increasing: bool) -> Option<f64> {
    let below = |t: f64| (f(t) < target) == increasing;
    let (mut a, mut b) = (-1.0, 1.0);
    let mut k = 0;
    while !below(a) {
        a *= 2.0;
        k += 1;
        if k > 12 {
            return None;
        }
    }
    k = 0;
    while below(b) {
        b *= 2.0;
        k += 1;
        if k > 12 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if mid <= a || mid >= b {
            break;
        }
        if below(mid) {
            a = mid;
        } else {
            b = mid;
        }
    }
    Some(0.5 * (a + b))
}

/// Fisher's exact test of the 2×2 table `[[a, b], [c, d]]`, two-sided and one-sided, with the
/// sample and conditional maximum-likelihood odds ratios and the exact 95% interval.
///
/// Computed in log space from ratios of successive hypergeometric probabilities, so it stays
/// exact for large tables (N = 3000 and beyond). A table with a zero margin gives p = 1 and
/// undefined odds ratios, as scipy does.
///
/// # Errors
/// [`StatsError::InvalidParameter`] when a cell count exceeds 2^50, [`StatsError::TooLarge`]
/// when more than [`MAX_FISHER_SUPPORT`] tables share the observed margins.
///
/// # Example
/// ```
/// use readiness::stats::adverse_impact::fisher_exact;
/// let f = fisher_exact([[12, 28], [48, 32]])?;
/// assert!((f.p_two_sided - 0.003409221767849183).abs() < 1e-12);
/// assert!((f.p_less - 0.0017046108839245916).abs() < 1e-12);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn fisher_exact(table: [[u64; 2]; 2]) -> Result<FisherExact> {
    if let Some(&big) = table.iter().flatten().find(|x| **x > MAX_COUNT) {
        return Err(StatsError::InvalidParameter {
            name: "cell count",
            expected: "at most 2^50",
            value: big as f64,
        });
    }
    let [[a, b], [c, d]] = table;
    let n1 = a + b;
    let n2 = c + d;
    let m = a + c;
    let sample_odds_ratio = {
        let bc = b as f64 * c as f64;
        (bc > 0.0).then(|| a as f64 * d as f64 / bc)
    };
    let degenerate = n1 == 0 || n2 == 0 || m == 0 || b + d == 0;
    if degenerate {
        return Ok(FisherExact {
            p_two_sided: 1.0,
            p_less: 1.0,
            p_greater: 1.0,
            min_attainable_p_two_sided: 1.0,
            sample_odds_ratio: None,
            conditional_mle_odds_ratio: None,
            conditional_odds_ratio_ci95: OddsRatioInterval {
                lower: 0.0,
                upper: None,
            },
        });
    }
    // The test walks the whole hypergeometric support (one weight per possible top-left
    // count), several times for the odds-ratio interval; bound its length so that a table of
    // huge counts is refused instead of running for minutes or allocating terabytes (fuzz
    // finding 7: a support of 7.9 million values took 24 s).
    let support = n1.min(m) - m.saturating_sub(n2) + 1;
    if support > MAX_FISHER_SUPPORT {
        return Err(StatsError::TooLarge {
            what: "the support of Fisher's exact test (min(a+b, a+c) − max(0, a−d) + 1 tables)",
            max: MAX_FISHER_SUPPORT,
            found: support,
        });
    }
    let h = Hypergeometric::new(n1, n2, m);
    let hi = h.lo + h.log_w.len() as u64 - 1;
    let p = h.probs(0.0);
    let i_obs = (a - h.lo) as usize;
    let p_less = p[..=i_obs].iter().sum::<f64>().min(1.0);
    let p_greater = p[i_obs..].iter().sum::<f64>().min(1.0);
    let bound = h.log_w[i_obs] + libm::log1p(FISHER_TIE_TOLERANCE);
    let p_two_sided = p
        .iter()
        .zip(&h.log_w)
        .filter(|(_, lw)| **lw <= bound)
        .map(|(q, _)| q)
        .sum::<f64>()
        .min(1.0);
    // The most extreme table is at one end of the support; its two-sided p is the smallest.
    let min_attainable_p_two_sided = [0usize, p.len() - 1]
        .iter()
        .map(|&i| {
            let bound = h.log_w[i] + libm::log1p(FISHER_TIE_TOLERANCE);
            p.iter()
                .zip(&h.log_w)
                .filter(|(_, lw)| **lw <= bound)
                .map(|(q, _)| q)
                .sum::<f64>()
                .min(1.0)
        })
        .fold(1.0, f64::min);

    let conditional_mle_odds_ratio = if a == h.lo {
        Some(0.0)
    } else if a == hi {
        None
    } else {
        solve_log_odds(|t| h.mean_var(t).0, a as f64, true).map(f64::exp)
    };
    let tail = 0.025;
    let lower = if a == h.lo {
        0.0
    } else {
        solve_log_odds(|t| h.sf_incl(a, t), tail, true).map_or(0.0, f64::exp)
    };
    let upper = if a == hi {
        None
    } else {
        solve_log_odds(|t| h.cdf(a, t), tail, false).map(f64::exp)
    };
    Ok(FisherExact {
        p_two_sided,
        p_less,
        p_greater,
        min_attainable_p_two_sided,
        sample_odds_ratio,
        conditional_mle_odds_ratio,
        conditional_odds_ratio_ci95: OddsRatioInterval { lower, upper },
    })
}

/// Two-sided normal p-value `2·(1 − Φ(|z|)) = erfc(|z|/√2)`, accurate in the far tail.
fn two_sided_normal_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

fn z_test(diff: f64, var: f64) -> ZTest {
    if var > 0.0 && var.is_finite() {
        let z = diff / var.sqrt();
        ZTest {
            z: Some(z),
            p_two_sided: Some(two_sided_normal_p(z)),
        }
    } else {
        ZTest {
            z: None,
            p_two_sided: None,
        }
    }
}

/// Pooled and unpooled (Wald) two-proportion z-tests of `focal` against `reference`.
///
/// Pooled: `z = (p_f − p_r) / √(p̄(1−p̄)(1/n_f + 1/n_r))` with `p̄` the pooled rate.
/// Unpooled: `z = (p_f − p_r) / √(p_f(1−p_f)/n_f + p_r(1−p_r)/n_r)`.
///
/// # Errors
/// [`StatsError::TooFew`] when a group is empty, [`StatsError::SelectedExceedsTotal`] when
/// more are selected than the group has, [`StatsError::InvalidParameter`] when a group has
/// more than 2^50 members.
///
/// # Example
/// ```
/// use readiness::stats::adverse_impact::{two_proportion_z_tests, GroupCounts};
/// let (pooled, _unpooled) = two_proportion_z_tests(GroupCounts::new(12, 40), GroupCounts::new(48, 80))?;
/// assert!((pooled.z.unwrap() + 3.098386676965933).abs() < 1e-12);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn two_proportion_z_tests(
    focal: GroupCounts,
    reference: GroupCounts,
) -> Result<(ZTest, ZTest)> {
    check_group(focal, "focal group")?;
    check_group(reference, "reference group")?;
    let (nf, nr) = (focal.total as f64, reference.total as f64);
    let (pf, pr) = (focal.rate(), reference.rate());
    let pooled = (focal.selected + reference.selected) as f64 / (nf + nr);
    let diff = pf - pr;
    Ok((
        z_test(diff, pooled * (1.0 - pooled) * (1.0 / nf + 1.0 / nr)),
        z_test(diff, pf * (1.0 - pf) / nf + pr * (1.0 - pr) / nr),
    ))
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Approximate power of the two-sided pooled z-test at α = 0.05 to detect a four-fifths
/// disparity: the higher observed rate `p_h` against `0.8·p_h` (Fleiss, Levin & Paik 2003,
/// §4.2): `Φ((|Δ| − z₀.₉₇₅·σ₀) / σ₁)`.
fn power_four_fifths(focal: GroupCounts, reference: GroupCounts) -> Option<f64> {
    let (nf, nr) = (focal.total as f64, reference.total as f64);
    let high = focal.rate().max(reference.rate());
    if high <= 0.0 {
        return None;
    }
    // The lower-rate group gets 0.8·p_h: which one does not matter much, take the focal group.
    let (pf, pr) = (0.8 * high, high);
    let pbar = (nf * pf + nr * pr) / (nf + nr);
    let s0 = (pbar * (1.0 - pbar) * (1.0 / nf + 1.0 / nr)).sqrt();
    let s1 = (pf * (1.0 - pf) / nf + pr * (1.0 - pr) / nr).sqrt();
    if s1 <= 0.0 {
        return None;
    }
    let z = 1.959_963_984_540_054;
    Some(normal_cdf(((pr - pf) - z * s0) / s1))
}

/// Full adverse-impact analysis of `focal` against `reference`: rates, impact ratio, the
/// four-fifths flag (exact), shortfall, Fisher's exact test, pooled and unpooled z-tests, and
/// small-sample warnings.
///
/// The small-sample rule: a warning is raised when (1) no table with these margins could reach
/// a two-sided Fisher p below 0.05, (2) the approximate power to detect a four-fifths
/// disparity at α = 0.05 is below 0.5, or (3) an expected cell count is below 5 (for the
/// z-tests). With any warning, a non-significant result is not evidence of no adverse impact.
///
/// # Errors
/// [`StatsError::TooFew`] when a group is empty, [`StatsError::SelectedExceedsTotal`] when
/// more are selected than the group has, [`StatsError::InvalidParameter`] when a group has
/// more than 2^50 members, [`StatsError::TooLarge`] when the groups are too large for
/// Fisher's exact test (see [`fisher_exact`]).
///
/// # Example
/// ```
/// use readiness::stats::adverse_impact::{adverse_impact, GroupCounts};
/// let r = adverse_impact(GroupCounts::new(12, 40), GroupCounts::new(48, 80))?;
/// assert_eq!(r.impact_ratio, Some(0.5));
/// assert!(r.four_fifths_violation);
/// assert_eq!(r.shortfall_at_reference_rate, 12.0);
/// assert!(r.fisher.p_two_sided < 0.01);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn adverse_impact(focal: GroupCounts, reference: GroupCounts) -> Result<AdverseImpact> {
    check_group(focal, "focal group")?;
    check_group(reference, "reference group")?;
    let table = [
        [focal.selected, focal.total - focal.selected],
        [reference.selected, reference.total - reference.selected],
    ];
    let (pf, pr) = (focal.rate(), reference.rate());
    let n = (focal.total + reference.total) as f64;
    let selected = (focal.selected + reference.selected) as f64;
    let pooled = selected / n;
    let fisher = fisher_exact(table)?;
    let (z_pooled, z_unpooled) = two_proportion_z_tests(focal, reference)?;
    let power = power_four_fifths(focal, reference);

    let mut warnings = Vec::new();
    if fisher.min_attainable_p_two_sided > ALPHA {
        warnings.push(SmallSampleWarning::CannotReachSignificance {
            min_p: fisher.min_attainable_p_two_sided,
        });
    }
    if let Some(p) = power.filter(|p| *p < MIN_POWER) {
        warnings.push(SmallSampleWarning::LowPower { power: p });
    }
    let not_selected = n - selected;
    let min_expected = [focal.total as f64, reference.total as f64]
        .iter()
        .flat_map(|r| [r * selected / n, r * not_selected / n])
        .fold(f64::INFINITY, f64::min);
    if min_expected < MIN_EXPECTED_CELL {
        warnings.push(SmallSampleWarning::SmallExpectedCount { min_expected });
    }
    let high = pf.max(pr);
    Ok(AdverseImpact {
        table,
        selection_rate_focal: pf,
        selection_rate_reference: pr,
        impact_ratio: (reference.selected > 0).then(|| pf / pr),
        impact_ratio_min_over_max: (high > 0.0).then(|| pf.min(pr) / high),
        four_fifths_violation: violates(focal, reference),
        rate_difference: pf - pr,
        shortfall_at_pooled_rate: focal.total as f64 * pooled - focal.selected as f64,
        shortfall_at_reference_rate: focal.total as f64 * pr - focal.selected as f64,
        fisher,
        z_pooled,
        z_unpooled,
        power_four_fifths: power,
        warnings,
    })
}
