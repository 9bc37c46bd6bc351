//! Writes the expected cohort report of the sample data for the cross-binding tests:
//! `examples/data/{cohort,attributes,decisions,overrides}.csv` with the standard rubric →
//! `tests/fixtures/cohort_sample.expected.json` (the engine's serde JSON, pretty-printed).
//!
//! `cargo run -p readiness-cli --example write_cohort_expected`
//!
//! The JavaScript tests (`wasm/tests/node/cohort_report.test.mjs`) compare `engine.cohort` with it.

use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs};
use readiness::{RatingSet, Rubric};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = root.join("examples/data");
    let read = |name: &str| std::fs::read_to_string(data.join(name));
    let rubric = Rubric::standard();
    let set = RatingSet::from_csv_str(&read("cohort.csv")?, &rubric)?;
    let inputs = CohortInputs {
        attributes: Some(parse_attributes(&read("attributes.csv")?, &set)?),
        decisions: Some(parse_decisions(&read("decisions.csv")?, &set)?),
        overrides: parse_overrides(&read("overrides.csv")?, &set, &rubric)?,
    };
    let report = cohort_report(&set, &rubric, &inputs)?;
    let mut json = serde_json::to_string_pretty(&report)?;
    json.push('\n');
    std::fs::write(
        root.join("tests/fixtures/cohort_sample.expected.json"),
        json,
    )?;
    Ok(())
}
