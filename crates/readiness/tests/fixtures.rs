//! Cross-binding fixtures: every `tests/fixtures/<name>.csv` with `<name>.expected.json`
//! assesses to exactly those bytes (pretty JSON with a trailing newline, as written by
//! `cargo run -p readiness-cli --example write_fixture_expected`), and so does the same data
//! with its rows shuffled or its raters renamed consistently. Python and Node check the same
//! files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use readiness::{Engine, Rubric};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .filter(|p| p.with_extension("expected.json").exists())
        .map(|p| {
            (
                p.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                p,
            )
        })
        .collect();
    out.sort();
    out
}

fn engine_for(csv: &Path) -> Engine {
    let rubric_path = csv.with_extension("rubric.toml");
    let rubric = if rubric_path.exists() {
        Rubric::from_toml_str(&std::fs::read_to_string(rubric_path).expect("rubric"))
            .expect("valid rubric")
    } else {
        Rubric::standard()
    };
    Engine::new(rubric).expect("engine")
}

fn pretty(engine: &Engine, csv: &str) -> String {
    let docs = engine.assess_csv(csv).expect("fixture ratings are valid");
    let mut json = serde_json::to_string_pretty(&docs).expect("serialize");
    json.push('\n');
    json
}

/// A deterministic shuffle (SplitMix64 Fisher–Yates) of the data lines, header kept first.
fn shuffled(csv: &str, seed: u64) -> String {
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    let mut s = seed;
    for i in (1..lines.len()).rev() {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        lines.swap(i, (z % (i as u64 + 1)) as usize);
    }
    let mut out = String::from(header);
    for l in lines {
        out.push('\n');
        out.push_str(l);
    }
    out.push('\n');
    out
}

/// Renames every rater consistently, reversing their sort order (`zz-<n>` counting down).
fn renamed(csv: &str) -> String {
    let mut rows = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header = rows.headers().expect("header").clone();
    let col = header
        .iter()
        .position(|h| h == "rater")
        .expect("rater column");
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    let mut raters: Vec<String> = records.iter().map(|r| r[col].to_string()).collect();
    raters.sort();
    raters.dedup();
    let n = raters.len();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("write");
    for r in &records {
        let k = raters
            .binary_search(&r[col].to_string())
            .expect("known rater");
        let name = format!("zz-{:06}", n - k);
        let row: Vec<&str> = r
            .iter()
            .enumerate()
            .map(|(i, v)| if i == col { name.as_str() } else { v })
            .collect();
        w.write_record(&row).expect("write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf-8")
}

#[test]
fn fixtures_assess_to_the_expected_bytes() {
    let all = fixtures();
    assert!(all.iter().any(|(n, _)| n == "small"), "fixtures: {all:?}");
    for (name, path) in &all {
        let engine = engine_for(path);
        let csv = std::fs::read_to_string(path).expect("csv");
        let expected =
            std::fs::read_to_string(path.with_extension("expected.json")).expect("expected");
        assert!(
            pretty(&engine, &csv) == expected,
            "{name}: output differs from {name}.expected.json"
        );
    }
}

#[test]
fn shuffled_rows_change_no_byte() {
    for (name, path) in fixtures() {
        let engine = engine_for(&path);
        let csv = std::fs::read_to_string(&path).expect("csv");
        let expected = pretty(&engine, &csv);
        for seed in [1, 2, 3, 0xDEAD_BEEF] {
            assert!(
                pretty(&engine, &shuffled(&csv, seed)) == expected,
                "{name}: shuffle {seed} changed the output"
            );
        }
    }
}

// Scoring sums in rubric order and replicates in a canonical order, so renaming raters (which
// reorders them) changes no byte.
#[test]
fn renamed_raters_change_no_byte() {
    for (name, path) in fixtures() {
        let engine = engine_for(&path);
        let csv = std::fs::read_to_string(&path).expect("csv");
        let expected = pretty(&engine, &csv);
        assert!(
            pretty(&engine, &renamed(&csv)) == expected,
            "{name}: renaming raters changed the output"
        );
        assert!(
            pretty(&engine, &shuffled(&renamed(&csv), 7)) == expected,
            "{name}: renamed and shuffled changed the output"
        );
    }
}

/// The flat table the CLI's CSV and table outputs use (`Engine::assessments_table`, no documents) is the
/// table of the documents, on every fixture (cycles, rater adjustment, suppressed groups).
#[test]
fn flat_table_without_documents_matches_the_documents() {
    for (name, path) in fixtures() {
        let engine = engine_for(&path);
        let csv = std::fs::read_to_string(&path).unwrap();
        let set = readiness::RatingSet::from_csv_str(&csv, engine.rubric()).unwrap();
        let docs = engine.assess(&set).unwrap();
        assert_eq!(
            engine.assessments_table(&set).unwrap(),
            readiness::table::assessments_table(&docs, engine.rubric()),
            "{name}"
        );
    }
}
