#![no_main]
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::krippendorff::{krippendorff_alpha, Level};
use readiness_fuzz::{assert_finite, check_error, Matrix};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(m), Ok(k)) = (u.arbitrary::<Matrix>(), u.choose_index(4)) else {
        return;
    };
    let level = [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ][k];
    match krippendorff_alpha(&m.0, level) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
