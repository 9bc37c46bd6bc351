//! JSON Schemas of the documents, generated from the Rust types.
//!
//! `schema/*.schema.json` in the repository are written by
//! `cargo run -p readiness --example write_schemas` and a test fails when they drift.

use schemars::{schema_for, Schema};

/// The JSON Schema of a rubric document.
pub fn rubric_schema() -> Schema {
    schema_for!(crate::rubric::Rubric)
}

/// The JSON Schema of an array of assessment documents (what `readiness assess --format json`
/// writes).
pub fn assessment_schema() -> Schema {
    schema_for!(Vec<crate::assessment::Assessment>)
}

/// The JSON Schema of a rating record.
pub fn rating_schema() -> Schema {
    schema_for!(crate::ratings::Rating)
}

/// The JSON Schema of a cohort report (what `readiness cohort --format json` writes).
pub fn cohort_schema() -> Schema {
    schema_for!(crate::cohort::CohortReport)
}

/// Every schema with its file name under `schema/`.
pub fn all() -> Vec<(&'static str, Schema)> {
    vec![
        ("rubric.schema.json", rubric_schema()),
        ("assessment.schema.json", assessment_schema()),
        ("rating.schema.json", rating_schema()),
        ("cohort.schema.json", cohort_schema()),
    ]
}

/// A schema as pretty JSON with a trailing newline (the committed form).
pub fn to_pretty(schema: &Schema) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
