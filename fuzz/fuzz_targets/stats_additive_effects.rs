#![no_main]
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};
use readiness::stats::rater_effects::{additive_effects, Rating};
use readiness_fuzz::{assert_finite, check_error, Score};

pub fn ratings(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<Rating>> {
    let n = u.int_in_range(0usize..=96)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let score = u.arbitrary::<Score>()?.0.unwrap_or(3.0);
        out.push(Rating::new(
            u.int_in_range(0usize..=7)?,
            u.int_in_range(0usize..=5)?,
            u.int_in_range(0usize..=4)?,
            score,
        ));
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(r) = ratings(&mut u) else {
        return;
    };
    match additive_effects(&r) {
        Ok(x) => assert_finite(&x),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
