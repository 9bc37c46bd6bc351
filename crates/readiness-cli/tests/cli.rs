//! The `readiness` binary: formats, atomic output, exit codes and one-line errors.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_readiness"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cohort() -> PathBuf {
    root().join("examples/data/cohort.csv")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn assess_sample_cohort_as_table_shows_every_level_and_flag() {
    let o = run(&["assess", cohort().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for word in [
        "ready_now",
        "ready_1_2_years",
        "ready_3_5_years",
        "not_ready",
        "insufficient_evidence",
        "expert_trap",
        "blind_spot",
        "hidden_strength",
        "low_agreement",
        "few_raters",
    ] {
        assert!(
            out.lines()
                .skip(2)
                .any(|l| l.contains(word) && l.starts_with("e-")),
            "table rows show {word}"
        );
    }
    assert!(out.starts_with("candidate  level"));
}

#[test]
fn json_is_an_array_of_documents_sorted_by_candidate() {
    let o = run(&["assess", cohort().to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success());
    let docs: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(docs.len(), 48);
    let ids: Vec<&str> = docs
        .iter()
        .map(|d| d["candidate"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    for key in [
        "candidate",
        "readiness",
        "dimensions",
        "technical",
        "flags",
        "strengths",
        "development",
        "provenance",
    ] {
        assert!(docs[0].get(key).is_some(), "{key}");
    }
    let jsonl = stdout(&run(&[
        "assess",
        cohort().to_str().unwrap(),
        "--format",
        "jsonl",
    ]));
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, docs);
}

#[test]
fn csv_has_one_row_per_candidate() {
    let o = run(&["assess", cohort().to_str().unwrap(), "--format", "csv"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "candidate");
    assert!(headers.iter().any(|h| h == "leadership_ci_low"));
    assert_eq!(rdr.records().count(), 48);
}

#[test]
fn out_is_written_whole_and_never_half() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.json");
    let o = run(&[
        "assess",
        cohort().to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).is_empty());
    let v: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v.len(), 48);
    // A failing run leaves no file and no temporary behind.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "candidate,rater,group,criterion,score\ne,m,manager,listens,9\n",
    )
    .unwrap();
    let target = dir.path().join("b.json");
    let o = run(&[
        "assess",
        bad.to_str().unwrap(),
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(!target.exists());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "only a.json and bad.csv: {names:?}");
}

/// `--out` never replaces what is not a regular file: a symlink is written through (the link
/// stays a link), a FIFO (like `/dev/null` or a terminal) is written in place. Renaming over
/// them once replaced this machine's `/dev/null` with a regular file.
#[cfg(unix)]
#[test]
fn out_writes_through_symlinks_and_into_fifos() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&[
        "assess",
        cohort().to_str().unwrap(),
        "--format",
        "json",
        "--out",
        link.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let v: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(v.len(), 48);

    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = run(&[
        "assess",
        cohort().to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        fifo.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Checked before joining: had the FIFO been replaced, the reader would wait forever.
    let meta = fifo.symlink_metadata().unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 49, "header and 48 candidates");
}

#[test]
fn every_bad_input_exits_3_with_one_line_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let head = "candidate,rater,group,criterion,score\n";
    let ok = "e,m,manager,listens,4\n";
    let cases = [
        (
            "unknown criterion",
            format!("{head}{ok}e,m,manager,listening,4\n"),
            "line 3",
            "listening",
        ),
        (
            "unknown group",
            format!("{head}{ok}e,x,boss,listens,4\n"),
            "line 3",
            "boss",
        ),
        (
            "out of scale",
            format!("{head}{ok}e,m,manager,courage,6\n"),
            "line 3",
            "outside the scale",
        ),
        (
            "off step",
            format!("{head}{ok}e,m,manager,courage,2.5\n"),
            "line 3",
            "step",
        ),
        (
            "non-numeric",
            format!("{head}{ok}e,m,manager,courage,good\n"),
            "line 3",
            "not a number",
        ),
        (
            "NaN",
            format!("{head}{ok}e,m,manager,courage,NaN\n"),
            "line 3",
            "not finite",
        ),
        (
            "inf",
            format!("{head}{ok}e,m,manager,courage,-inf\n"),
            "line 3",
            "not finite",
        ),
        (
            "duplicate",
            format!("{head}{ok}e,m,manager,listens,4\n"),
            "line 3",
            "duplicate",
        ),
        (
            "two groups",
            format!("{head}{ok}e,m,peer,courage,4\n"),
            "line 3",
            "in group",
        ),
        (
            "missing column",
            "candidate,rater,criterion,score\ne,m,listens,4\n".to_string(),
            "line 1",
            "`group`",
        ),
    ];
    for (name, text, at, needle) in cases {
        let file = dir.path().join("in.csv");
        std::fs::write(&file, text).unwrap();
        let o = run(&["assess", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{name}");
        assert!(stdout(&o).is_empty(), "{name}: nothing on stdout");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert!(
            err.contains("in.csv") && err.contains(at) && err.contains(needle),
            "{name}: {err}"
        );
    }
}

#[test]
fn io_and_usage_errors_have_their_own_exit_codes() {
    let o = run(&["assess", "/nonexistent/ratings.csv"]);
    assert_eq!(o.status.code(), Some(4));
    let o = run(&["assess"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["assess", cohort().to_str().unwrap(), "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_ratings_and_stdin_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    std::fs::write(
        &file,
        r#"[{"candidate":"e","rater":"m","group":"manager","criterion":"listens","score":4}]"#,
    )
    .unwrap();
    let o = run(&["assess", file.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    use std::io::Write;
    let mut child = bin()
        .args(["assess", "-", "--format", "jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"candidate,rater,group,criterion,score\ne,m,manager,listens,4\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn rubric_show_and_validate() {
    let o = run(&["rubric", "show"]);
    assert!(o.status.success());
    let shown = stdout(&o);
    assert_eq!(
        shown,
        std::fs::read_to_string(root().join("examples/rubrics/standard.toml")).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.toml");
    std::fs::write(&file, &shown).unwrap();
    let o = run(&["rubric", "validate", file.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("valid rubric standard-leadership@1.0.0"));
    let o = run(&["rubric", "show", file.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("id = \"standard-leadership\""));
    std::fs::write(&file, shown.replacen("weight = 0.4", "weight = -1", 1)).unwrap();
    let o = run(&["rubric", "validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("rater_groups.manager.weight: must be > 0, got -1"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "assess",
        "--rubric",
        file.to_str().unwrap(),
        cohort().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn custom_rubric_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("strict.toml");
    let text = std::fs::read_to_string(root().join("examples/rubrics/standard.toml")).unwrap();
    std::fs::write(&file, text.replacen("min_index = 75", "min_index = 99", 1)).unwrap();
    let o = run(&[
        "assess",
        "--rubric",
        file.to_str().unwrap(),
        cohort().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let docs: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(docs.iter().all(|d| d["readiness"]["level"] != "ready_now"));
}

/// `--format csv` and `--format table` are computed from the engine's flat table, without
/// documents; the snapshots were written by the documents-based renderer they replaced, so
/// they pin the bytes. `UPDATE_SNAPSHOTS=1` rewrites them (when the engine version, rubric or
/// format changes on purpose).
#[test]
fn csv_and_table_outputs_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let cycles = root().join("tests/fixtures/cycles.csv");
    for (input, name) in [(cohort(), "cohort"), (cycles, "cycles")] {
        for (format, ext) in [("csv", "csv"), ("table", "table.txt")] {
            let o = run(&["assess", input.to_str().unwrap(), "--format", format]);
            assert!(o.status.success(), "{}", stderr(&o));
            let path = dir.join(format!("assess-{name}.{ext}"));
            if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
                std::fs::write(&path, &o.stdout).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap();
            assert!(
                stdout(&o) == expected,
                "{} differs from the output (UPDATE_SNAPSHOTS=1 if intended)",
                path.display()
            );
        }
    }
}
