#![no_main]
//! Any bytes as ratings CSV on the standard rubric (the reader takes bytes, so invalid UTF-8
//! is in scope): a typed error or assessments that satisfy the output invariants.
use libfuzzer_sys::fuzz_target;
use readiness::{Engine, RatingSet};
use readiness_fuzz::{check_assessments, check_error};

fuzz_target!(|data: &[u8]| {
    let engine = Engine::standard();
    match RatingSet::from_csv_reader(data, engine.rubric()) {
        Err(e) => check_error(e.code(), &e.to_string()),
        Ok(set) => match engine.assess(&set) {
            Err(e) => check_error(e.code(), &e.to_string()),
            Ok(docs) => {
                assert_eq!(docs.len(), set.units());
                check_assessments(&docs);
            }
        },
    }
});
