#![no_main]
//! Fisher's exact test, selection rates, z tests and the adverse-impact summary on arbitrary
//! counts (any u64, so overflow and huge tables are in scope).
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::adverse_impact::{
    adverse_impact, fisher_exact, four_fifths_violation, selection_rates, two_proportion_z_tests,
    GroupCounts,
};
use readiness_fuzz::{assert_finite, check_error};

fn count(u: &mut Unstructured<'_>) -> arbitrary::Result<u64> {
    Ok(if u.ratio(1u8, 8u8)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0u64..=200)?
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut next = || count(&mut u);
    let (Ok(a), Ok(b), Ok(c), Ok(d)) = (next(), next(), next(), next()) else {
        return;
    };
    match fisher_exact([[a, b], [c, d]]) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
    let focal = GroupCounts::new(a, b);
    let reference = GroupCounts::new(c, d);
    match adverse_impact(focal, reference) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
    match two_proportion_z_tests(focal, reference) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
    if let Err(e) = four_fifths_violation(focal, reference) {
        check_error(e.code(), &e.to_string());
    }
    let mut groups = vec![focal, reference];
    while let (Ok(true), Ok(s), Ok(t)) = (u.arbitrary::<bool>(), count(&mut u), count(&mut u)) {
        if groups.len() >= 8 {
            break;
        }
        groups.push(GroupCounts::new(s, t));
    }
    match selection_rates(&groups) {
        Ok(r) => assert_finite(&r),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
