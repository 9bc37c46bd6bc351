//! Rubric loading and validation: every rule names its path and has a stable code.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use readiness::rubric::STANDARD_TOML;
use readiness::Rubric;

fn err(text: &str) -> readiness::RubricError {
    Rubric::from_toml_str(text).expect_err("should be refused")
}

fn replaced(from: &str, to: &str) -> String {
    assert!(
        STANDARD_TOML.contains(from),
        "fixture text not found: {from}"
    );
    STANDARD_TOML.replacen(from, to, 1)
}

#[test]
fn standard_rubric_matches_the_example_file() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/rubrics/standard.toml"
    ))
    .unwrap();
    assert_eq!(example, STANDARD_TOML);
}

#[test]
fn standard_rubric_has_the_documented_shape() {
    let r = Rubric::standard();
    let ids: Vec<(&str, Vec<&str>)> = r
        .dimensions
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.criteria.iter().map(|c| c.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            (
                "leadership",
                vec![
                    "listens",
                    "gives_room",
                    "connects",
                    "shows_direction",
                    "grows_people",
                    "translates_strategy"
                ]
            ),
            (
                "attitude",
                vec![
                    "seeks_feedback",
                    "learning_agility",
                    "courage",
                    "ownership",
                    "integrity"
                ]
            ),
            (
                "impact",
                vec![
                    "team_development",
                    "engagement",
                    "feedback_culture",
                    "wellbeing",
                    "results_through_others"
                ]
            ),
            (
                "technical",
                vec!["domain_mastery", "quality_of_work", "problem_solving"]
            ),
        ]
    );
    let weights: Vec<f64> = r.dimensions.iter().map(|d| d.weight).collect();
    assert_eq!(weights, vec![0.4, 0.3, 0.3, 1.0]);
    assert!(r
        .dimensions
        .iter()
        .flat_map(|d| &d.criteria)
        .all(|c| c.weight == 1.0 && c.anchors.len() == 5 && !c.development.is_empty()));
    let groups: Vec<(&str, f64, u32)> = r
        .rater_groups
        .iter()
        .map(|(k, g)| (k.as_str(), g.weight, g.min_raters))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("self", 0.0, 1),
            ("manager", 0.4, 1),
            ("peer", 0.3, 3),
            ("direct_report", 0.3, 3)
        ]
    );
    let levels: Vec<&str> = r.policy.levels.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        levels,
        vec![
            "ready_now",
            "ready_1_2_years",
            "ready_3_5_years",
            "not_ready"
        ]
    );
    assert_eq!(r.policy.levels[0].min_index, Some(75.0));
    assert_eq!(r.policy.levels[0].min_dimension, Some(60.0));
    assert!(r
        .policy
        .levels
        .iter()
        .all(|l| l.min_criteria.is_empty() && l.min_technical.is_none()));
    assert_eq!(
        (
            r.policy.min_coverage,
            r.policy.min_raters,
            r.policy.self_other_gap,
            r.policy.low_agreement_rwg
        ),
        (0.5, 3, 0.75, 0.70)
    );
    assert_eq!(
        (
            r.policy.expert_trap.technical_min,
            r.policy.expert_trap.index_max
        ),
        (75.0, 60.0)
    );
}

#[test]
fn toml_json_and_back_are_the_same_rubric() {
    let r = Rubric::standard();
    assert_eq!(
        Rubric::from_toml_str(&r.to_toml_string().unwrap()).unwrap(),
        r
    );
    assert_eq!(Rubric::from_json_str(&r.to_json_string()).unwrap(), r);
}

#[test]
fn fingerprint_ignores_format_and_key_order() {
    let r = Rubric::standard();
    let json = r.to_json_string();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Same content with keys in another order.
    let mut obj: Vec<(String, serde_json::Value)> =
        value.as_object().unwrap().clone().into_iter().collect();
    obj.reverse();
    let reordered = serde_json::Value::Object(obj.into_iter().collect());
    let r2 = Rubric::from_json_value(reordered).unwrap();
    assert_eq!(r.fingerprint(), r2.fingerprint());
    let mut changed = r.clone();
    changed.dimensions[0].weight = 0.5;
    assert_ne!(r.fingerprint(), changed.fingerprint());
    assert!(r.canonical_json().starts_with("{\"description\":"));
}

#[test]
fn each_validation_rule_names_path_and_code() {
    let cases: Vec<(String, &str, &str)> = vec![
        (
            replaced("id = \"gives_room\"", "id = \"listens\""),
            "duplicate_id",
            "dimensions[0].criteria[1].id",
        ),
        (
            replaced("id = \"attitude\"", "id = \"leadership\""),
            "duplicate_id",
            "dimensions[1].id",
        ),
        (
            replaced("id = \"not_ready\"", "id = \"ready_now\""),
            "duplicate_id",
            "policy.levels[3].id",
        ),
        (
            replaced(
                "name = \"Gives room to others\"\nweight = 1.0",
                "name = \"Gives room to others\"\nweight = -1",
            ),
            "invalid_weight",
            "dimensions[0].criteria[1].weight",
        ),
        (
            replaced(
                "kind = \"attitude\"\nweight = 0.3",
                "kind = \"attitude\"\nweight = 0",
            ),
            "invalid_weight",
            "dimensions[1].weight",
        ),
        (
            replaced(
                "weight = 0.3\nmin_raters = 3\n\n[rater_groups.direct_report]",
                "weight = 0\nmin_raters = 3\n\n[rater_groups.direct_report]",
            ),
            "invalid_weight",
            "rater_groups.peer.weight",
        ),
        (
            replaced(
                "weight = 0.0\nmin_raters = 1",
                "weight = -0.1\nmin_raters = 1",
            ),
            "invalid_weight",
            "rater_groups.self.weight",
        ),
        (
            replaced("min_index = 60", "min_index = 80"),
            "levels_not_ordered",
            "policy.levels[1].min_index",
        ),
        (
            replaced("min_dimension = 45", "min_dimension = 70"),
            "levels_not_ordered",
            "policy.levels[1].min_dimension",
        ),
        (
            replaced(
                "label = \"Not ready\"",
                "label = \"Not ready\"\nmin_index = 10",
            ),
            "catch_all_with_conditions",
            "policy.levels[3]",
        ),
        (
            replaced(
                "min_dimension = 60",
                "min_dimension = 60\nmin_criteria = { listening = 3 }",
            ),
            "unknown_criterion",
            "policy.levels[0].min_criteria.listening",
        ),
        (
            replaced(
                "min_dimension = 60",
                "min_dimension = 60\nmin_criteria = { listens = 6 }",
            ),
            "invalid_value",
            "policy.levels[0].min_criteria.listens",
        ),
        (
            replaced("min = 1\nmax = 5", "min = 5\nmax = 5"),
            "invalid_scale",
            "scale",
        ),
        (
            replaced("step = 1", "step = 0.3"),
            "invalid_scale",
            "scale.step",
        ),
        (
            replaced("labels = [\"Not yet shown\", ", "labels = ["),
            "invalid_scale",
            "scale.labels",
        ),
        (
            replaced("min_coverage = 0.5", "min_coverage = 1.5"),
            "invalid_value",
            "policy.min_coverage",
        ),
        (
            replaced("format_version = 1", "format_version = 2"),
            "unsupported_format_version",
            "format_version",
        ),
        (
            replaced("kind = \"attitude\"", "kind = \"soft\""),
            "wrong_type",
            "dimensions[1].kind",
        ),
        (
            replaced(
                "min_raters = 3\nself_other_gap",
                "min_raters = 3.5\nself_other_gap",
            ),
            "wrong_type",
            "policy.min_raters",
        ),
        (
            replaced(
                "weight = 0.4\ndescription",
                "weight = 0.4\nwieght = 2\ndescription",
            ),
            "unknown_key",
            "dimensions[0]",
        ),
        (
            replaced("[policy]", "[policy]\nmin_coverag = 0.5"),
            "unknown_key",
            "policy",
        ),
        (
            replaced("id = \"listens\"", "id = \"listens now\""),
            "invalid_id",
            "dimensions[0].criteria[0].id",
        ),
    ];
    for (text, code, path) in cases {
        let e = err(&text);
        assert_eq!((e.code(), e.path()), (code, path), "{e}");
        assert!(
            e.to_string().starts_with(path),
            "message names the path: {e}"
        );
    }
}

#[test]
fn weight_message_shows_the_value() {
    let e = err(&replaced(
        "name = \"Gives room to others\"\nweight = 1.0",
        "name = \"Gives room to others\"\nweight = -1",
    ));
    assert_eq!(
        e.to_string(),
        "dimensions[0].criteria[1].weight: must be > 0, got -1"
    );
    for bad in ["nan", "inf"] {
        let e = err(&replaced(
            "kind = \"impact\"\nweight = 0.3",
            &format!("kind = \"impact\"\nweight = {bad}"),
        ));
        assert_eq!(e.code(), "invalid_weight");
    }
}

#[test]
fn anchors_must_match_scale_points() {
    let text = STANDARD_TOML.replacen("anchors = [\n", "anchors = [\n  \"extra\",\n", 1);
    let e = err(&text);
    assert_eq!(e.code(), "anchor_count");
    assert_eq!(e.path(), "dimensions[0].criteria[0].anchors");
    assert!(e.to_string().contains("expected 5 anchors"));
}

#[test]
fn a_rubric_needs_a_leadership_side_dimension() {
    let text = r#"
format_version = 1
id = "t"
version = "1"
[scale]
min = 1
max = 5
[rater_groups.manager]
weight = 1
[policy]
levels = [{ id = "all" }]
[[dimensions]]
id = "tech"
kind = "technical"
weight = 1
criteria = [{ id = "x" }]
"#;
    assert_eq!(err(text).code(), "no_leadership_dimension");
    let ok = text.replace("kind = \"technical\"", "kind = \"custom:craft_leadership\"");
    assert!(Rubric::from_toml_str(&ok).unwrap().dimensions[0]
        .kind
        .is_leadership_side());
}

#[test]
fn syntax_errors_are_typed() {
    assert_eq!(err("format_version = ").code(), "rubric_syntax");
    assert_eq!(
        Rubric::from_json_str("{").unwrap_err().code(),
        "rubric_syntax"
    );
    assert_eq!(
        Rubric::from_json_str("[]").unwrap_err().code(),
        "wrong_type"
    );
}

#[test]
fn any_format_detection_skips_a_byte_order_mark() {
    let json = Rubric::standard().to_json_string();
    for text in [
        json.clone(),
        format!("\u{feff}{json}"),
        format!("\u{feff} \r\n{json}"),
        format!("\u{feff}{STANDARD_TOML}"),
        STANDARD_TOML.to_owned(),
    ] {
        assert_eq!(Rubric::from_str_any(&text).unwrap(), Rubric::standard());
    }
    // Broken JSON after a BOM is reported as JSON, not read as TOML.
    let e = Rubric::from_str_any("\u{feff}{\"format_version\": 1,").unwrap_err();
    assert!(
        matches!(e, readiness::RubricError::Syntax { format: "JSON", .. }),
        "{e:?}"
    );
}

#[test]
fn duplicate_ids_name_the_first_occurrence() {
    let check = |edit: &dyn Fn(&mut Rubric), want: &str| {
        let mut r = Rubric::standard();
        edit(&mut r);
        let err = r.validate().err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some(want));
    };
    check(
        &|r| r.dimensions[2].criteria[1].id = r.dimensions[0].criteria[3].id.clone(),
        "dimensions[2].criteria[1].id: duplicate id 'shows_direction' (first used at dimensions[0].criteria[3].id)",
    );
    check(
        &|r| r.dimensions[1].criteria[4].id = r.dimensions[1].criteria[2].id.clone(),
        "dimensions[1].criteria[4].id: duplicate id 'courage' (first used at dimensions[1].criteria[2].id)",
    );
    check(
        &|r| r.dimensions[3].id = r.dimensions[1].id.clone(),
        "dimensions[3].id: duplicate id 'attitude' (first used at dimensions[1].id)",
    );
    check(
        &|r| r.policy.levels[2].id = r.policy.levels[0].id.clone(),
        "policy.levels[2].id: duplicate id 'ready_now' (first used at policy.levels[0].id)",
    );
}

/// `tests/fixtures/standard_rubric.json` is the standard rubric as the engine writes it (the
/// WebAssembly package's `standardRubric()` is compared with it). After a change to the rubric
/// model or `rubrics/standard.toml`: `READINESS_WRITE_FIXTURES=1 cargo test -p readiness --test
/// rubric standard_rubric_fixture`.
#[test]
fn standard_rubric_fixture_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/standard_rubric.json");
    let want = format!("{}\n", Rubric::standard().to_json_string());
    if std::env::var_os("READINESS_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not the standard rubric: run READINESS_WRITE_FIXTURES=1 cargo test -p readiness --test rubric standard_rubric_fixture",
        path.display()
    );
}
