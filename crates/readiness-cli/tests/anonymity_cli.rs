//! Anonymity through every output of the CLI, on random cohorts whose panels sit around the
//! anonymity minimums (standard rubric: manager 1, peers 3, direct reports 3).
//!
//! The engine's property test (`crates/readiness/tests/cohort.rs`) shows that no withheld
//! breakdown can be solved for from the JSON documents. Here every other format must show no
//! more than those documents: `report --format md` and `--format html` show each breakdown the
//! documents withhold as "withheld" and every shown one as the documents' value (rounded), and
//! `cohort --format json|md|table` shows no per-candidate breakdown at all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const CRITERIA: [&str; 19] = [
    "listens",
    "gives_room",
    "connects",
    "shows_direction",
    "grows_people",
    "translates_strategy",
    "seeks_feedback",
    "learning_agility",
    "courage",
    "ownership",
    "integrity",
    "team_development",
    "engagement",
    "feedback_culture",
    "wellbeing",
    "results_through_others",
    "domain_mastery",
    "quality_of_work",
    "problem_solving",
];

struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

fn cohort(seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for k in 0..8 {
        let cand = format!("c{k}");
        let mut raters = vec![(format!("{cand}-s"), "self")];
        for (g, min) in [("manager", 1), ("peer", 3), ("direct_report", 3)] {
            let n = rng.below(min + 2); // 0 ..= min + 1
            raters.extend((0..n).map(|i| (format!("{cand}-{g}{i}"), g)));
        }
        let gap = [0.0, 0.2, 0.5][rng.below(3)];
        for (r, g) in &raters {
            for crit in CRITERIA {
                let x = if rng.unit() < gap {
                    String::new()
                } else {
                    (1 + rng.below(5)).to_string()
                };
                writeln!(csv, "{cand},{r},{g},{crit},{x}").unwrap();
            }
        }
    }
    csv
}

fn run(args: &[&str], file: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .arg(file)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Per candidate, per dimension (document order): group label → shown value, or `None` when
/// withheld.
type Expected = BTreeMap<String, Vec<BTreeMap<String, Option<f64>>>>;

fn expected(docs: &serde_json::Value) -> Expected {
    let label = |g: &str| g.replace('_', " ");
    let mut out = Expected::new();
    for doc in docs.as_array().unwrap() {
        let mut dims = Vec::new();
        for d in doc["dimensions"].as_array().unwrap() {
            let mut groups = BTreeMap::new();
            // A group that did not rate the dimension is null without a reason: not shown.
            for (g, v) in d["by_group"].as_object().unwrap() {
                if let Some(x) = v.as_f64() {
                    groups.insert(label(g), Some(x));
                }
            }
            for (g, _) in d["suppressed"].as_object().unwrap() {
                assert!(d["by_group"][g].is_null(), "JSON shows withheld {g}: {d}");
                groups.insert(label(g), None);
            }
            dims.push(groups);
        }
        out.insert(doc["candidate"].as_str().unwrap().to_owned(), dims);
    }
    out
}

/// Parses one row's group entries ("peer withheld", "direct report 58"): label → shown value,
/// or `None` when withheld. Other entries (an interval) are skipped.
fn parse_row(row: &[String]) -> BTreeMap<String, Option<f64>> {
    let known = ["self", "manager", "peer", "direct report", "others"];
    let mut out = BTreeMap::new();
    for entry in row {
        let Some(k) = known.iter().find(|k| entry.starts_with(&format!("{k} "))) else {
            continue;
        };
        let rest = &entry[k.len() + 1..];
        let value = if rest == "withheld" {
            None
        } else {
            Some(rest.parse::<f64>().unwrap_or_else(|_| panic!("{entry:?}")))
        };
        assert!(out.insert((*k).to_owned(), value).is_none(), "{row:?}");
    }
    out
}

/// Whether a shown row is the document's dimension: the same groups, withheld where the
/// document withholds them, and the document's values (rounded to whole points).
fn same(shown: &BTreeMap<String, Option<f64>>, doc: &BTreeMap<String, Option<f64>>) -> bool {
    shown.len() == doc.len()
        && shown.iter().all(|(k, s)| match (s, doc.get(k)) {
            (None, Some(None)) => true,
            (Some(s), Some(Some(v))) => (s - v).abs() <= 0.5 + 1e-9,
            _ => false,
        })
}

/// Matches one candidate's shown rows to its documents' dimensions (in any order) and returns
/// the number of withheld entries shown.
fn check_rows(
    format: &str,
    cand: &str,
    rows: &[Vec<String>],
    want: &[BTreeMap<String, Option<f64>>],
) -> usize {
    let shown: Vec<BTreeMap<String, Option<f64>>> = rows
        .iter()
        .map(|r| parse_row(r))
        .filter(|r| !r.is_empty())
        .collect();
    let mut left: Vec<&BTreeMap<String, Option<f64>>> =
        want.iter().filter(|g| !g.is_empty()).collect();
    assert_eq!(shown.len(), left.len(), "{format} {cand}: dimension rows");
    for row in &shown {
        let Some(i) = left.iter().position(|d| same(row, d)) else {
            panic!("{format} {cand}: {row:?} matches no dimension of the documents: {left:?}");
        };
        left.remove(i);
    }
    shown
        .iter()
        .flat_map(|r| r.values())
        .filter(|v| v.is_none())
        .count()
}

fn md_rows(md: &str) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    let cards = md
        .split_once("\n## Candidates")
        .expect("a Candidates section")
        .1;
    for section in cards.split("\n### ").skip(1) {
        let cand = section.split(" — ").next().unwrap().trim().to_owned();
        let rows = section
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').collect();
                cells
                    .last()
                    .unwrap()
                    .split(" · ")
                    .map(|e| e.trim().to_owned())
                    .collect()
            })
            .collect();
        out.insert(cand, rows);
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in s.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

fn html_rows(html: &str) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    for card in html.split("<article class=\"card\" id=\"").skip(1) {
        let card = card.split("</article>").next().unwrap();
        // The card's id is positional; the candidate is its name.
        let name = card.split("<span class=\"name\">").nth(1).expect("a name");
        let cand = strip_tags(name.split("</span>").next().unwrap());
        let rows = card
            .split("<div class=\"grp\">")
            .skip(1)
            .map(|g| {
                strip_tags(g.split("</div>").next().unwrap())
                    .split(" · ")
                    .map(|e| e.trim().to_owned())
                    .collect()
            })
            .collect();
        out.insert(cand, rows);
    }
    out
}

#[test]
fn withheld_breakdowns_stay_withheld_in_reports_and_cohort_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut total_withheld = 0;
    for seed in 1..=4 {
        let file = dir.path().join(format!("cohort{seed}.csv"));
        std::fs::write(&file, cohort(seed)).unwrap();
        let docs: serde_json::Value =
            serde_json::from_str(&run(&["assess", "--format", "json"], &file)).unwrap();
        let want = expected(&docs);
        let n_suppressed: usize = want
            .values()
            .flatten()
            .map(|g| g.values().filter(|v| v.is_none()).count())
            .sum();
        for (format, rows) in [
            ("md", md_rows(&run(&["report", "--format", "md"], &file))),
            (
                "html",
                html_rows(&run(&["report", "--format", "html"], &file)),
            ),
        ] {
            assert_eq!(
                rows.keys().collect::<Vec<_>>(),
                want.keys().collect::<Vec<_>>(),
                "{format}: candidates"
            );
            let withheld: usize = want
                .iter()
                .map(|(cand, groups)| check_rows(format, cand, &rows[cand], groups))
                .sum();
            assert_eq!(withheld, n_suppressed, "{format}, seed {seed}");
        }
        total_withheld += n_suppressed;
        // The cohort outputs show no per-candidate breakdown at all, and no output names a
        // peer or direct report (their calibration is a group summary; managers, with a
        // minimum of 1, are reported one by one).
        let json = run(&["cohort", "--format", "json"], &file);
        assert!(!json.contains("by_group") && !json.contains("suppressed"));
        let mut outputs = vec![json];
        for format in ["md", "table"] {
            let text = run(&["cohort", "--format", format], &file);
            assert!(!text.contains(" withheld"), "cohort {format}");
            for line in text.lines() {
                let cells: Vec<&str> = line
                    .split(|c: char| c == '|' || c.is_whitespace())
                    .filter(|c| !c.is_empty())
                    .collect();
                if cells.iter().any(|c| want.contains_key(*c)) {
                    assert!(
                        !cells
                            .iter()
                            .any(|c| ["peer", "direct_report", "report"].contains(c)),
                        "cohort {format} shows a group breakdown: {line}"
                    );
                }
            }
            outputs.push(text);
        }
        outputs.push(run(&["report", "--format", "md"], &file));
        outputs.push(run(&["report", "--format", "html"], &file));
        for text in &outputs {
            assert!(!text.contains("-peer") && !text.contains("-direct_report"));
        }
    }
    assert!(total_withheld > 20, "{total_withheld}");
}
