//! The adversarial table (`tests/adversarial/cases.json`) through the CLI: each input written to
//! a file and given to `readiness assess --format json` (ratings) or `readiness rubric validate`
//! (rubrics). An expected error is exit code 3 with exactly one line on stderr (bounded, never
//! echoing comment text); an accepted input is exit 0 with the expected documents. Also: a
//! withheld rater-group breakdown stays withheld in every output format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::process::Command;

#[path = "../../../tests/adversarial/cases.rs"]
mod cases;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_readiness"))
}

#[test]
fn every_adversarial_case_exits_3_with_one_line_or_succeeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for case in cases::load() {
        let ext = match case.door.as_str() {
            "ratings_csv" => "csv",
            "ratings_json" | "rubric_json" => "json",
            "rubric_toml" => "toml",
            other => panic!("unknown door {other}"),
        };
        let file = dir.path().join(format!("{}.{ext}", case.name));
        std::fs::write(&file, &case.input).expect("write input");
        let out = if case.door.starts_with("rubric") {
            bin().args(["rubric", "validate"]).arg(&file).output()
        } else {
            bin()
                .args(["assess", "--format", "json"])
                .arg(&file)
                .output()
        }
        .expect("run readiness");
        if case.large {
            eprintln!("{}: exit {:?}", case.name, out.status.code());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let result: Result<(), String> = match &case.errors {
            Some(_) => {
                let lines = stderr.lines().count();
                // The message is the engine's plus the file path and `error: `.
                let bound = case.max_message_bytes + file.as_os_str().len() + 16;
                if code != Some(3) {
                    Err(format!("expected exit 3, got {code:?}: {}", clip(&stderr)))
                } else if lines != 1 || stderr.len() > bound || !stderr.starts_with("error: ") {
                    Err(format!(
                        "stderr is not one bounded line ({lines} lines, {} bytes)",
                        stderr.len()
                    ))
                } else if let Some(s) = case
                    .not_in_message
                    .iter()
                    .find(|s| stderr.contains(s.as_str()))
                {
                    Err(format!("stderr echoes {s:?}"))
                } else if !out.stdout.is_empty() {
                    Err("wrote to stdout on error".into())
                } else {
                    Ok(())
                }
            }
            None if code != Some(0) => {
                Err(format!("expected success, got {code:?}: {}", clip(&stderr)))
            }
            None if case.door.starts_with("rubric") => Ok(()),
            None => match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
                Err(e) => Err(format!("stdout is not JSON: {e}")),
                Ok(v) => {
                    let docs = v.as_array().cloned().unwrap_or_default();
                    let ids: Vec<&str> = docs
                        .iter()
                        .filter_map(|d| d["candidate"].as_str())
                        .collect();
                    if case.documents.is_some_and(|n| n != docs.len()) {
                        Err(format!(
                            "expected {:?} documents, got {}",
                            case.documents,
                            docs.len()
                        ))
                    } else if case.candidates.as_ref().is_some_and(|c| *c != ids) {
                        Err(format!(
                            "expected candidates {:?}, got {ids:?}",
                            case.candidates
                        ))
                    } else {
                        Ok(())
                    }
                }
            },
        };
        if let Err(why) = result {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// One manager and two peers (below the peer minimum of 3) rate `listens`; three direct reports
/// too. The peer breakdown must be withheld in JSON, JSON lines and CSV alike.
#[test]
fn withheld_breakdowns_stay_withheld_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("few_peers.csv");
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for (r, g, s) in [
        ("m", "manager", 4),
        ("p1", "peer", 1),
        ("p2", "peer", 2),
        ("d1", "direct_report", 5),
        ("d2", "direct_report", 4),
        ("d3", "direct_report", 4),
    ] {
        csv.push_str(&format!("e-1,{r},{g},listens,{s}\n"));
    }
    std::fs::write(&file, csv).expect("write");
    let run = |format: &str| {
        let out = bin()
            .args(["assess", "--format", format])
            .arg(&file)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let lead = &json[0]["dimensions"][0];
    assert!(
        lead["by_group"]["peer"].is_null(),
        "peer breakdown shown: {lead}"
    );
    assert!(
        lead["suppressed"]["peer"].is_string(),
        "no reason for withholding: {lead}"
    );
    for line in run("jsonl").lines() {
        let doc: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        assert!(doc["dimensions"][0]["by_group"]["peer"].is_null());
    }
    // CSV: every column naming the peer breakdown is empty.
    let text = run("csv");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().expect("header").clone();
    let peer_cols: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("peer"))
        .map(|(i, _)| i)
        .collect();
    for row in rows.records() {
        let row = row.expect("row");
        for &i in &peer_cols {
            assert_eq!(
                &row[i], "",
                "column {} shows a withheld breakdown",
                &header[i]
            );
        }
    }
}
