//! Property tests of adverse impact and rater effects: Fisher p-values are probabilities and
//! do not depend on how the table is laid out, the four-fifths rule is scale-free, and the
//! additive and Rasch rater models do not depend on the order of the ratings.

use proptest::prelude::*;
use readiness::stats::adverse_impact::{
    adverse_impact, fisher_exact, four_fifths_violation, selection_rates, GroupCounts,
};
use readiness::stats::mfrm::{mfrm, MfrmOptions};
use readiness::stats::rater_effects::{additive_effects, Rating};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

fn table() -> impl Strategy<Value = [[u64; 2]; 2]> {
    (0u64..60, 0u64..60, 0u64..60, 0u64..60).prop_map(|(a, b, c, d)| [[a, b], [c, d]])
}

/// A complete candidates × raters × criteria design with scores 1..=5.
fn complete_design(max: usize) -> impl Strategy<Value = Vec<Rating>> {
    (2..max, 2..5usize, 2..5usize).prop_flat_map(|(n, j, i)| {
        proptest::collection::vec(1u8..=5, n * j * i).prop_map(move |scores| {
            let mut out = Vec::with_capacity(scores.len());
            let mut it = scores.into_iter();
            for c in 0..n {
                for r in 0..j {
                    for k in 0..i {
                        out.push(Rating::new(c, r, k, f64::from(it.next().unwrap_or(3))));
                    }
                }
            }
            out
        })
    })
}

proptest! {
    #[test]
    fn fisher_p_values_are_probabilities(t in table()) {
        let f = fisher_exact(t).unwrap();
        for p in [f.p_two_sided, f.p_less, f.p_greater, f.min_attainable_p_two_sided] {
            prop_assert!((0.0..=1.0).contains(&p), "p = {p}");
        }
        // P(X ≤ a) + P(X ≥ a) counts P(X = a) twice, so it is at least 1.
        prop_assert!(f.p_less + f.p_greater >= 1.0 - 1e-12);
        prop_assert!(f.p_two_sided >= f.min_attainable_p_two_sided - 1e-15);
    }

    #[test]
    fn fisher_is_symmetric_under_transposition(t in table()) {
        let [[a, b], [c, d]] = t;
        let f = fisher_exact(t).unwrap();
        let g = fisher_exact([[a, c], [b, d]]).unwrap();
        prop_assert!(close(f.p_two_sided, g.p_two_sided, 1e-12));
        prop_assert!(close(f.p_less, g.p_less, 1e-12));
        prop_assert!(close(f.p_greater, g.p_greater, 1e-12));
    }

    #[test]
    fn swapping_groups_swaps_the_one_sided_tests(t in table()) {
        let [[a, b], [c, d]] = t;
        let f = fisher_exact(t).unwrap();
        let g = fisher_exact([[c, d], [a, b]]).unwrap();
        prop_assert!(close(f.p_two_sided, g.p_two_sided, 1e-12));
        prop_assert!(close(f.p_less, g.p_greater, 1e-12));
        prop_assert!(close(f.p_greater, g.p_less, 1e-12));
    }

    #[test]
    fn four_fifths_rule_is_scale_free(sf in 0u64..50, nf in 1u64..50, sr in 0u64..50, nr in 1u64..50, k in 1u64..1000) {
        let (sf, sr) = (sf.min(nf), sr.min(nr));
        let base = four_fifths_violation(GroupCounts::new(sf, nf), GroupCounts::new(sr, nr)).unwrap();
        let scaled = four_fifths_violation(GroupCounts::new(sf * k, nf * k), GroupCounts::new(sr * k, nr * k)).unwrap();
        prop_assert_eq!(base, scaled);
    }

    #[test]
    fn impact_ratios_are_undefined_not_nan(sf in 0u64..30, nf in 1u64..30, sr in 0u64..30, nr in 1u64..30) {
        let (f, r) = (GroupCounts::new(sf.min(nf), nf), GroupCounts::new(sr.min(nr), nr));
        let a = adverse_impact(f, r).unwrap();
        let json = serde_json::to_string(&a).unwrap();
        prop_assert!(!json.contains("NaN"));
        for x in [a.impact_ratio, a.impact_ratio_min_over_max, a.z_pooled.z, a.z_unpooled.z].into_iter().flatten() {
            prop_assert!(x.is_finite());
        }
        let g = selection_rates(&[f, r]).unwrap();
        if let Some(ratio) = g.min_over_max_ratio {
            prop_assert!((0.0..=1.0).contains(&ratio));
        }
    }

    #[test]
    fn additive_effects_do_not_depend_on_row_order(rs in complete_design(8), seed in any::<u64>()) {
        let a = additive_effects(&rs).unwrap();
        let mut shuffled = rs.clone();
        // Fisher–Yates with a fixed LCG, driven by the proptest seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let b = additive_effects(&shuffled).unwrap();
        for (x, y) in a.rater_leniency.iter().zip(&b.rater_leniency) {
            prop_assert!(close(x.estimate, y.estimate, 1e-10));
        }
        for (x, y) in a.candidate_adjusted_means.iter().zip(&b.candidate_adjusted_means) {
            prop_assert!(close(x.estimate, y.estimate, 1e-10));
        }
        prop_assert_eq!(a.residual_df, b.residual_df);
    }

    #[test]
    fn additive_effects_sum_to_zero_and_shift_with_the_scores(rs in complete_design(8), shift in -3.0f64..3.0) {
        let a = additive_effects(&rs).unwrap();
        prop_assert!(a.rater_leniency.iter().map(|e| e.estimate).sum::<f64>().abs() < 1e-9);
        prop_assert!(a.criterion_effects.iter().map(|e| e.estimate).sum::<f64>().abs() < 1e-9);
        prop_assert!(a.candidate_effects.iter().map(|e| e.estimate).sum::<f64>().abs() < 1e-9);
        let shifted: Vec<Rating> = rs.iter().map(|r| Rating { score: r.score + shift, ..*r }).collect();
        let b = additive_effects(&shifted).unwrap();
        prop_assert!(close(b.intercept.estimate, a.intercept.estimate + shift, 1e-10));
        for (x, y) in a.rater_leniency.iter().zip(&b.rater_leniency) {
            prop_assert!(close(x.estimate, y.estimate, 1e-9));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mfrm_meets_its_estimating_equations_in_any_row_order(rs in complete_design(7)) {
        let opts = MfrmOptions::default();
        let Ok(a) = mfrm(&rs, &opts) else {
            // Random data may leave a category unused by non-extreme elements: a typed error.
            return Ok(());
        };
        // Estimating equations hold in score units when no category gap was collapsed.
        let consecutive = a.categories.windows(2).all(|w| w[1].value - w[0].value == 1.0);
        for el in a.candidates.iter().chain(&a.raters).chain(&a.criteria) {
            if el.extreme.is_none() && consecutive {
                prop_assert!((el.expected_raw_score - el.observed_raw_score).abs() < 1e-7);
            }
        }
        prop_assert!(a.thresholds.iter().sum::<f64>().abs() < 1e-9);
        let mut reversed = rs.clone();
        reversed.reverse();
        let b = mfrm(&reversed, &opts).unwrap();
        for (x, y) in a.raters.iter().zip(&b.raters) {
            prop_assert!(close(x.measure, y.measure, 1e-8));
        }
        for (x, y) in a.candidates.iter().zip(&b.candidates) {
            prop_assert!(close(x.measure, y.measure, 1e-8));
        }
    }
}

#[test]
fn nested_individual_raters_are_reported_as_disconnected() {
    // Each rater rates one candidate: individual severities are not identifiable.
    let mut rs = Vec::new();
    for c in 0..3 {
        for r in 0..2 {
            for k in 0..3 {
                rs.push(Rating::new(c, c * 2 + r, k, ((c + r + k) % 5 + 1) as f64));
            }
        }
    }
    let err = additive_effects(&rs).unwrap_err();
    assert_eq!(err.code(), "disconnected");
    let err = mfrm(&rs, &MfrmOptions::default()).unwrap_err();
    assert_eq!(err.code(), "disconnected");
}

#[test]
fn extreme_candidates_are_reported_not_diverging() {
    let mut rs = Vec::new();
    for c in 0..5 {
        for r in 0..3 {
            for k in 0..3 {
                let s = if c == 0 {
                    5
                } else if c == 1 {
                    1
                } else {
                    (c + r + k) % 5 + 1
                };
                rs.push(Rating::new(c, r, k, s as f64));
            }
        }
    }
    let fit = mfrm(&rs, &MfrmOptions::default()).unwrap();
    use readiness::stats::mfrm::ExtremeScore;
    assert_eq!(fit.candidates[0].extreme, Some(ExtremeScore::Maximum));
    assert_eq!(fit.candidates[1].extreme, Some(ExtremeScore::Minimum));
    assert!(
        fit.candidates[0].measure.is_finite()
            && fit.candidates[0].measure > fit.candidates[2].measure
    );
    assert!(
        fit.candidates[1].measure.is_finite()
            && fit.candidates[1].measure < fit.candidates[3].measure
    );
    assert!(fit.candidates[0].infit_mnsq.is_none());
    assert!(fit.candidates[0].model_se.is_some());
}

#[test]
fn fisher_is_exact_at_n_3000() {
    // scipy: 796/1499 vs 720/1501.
    let f = fisher_exact([[796, 703], [720, 781]]).unwrap();
    assert!(close(f.p_two_sided, 0.004946312589453904, 1e-9));
    assert!(close(f.p_greater, 0.0027499716008686764, 1e-9));
}
