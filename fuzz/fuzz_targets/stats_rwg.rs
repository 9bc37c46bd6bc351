#![no_main]
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::rwg::{rwg, rwg_j, rwg_j_from_variances, uniform_null_variance};
use readiness_fuzz::{assert_finite, check_error, Matrix};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(m), Ok(points), Ok(raw)) = (
        u.arbitrary::<Matrix>(),
        u.int_in_range(0usize..=12),
        u.arbitrary::<u64>(),
    ) else {
        return;
    };
    let null = match uniform_null_variance(points) {
        Ok(v) => {
            assert_finite(&v);
            if raw % 8 == 0 {
                f64::from_bits(raw)
            } else {
                v
            }
        }
        Err(e) => {
            check_error(e.code(), &e.to_string());
            f64::from_bits(raw)
        }
    };
    for row in &m.0 {
        match rwg(row, null) {
            Ok(r) => assert_finite(&r),
            Err(e) => check_error(e.code(), &e.to_string()),
        }
        match rwg_j_from_variances(row, null) {
            Ok(r) => assert_finite(&r),
            Err(e) => check_error(e.code(), &e.to_string()),
        }
    }
    match rwg_j(&m.0, null) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
