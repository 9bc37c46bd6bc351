//! Writes the expected assessment documents of cross-binding fixtures: for every
//! `tests/fixtures/<name>.csv` given, `<name>.expected.json` next to it, assessed by the engine
//! with the standard rubric (or `<name>.rubric.toml` when that file exists).
//!
//! `cargo run -p readiness-cli --example write_fixture_expected -- tests/fixtures/small.csv`
//!
//! The Rust, Python and JavaScript tests all compare their output with these files.

use readiness::{Engine, Rubric};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for arg in std::env::args().skip(1) {
        let csv_path = Path::new(&arg);
        let rubric_path = csv_path.with_extension("rubric.toml");
        let rubric = if rubric_path.exists() {
            Rubric::from_toml_str(&std::fs::read_to_string(&rubric_path)?)?
        } else {
            Rubric::standard()
        };
        let engine = Engine::new(rubric)?;
        let docs = engine.assess_csv(&std::fs::read_to_string(csv_path)?)?;
        let mut json = serde_json::to_string_pretty(&docs)?;
        json.push('\n');
        std::fs::write(csv_path.with_extension("expected.json"), json)?;
    }
    Ok(())
}
