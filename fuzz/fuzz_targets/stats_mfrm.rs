#![no_main]
//! JMLE many-facet Rasch on small designs (bounded sizes and iterations so each run is quick).
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::mfrm::{mfrm, MfrmOptions};
use readiness::stats::rater_effects::Rating;
use readiness_fuzz::{assert_finite, check_error, Score};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(n) = u.int_in_range(0usize..=64) else {
        return;
    };
    let mut ratings = Vec::with_capacity(n);
    for _ in 0..n {
        let (Ok(c), Ok(r), Ok(k), Ok(s)) = (
            u.int_in_range(0usize..=6),
            u.int_in_range(0usize..=4),
            u.int_in_range(0usize..=3),
            u.arbitrary::<Score>(),
        ) else {
            return;
        };
        ratings.push(Rating::new(c, r, k, s.0.unwrap_or(3.0)));
    }
    let mut options = MfrmOptions::default();
    if let Ok(true) = u.arbitrary::<bool>() {
        options.tolerance = f64::from_bits(u.arbitrary().unwrap_or(0));
        options.max_iterations = u.int_in_range(0usize..=200).unwrap_or(0);
        options.extreme_adjustment = f64::from_bits(u.arbitrary().unwrap_or(0));
    }
    match mfrm(&ratings, &options) {
        Ok(x) => assert_finite(&x),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
