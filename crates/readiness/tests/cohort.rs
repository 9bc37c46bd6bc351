//! Cohort report: hand-computed expectations per section, planted effects, and the anonymity
//! differencing attack.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use readiness::cohort::anonymity::protect;
use readiness::cohort::calibration::RaterVerdict;
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::trends::TrendFlag;
use readiness::cohort::{cohort_report, CohortInputs, CohortReport};
use readiness::{Engine, RatingSet, Rubric};
use std::fmt::Write as _;

const TINY: &str = r#"
format_version = 1
id = "tiny"
version = "1"
[scale]
min = 1
max = 5
[rater_groups.self]
weight = 0.0
[rater_groups.manager]
weight = 0.5
[rater_groups.peer]
weight = 0.5
min_raters = 3
[policy]
min_raters = 1
[[policy.levels]]
id = "ready_now"
min_index = 75
[[policy.levels]]
id = "ready_later"
min_index = 50
[[policy.levels]]
id = "not_ready"
[[dimensions]]
id = "lead"
kind = "leadership"
weight = 1
[[dimensions.criteria]]
id = "l1"
[[dimensions]]
id = "imp"
kind = "impact"
weight = 1
[[dimensions.criteria]]
id = "i1"
[[dimensions]]
id = "tech"
kind = "technical"
weight = 1
[[dimensions.criteria]]
id = "t1"
"#;

fn tiny(extra: &str) -> Rubric {
    Rubric::from_toml_str(&format!("{TINY}\n{extra}")).unwrap()
}

/// Manager-only ratings: (candidate, lead, impact, technical), optional cycle.
fn manager_csv(rows: &[(&str, f64, f64, f64)], cycle: Option<&str>) -> String {
    let mut s = String::from("candidate,rater,group,criterion,score,cycle\n");
    for (c, l, i, t) in rows {
        for (crit, x) in [("l1", l), ("i1", i), ("t1", t)] {
            writeln!(s, "{c},m-{c},manager,{crit},{x},{}", cycle.unwrap_or("")).unwrap();
        }
    }
    s
}

fn report(csv: &str, rubric: &Rubric, inputs: &CohortInputs) -> CohortReport {
    let set = RatingSet::from_csv_str(csv, rubric).unwrap();
    cohort_report(&set, rubric, inputs).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

// Indexes: a 100, b 50, c 50 (lead 75, impact 25), d 25.
const FOUR: [(&str, f64, f64, f64); 4] = [
    ("a", 5.0, 5.0, 2.0),
    ("b", 3.0, 3.0, 4.0),
    ("c", 4.0, 2.0, 3.0),
    ("d", 2.0, 2.0, 5.0),
];

#[test]
fn ranking_percentiles_ranks_and_levels_by_hand() {
    let r = report(
        &manager_csv(&FOUR, None),
        &tiny(""),
        &CohortInputs::default(),
    );
    let c = &r.ranking.candidates;
    let ids: Vec<&str> = c.iter().map(|x| x.candidate.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(
        c.iter().map(|x| x.rank.unwrap()).collect::<Vec<_>>(),
        [1, 2, 2, 4]
    );
    // Percentile rank 100·(below + ½·tied)/n.
    close(c[0].percentile.unwrap(), 87.5);
    close(c[1].percentile.unwrap(), 50.0);
    close(c[3].percentile.unwrap(), 12.5);
    assert_eq!(c[1].level, "ready_later");
    assert_eq!(c[1].next_level.as_deref(), Some("ready_now"));
    close(c[1].index_gap.unwrap(), 25.0);
    let counts: Vec<(String, u32)> = r
        .ranking
        .levels
        .iter()
        .map(|l| (l.level.clone(), l.computed))
        .collect();
    assert_eq!(
        counts[..3],
        [
            ("ready_now".into(), 1),
            ("ready_later".into(), 2),
            ("not_ready".into(), 1)
        ]
    );
    let s = r.ranking.index.unwrap();
    close(s.mean, 56.25);
    close(s.median, 50.0);
}

#[test]
fn nine_box_fixed_and_tertile_cuts_by_hand() {
    let r = report(
        &manager_csv(&FOUR, None),
        &tiny(""),
        &CohortInputs::default(),
    );
    let cells: Vec<u8> = r
        .nine_box
        .candidates
        .iter()
        .map(|p| p.cell.unwrap())
        .collect();
    // a high/high = 9; b middle/middle = 5; c potential 75 high, performance 25 low = 7; d 1.
    assert_eq!(cells, [9, 5, 7, 1]);
    assert_eq!(
        r.nine_box.candidates[2].name.as_deref(),
        Some("Rough diamond")
    );
    assert_eq!(r.nine_box.performance.dimensions, ["imp"]);
    assert_eq!(r.nine_box.potential.dimensions, ["lead"]);
    // Tertiles of performance [25, 25, 50, 100] (type 7): 25 and 50.
    let rubric = tiny("[nine_box]\ncuts = \"tertiles\"\nnames = [\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\",\"a9\"]\n");
    let r = report(&manager_csv(&FOUR, None), &rubric, &CohortInputs::default());
    assert_eq!(r.nine_box.performance.cuts, Some([25.0, 50.0]));
    assert_eq!(r.nine_box.method, "tertiles");
    let perf_band: Vec<u8> = r
        .nine_box
        .candidates
        .iter()
        .map(|p| (p.cell.unwrap() - 1) % 3)
        .collect();
    assert_eq!(perf_band, [2, 2, 1, 1]);
    assert_eq!(r.nine_box.cells[8].name, "a9");
}

#[test]
fn nine_box_config_is_validated_with_paths() {
    let err = Rubric::from_toml_str(&format!("{TINY}\n[nine_box]\nperformance = [\"nope\"]\n"))
        .unwrap_err();
    assert_eq!(err.path(), "nine_box.performance[0]");
    let err = Rubric::from_toml_str(&format!("{TINY}\n[nine_box]\ncuts = [80, 20]\n")).unwrap_err();
    assert_eq!(err.path(), "nine_box.cuts");
    let err = Rubric::from_toml_str(&TINY.replace(
        "[policy]\n",
        "[policy]\nfairness = { levels = [\"soon\"] }\n",
    ))
    .unwrap_err();
    assert_eq!(err.path(), "policy.fairness.levels[0]");
    let err =
        Rubric::from_toml_str(&TINY.replace("[policy]\n", "[policy]\ntrend = { cycles = 1 }\n"))
            .unwrap_err();
    assert_eq!(err.path(), "policy.trend.cycles");
    let err = Rubric::from_toml_str(&TINY.replace(
        "[policy]\n",
        "[policy]\ntarget_distribution = { ready_now = 1 }\n",
    ))
    .unwrap_err();
    assert_eq!(err.path(), "policy.target_distribution");
}

#[test]
fn existing_rubrics_keep_their_fingerprint() {
    // The new settings are left out of the canonical JSON while they have their defaults.
    let json = Rubric::standard().canonical_json();
    for key in [
        "nine_box",
        "anonymity",
        "trend",
        "fairness",
        "target_distribution",
    ] {
        assert!(!json.contains(&format!("\"{key}\"")), "{key}");
    }
}

#[test]
fn target_distribution_chi_square_by_hand() {
    let rubric = Rubric::from_toml_str(&TINY.replace(
        "[policy]\n",
        "[policy]\ntarget_distribution = { ready_now = 0.25, ready_later = 0.5, not_ready = 0.25 }\n",
    ))
    .unwrap();
    let r = report(&manager_csv(&FOUR, None), &rubric, &CohortInputs::default());
    let t = r.calibration.distribution.unwrap();
    // Observed 1, 2, 1 = expected 1, 2, 1: χ² = 0, p = 1.
    close(t.chi_square.unwrap(), 0.0);
    close(t.p.unwrap(), 1.0);
    assert!(t.small_expected);
    let rubric2 = Rubric::from_toml_str(&TINY.replace(
        "[policy]\n",
        "[policy]\ntarget_distribution = { ready_now = 2, ready_later = 1, not_ready = 1 }\n",
    ))
    .unwrap();
    let t = report(
        &manager_csv(&FOUR, None),
        &rubric2,
        &CohortInputs::default(),
    )
    .calibration
    .distribution
    .unwrap();
    // Expected 2, 1, 1: χ² = 1/2 + 1/1 + 0 = 1.5, df 2, p = exp(−0.75).
    close(t.chi_square.unwrap(), 1.5);
    assert!((t.p.unwrap() - (-0.75f64).exp()).abs() < 1e-12);
}

#[test]
fn decision_audit_r_ci_and_auc_by_hand() {
    let rubric = tiny("");
    let csv = manager_csv(&FOUR, None);
    let set = RatingSet::from_csv_str(&csv, &rubric).unwrap();
    let decisions =
        parse_decisions("candidate,promoted\na,yes\nb,1\nc,no\nd,false\n", &set).unwrap();
    let inputs = CohortInputs {
        decisions: Some(decisions),
        ..CohortInputs::default()
    };
    let a = cohort_report(&set, &rubric, &inputs)
        .unwrap()
        .decision_audit
        .unwrap();
    // Readiness: promoted {100, 50}, not {50, 25}: U = 1 + 1 + ½ + 1 = 3.5 of 4.
    close(a.readiness.auc.unwrap(), 0.875);
    let r = 37.5 / 2968.75f64.sqrt();
    close(a.readiness.r.unwrap(), r);
    let z = r.atanh();
    close(
        a.readiness.ci95.unwrap()[0],
        (z - 1.959_963_984_540_054).tanh(),
    );
    // Technical: promoted {25, 75}, not {50, 100} → U = 0 + 0 + 1 + 0 = 1 of 4.
    close(a.technical.auc.unwrap(), 0.25);
    assert_eq!(a.driver, "readiness");
    assert_eq!(a.ready_not_promoted, Vec::<String>::new());
    assert_eq!(a.promoted_not_ready, Vec::<String>::new());
}

fn frac(x: f64) -> f64 {
    x - x.floor()
}

/// 60 candidates whose technical and leadership scores are unrelated by construction.
fn audit_cohort(by_technical: bool) -> String {
    let rubric = Rubric::from_toml_str(TINY).unwrap();
    let rows: Vec<(String, f64, f64, f64)> = (0..60)
        .map(|k| {
            let lead = 1.0 + (4.0 * frac(k as f64 * 0.618_034)).round();
            let tech = 1.0 + (4.0 * frac(k as f64 * 0.414_214 + 0.3)).round();
            (format!("c{k:02}"), lead, lead, tech)
        })
        .collect();
    let set_rows: Vec<(&str, f64, f64, f64)> =
        rows.iter().map(|r| (r.0.as_str(), r.1, r.2, r.3)).collect();
    let csv = manager_csv(&set_rows, None);
    let _ = rubric;
    let mut dec = String::from("candidate,promoted\n");
    for r in &rows {
        let promoted = if by_technical { r.3 >= 4.0 } else { r.1 >= 4.0 };
        writeln!(dec, "{},{promoted}", r.0).unwrap();
    }
    format!("{csv}\u{0}{dec}")
}

#[test]
fn decision_audit_verdict_follows_the_planted_driver() {
    let rubric = tiny("");
    for (by_technical, start) in [
        (true, "past promotions followed technical expertise (r = "),
        (false, "past promotions followed leadership readiness (r = "),
    ] {
        let both = audit_cohort(by_technical);
        let (csv, dec) = both.split_once('\u{0}').unwrap();
        let set = RatingSet::from_csv_str(csv, &rubric).unwrap();
        let inputs = CohortInputs {
            decisions: Some(parse_decisions(dec, &set).unwrap()),
            ..CohortInputs::default()
        };
        let a = cohort_report(&set, &rubric, &inputs)
            .unwrap()
            .decision_audit
            .unwrap();
        assert!(a.verdict.starts_with(start), "{}", a.verdict);
        assert_eq!(
            a.driver,
            if by_technical {
                "technical"
            } else {
                "readiness"
            }
        );
        assert!(a.difference_p.unwrap() < 0.05, "{:?}", a.difference_p);
        if by_technical {
            assert!(!a.promoted_not_ready.is_empty());
            assert!(a.technical.auc.unwrap() > 0.9);
        } else {
            assert!(a.ready_not_promoted.is_empty());
        }
    }
}

/// Deterministic noise in [-a, a].
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn noise(&mut self, a: f64) -> f64 {
        (self.unit() * 2.0 - 1.0) * a
    }
}

#[test]
fn planted_lenient_manager_is_flagged_and_nobody_else() {
    let rubric = Rubric::standard();
    let mut rng = Lcg(7);
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for m in 0..10 {
        for k in 0..5 {
            let cand = format!("c{m}-{k}");
            let truth = 2.6 + rng.noise(0.5);
            let mut raters = vec![(format!("m{m}"), "manager")];
            for p in 0..3 {
                raters.push((format!("{cand}-p{p}"), "peer"));
                raters.push((format!("{cand}-d{p}"), "direct_report"));
            }
            for (r, g) in &raters {
                for crit in rubric.criterion_ids() {
                    let lenient = if r == "m3" { 1.3 } else { 0.0 };
                    let x = (truth + lenient + rng.noise(0.9)).round().clamp(1.0, 5.0);
                    writeln!(csv, "{cand},{r},{g},{crit},{x}").unwrap();
                }
            }
        }
    }
    let r = report(&csv, &rubric, &CohortInputs::default());
    let flagged: Vec<(&str, RaterVerdict)> = r
        .calibration
        .raters
        .iter()
        .filter_map(|x| {
            x.verdict
                .filter(|v| *v != RaterVerdict::Typical)
                .map(|v| (x.rater.as_str(), v))
        })
        .collect();
    assert_eq!(flagged, [("m3", RaterVerdict::Lenient)]);
    let v = serde_json::to_value(&r.calibration.raters[0]).unwrap();
    for k in [
        "rater",
        "group",
        "n_candidates",
        "effect",
        "se",
        "p",
        "verdict",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(
        r.calibration.raters.len(),
        10,
        "only managers are listed individually"
    );
    assert!(r
        .calibration
        .groups
        .iter()
        .any(|g| g.group == "peer" && !g.listed));
}

/// 400 candidates in two groups of 200, with `focal_selected` and 100 selected.
fn impact_cohort(focal_selected: usize) -> (String, String) {
    let mut rows = Vec::new();
    let mut attrs = String::from("candidate,group\n");
    for k in 0..400 {
        let focal = k < 200;
        let selected = if focal {
            k < focal_selected
        } else {
            k - 200 < 100
        };
        let x = if selected { 5.0 } else { 3.0 };
        rows.push((format!("c{k:03}"), x));
        writeln!(
            attrs,
            "c{k:03},{}",
            if focal { "focal" } else { "reference" }
        )
        .unwrap();
    }
    let refs: Vec<(&str, f64, f64, f64)> =
        rows.iter().map(|r| (r.0.as_str(), r.1, r.1, 3.0)).collect();
    (manager_csv(&refs, None), attrs)
}

#[test]
fn planted_adverse_impact_at_075_is_flagged_and_085_is_not() {
    let rubric = tiny("");
    for (focal_selected, flagged) in [(75, true), (85, false)] {
        let (csv, attrs) = impact_cohort(focal_selected);
        let set = RatingSet::from_csv_str(&csv, &rubric).unwrap();
        let inputs = CohortInputs {
            attributes: Some(parse_attributes(&attrs, &set).unwrap()),
            ..CohortInputs::default()
        };
        let r = cohort_report(&set, &rubric, &inputs).unwrap();
        let t = &r.fairness[0];
        assert_eq!(t.attribute, "group");
        let focal = t.groups.iter().find(|g| g.group == "focal").unwrap();
        close(focal.impact_ratio.unwrap(), focal_selected as f64 / 100.0);
        assert_eq!(focal.four_fifths_violation, flagged);
        assert_eq!(t.four_fifths_violation, flagged);
        assert_eq!(t.focal.as_deref(), Some("focal"));
        // 75 vs 100 of 200 is also significant; 85 vs 100 is not.
        assert_eq!(t.fisher_p.unwrap() < 0.05, flagged, "{:?}", t.fisher_p);
        assert!(!t.small_sample);
        close(focal.shortfall, 100.0 - focal_selected as f64);
        assert!(t.smd.as_ref().unwrap().g < 0.0);
    }
}

#[test]
fn missing_attribute_values_are_their_own_group_and_intersections_exist() {
    let rubric = tiny("");
    let set = RatingSet::from_csv_str(&manager_csv(&FOUR, None), &rubric).unwrap();
    let attrs = parse_attributes("candidate,gender,site\na,f,n\nb,,s\nc,m,n\n", &set).unwrap();
    let r = cohort_report(
        &set,
        &rubric,
        &CohortInputs {
            attributes: Some(attrs),
            ..CohortInputs::default()
        },
    )
    .unwrap();
    let names: Vec<Vec<&str>> = r
        .fairness
        .iter()
        .map(|t| t.groups.iter().map(|g| g.group.as_str()).collect())
        .collect();
    // d has no row at all, b an empty gender: both are "(missing)".
    assert_eq!(names[0], ["f", "m", "(missing)"]);
    assert_eq!(r.fairness[0].groups[2].n, 2);
    assert_eq!(names[1], ["n", "s", "(missing)"]);
    assert_eq!(r.fairness[2].attribute, "gender × site");
    assert!(names[2].contains(&"(missing) × (missing)"));
    // a is the only one selected (ready_now): f rate 1, impact ratio of m is 0.
    assert_eq!(r.fairness[0].reference.as_deref(), Some("f"));
}

#[test]
fn trends_slope_change_flags_and_gaps_by_hand() {
    let rubric = tiny("");
    let mut csv = String::new();
    // x: lead = impact so index = norm; 3 → 50, 3.08 → 52, 3.12 → 53. y: 80, 70, 60.
    for (cycle, x, y) in [
        ("2025-Q1", 3.0, 4.2),
        ("2025-Q2", 3.08, 3.8),
        ("2025-Q4", 3.12, 3.4),
    ] {
        let part = manager_csv(&[("x", x, x, 3.0), ("y", y, y, 3.0)], Some(cycle));
        csv.push_str(if csv.is_empty() {
            &part
        } else {
            part.split_once('\n').unwrap().1
        });
    }
    let r = report(&csv, &rubric, &CohortInputs::default());
    let t = &r.trends;
    assert_eq!(
        t.cycles
            .iter()
            .map(|c| c.cycle.as_str())
            .collect::<Vec<_>>(),
        ["2025-Q1", "2025-Q2", "2025-Q4"]
    );
    assert_eq!(t.gaps.len(), 1);
    assert_eq!(
        (
            t.gaps[0].after.as_str(),
            t.gaps[0].before.as_str(),
            t.gaps[0].missing_quarters
        ),
        ("2025-Q2", "2025-Q4", 1)
    );
    let x = &t.candidates[0];
    assert_eq!(x.candidate, "x");
    // Points at quarters 0, 1, 3: slope = Sxy/Sxx = (13/3)/(14/3).
    assert!(
        (x.slope.unwrap() - 13.0 / 14.0).abs() < 1e-9,
        "{:?}",
        x.slope
    );
    assert!((x.change.unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(x.flags, [TrendFlag::Stalled]);
    let y = &t.candidates[1];
    assert_eq!(y.flags, [TrendFlag::Declining]);
    // The ranking uses each candidate's latest cycle.
    assert!(r
        .ranking
        .candidates
        .iter()
        .all(|c| c.cycle.as_deref() == Some("2025-Q4")));
    assert_eq!(
        readiness::cohort::trends::parse_quarter("2026-Q1"),
        Some((2026, 1))
    );
    assert_eq!(readiness::cohort::trends::parse_quarter("2026Q5"), None);
}

#[test]
fn overrides_keep_computed_and_final_side_by_side_and_need_a_reason() {
    let rubric = tiny("");
    let set = RatingSet::from_csv_str(&manager_csv(&FOUR, None), &rubric).unwrap();
    let o = parse_overrides(
        "candidate,level,reason,author,date\nd,ready_later,new evidence,hr,2026-01-02\n",
        &set,
        &rubric,
    )
    .unwrap();
    let r = cohort_report(
        &set,
        &rubric,
        &CohortInputs {
            overrides: o,
            ..CohortInputs::default()
        },
    )
    .unwrap();
    let d = r
        .ranking
        .candidates
        .iter()
        .find(|c| c.candidate == "d")
        .unwrap();
    assert_eq!(
        (d.level.as_str(), d.final_level.as_str()),
        ("not_ready", "ready_later")
    );
    assert_eq!(r.overrides.items[0].direction, "raised");
    assert_eq!(r.overrides.raised, 1);
    let shift: Vec<i64> = r.calibration.levels.iter().map(|l| l.delta).collect();
    assert_eq!(shift, [0, 1, -1, 0]);
    let err = parse_overrides(
        "candidate,level,reason,author,date\nd,ready_later,  ,hr,2026-01-02\n",
        &set,
        &rubric,
    )
    .unwrap_err();
    assert_eq!(
        (err.code(), err.location().row()),
        ("override_without_reason", Some(2))
    );
    let err = parse_overrides(
        "candidate,level,reason,author,date\nd,soon,x,hr,2026\n",
        &set,
        &rubric,
    )
    .unwrap_err();
    assert_eq!(err.code(), "table_invalid_value");
    assert!(err.to_string().contains("ready_now"));
    // Programmatic inputs are checked too.
    let mut bad = parse_overrides(
        "candidate,level,reason,author,date\nd,ready_later,x,hr,2026\n",
        &set,
        &rubric,
    )
    .unwrap();
    bad[0].reason.clear();
    let err = cohort_report(
        &set,
        &rubric,
        &CohortInputs {
            overrides: bad,
            ..CohortInputs::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "override_without_reason");
    assert_eq!(err.kind(), "cohort");
}

#[test]
fn input_tables_name_unknown_candidates_and_duplicates_by_line() {
    let rubric = tiny("");
    let set = RatingSet::from_csv_str(&manager_csv(&FOUR, None), &rubric).unwrap();
    let e = parse_attributes("candidate,site\na,x\nzz,y\n", &set).unwrap_err();
    assert_eq!(
        (e.code(), e.location().row()),
        ("unknown_candidate", Some(3))
    );
    let e = parse_decisions("candidate,promoted\na,1\nb,0\na,0\n", &set).unwrap_err();
    assert_eq!((e.code(), e.location().row()), ("duplicate_key", Some(4)));
    assert!(e.to_string().contains("first at line 2"), "{e}");
    let e = parse_decisions("candidate,promoted\na,maybe\n", &set).unwrap_err();
    assert_eq!(e.code(), "table_invalid_value");
    let e = parse_decisions("candidate,date\na,2020\n", &set).unwrap_err();
    assert_eq!(e.code(), "table_missing_column");
    let e = parse_attributes("site\nx\n", &set).unwrap_err();
    assert_eq!(e.code(), "table_missing_column");
}

#[test]
fn provenance_digest_ignores_row_order_and_sees_scores() {
    let rubric = tiny("");
    let csv = manager_csv(&FOUR, None);
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let shuffled = format!("{header}\n{}\n", lines.join("\n"));
    let a = report(&csv, &rubric, &CohortInputs::default()).provenance;
    let b = report(&shuffled, &rubric, &CohortInputs::default()).provenance;
    assert_eq!(a.ratings_digest, b.ratings_digest);
    assert!(a.ratings_digest.starts_with("sha256:"));
    let changed = csv.replacen("a,m-a,manager,l1,5", "a,m-a,manager,l1,4", 1);
    let c = report(&changed, &rubric, &CohortInputs::default()).provenance;
    assert_ne!(a.ratings_digest, c.ratings_digest);
    assert_eq!((a.ratings, a.candidates, a.assessments), (12, 4, 4));
    assert_eq!(a.fingerprint, rubric.fingerprint());
}

#[test]
fn report_has_exactly_the_pinned_top_level_keys() {
    let r = report(
        &manager_csv(&FOUR, None),
        &tiny(""),
        &CohortInputs::default(),
    );
    let v = serde_json::to_value(&r).unwrap();
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
}

// ---------------------------------------------------------------------------------------------
// Anonymity: an attacker who knows the rubric (weights) and which groups rated which criteria
// tries to solve for every withheld value from everything a document shows.

/// Rank of a matrix by Gaussian elimination with partial pivoting.
fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else {
            break;
        };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        for i in 0..m.len() {
            if i != r {
                let f = m[i][c] / m[r][c];
                let row = m[r].clone();
                m[i].iter_mut().zip(&row).for_each(|(a, b)| *a -= f * b);
            }
        }
        r += 1;
        if r == m.len() {
            break;
        }
    }
    r
}

/// Whether the attacker can solve for `target` from the equations `rows`.
fn solvable(rows: &[Vec<f64>], target: &[f64]) -> bool {
    let mut with = rows.to_vec();
    with.push(target.to_vec());
    rank(with) == rank(rows.to_vec())
}

struct Attack {
    solved: usize,
    tried: usize,
    /// Pools of the groups below their minimum that the criterion scores alone show.
    pools_in_scores: usize,
    /// Of those, the ones whose groups' reasons say so.
    pools_explained: usize,
}

/// Builds the attacker's equations for every dimension of every document and tries each withheld
/// group (and the pooled value of the groups below their minimum).
fn attack(docs: &[readiness::Assessment], rubric: &Rubric, set_csv: &str) -> Attack {
    let groups: Vec<&String> = rubric.rater_groups.keys().collect();
    // Which (candidate, group, criterion) were rated, and by how many raters per (group, dimension).
    let mut rated = std::collections::HashSet::new();
    let mut raters: std::collections::HashMap<
        (String, String, String),
        std::collections::HashSet<String>,
    > = Default::default();
    let dim_of = |crit: &str| {
        rubric
            .dimensions
            .iter()
            .find(|d| d.criteria.iter().any(|c| c.id == crit))
            .unwrap()
            .id
            .clone()
    };
    for line in set_csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[4].is_empty() {
            continue;
        }
        rated.insert((f[0].to_string(), f[2].to_string(), f[3].to_string()));
        raters
            .entry((f[0].to_string(), f[2].to_string(), dim_of(f[3])))
            .or_default()
            .insert(f[1].to_string());
    }
    let mut out = Attack {
        solved: 0,
        tried: 0,
        pools_in_scores: 0,
        pools_explained: 0,
    };
    for doc in docs {
        for (d, dim) in rubric.dimensions.iter().enumerate() {
            let ds = &doc.dimensions[d];
            let scoring: Vec<&String> = groups
                .iter()
                .copied()
                .filter(|g| rubric.rater_groups[g.as_str()].weight > 0.0)
                .collect();
            let mut vars = Vec::new();
            for c in &dim.criteria {
                for g in &scoring {
                    if rated.contains(&(doc.candidate.clone(), (*g).clone(), c.id.clone())) {
                        vars.push((c.id.clone(), (*g).clone()));
                    }
                }
            }
            let nv = vars.len();
            let pooled = |gs: &[&String]| -> Vec<f64> {
                let mut row = vec![0.0; nv];
                let present: Vec<&readiness::rubric::Criterion> = dim
                    .criteria
                    .iter()
                    .filter(|c| {
                        gs.iter()
                            .any(|g| vars.contains(&(c.id.clone(), (*g).clone())))
                    })
                    .collect();
                let vsum: f64 = present.iter().map(|c| c.weight).sum();
                for c in present {
                    let wsum: f64 = gs
                        .iter()
                        .filter(|g| vars.contains(&(c.id.clone(), (**g).clone())))
                        .map(|g| rubric.rater_groups[g.as_str()].weight)
                        .sum();
                    for (k, v) in vars.iter().enumerate() {
                        if v.0 == c.id && gs.contains(&&v.1) {
                            row[k] =
                                c.weight / vsum * rubric.rater_groups[v.1.as_str()].weight / wsum;
                        }
                    }
                }
                row
            };
            // Shown: every criterion score, every non-null breakdown, the roll-up.
            let mut rows: Vec<Vec<f64>> = Vec::new();
            for c in &dim.criteria {
                let shown = doc
                    .criteria
                    .iter()
                    .find(|x| x.id == c.id)
                    .and_then(|x| x.raw)
                    .is_some();
                let present: Vec<&String> = scoring
                    .iter()
                    .copied()
                    .filter(|g| vars.contains(&(c.id.clone(), (*g).clone())))
                    .collect();
                if shown && !present.is_empty() {
                    let w: f64 = present
                        .iter()
                        .map(|g| rubric.rater_groups[g.as_str()].weight)
                        .sum();
                    let mut row = vec![0.0; nv];
                    for (k, v) in vars.iter().enumerate() {
                        if v.0 == c.id {
                            row[k] = rubric.rater_groups[v.1.as_str()].weight / w;
                        }
                    }
                    rows.push(row);
                }
            }
            // What the criterion scores alone show, before any breakdown.
            let criterion_rows = rows.clone();
            for g in &scoring {
                if ds.by_group.get(g.as_str()).copied().flatten().is_some() {
                    rows.push(pooled(&[*g]));
                }
            }
            let others = "others".to_string();
            let withheld: Vec<&String> = scoring
                .iter()
                .copied()
                .filter(|g| ds.suppressed.contains_key(g.as_str()))
                .collect();
            if ds.by_group.get("others").copied().flatten().is_some() {
                rows.push(pooled(&withheld));
            }
            let _ = &others;
            if rows.is_empty() {
                continue;
            }
            let below: Vec<&String> = withheld
                .iter()
                .copied()
                .filter(|g| {
                    let n = raters
                        .get(&(doc.candidate.clone(), (*g).clone(), dim.id.clone()))
                        .map_or(0, |s| s.len());
                    (n as u32) < rubric.rater_groups[g.as_str()].min_raters
                })
                .collect();
            let sole = ds
                .suppressed
                .values()
                .any(|r| r.contains("rests only on withheld groups"));
            if sole {
                continue;
            }
            let mut targets: Vec<Vec<f64>> = withheld.iter().map(|g| pooled(&[*g])).collect();
            let n_below: usize = below
                .iter()
                .map(|g| {
                    raters
                        .get(&(doc.candidate.clone(), (*g).clone(), dim.id.clone()))
                        .map_or(0, |s| s.len())
                })
                .sum();
            let need = below
                .iter()
                .map(|g| rubric.rater_groups[g.as_str()].min_raters)
                .max()
                .unwrap_or(0);
            if below.len() >= 2 && (n_below as u32) < need {
                let pool = pooled(&below);
                if solvable(&criterion_rows, &pool) {
                    // Criteria rated only by these groups show their pool in the scores
                    // themselves (as a dimension resting only on withheld groups does): no
                    // breakdown can hide it; a protected document's reasons say so.
                    out.pools_in_scores += 1;
                    if below.iter().all(|g| {
                        ds.suppressed[g.as_str()].contains("criterion scores rated only by")
                    }) {
                        out.pools_explained += 1;
                    }
                } else {
                    targets.push(pool);
                }
            }
            for t in targets {
                out.tried += 1;
                if solvable(&rows, &t) {
                    out.solved += 1;
                }
            }
        }
    }
    out
}

/// Ratings with varied panels: 0–1 manager, 0–4 peers, 0–4 direct reports, self, and gaps.
fn anonymity_cohort(seed: u64) -> String {
    let rubric = Rubric::standard();
    let mut rng = Lcg(seed);
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for k in 0..120 {
        let cand = format!("c{k:03}");
        let managers = usize::from(rng.unit() < 0.85);
        let peers = (rng.unit() * 5.0) as usize;
        let reports = (rng.unit() * 5.0) as usize;
        let mut raters = vec![(format!("{cand}-s"), "self")];
        raters.extend((0..managers).map(|i| (format!("{cand}-m{i}"), "manager")));
        raters.extend((0..peers).map(|i| (format!("{cand}-p{i}"), "peer")));
        raters.extend((0..reports).map(|i| (format!("{cand}-d{i}"), "direct_report")));
        let gap = rng.unit() * 0.3;
        for (r, g) in &raters {
            for crit in rubric.criterion_ids() {
                let x = if rng.unit() < gap {
                    String::new()
                } else {
                    format!("{}", (1.0 + rng.unit() * 4.0).round())
                };
                writeln!(csv, "{cand},{r},{g},{crit},{x}").unwrap();
            }
        }
    }
    csv
}

#[test]
fn no_withheld_breakdown_can_be_solved_for_from_any_output() {
    for anonymity in ["suppress", "roll_up"] {
        let text = readiness::rubric::STANDARD_TOML.replace(
            "[policy]\n",
            &format!("[policy]\nanonymity = \"{anonymity}\"\n"),
        );
        let rubric = Rubric::from_toml_str(&text).unwrap();
        for seed in [1, 2, 3] {
            let csv = anonymity_cohort(seed);
            let set = RatingSet::from_csv_str(&csv, &rubric).unwrap();
            let engine = Engine::new(rubric.clone()).unwrap();
            let raw = engine
                .assess_without_complementary_suppression(&set)
                .unwrap();
            // The attack works on unprotected documents…
            let before = attack(&raw, &rubric, &csv);
            assert!(
                before.solved > 0,
                "the attack must be able to succeed ({anonymity}, seed {seed})"
            );
            // …and fails on every protected one; protecting twice changes nothing.
            let mut docs = raw.clone();
            protect(&mut docs, &rubric, &set);
            let after = attack(&docs, &rubric, &csv);
            assert!(after.tried > 50, "{}", after.tried);
            assert_eq!(after.solved, 0, "{anonymity}, seed {seed}");
            assert_eq!(after.pools_explained, after.pools_in_scores);
            let mut again = docs.clone();
            protect(&mut again, &rubric, &set);
            assert_eq!(again, docs);
            // The cohort report protects its documents too.
            let report = cohort_report(&set, &rubric, &CohortInputs::default()).unwrap();
            assert_eq!(
                report.provenance.anonymity.is_suppress(),
                anonymity == "suppress"
            );
        }
    }
}

#[test]
fn roll_up_shows_the_pooled_value_of_the_withheld_groups() {
    let text = readiness::rubric::STANDARD_TOML
        .replace("[policy]\n", "[policy]\nanonymity = \"roll_up\"\n");
    let rubric = Rubric::from_toml_str(&text).unwrap();
    // Manager 4; peers 2 and 4 (2 < 3); direct reports 5 (1 < 3): others = 3 raters.
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for (r, g, s) in [
        ("m", "manager", 4),
        ("p1", "peer", 2),
        ("p2", "peer", 4),
        ("d1", "direct_report", 5),
    ] {
        writeln!(csv, "e,{r},{g},listens,{s}").unwrap();
    }
    let set = RatingSet::from_csv_str(&csv, &rubric).unwrap();
    let mut docs = Engine::new(rubric.clone()).unwrap().assess(&set).unwrap();
    protect(&mut docs, &rubric, &set);
    let lead = &docs[0].dimensions[0];
    assert_eq!(lead.by_group["peer"], None);
    assert_eq!(lead.by_group["direct_report"], None);
    // Pooled: (0.3·3 + 0.3·5)/0.6 = 4 → 75 on 0–100.
    assert!((lead.by_group["others"].unwrap() - 75.0).abs() < 1e-9);
    assert!(lead.suppressed["peer"].contains("rolled up into others"));
    // Shown: manager 4, others 4, score 4 — consistent, and neither group is recoverable.
    assert!(lead.by_group["manager"].is_some());
}

#[test]
fn others_is_a_reserved_group_name_with_roll_up() {
    let text = readiness::rubric::STANDARD_TOML
        .replace("[policy]\n", "[policy]\nanonymity = \"roll_up\"\n")
        .replace("[rater_groups.peer]", "[rater_groups.others]");
    let err = Rubric::from_toml_str(&text).unwrap_err();
    assert_eq!(err.path(), "rater_groups.others");
}

/// The standard rubric with the given anonymity mode, minimums (manager, peer, direct report)
/// and scoring weights.
fn anonymity_rubric(roll_up: bool, mins: [u32; 3], weights: [f64; 3]) -> Rubric {
    let mut text = readiness::rubric::STANDARD_TOML.to_string();
    for (g, (min, w)) in ["manager", "peer", "direct_report"]
        .iter()
        .zip(mins.iter().zip(weights))
    {
        let head = format!("[rater_groups.{g}]\n");
        let start = text.find(&head).unwrap() + head.len();
        let end = start + text[start..].find("\n\n").unwrap();
        text.replace_range(start..end, &format!("weight = {w}\nmin_raters = {min}"));
    }
    let mode = if roll_up { "roll_up" } else { "suppress" };
    let text = text.replace("[policy]\n", &format!("[policy]\nanonymity = \"{mode}\"\n"));
    Rubric::from_toml_str(&text).unwrap()
}

/// A cohort whose panel sizes sit around each group's minimum (0 to minimum + 1 raters), with
/// random integer scores and random unrated cells.
fn threshold_cohort(rubric: &Rubric, seed: u64, candidates: usize, gap: f64) -> String {
    let mut rng = Lcg(seed);
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for k in 0..candidates {
        let cand = format!("c{k}");
        let mut raters = vec![(format!("{cand}-s"), "self".to_string())];
        for g in ["manager", "peer", "direct_report"] {
            let min = rubric.rater_groups[g].min_raters as usize;
            let n = (rng.unit() * (min + 2) as f64) as usize;
            raters.extend((0..n).map(|i| (format!("{cand}-{g}{i}"), g.to_string())));
        }
        for (r, g) in &raters {
            for crit in rubric.criterion_ids() {
                let x = if rng.unit() < gap {
                    String::new()
                } else {
                    format!("{}", 1 + (rng.unit() * 5.0) as u32 % 5)
                };
                writeln!(csv, "{cand},{r},{g},{crit},{x}").unwrap();
            }
        }
    }
    csv
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Random cohorts around the anonymity thresholds: no withheld breakdown (nor the pooled
    /// value of groups below their minimum) can be solved for from the published documents,
    /// read back from their JSON text as any consumer would, and the cohort report publishes
    /// no breakdown at all (its per-candidate numbers are the documents' scores).
    #[test]
    fn withheld_breakdowns_stay_unrecoverable_on_random_cohorts(
        seed in proptest::prelude::any::<u64>(),
        roll_up in proptest::prelude::any::<bool>(),
        mins in (1u32..=2, 2u32..=4, 2u32..=4),
        weights in proptest::sample::select(vec![[0.4, 0.3, 0.3], [0.5, 0.25, 0.25], [0.2, 0.5, 0.3], [0.1, 0.6, 0.3]]),
        candidates in 1usize..=5,
        gap in proptest::sample::select(vec![0.0, 0.2, 0.5]),
    ) {
        let rubric = anonymity_rubric(roll_up, [mins.0, mins.1, mins.2], weights);
        let csv = threshold_cohort(&rubric, seed, candidates, gap);
        let set = RatingSet::from_csv_str(&csv, &rubric).unwrap();
        let engine = Engine::new(rubric.clone()).unwrap();
        let docs = engine.assess(&set).unwrap();
        let json = serde_json::to_string(&docs).unwrap();
        let published: Vec<readiness::Assessment> = serde_json::from_str(&json).unwrap();
        let result = attack(&published, &rubric, &csv);
        proptest::prop_assert_eq!(result.solved, 0, "{} of {} withheld values solvable", result.solved, result.tried);
        proptest::prop_assert_eq!(result.pools_explained, result.pools_in_scores);
        let report = cohort_report(&set, &rubric, &CohortInputs::default()).unwrap();
        let text = serde_json::to_string(&report).unwrap();
        proptest::prop_assert!(!text.contains("by_group"), "the cohort report shows breakdowns");
        for doc in &docs {
            // Every group a document withholds is null in it.
            for d in &doc.dimensions {
                for g in d.suppressed.keys() {
                    proptest::prop_assert!(d.by_group.get(g.as_str()).copied().flatten().is_none());
                }
            }
        }
    }
}
