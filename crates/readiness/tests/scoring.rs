//! Scoring model v1, step by step, against hand-computed expectations.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use readiness::stats::distributions::t_quantile;
use readiness::{Engine, FlagCode, Rating, RatingSet, Rubric};

const RUBRIC: &str = r#"
format_version = 1
id = "tiny"
version = "1"
name = "Tiny"
[scale]
min = 1
max = 5
step = 1
[rater_groups.self]
weight = 0.0
[rater_groups.manager]
weight = 0.5
[rater_groups.peer]
weight = 0.5
min_raters = 2
[policy]
min_coverage = 0.5
min_raters = 3
[[policy.levels]]
id = "top"
min_index = 75
min_dimension = 60
[[policy.levels]]
id = "mid"
min_index = 50
[[policy.levels]]
id = "low"
[[dimensions]]
id = "lead"
kind = "leadership"
weight = 2
criteria = [{ id = "a", weight = 1, development = ["act on a"] }, { id = "b", weight = 3 }]
[[dimensions]]
id = "att"
kind = "attitude"
weight = 1
criteria = [{ id = "c" }]
[[dimensions]]
id = "tech"
kind = "technical"
weight = 1
criteria = [{ id = "t" }]
"#;

const RATINGS: &str = "candidate,rater,group,criterion,score
x,M,manager,a,5
x,M,manager,b,4
x,M,manager,c,3
x,M,manager,t,5
x,P1,peer,a,4
x,P1,peer,b,4
x,P1,peer,c,4
x,P1,peer,t,4
x,P2,peer,a,2
x,P2,peer,b,4
x,P2,peer,c,5
x,S,self,a,5
x,S,self,b,5
x,S,self,c,5
";

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn tiny() -> (Engine, readiness::Assessment) {
    let engine = Engine::new(Rubric::from_toml_str(RUBRIC).unwrap()).unwrap();
    let docs = engine.assess_csv(RATINGS).unwrap();
    assert_eq!(docs.len(), 1);
    let doc = docs.into_iter().next().unwrap();
    (engine, doc)
}

#[test]
fn criterion_scores_weight_group_means() {
    let (_, doc) = tiny();
    let s: Vec<f64> = doc.criteria.iter().map(|c| c.raw.unwrap()).collect();
    // s(a) = 0.5·5 + 0.5·mean(4, 2); s(c) = 0.5·3 + 0.5·4.5; self never counts.
    close(s[0], 4.0);
    close(s[1], 4.0);
    close(s[2], 3.75);
    close(s[3], 4.5);
}

#[test]
fn dimension_scores_and_index_follow_weights() {
    let (_, doc) = tiny();
    let lead = &doc.dimensions[0];
    close(lead.raw.unwrap(), 4.0);
    close(lead.score.unwrap(), 75.0);
    close(lead.coverage, 1.0);
    close(doc.dimensions[1].score.unwrap(), 68.75);
    close(doc.dimensions[2].score.unwrap(), 87.5);
    // R = (2·75 + 1·68.75)/3; technical is not in it.
    close(doc.readiness.index.unwrap(), 218.75 / 3.0);
    close(doc.technical.score.unwrap(), 87.5);
}

#[test]
fn level_and_reasons_name_the_failed_condition() {
    let (_, doc) = tiny();
    assert_eq!(doc.readiness.level, "mid");
    assert_eq!(
        doc.readiness.reasons,
        vec!["top: index 72.9 < 75".to_string()]
    );
    let next = doc.readiness.next_level.as_ref().unwrap();
    assert_eq!(next.level, "top");
    close(next.index_gap.unwrap(), 75.0 - 218.75 / 3.0);
}

#[test]
fn dimension_interval_uses_weighted_rater_replicates() {
    let (_, doc) = tiny();
    // Replicates 4.25 (a=.5), 4 (a=.25), 3.5 (a=.25): V1 = 1, V2 = .375, s² = .15.
    let n_eff: f64 = 1.0 / 0.375;
    let se = (0.15f64).sqrt() / n_eff.sqrt();
    let half = t_quantile(0.975, n_eff - 1.0).unwrap() * se * 25.0;
    let ci = doc.dimensions[0].ci95.unwrap();
    close(ci[0], 75.0 - half);
    close(ci[1], (75.0 + half).min(100.0));
    assert_eq!(doc.dimensions[0].raters, 3);
}

#[test]
fn index_interval_uses_each_raters_own_index() {
    let (_, doc) = tiny();
    // Own indexes: M (2·81.25 + 50)/3, P1 75, P2 (2·62.5 + 100)/3 = 75; weights .5, .25, .25.
    let reps = [(0.5, 212.5 / 3.0), (0.25, 75.0), (0.25, 75.0)];
    let v1: f64 = reps.iter().map(|r| r.0).sum();
    let v2: f64 = reps.iter().map(|r| r.0 * r.0).sum();
    let mu = reps.iter().map(|r| r.0 * r.1).sum::<f64>() / v1;
    let s2 = reps.iter().map(|r| r.0 * (r.1 - mu).powi(2)).sum::<f64>() / (v1 - v2 / v1);
    let n_eff = v1 * v1 / v2;
    let half = t_quantile(0.975, n_eff - 1.0).unwrap() * s2.sqrt() / n_eff.sqrt();
    let r = 218.75 / 3.0;
    let ci = doc.readiness.ci95.unwrap();
    close(ci[0], r - half);
    close(ci[1], r + half);
}

#[test]
fn technical_interval_is_clamped_to_the_scale() {
    let (_, doc) = tiny();
    assert_eq!(doc.technical.ci95, Some([0.0, 100.0]));
}

#[test]
fn rwg_uses_sample_variance_of_scoring_raters() {
    let (_, doc) = tiny();
    // a: var(5,4,2) = 7/3; b: var(4,4,4) = 0; S̄ = 7/6; σ² = 2; J = 2.
    let ratio = (7.0 / 6.0) / 2.0;
    let expected = 2.0 * (1.0 - ratio) / (2.0 * (1.0 - ratio) + ratio);
    close(doc.dimensions[0].rwg.unwrap(), expected);
    assert!(doc
        .flags
        .iter()
        .any(|f| f.code == FlagCode::LowAgreement && f.dimension.as_deref() == Some("lead")));
}

#[test]
fn self_gap_raises_blind_spot() {
    let (_, doc) = tiny();
    close(doc.dimensions[0].self_gap.unwrap(), 1.0);
    close(doc.dimensions[1].self_gap.unwrap(), 1.25);
    let blind: Vec<_> = doc
        .flags
        .iter()
        .filter(|f| f.code == FlagCode::BlindSpot)
        .map(|f| f.dimension.clone().unwrap())
        .collect();
    assert_eq!(blind, vec!["lead", "att"]);
    assert!(!doc.flags.iter().any(|f| f.code == FlagCode::FewRaters));
}

#[test]
fn group_breakdowns_respect_anonymity() {
    let (_, doc) = tiny();
    let lead = &doc.dimensions[0];
    close(lead.by_group["manager"].unwrap(), 81.25);
    close(lead.by_group["peer"].unwrap(), 68.75);
    close(lead.by_group["self"].unwrap(), 100.0);
    // The technical dimension was rated by one peer only: below the peer minimum of 2.
    let tech = &doc.dimensions[2];
    assert_eq!(tech.by_group["peer"], None);
    assert!(tech.suppressed["peer"].contains("1 rater < 2"));
}

#[test]
fn strengths_and_development_come_from_leadership_side_criteria() {
    let (_, doc) = tiny();
    // Leadership-side scores: a 4, b 4, c 3.75 → strengths a, b, c (3 by default) — all used.
    assert_eq!(doc.strengths, vec!["a", "b", "c"]);
    assert!(doc.development.is_empty());
    let engine = Engine::new(
        Rubric::from_toml_str(&RUBRIC.replace(
            "min_coverage = 0.5",
            "min_coverage = 0.5\nstrengths = 1\ndevelopment = 1",
        ))
        .unwrap(),
    )
    .unwrap();
    let doc = engine.assess_csv(RATINGS).unwrap().remove(0);
    assert_eq!(doc.strengths, vec!["a"]);
    assert_eq!(doc.development.len(), 1);
    assert_eq!(doc.development[0].criterion, "c");
}

#[test]
fn technical_never_enters_index() {
    let (engine, doc) = tiny();
    let changed = RATINGS
        .replace("x,M,manager,t,5", "x,M,manager,t,1")
        .replace("x,P1,peer,t,4", "x,P1,peer,t,1");
    let other = engine.assess_csv(&changed).unwrap().remove(0);
    assert_eq!(doc.readiness, other.readiness);
    assert_ne!(doc.technical, other.technical);
}

#[test]
fn expert_trap_needs_high_technical_and_low_index() {
    let engine = Engine::standard();
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for (rater, group) in [
        ("m", "manager"),
        ("p1", "peer"),
        ("p2", "peer"),
        ("p3", "peer"),
    ] {
        for d in &engine.rubric().dimensions {
            let score = if d.kind.is_leadership_side() { 2 } else { 5 };
            for c in &d.criteria {
                csv.push_str(&format!("e,{rater},{group},{},{score}\n", c.id));
            }
        }
    }
    let doc = engine.assess_csv(&csv).unwrap().remove(0);
    close(doc.readiness.index.unwrap(), 25.0);
    close(doc.technical.score.unwrap(), 100.0);
    assert_eq!(doc.readiness.level, "not_ready");
    assert!(doc.flags.iter().any(|f| f.code == FlagCode::ExpertTrap));
}

#[test]
fn thin_coverage_gives_insufficient_evidence_with_reason() {
    let engine = Engine::standard();
    let csv =
        "candidate,rater,group,criterion,score\ne,m,manager,listens,4\ne,m,manager,courage,4\n";
    let doc = engine.assess_csv(csv).unwrap().remove(0);
    assert_eq!(doc.readiness.level, "insufficient_evidence");
    assert!(doc
        .readiness
        .reasons
        .iter()
        .any(|r| r.contains("coverage of impact 0.00 < 0.5")));
    assert!(doc.flags.iter().any(|f| f.code == FlagCode::FewRaters));
    assert_eq!(
        doc.readiness.ci95, None,
        "one rater: no interval is made up"
    );
}

#[test]
fn min_criteria_and_min_technical_gate_a_level() {
    let rubric = RUBRIC.replace(
        "min_dimension = 60\n",
        "min_dimension = 60\nmin_criteria = { a = 4.5 }\nmin_technical = 90\n",
    );
    let engine = Engine::new(Rubric::from_toml_str(&rubric).unwrap()).unwrap();
    let all_five = RATINGS
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{},5", l.rsplit_once(',').unwrap().0)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let doc = engine.assess_csv(&all_five).unwrap().remove(0);
    assert_eq!(doc.readiness.level, "top");
    let doc = engine.assess_csv(RATINGS).unwrap().remove(0);
    assert!(
        doc.readiness
            .reasons
            .contains(&"top: a 4.00 < 4.5".to_string()),
        "{:?}",
        doc.readiness.reasons
    );
    assert!(doc
        .readiness
        .reasons
        .contains(&"top: technical 87.5 < 90".to_string()));
}

#[test]
fn cycles_are_assessed_separately_and_sorted() {
    let engine = Engine::standard();
    let csv = "cycle,candidate,rater,group,criterion,score\n\
               2026-Q2,b,m,manager,listens,4\n2026-Q1,b,m,manager,listens,2\n2026-Q1,a,m,manager,listens,3\n";
    let docs = engine.assess_csv(csv).unwrap();
    let keys: Vec<(String, Option<String>)> = docs
        .iter()
        .map(|d| (d.candidate.clone(), d.cycle.clone()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("a".into(), Some("2026-Q1".into())),
            ("b".into(), Some("2026-Q1".into())),
            ("b".into(), Some("2026-Q2".into()))
        ]
    );
    let json = serde_json::to_value(&docs[0]).unwrap();
    assert_eq!(json["cycle"], "2026-Q1");
    let plain = engine
        .assess_csv("candidate,rater,group,criterion,score\na,m,manager,listens,3\n")
        .unwrap();
    assert!(serde_json::to_value(&plain[0])
        .unwrap()
        .get("cycle")
        .is_none());
}

#[test]
fn json_and_records_give_the_same_documents_as_csv() {
    let (engine, doc) = tiny();
    let set = RatingSet::from_csv_str(RATINGS, engine.rubric()).unwrap();
    let records: Vec<Rating> = RATINGS
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Rating::new(f[0], f[1], f[2], f[3], f[4].parse().ok())
        })
        .collect();
    let json = serde_json::to_string(&records).unwrap();
    assert_eq!(engine.assess_json(&json).unwrap()[0], doc);
    let from_records = RatingSet::from_records(&records, engine.rubric()).unwrap();
    assert_eq!(engine.assess(&from_records).unwrap()[0], doc);
    assert_eq!(engine.assess(&set).unwrap()[0], doc);
    assert_eq!(engine.index_points(&set).unwrap()[0], doc.readiness.index);
}

#[test]
fn provenance_names_engine_and_rubric() {
    let (engine, doc) = tiny();
    assert_eq!(doc.provenance.engine, readiness::VERSION);
    assert_eq!(doc.provenance.rubric, "tiny@1");
    assert_eq!(doc.provenance.fingerprint, engine.rubric().fingerprint());
    assert!(doc.provenance.fingerprint.starts_with("sha256:"));
    assert_eq!(doc.provenance.fingerprint.len(), 7 + 64);
}

#[test]
fn rater_adjustment_is_applied_and_recorded() {
    // Crossed panel: two peers rate three candidates; p-2 is one point more lenient.
    let mut csv = String::from("candidate,rater,group,criterion,score\n");
    for (cand, base) in [("a", 2), ("b", 3), ("c", 4)] {
        csv.push_str(&format!(
            "{cand},p-1,peer,listens,{base}\n{cand},p-2,peer,listens,{}\n",
            base + 1
        ));
    }
    let plain = Engine::standard().assess_csv(&csv).unwrap();
    assert_eq!(plain[0].provenance.rater_adjustment, "none");
    let text = readiness::rubric::STANDARD_TOML
        .replace("[policy]\n", "[policy]\nrater_adjustment = \"additive\"\n");
    let engine = Engine::new(Rubric::from_toml_str(&text).unwrap()).unwrap();
    let adjusted = engine.assess_csv(&csv).unwrap();
    assert_eq!(adjusted[0].provenance.rater_adjustment, "additive");
    // After removing the leniency both peers agree: the criterion score is the midpoint, and
    // the rater disagreement is gone.
    let a = &adjusted[0].criteria[0];
    close(a.raw.unwrap(), 2.5);
    assert_eq!(adjusted[0].dimensions[0].rwg, Some(1.0));
    assert!(plain[0].dimensions[0].rwg.unwrap() < 1.0);
}
