//! `readiness stats`: the reliability table and rater-effect summary, as text and JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .output()
        .unwrap()
}

fn cohort() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/cohort.csv")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A crossed panel: 6 candidates, 3 peers, two leadership criteria; p-3 one point lenient.
fn panel_csv(dir: &Path) -> PathBuf {
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for c in 0..6 {
        for r in 1..=3 {
            let base = 1 + c % 4 + usize::from(r == 2 && c % 2 == 0);
            let s = (base + usize::from(r == 3)).min(5);
            csv += &format!("e-{c},p-{r},peer,listens,{s}\ne-{c},p-{r},peer,gives_room,{s}\n");
        }
        csv += &format!("e-{c},e-{c},self,listens,5\n");
    }
    let path = dir.join("panel.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn table_shows_design_bands_and_rater_effects_for_a_crossed_panel() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["stats", panel_csv(dir.path()).to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.starts_with("design: crossed panel (6 units, 3 scoring raters"));
    assert!(out.contains("left out, weight 0: self"));
    assert!(out.contains("ICC over 3 raters (p-1, p-2, p-3); 6 of 6 targets complete"));
    for form in ["ICC1 ", "ICC2 ", "ICC3 ", "ICC1k", "ICC2k", "ICC3k"] {
        assert!(out.contains(&format!("    {form}")), "{form} in\n{out}");
    }
    assert!(out.contains("supported:") || out.contains("CI within the band"));
    assert!(out.contains("Cronbach's alpha"));
    assert!(out.contains("Krippendorff's alpha (interval)"));
    assert!(out.contains("rwg(J) mean"));
    // p-3 is the most lenient rater and is listed first.
    let effects = out.split("rater effects").nth(1).unwrap();
    let first = effects.lines().nth(1).unwrap();
    assert!(first.trim_start().starts_with("p-3 (peer)"), "{first}");
    assert!(first.contains("SE "));
}

#[test]
fn json_has_the_table_and_the_effects() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "stats",
        panel_csv(dir.path()).to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["reliability"]["design"], "crossed");
    let lead = &v["reliability"]["dimensions"][0];
    assert_eq!(lead["id"], "leadership");
    assert_eq!(lead["icc"]["forms"].as_array().unwrap().len(), 6);
    assert!(lead["icc"]["forms"][0]["result"]["icc"].is_f64());
    assert_eq!(v["rater_effects"]["facet"], "rater");
    assert_eq!(v["rater_effects"]["effects"][0]["id"], "p-3");
}

#[test]
fn sample_cohort_reports_its_design_and_only_valid_icc_forms() {
    let o = run(&["stats", cohort().to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let t = &v["reliability"];
    let design = t["design"].as_str().unwrap();
    assert!(["crossed", "nested", "mixed"].contains(&design));
    for row in t["dimensions"].as_array().unwrap() {
        for f in row["icc"]["forms"].as_array().unwrap() {
            let one_way = f["kind"] == "icc1" || f["kind"] == "icc1k";
            if design != "crossed" && !one_way {
                assert!(f["result"].is_null());
                assert!(f["not_computed"].as_str().unwrap().contains("nested"));
            }
        }
    }
    let text = run(&["stats", cohort().to_str().unwrap()]);
    assert!(text.status.success());
    assert!(stdout(&text).contains("rater effects"));
}

#[test]
fn unreadable_ratings_exit_with_io_code() {
    let o = run(&["stats", "/nonexistent/ratings.csv"]);
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("error: /nonexistent/ratings.csv"));
}

#[test]
fn ratings_without_scoring_raters_are_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("self.csv");
    std::fs::write(
        &path,
        "candidate,rater,group,criterion,score\ne-1,e-1,self,listens,4\n",
    )
    .unwrap();
    let o = run(&["stats", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8(o.stderr)
        .unwrap()
        .contains("scoring ratings: need at least 1"));
}
