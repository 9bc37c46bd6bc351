#![no_main]
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::icc::icc;
use readiness_fuzz::{assert_finite, check_error, confidence, Matrix};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(m), Ok(c)) = (u.arbitrary::<Matrix>(), confidence(&mut u)) else {
        return;
    };
    match icc(&m.0, c) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
