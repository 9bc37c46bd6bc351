#![no_main]
//! Any text as a TOML rubric: a typed error or a rubric that an engine accepts and that
//! survives a JSON round trip with the same fingerprint.
use libfuzzer_sys::fuzz_target;
use readiness::{Engine, Rubric};
use readiness_fuzz::check_error;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Rubric::from_toml_str(text) {
        Err(e) => check_error(e.code(), &e.to_string()),
        Ok(r) => {
            let back = Rubric::from_json_str(&r.to_json_string()).expect("JSON round trip");
            assert_eq!(back.fingerprint(), r.fingerprint());
            Engine::new(r).expect("a valid rubric makes an engine");
        }
    }
});
