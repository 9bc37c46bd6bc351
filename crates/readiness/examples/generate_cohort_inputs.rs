//! Writes the synthetic tables that go with `examples/data/cohort.csv` for the cohort report
//! (deterministic: same bytes on every run):
//!
//! - `examples/data/attributes.csv`: gender, site and age band per candidate, some values
//!   missing;
//! - `examples/data/decisions.csv`: past promotion decisions that, as so often, favoured the
//!   strongest experts (the expert-trap archetypes of the cohort are promoted);
//! - `examples/data/overrides.csv`: two human overrides with reason, author and date.
//!
//! ```text
//! cargo run -p readiness --example generate_cohort_inputs -- examples/data
//! ```

use std::fmt::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data".into());
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let mut attributes = String::from("candidate,gender,site,age_band\n");
    let mut decisions = String::from("candidate,promoted,date\n");
    for k in 0..48u32 {
        let cand = format!("e-{}", 1001 + k);
        let gender = match (k * 7 + 3) % 11 {
            0 => "",
            1..=5 => "f",
            6..=9 => "m",
            _ => "x",
        };
        let site = if (k * 5) % 3 == 0 { "south" } else { "north" };
        let age = ["<30", "30-45", ">45"][((k * 13) % 7 % 3) as usize];
        writeln!(attributes, "{cand},{gender},{site},{age}")?;
        // Decisions for 36 of the 48 candidates. The cohort's archetypes (see
        // generate_cohort.rs): 0–5 leaders, 24–28 expert traps. Experts were promoted, most
        // leaders were not.
        if k % 4 != 3 {
            let promoted = (24..=28).contains(&k) || k == 0 || k == 12 || k == 33;
            let month = 1 + k % 12;
            writeln!(decisions, "{cand},{promoted},2025-{month:02}-15")?;
        }
    }
    let overrides = "candidate,level,reason,author,date,cycle\n\
e-1034,ready_now,Led the site integration this quarter; evidence reviewed in the calibration meeting,hr-lead-2,2026-01-20,\n\
e-1025,ready_3_5_years,Recent feedback from two new direct reports not yet in the 360,hr-lead-2,2026-01-20,\n";
    std::fs::write(dir.join("attributes.csv"), attributes)?;
    std::fs::write(dir.join("decisions.csv"), decisions)?;
    std::fs::write(dir.join("overrides.csv"), overrides)?;
    eprintln!(
        "wrote attributes.csv, decisions.csv, overrides.csv in {}",
        dir.display()
    );
    Ok(())
}
