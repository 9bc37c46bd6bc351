//! `readiness cohort`: every format on the sample data, and input-table errors with lines.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn sample(format: &str) -> Output {
    run(&[
        "cohort",
        &data("cohort.csv"),
        "--attributes",
        &data("attributes.csv"),
        "--decisions",
        &data("decisions.csv"),
        "--overrides",
        &data("overrides.csv"),
        "--format",
        format,
    ])
}

#[test]
fn table_shows_every_section() {
    let o = sample("table");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for heading in [
        "1. Ranking and distribution",
        "2. 9-box",
        "3. Reliability",
        "4. Calibration",
        "5. Fairness",
        "6. Decision audit",
        "7. Trends",
        "8. Overrides",
        "9. Provenance",
        "past promotions followed technical expertise",
        "gender × site",
        "(missing)",
        "ratings sha256:",
    ] {
        assert!(out.contains(heading), "{heading} missing");
    }
}

#[test]
fn json_is_the_cohort_document() {
    let o = sample("json");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ranking",
            "nine_box",
            "reliability",
            "calibration",
            "fairness",
            "decision_audit",
            "trends",
            "overrides",
            "provenance"
        ]
    );
    assert_eq!(v["overrides"]["n"], 2);
    assert_eq!(v["decision_audit"]["driver"], "technical");
    assert!(v["reliability"]["table"].is_object());
}

#[test]
fn markdown_has_headings_and_tables() {
    let o = sample("md");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("# Cohort report"));
    assert!(out.contains("\n## 5. Fairness\n"));
    assert!(out.contains("| group | n | selected |"));
}

fn temp(name: &str, body: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, body).unwrap();
    (dir, p)
}

#[test]
fn unknown_candidate_is_an_input_error_naming_the_line() {
    let (_d, p) = temp(
        "attributes.csv",
        "candidate,site\ne-1001,north\ne-9999,south\n",
    );
    let o = run(&[
        "cohort",
        &data("cohort.csv"),
        "--attributes",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = text(&o.stderr);
    assert!(
        err.contains("attributes line 3: unknown candidate 'e-9999'"),
        "{err}"
    );
}

#[test]
fn duplicate_key_is_an_input_error_naming_both_lines() {
    let (_d, p) = temp(
        "decisions.csv",
        "candidate,promoted\ne-1001,yes\ne-1002,no\ne-1001,no\n",
    );
    let o = run(&[
        "cohort",
        &data("cohort.csv"),
        "--decisions",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = text(&o.stderr);
    assert!(
        err.contains("decisions line 4: duplicate key 'e-1001' (first at line 2)"),
        "{err}"
    );
}

#[test]
fn override_without_reason_is_refused() {
    let (_d, p) = temp(
        "overrides.csv",
        "candidate,level,reason,author,date\ne-1001,not_ready,,hr,2026-01-01\n",
    );
    let o = run(&[
        "cohort",
        &data("cohort.csv"),
        "--overrides",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = text(&o.stderr);
    assert!(
        err.contains("overrides line 2") && err.contains("has no reason"),
        "{err}"
    );
}
