//! `readiness report`, `init`, `completions`, exit codes and `--help` of every subcommand.
//!
//! The Markdown report and the structure of the HTML report of the sample cohort are compared
//! with the committed snapshots in `tests/snapshots/`; `UPDATE_SNAPSHOTS=1 cargo test -p
//! readiness-cli --test report_cli` rewrites them after an intended change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn sample(format: &str) -> String {
    let o = run(&[
        "report",
        &data("cohort.csv"),
        "--attributes",
        &data("attributes.csv"),
        "--decisions",
        &data("decisions.csv"),
        "--overrides",
        &data("overrides.csv"),
        "--format",
        format,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(o.stderr.is_empty(), "stderr: {}", text(&o.stderr));
    text(&o.stdout)
}

fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

/// Compares `actual` with the committed snapshot, or writes it with `UPDATE_SNAPSHOTS=1`.
fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_path(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  snapshot: {:?}\n  output:   {:?}\n(run with UPDATE_SNAPSHOTS=1 if the change is intended)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The structure of an HTML document: sections, cards, headings with their text, table
/// headers, SVG figures by label, one line each, indented by nesting of section/article.
fn outline(html: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = html;
    let mut headers: Vec<String> = Vec::new();
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        let after = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attr = |key: &str| {
            let pat = format!("{key}=\"");
            tag.find(&pat).map(|i| {
                let v = &tag[i + pat.len()..];
                v[..v.find('"').unwrap()].to_string()
            })
        };
        let pad = "  ".repeat(depth);
        match (name.as_str(), closing) {
            ("section" | "article" | "header" | "footer" | "nav", false) => {
                out.push_str(&format!(
                    "{pad}{name}{}{}\n",
                    attr("id").map_or(String::new(), |i| format!("#{i}")),
                    attr("class").map_or(String::new(), |c| format!(".{c}"))
                ));
                if name == "section" || name == "article" {
                    depth += 1;
                }
            }
            ("section" | "article", true) => depth = depth.saturating_sub(1),
            ("h1" | "h2" | "h3" | "h4", false) => {
                let close = format!("</{name}>");
                let inner = &after[..after.find(&close).unwrap()];
                out.push_str(&format!("{pad}{name} {}\n", strip_tags(inner)));
            }
            ("th", false) => {
                let inner = &after[..after.find("</th>").unwrap()];
                headers.push(strip_tags(inner));
            }
            ("thead", true) => {
                out.push_str(&format!("{pad}table [{}]\n", headers.join(" | ")));
                headers.clear();
            }
            ("svg", false) => {
                if let Some(label) = attr("aria-label").filter(|_| attr("role").is_some()) {
                    // Score bars are labelled with their numbers; the outline keeps the figures.
                    if !label.contains(" of 100") {
                        out.push_str(&format!("{pad}svg {label}\n"));
                    }
                }
            }
            _ => {}
        }
        rest = after;
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn markdown_report_matches_snapshot() {
    assert_snapshot("report.md", &sample("md"));
}

#[test]
fn html_report_structure_matches_snapshot() {
    assert_snapshot("report.html.outline", &outline(&sample("html")));
}

/// Every place an HTML file can pull something in from outside.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for needle in [
        "http://", "https://", "@import", "<script", "<link", "<iframe", "<object", "<embed",
    ] {
        if lower.contains(needle) {
            found.push(needle.to_string());
        }
    }
    for attr in [
        "src=",
        "href=",
        "xlink:href=",
        "action=",
        "srcset=",
        "poster=",
    ] {
        let mut rest = lower.as_str();
        while let Some(i) = rest.find(attr) {
            let v = rest[i + attr.len()..].trim_start_matches(['"', '\'']);
            if !v.starts_with('#') {
                found.push(format!("{attr}{}", &v[..v.len().min(40)]));
            }
            rest = &rest[i + attr.len()..];
        }
    }
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("url(") {
        let v = rest[i + 4..].trim_start_matches(['"', '\'', ' ']);
        if !v.starts_with("data:") {
            found.push(format!("url({}", &v[..v.len().min(40)]));
        }
        rest = &rest[i + 4..];
    }
    found
}

#[test]
fn html_report_references_nothing_outside_the_file() {
    let html = sample("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>") && html.contains("@media print"));
    assert!(html.contains("break-before:page"));
    assert_eq!(external_references(&html), Vec::<String>::new());
    // The check itself catches each kind.
    for bad in [
        "<img src=\"//cdn.example/x.png\">",
        "<a href=\"https://example.com\">",
        "<style>@import 'x.css';</style>",
        "<div style=\"background:url(x.png)\">",
        "<script>1</script>",
    ] {
        assert!(!external_references(bad).is_empty(), "{bad}");
    }
    assert!(
        external_references("<i style=\"background:url(data:image/png;base64,AA)\">").is_empty()
    );
}

#[test]
fn html_report_has_every_section_and_a_card_per_candidate() {
    let html = sample("html");
    for id in [
        "summary",
        "cohort",
        "nine-box",
        "candidates",
        "reliability",
        "calibration",
        "fairness",
        "decisions",
        "trends",
        "overrides",
        "provenance",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert_eq!(html.matches("<article class=\"card\"").count(), 48);
    assert!(html.contains("Technical expertise (apart: never in the index)"));
    assert!(html.contains("below 4/5"));
    assert!(html.contains("Rubric fingerprint"));
    assert!(html.contains("sha256:"));
    // Anonymity: breakdowns the documents withhold are shown as withheld, not as numbers.
    assert!(html.contains(" withheld</span>"));
}

#[test]
fn user_text_is_escaped_in_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "<script>alert(1)</script>";
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for (who, base) in [(evil, 4), ("e-2", 2), ("e-3", 3)] {
        for (r, g) in [
            ("m", "manager"),
            ("p1", "peer"),
            ("p2", "peer"),
            ("p3", "peer"),
            ("d1", "direct_report"),
            ("d2", "direct_report"),
            ("d3", "direct_report"),
        ] {
            for c in ["listens", "seeks_feedback", "engagement", "domain_mastery"] {
                csv.push_str(&format!("\"{who}\",{who}-{r},{g},{c},{base}\n"));
            }
        }
    }
    let ratings = dir.path().join("r.csv");
    std::fs::write(&ratings, csv).unwrap();
    let overrides = dir.path().join("o.csv");
    std::fs::write(
        &overrides,
        "candidate,level,reason,author,date\ne-2,ready_now,\"\"\"><img src=x onerror=alert(2)> | *bold*\",<b>hr</b>,2026-01-01\n",
    )
    .unwrap();
    let args = |f: &'static str| {
        vec![
            "report".to_string(),
            ratings.to_string_lossy().into_owned(),
            "--overrides".into(),
            overrides.to_string_lossy().into_owned(),
            "--format".into(),
            f.into(),
        ]
    };
    let o = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args("html"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = text(&o.stdout);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>hr"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    let o = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args("md"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let md = text(&o.stdout);
    assert!(!md.contains("<script") && !md.contains("<img"));
    assert!(md.contains("&lt;img src=x onerror=alert(2)&gt; \\| \\*bold\\*"));
}

#[test]
fn report_reads_ratings_from_stdin() {
    let csv = std::fs::read(data("cohort.csv")).unwrap();
    let o = run_stdin(&["report", "-", "--format", "md"], &csv);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let piped = text(&o.stdout);
    let o = run(&["report", &data("cohort.csv"), "--format", "md"]);
    assert_eq!(piped, text(&o.stdout));
}

#[test]
fn report_writes_out_file_and_quiet_keeps_stderr_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let o = run(&[
        "report",
        &data("cohort.csv"),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    assert!(std::fs::read_to_string(&out).unwrap().contains("</html>"));
    for cmd in ["assess", "cohort"] {
        let o = run(&[cmd, &data("cohort.csv"), "-q"]);
        assert!(o.status.success(), "{cmd}: {}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "{cmd}");
    }
}

#[test]
fn exit_codes_per_error_class() {
    let dir = tempfile::tempdir().unwrap();
    // 2: usage.
    let o = run(&["report", &data("cohort.csv"), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let o = run(&["report"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    // 3: invalid input, one line naming the file and row.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "candidate,rater,group,criterion,score\ne-1,m,manager,listens,9\n",
    )
    .unwrap();
    let o = run(&["report", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.csv"), "{err}");
    let no_reason = dir.path().join("o.csv");
    std::fs::write(
        &no_reason,
        "candidate,level,reason,author,date\ne-1001,ready_now,,hr,2026-01-01\n",
    )
    .unwrap();
    let o = run(&[
        "report",
        &data("cohort.csv"),
        "--overrides",
        no_reason.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("o.csv"));
    // 4: I/O.
    let o = run(&["report", dir.path().join("missing.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let o = run(&[
        "report",
        &data("cohort.csv"),
        "--out",
        dir.path().join("no/such/dir/r.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    // 0: help and version.
    assert_eq!(run(&["report", "--help"]).status.code(), Some(0));
    assert_eq!(run(&["--version"]).status.code(), Some(0));
}

#[test]
fn every_subcommand_documents_examples_and_exit_codes() {
    for cmd in [
        vec!["assess"],
        vec!["stats"],
        vec!["cohort"],
        vec!["report"],
        vec!["init"],
        vec!["completions"],
        vec!["rubric"],
        vec!["rubric", "validate"],
        vec!["rubric", "show"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let o = run(&args);
        assert!(o.status.success(), "{cmd:?}");
        let help = text(&o.stdout);
        assert!(help.contains("Exit codes:"), "{cmd:?}: {help}");
        assert!(help.contains("3  invalid input"), "{cmd:?}");
        if cmd != ["rubric"] {
            assert!(help.contains("Example"), "{cmd:?}: {help}");
        }
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", text(&o.stderr));
        let script = text(&o.stdout);
        assert!(script.len() > 500, "{shell}");
        for word in ["report", "init", "cohort", "attributes"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
}

#[test]
fn init_writes_a_starter_project_that_reports() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("review");
    let o = run(&["init", project.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let said = text(&o.stdout);
    assert!(said.contains("readiness report"), "{said}");
    let rubric = project.join("rubric.toml");
    let ratings = project.join("ratings.csv");
    assert_eq!(
        std::fs::read_to_string(&rubric).unwrap(),
        readiness::rubric::STANDARD_TOML
    );
    let o = run(&["rubric", "validate", rubric.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The printed next command works as printed.
    let next = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("readiness "))
        .unwrap();
    let args: Vec<&str> = next.split_whitespace().collect();
    let o = run(&args);
    assert!(o.status.success(), "{next}: {}", text(&o.stderr));
    let html = std::fs::read_to_string(project.join("report.html")).unwrap();
    // Two cycles: a sparkline per candidate.
    assert!(html.contains("aria-label=\"index by cycle\""));
    assert!(html.contains("Expert trap"));
    // No overwrite without --force, and the files are left alone.
    std::fs::write(&ratings, "mine").unwrap();
    let o = run(&["init", project.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&ratings).unwrap(), "mine");
    let o = run(&["init", project.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_ne!(std::fs::read_to_string(&ratings).unwrap(), "mine");
}
