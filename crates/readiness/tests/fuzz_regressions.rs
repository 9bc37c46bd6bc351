//! The statistics findings of the fuzz targets (fuzz/README.md, "Findings" 1–7), each on the
//! exact input the target decoded from `fuzz/regressions/<target>/`, spelled out here so that
//! plain `cargo test` checks them (the fuzz crate needs nightly). The contract of every
//! statistics entry point: a typed `StatsError`, or a result without NaN or ±∞ anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use readiness::stats::adverse_impact::{
    adverse_impact, fisher_exact, selection_rates, two_proportion_z_tests, GroupCounts,
    MAX_FISHER_SUPPORT,
};
use readiness::stats::cronbach::{cronbach_alpha, MissingPolicy};
use readiness::stats::error::{StatsError, MAX_MAGNITUDE};
use readiness::stats::icc::{icc, IccKind};
use readiness::stats::krippendorff::{krippendorff_alpha, Level};
use readiness::stats::mfrm::{mfrm, MfrmOptions};
use readiness::stats::rater_effects::{additive_effects, Rating};
use readiness::stats::rwg::{rwg, rwg_j, rwg_j_from_variances};

#[path = "../../../tests/adversarial/finite.rs"]
mod finite;

fn assert_finite<T: serde::Serialize>(value: &T) {
    assert_eq!(finite::first_non_finite(value), None);
}

fn code<T: std::fmt::Debug>(r: Result<T, StatsError>) -> &'static str {
    r.expect_err("expected a StatsError").code()
}

fn matrix(rows: &[&[Option<f64>]]) -> Vec<Vec<Option<f64>>> {
    rows.iter().map(|r| r.to_vec()).collect()
}

/// Finding 1: zero error mean square made the F statistic +∞ in the result.
#[test]
fn icc_zero_error_mean_square_gives_no_f_instead_of_infinity() {
    let m = matrix(&[
        &[Some(3.0), Some(3.0)],
        &[Some(2.0), None],
        &[Some(4.0), Some(4.0)],
    ]);
    let r = icc(&m, 0.9).unwrap();
    assert_finite(&r);
    assert_eq!(r.anova.ms_residual, 0.0);
    for kind in [IccKind::Icc2, IccKind::Icc3, IccKind::Icc3k] {
        let form = r.form(kind).unwrap();
        assert_eq!(form.f, None, "{kind:?}");
        // P(F > ∞) = 0: the targets differ and there is no error at all.
        assert_eq!(form.p_value, Some(0.0), "{kind:?}");
        assert_eq!(form.icc, Some(1.0), "{kind:?}");
    }
}

/// Finding 2: a finite value near −2.6e304 overflowed when squared (item variance +∞).
#[test]
fn cronbach_refuses_values_whose_squares_overflow() {
    let m = matrix(&[
        &[Some(2.0), Some(4.0)],
        &[None, Some(-2.605908932677002e304)],
    ]);
    for policy in [MissingPolicy::Pairwise, MissingPolicy::Listwise] {
        let e = cronbach_alpha(&m, policy, 0.9).unwrap_err();
        assert_eq!(e.code(), "out_of_range");
        assert!(
            matches!(e, StatsError::OutOfRange { index: 3, .. }),
            "{e:?}"
        );
    }
    // At the bound the statistic is computed and finite.
    let big = MAX_MAGNITUDE;
    let m = matrix(&[
        &[Some(big), Some(-big)],
        &[Some(-big), Some(big)],
        &[Some(big), Some(big)],
    ]);
    assert_finite(&cronbach_alpha(&m, MissingPolicy::Pairwise, 0.9).unwrap());
}

/// Finding 3: a value near −5.6e303 made the interval distances overflow (∞ − ∞ = NaN).
#[test]
fn krippendorff_refuses_values_whose_distances_overflow() {
    let m = matrix(&[
        &[Some(-5.571849933161306e303), Some(1.5)],
        &[Some(4.0), Some(5.0)],
        &[Some(4.0), Some(5.0)],
    ]);
    for level in [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ] {
        assert_eq!(code(krippendorff_alpha(&m, level)), "out_of_range");
    }
    let big = MAX_MAGNITUDE;
    let m = matrix(&[&[Some(-big), Some(1.5)], &[Some(4.0), Some(big)]]);
    assert_finite(&krippendorff_alpha(&m, Level::Interval).unwrap());
}

/// Finding 4: a subnormal null variance (the bits 6680) made S̄/σ² overflow (r*wg(J) = −∞).
#[test]
fn rwg_refuses_a_null_variance_that_makes_the_ratio_overflow() {
    let null = f64::from_bits(6680);
    let m = matrix(&[&[Some(2.0)]]);
    assert_eq!(code(rwg(&m[0], null)), "invalid_parameter");
    assert_eq!(
        code(rwg_j_from_variances(&[Some(2.0)], null)),
        "invalid_parameter"
    );
    assert_eq!(code(rwg_j(&m, null)), "invalid_parameter");
    // The extremes that are accepted give finite results; for J = 1, (1 − r)/((1 − r) + r)
    // once cancelled to −1e300/0 = −∞.
    let one = rwg_j_from_variances(&[Some(1e200)], 1e-100).unwrap();
    assert_finite(&one);
    assert_eq!(one.rwg_j_raw, one.rwg_j_lindell);
    assert_finite(&rwg_j_from_variances(&[Some(1e200), Some(0.0)], 1e-100).unwrap());
    // At the pole S̄/σ² = J/(J−1) the raw index is undefined, not ±∞.
    let pole = rwg_j_from_variances(&[Some(2.0), Some(2.0)], 1.0).unwrap();
    assert_finite(&pole);
    assert_eq!((pole.rwg_j_raw, pole.rwg_j), (None, Some(0.0)));
    assert_eq!(
        code(rwg_j_from_variances(&[Some(1.01e200)], 1.0)),
        "out_of_range"
    );
}

/// Finding 5: a score of −4.7e226 made the squared residuals overflow (intercept s.e. +∞).
#[test]
fn additive_effects_refuse_scores_whose_squares_overflow() {
    let mut ratings = vec![Rating::new(0, 0, 0, -4.738320393658673e226)];
    ratings.extend(std::iter::repeat_n(Rating::new(0, 0, 0, 3.0), 43));
    let e = additive_effects(&ratings).unwrap_err();
    assert!(
        matches!(e, StatsError::OutOfRange { index: 0, .. }),
        "{e:?}"
    );
    ratings[0].score = -MAX_MAGNITUDE;
    assert_finite(&additive_effects(&ratings).unwrap());
}

/// Finding 6: candidate 1 is rated only by raters 1 and 2, which are extreme; once they are set
/// aside it had no rating (count 0, average 0/0 = NaN, measure left at its start value).
#[test]
fn mfrm_refuses_an_element_left_without_ratings_by_extreme_elements() {
    let head = [
        (0, 0, 1, 2.0),
        (1, 2, 0, 3.0),
        (1, 1, 1, 1.0),
        (0, 0, 0, 3.0),
        (0, 0, 0, 3.0),
        (0, 0, 0, 1.0),
        (0, 3, 0, 2.0),
        (2, 0, 0, 1.0),
        (3, 0, 0, 3.0),
        (0, 0, 0, 3.0),
        (0, 3, 0, 3.0),
        (3, 0, 2, 1.0),
        (0, 0, 0, 1.0),
        (0, 0, 0, 1.0),
        (0, 0, 0, 1.0),
        (0, 0, 0, 3.0),
        (0, 2, 0, 3.0),
    ];
    let mut ratings: Vec<Rating> = head
        .iter()
        .map(|&(c, r, k, s)| Rating::new(c, r, k, s))
        .collect();
    ratings.extend(std::iter::repeat_n(Rating::new(0, 0, 0, 3.0), 36));
    assert_eq!(ratings.len(), 53);
    let e = mfrm(&ratings, &MfrmOptions::default()).unwrap_err();
    assert_eq!(e.code(), "unestimable");
    assert!(
        matches!(
            e,
            StatsError::Unestimable {
                facet: "candidate",
                index: 1
            }
        ),
        "{e:?}"
    );
}

/// Finding 7: Fisher's exact test walked a support of 7.9 million tables (24 s).
#[test]
fn fisher_exact_refuses_a_support_beyond_its_bound() {
    let (a, b, c, d) = (0, 103_483_447_320, 7_895_040, 0);
    let e = fisher_exact([[a, b], [c, d]]).unwrap_err();
    assert!(
        matches!(e, StatsError::TooLarge { found: 7_895_041, max, .. } if max == MAX_FISHER_SUPPORT),
        "{e:?}"
    );
    let (focal, reference) = (GroupCounts::new(a, b), GroupCounts::new(c, d));
    // `c > d`: more selected than the reference group has (total 0 here).
    assert!(adverse_impact(focal, reference).is_err());
    assert!(two_proportion_z_tests(focal, reference).is_err());
    assert!(selection_rates(&[focal, reference]).is_err());
    // Large but consistent groups: the exact test is refused, the z tests still answer.
    let big = [[200_000, 300_000], [190_000, 310_000]];
    assert_eq!(code(fisher_exact(big)), "too_large");
    let focal = GroupCounts::new(200_000, 500_000);
    let reference = GroupCounts::new(190_000, 500_000);
    assert_finite(&two_proportion_z_tests(focal, reference).unwrap());
    // Just inside the bound it is computed.
    let n = MAX_FISHER_SUPPORT / 2;
    assert_finite(&fisher_exact([[n, n], [n - 1, n]]).unwrap());
}
