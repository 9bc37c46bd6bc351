//! Property tests for the reliability and agreement statistics: invariances that must hold
//! for any data (target order, rater relabelling, unit order) and ranges of the results.

use proptest::prelude::*;
use readiness::stats::cronbach::{cronbach_alpha, MissingPolicy};
use readiness::stats::icc::{icc, IccKind};
use readiness::stats::krippendorff::{krippendorff_alpha, Level};
use readiness::stats::rwg::{rwg, rwg_j, uniform_null_variance};

/// Ratings on a 1–5 scale, as an `n × k` matrix with no missing cell.
fn full_matrix(
    n: std::ops::Range<usize>,
    k: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    (n, k).prop_flat_map(|(n, k)| {
        prop::collection::vec(
            prop::collection::vec((1u8..=5).prop_map(|x| Some(f64::from(x))), k),
            n,
        )
    })
}

/// Ratings with some cells missing.
fn sparse_matrix(
    n: std::ops::Range<usize>,
    k: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    (n, k).prop_flat_map(|(n, k)| {
        prop::collection::vec(
            prop::collection::vec(
                prop::option::weighted(0.8, (1u8..=5).prop_map(f64::from)),
                k,
            ),
            n,
        )
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
        _ => false,
    }
}

fn transpose(m: &[Vec<Option<f64>>]) -> Vec<Vec<Option<f64>>> {
    let cols = m.first().map_or(0, Vec::len);
    (0..cols)
        .map(|c| m.iter().map(|r| r[c]).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn icc_is_invariant_to_target_order(m in full_matrix(2..12, 2..6), seed in any::<u64>()) {
        let mut shuffled = m.clone();
        // deterministic permutation from the seed
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let a = icc(&m, 0.95).unwrap();
        let b = icc(&shuffled, 0.95).unwrap();
        for kind in IccKind::ALL {
            let (fa, fb) = (a.form(kind).unwrap(), b.form(kind).unwrap());
            prop_assert!(close(fa.icc, fb.icc), "{kind:?}: {:?} vs {:?}", fa.icc, fb.icc);
            prop_assert!(close(fa.ci_lower, fb.ci_lower));
            prop_assert!(close(fa.ci_upper, fb.ci_upper));
            prop_assert!(close(fa.p_value, fb.p_value));
        }
    }

    #[test]
    fn icc_values_are_in_range_and_never_nan(m in full_matrix(2..12, 2..6)) {
        let r = icc(&m, 0.95).unwrap();
        for f in &r.forms {
            if let Some(v) = f.icc {
                prop_assert!(v.is_finite() && v <= 1.0 + 1e-12, "{:?} = {v}", f.kind);
            }
            if let (Some(lo), Some(hi)) = (f.ci_lower, f.ci_upper) {
                prop_assert!(lo <= hi + 1e-12);
            }
            if let Some(p) = f.p_value {
                prop_assert!((0.0..=1.0).contains(&p));
            }
        }
    }

    #[test]
    fn icc_drops_exactly_the_incomplete_targets(m in sparse_matrix(2..12, 2..5)) {
        let complete: Vec<usize> = m.iter().enumerate()
            .filter(|(_, r)| r.iter().all(Option::is_some)).map(|(i, _)| i).collect();
        match icc(&m, 0.95) {
            Ok(r) => prop_assert_eq!(r.targets_used, complete),
            Err(e) => prop_assert!(complete.len() < 2, "{e}"),
        }
    }

    #[test]
    fn cronbach_is_invariant_to_row_order(m in sparse_matrix(3..15, 2..6)) {
        let mut rev = m.clone();
        rev.reverse();
        for policy in [MissingPolicy::Pairwise, MissingPolicy::Listwise] {
            let (a, b) = (cronbach_alpha(&m, policy, 0.95), cronbach_alpha(&rev, policy, 0.95));
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    prop_assert!(close(a.alpha, b.alpha));
                    prop_assert!(close(a.ci.lower, b.ci.lower));
                    if let Some(x) = a.alpha { prop_assert!(x <= 1.0 + 1e-12 || policy == MissingPolicy::Pairwise); }
                }
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "one order failed, the other did not"),
            }
        }
    }

    #[test]
    fn krippendorff_is_invariant_to_coder_and_unit_order(m in sparse_matrix(2..6, 1..20), seed in any::<u64>()) {
        let mut coders = m.clone();
        coders.reverse();
        let mut units = transpose(&m);
        let n = units.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(2862933555777941757).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            units.swap(i, j);
        }
        let units = transpose(&units);
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            let a = krippendorff_alpha(&m, level).unwrap();
            let b = krippendorff_alpha(&coders, level).unwrap();
            let c = if units.is_empty() { a.clone() } else { krippendorff_alpha(&units, level).unwrap() };
            prop_assert!(close(a.alpha, b.alpha), "{level:?}: {:?} vs {:?}", a.alpha, b.alpha);
            prop_assert!(close(a.alpha, c.alpha), "{level:?}: {:?} vs {:?}", a.alpha, c.alpha);
            if let Some(x) = a.alpha {
                prop_assert!(x.is_finite() && x <= 1.0 + 1e-12);
            }
        }
    }

    #[test]
    fn krippendorff_is_invariant_to_relabelling_nominal_categories(m in sparse_matrix(2..6, 1..20)) {
        // a bijection of the categories 1..5 leaves nominal alpha unchanged
        let relabel = |x: f64| [0.0, 4.0, 1.0, 5.0, 3.0, 2.0][x as usize];
        let r: Vec<Vec<Option<f64>>> =
            m.iter().map(|row| row.iter().map(|v| v.map(relabel)).collect()).collect();
        let a = krippendorff_alpha(&m, Level::Nominal).unwrap();
        let b = krippendorff_alpha(&r, Level::Nominal).unwrap();
        prop_assert!(close(a.alpha, b.alpha));
    }

    #[test]
    fn rwg_stays_in_unit_interval(m in sparse_matrix(1..10, 1..6)) {
        let null = uniform_null_variance(5).unwrap();
        let r = rwg_j(&m, null).unwrap();
        if let Some(x) = r.rwg_j {
            prop_assert!((0.0..=1.0).contains(&x), "rwg(J) = {x}");
        }
        for c in 0..m[0].len() {
            let col: Vec<Option<f64>> = m.iter().map(|row| row[c]).collect();
            let one = rwg(&col, null).unwrap();
            if let Some(x) = one.rwg {
                prop_assert!((0.0..=1.0).contains(&x), "rwg = {x}");
            }
        }
    }
}
