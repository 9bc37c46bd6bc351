#![no_main]
//! The cohort report on arbitrary tables: the input is split at 0xFF bytes into ratings CSV,
//! attributes CSV, decisions CSV and overrides CSV (missing parts are absent tables). A typed
//! error or a report whose every float is finite.
use libfuzzer_sys::fuzz_target;
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs};
use readiness::{RatingSet, Rubric};
use readiness_fuzz::{assert_finite, check_error};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let ratings = parts.next().unwrap_or_default();
    let tables: Vec<Option<&str>> = parts.take(3).map(|p| std::str::from_utf8(p).ok()).collect();
    let rubric = Rubric::standard();
    let set = match RatingSet::from_csv_reader(ratings, &rubric) {
        Ok(s) => s,
        Err(e) => return check_error(e.code(), &e.to_string()),
    };
    let mut inputs = CohortInputs::default();
    if let Some(Some(t)) = tables.first() {
        match parse_attributes(t, &set) {
            Ok(a) => inputs.attributes = Some(a),
            Err(e) => return check_error(e.code(), &e.to_string()),
        }
    }
    if let Some(Some(t)) = tables.get(1) {
        match parse_decisions(t, &set) {
            Ok(d) => inputs.decisions = Some(d),
            Err(e) => return check_error(e.code(), &e.to_string()),
        }
    }
    if let Some(Some(t)) = tables.get(2) {
        match parse_overrides(t, &set, &rubric) {
            Ok(o) => inputs.overrides = o,
            Err(e) => return check_error(e.code(), &e.to_string()),
        }
    }
    match cohort_report(&set, &rubric, &inputs) {
        Ok(report) => assert_finite(&report),
        Err(e) => check_error(e.code(), &e.to_string()),
    }
});
