//! `readiness init DIR`: a starter rubric (the standard one, commented) and a sample ratings CSV,
//! then the next command to run.

use crate::{write_output, Failure};
use clap::Args;
use readiness::rubric::{DimensionKind, Rubric, STANDARD_TOML};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `readiness init`.
#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Folder to write `rubric.toml` and `ratings.csv` into (created when missing).
    dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
}

/// Runs `readiness init`.
pub(crate) fn run(args: InitArgs) -> Result<(), Failure> {
    let rubric_path = args.dir.join("rubric.toml");
    let ratings_path = args.dir.join("ratings.csv");
    if !args.force {
        for p in [&rubric_path, &ratings_path] {
            if p.exists() {
                return Err(Failure::io(
                    p,
                    "already exists (use --force to overwrite it)",
                ));
            }
        }
    }
    std::fs::create_dir_all(&args.dir).map_err(|e| Failure::io(&args.dir, e))?;
    write_output(Some(&rubric_path), STANDARD_TOML)?;
    write_output(Some(&ratings_path), &sample_ratings(&Rubric::standard()))?;
    let report = args.dir.join("report.html");
    write_output(
        None,
        &format!(
            "wrote {} (the standard rubric, commented: adapt it to your organisation)\n\
             wrote {} (a sample 360 round: {} candidates over two quarters)\n\n\
             next:\n  readiness report {} --rubric {} --format html --out {}\n",
            rubric_path.display(),
            ratings_path.display(),
            PROFILES.len(),
            ratings_path.display(),
            rubric_path.display(),
            report.display()
        ),
    )
}

/// A sample candidate: mean scores per dimension kind (leadership, attitude, impact,
/// technical) in the first cycle, the gain by the second, and how far self ratings sit above
/// the others.
struct Profile {
    id: &'static str,
    base: [f64; 4],
    gain: f64,
    self_bias: f64,
}

const PROFILES: [Profile; 6] = [
    Profile {
        id: "e-101",
        base: [4.2, 4.2, 4.0, 3.6],
        gain: 0.3,
        self_bias: -0.3,
    },
    Profile {
        id: "e-102",
        base: [3.5, 3.7, 3.4, 3.4],
        gain: 0.4,
        self_bias: 0.0,
    },
    // The expert trap: strong technically, leadership not yet shown.
    Profile {
        id: "e-103",
        base: [2.4, 3.0, 2.6, 4.7],
        gain: 0.0,
        self_bias: 0.6,
    },
    Profile {
        id: "e-104",
        base: [3.1, 3.3, 3.0, 3.2],
        gain: -0.1,
        self_bias: 0.2,
    },
    // A blind spot: rates themself well above what others see.
    Profile {
        id: "e-105",
        base: [2.6, 2.9, 2.7, 3.0],
        gain: 0.2,
        self_bias: 1.6,
    },
    Profile {
        id: "e-106",
        base: [3.6, 3.5, 3.4, 4.1],
        gain: 0.2,
        self_bias: -0.8,
    },
];

const CYCLES: [&str; 2] = ["2025-Q4", "2026-Q1"];

/// Deterministic rater noise in {−1, 0, 0, 0, +1} from the row's key (FNV-1a).
fn noise(key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    match h % 5 {
        0 => -1.0,
        1 => 1.0,
        _ => 0.0,
    }
}

/// The sample ratings: every candidate rated on every criterion of `rubric` by themself, a
/// manager, three peers and three direct reports, in two cycles.
pub(crate) fn sample_ratings(rubric: &Rubric) -> String {
    let mut out = String::from("candidate,cycle,rater,group,criterion,score\n");
    for (c, cycle) in CYCLES.iter().enumerate() {
        for (k, p) in PROFILES.iter().enumerate() {
            let mut raters: Vec<(String, &str, f64)> = vec![
                (format!("{}-self", p.id), "self", p.self_bias),
                (format!("m-{}", 1 + k / 3), "manager", 0.0),
            ];
            for j in 0..3 {
                raters.push((format!("p-{}", 1 + (k + 2 * j) % 9), "peer", 0.0));
                raters.push((format!("{}-dr{}", p.id, j + 1), "direct_report", 0.0));
            }
            for d in &rubric.dimensions {
                let kind = match d.kind {
                    DimensionKind::Attitude => 1,
                    DimensionKind::Impact => 2,
                    DimensionKind::Technical => 3,
                    _ => 0,
                };
                let mean = p.base[kind] + p.gain * c as f64;
                for cr in &d.criteria {
                    for (rater, group, bias) in &raters {
                        let key = format!("{}/{cycle}/{rater}/{}", p.id, cr.id);
                        let score = (mean + bias + noise(&key)).round().clamp(1.0, 5.0);
                        let _ = writeln!(out, "{},{cycle},{rater},{group},{},{score}", p.id, cr.id);
                    }
                }
            }
        }
    }
    out
}
