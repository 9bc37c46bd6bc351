//! Walks every file in `../shared/vectors/` and checks it against the engine.
//!
//! A file this test does not know how to check is a failure, so nothing is skipped silently.
//! The folder is found at `$READINESS_VECTORS` or `<workspace>/../shared/vectors`.

#![expect(clippy::unwrap_used, reason = "test harness")]

mod vectors {
    pub mod common;
    pub mod fairness;
    pub mod rater;
    pub mod reliability;
}

use std::path::{Path, PathBuf};
use vectors::common::Outcome;

fn vectors_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("READINESS_VECTORS") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Routes a vector file (by its path relative to the vectors folder) to its checker.
fn route(rel: &str) -> Option<fn(&serde_json::Value, &Path) -> Outcome> {
    let (folder, file) = rel.split_once('/')?;
    let f: fn(&serde_json::Value, &Path) -> Outcome = match (folder, file) {
        ("datasets", _) => vectors::common::check_dataset,
        ("icc", _) => vectors::reliability::check_icc,
        ("cronbach", _) => vectors::reliability::check_cronbach,
        ("krippendorff", _) => vectors::reliability::check_krippendorff,
        ("rwg", _) => vectors::reliability::check_rwg,
        ("distributions", _) => vectors::reliability::check_distributions,
        ("t_ci", _) => vectors::reliability::check_t_ci,
        ("weighted_mean", _) => vectors::reliability::check_weighted_mean,
        ("rater_effects", _) => vectors::rater::check_rater_effects,
        ("mfrm", _) => vectors::rater::check_mfrm,
        ("adverse_impact", _) => vectors::fairness::check_adverse_impact,
        ("published" | "degenerate", f) if f.contains("icc") => vectors::reliability::check_icc,
        ("published" | "degenerate", f) if f.contains("cronbach") => {
            vectors::reliability::check_cronbach
        }
        ("published" | "degenerate", f) if f.contains("krippendorff") => {
            vectors::reliability::check_krippendorff
        }
        ("degenerate", f) if f.contains("rwg") => vectors::reliability::check_rwg,
        ("degenerate", f) if f.contains("adverse_impact") => {
            vectors::fairness::check_adverse_impact
        }
        _ => return None,
    };
    Some(f)
}

#[test]
fn every_vector_file_matches_the_engine() {
    let dir = vectors_dir();
    assert!(
        dir.is_dir(),
        "vectors folder not found at {} (set READINESS_VECTORS)",
        dir.display()
    );
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no vector files under {}", dir.display());
    let mut failures = Vec::new();
    let mut compared = 0usize;
    for path in &files {
        let rel = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(check) = route(&rel) else {
            failures.push(format!("{rel}: no checker knows this file"));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{rel}: not JSON: {e}"));
                continue;
            }
        };
        match check(&value, &dir) {
            Ok(0) if !rel.starts_with("datasets/") => {
                failures.push(format!("{rel}: checker compared nothing"));
            }
            Ok(n) => compared += n,
            Err(msgs) => failures.extend(msgs.into_iter().map(|m| format!("{rel}: {m}"))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in {} files:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!("checked {} vector files, {compared} values", files.len());
}
