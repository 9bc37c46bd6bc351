#![no_main]
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::cronbach::{cronbach_alpha, MissingPolicy};
use readiness_fuzz::{assert_finite, check_error, confidence, Matrix};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(m), Ok(c), Ok(pairwise)) = (
        u.arbitrary::<Matrix>(),
        confidence(&mut u),
        u.arbitrary::<bool>(),
    ) else {
        return;
    };
    let policy = if pairwise {
        MissingPolicy::Pairwise
    } else {
        MissingPolicy::Listwise
    };
    match cronbach_alpha(&m.0, policy, c) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
