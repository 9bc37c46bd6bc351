//! Using `readiness` as a library: assess the sample cohort and list the strong experts whose
//! leadership is not yet shown.
//!
//! ```text
//! cargo run -p readiness --example quickstart -- examples/data/cohort.csv
//! ```

#![allow(clippy::print_stdout, reason = "an example prints its results")]

use readiness::{Engine, FlagCode, RatingSet, Rubric};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/cohort.csv".into());
    let engine = Engine::new(Rubric::standard())?;
    let file = std::fs::File::open(&path)?;
    let ratings = RatingSet::from_csv_reader(file, engine.rubric())?;
    let docs = engine.assess(&ratings)?;
    println!(
        "{} candidates assessed from {} ratings",
        docs.len(),
        ratings.len()
    );
    for doc in &docs {
        if doc.flags.iter().any(|f| f.code == FlagCode::ExpertTrap) {
            println!(
                "{}: technical {:.1}, readiness {:.1} ({}); develop first: {}",
                doc.candidate,
                doc.technical.score.unwrap_or(f64::NAN),
                doc.readiness.index.unwrap_or(f64::NAN),
                doc.readiness.level,
                doc.development
                    .iter()
                    .map(|d| d.criterion.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(())
}
