#![no_main]
//! Any text as ratings JSON on the standard rubric: a typed error or assessments that satisfy
//! the output invariants.
use libfuzzer_sys::fuzz_target;
use readiness::Engine;
use readiness_fuzz::{check_assessments, check_error};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = Engine::standard();
    match engine.assess_json(text) {
        Err(e) => check_error(e.code(), &e.to_string()),
        Ok(docs) => check_assessments(&docs),
    }
});
