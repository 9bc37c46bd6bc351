//! `tests/fixtures/cohort_sample.expected.json` is the engine's cohort report of the sample data
//! (`examples/data/{cohort,attributes,decisions,overrides}.csv`, standard rubric), pretty JSON.
//! Python and JavaScript compare their reports with it exactly, so it must be what this build of
//! the engine writes, byte for byte. Regenerate it with the CLI (same JSON):
//!
//! ```sh
//! cargo run -p readiness-cli -- cohort examples/data/cohort.csv \
//!   --attributes examples/data/attributes.csv --decisions examples/data/decisions.csv \
//!   --overrides examples/data/overrides.csv --format json \
//!   --out tests/fixtures/cohort_sample.expected.json
//! ```

use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs};
use readiness::{RatingSet, Rubric};
use std::path::Path;

#[test]
fn sample_cohort_report_is_the_committed_fixture() -> Result<(), Box<dyn std::error::Error>> {
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
    let expected =
        std::fs::read_to_string(root.join("tests/fixtures/cohort_sample.expected.json"))?;
    assert!(
        json == expected,
        "the sample cohort report differs from tests/fixtures/cohort_sample.expected.json; \
         regenerate it with `readiness cohort … --format json` (see this file's header) \
         if the change is intended"
    );
    Ok(())
}
