//! The adversarial table (`tests/adversarial/cases.json`) through the Rust API: every case
//! gives its typed error (code checked, message bounded and free of comment text) or a correct
//! result with no NaN or infinity anywhere in it — never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use readiness::{Engine, Rubric};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[path = "../../../tests/adversarial/cases.rs"]
mod cases;
#[path = "../../../tests/adversarial/finite.rs"]
mod finite;

/// What a door did with an input.
enum Outcome {
    Docs(Vec<readiness::Assessment>),
    Rubric,
    Error(String, String),
}

fn run(door: &str, input: &str) -> Outcome {
    let engine = Engine::standard();
    let result = match door {
        "ratings_csv" => engine.assess_csv(input).map(Outcome::Docs),
        "ratings_json" => engine.assess_json(input).map(Outcome::Docs),
        "rubric_toml" => Rubric::from_toml_str(input)
            .map(|_| Outcome::Rubric)
            .map_err(readiness::Error::from),
        "rubric_json" => Rubric::from_json_str(input)
            .map(|_| Outcome::Rubric)
            .map_err(readiness::Error::from),
        other => panic!("unknown door {other}"),
    };
    result.unwrap_or_else(|e| Outcome::Error(e.code().to_string(), e.to_string()))
}

/// Checks one outcome against its case; returns a description of the mismatch.
fn check(case: &cases::Case, outcome: Outcome) -> Result<(), String> {
    match (outcome, &case.errors) {
        (Outcome::Error(code, message), Some(codes)) => {
            if !codes.contains(&code) {
                return Err(format!(
                    "expected {codes:?}, got {code}: {}",
                    clip(&message)
                ));
            }
            if message.len() > case.max_message_bytes || message.contains('\n') {
                return Err(format!(
                    "message of {} bytes or multi-line: {}",
                    message.len(),
                    clip(&message)
                ));
            }
            for secret in &case.not_in_message {
                if message.contains(secret.as_str()) {
                    return Err(format!("message echoes {secret:?}: {message}"));
                }
            }
            Ok(())
        }
        (Outcome::Error(code, message), None) => {
            Err(format!("expected ok, got {code}: {}", clip(&message)))
        }
        (Outcome::Docs(_) | Outcome::Rubric, Some(codes)) => {
            Err(format!("expected {codes:?}, got ok"))
        }
        (Outcome::Rubric, None) => Ok(()),
        (Outcome::Docs(docs), None) => {
            if let Some(path) = finite::first_non_finite(&docs) {
                return Err(format!("non-finite float at {path}"));
            }
            if let Some(n) = case.documents {
                if docs.len() != n {
                    return Err(format!("expected {n} documents, got {}", docs.len()));
                }
            }
            if let Some(ids) = &case.candidates {
                let got: Vec<&str> = docs.iter().map(|d| d.candidate.as_str()).collect();
                if got != *ids {
                    return Err(format!("expected candidates {ids:?}, got {got:?}"));
                }
            }
            let json = serde_json::to_string(&docs).map_err(|e| e.to_string())?;
            let back: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            if !back.is_array() {
                return Err("output is not a JSON array".into());
            }
            Ok(())
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

#[test]
fn every_adversarial_case_gives_its_error_or_a_finite_result_through_the_rust_api() {
    let mut failures = Vec::new();
    let all = cases::load();
    assert!(all.len() >= 60, "the table has {} cases", all.len());
    for case in &all {
        let started = std::time::Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&case.door, &case.input)));
        let result = match outcome {
            Ok(o) => check(case, o),
            Err(_) => Err("panicked".to_string()),
        };
        // Generous bound: the largest case (one million ratings) takes well under a second
        // in release and a few seconds in debug builds.
        if case.large {
            eprintln!("{}: {:?}", case.name, started.elapsed());
        }
        if started.elapsed().as_secs() > 60 {
            failures.push(format!("{}: took {:?}", case.name, started.elapsed()));
        }
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

#[test]
fn limits_are_configurable_and_refuse_with_limit_exceeded() {
    use readiness::{Limits, RatingSet};
    let rubric = Rubric::standard();
    let csv = "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\ne-1,m-1,manager,gives_room,4\n";
    let tight = |l: Limits| RatingSet::from_csv_reader_with_limits(csv.as_bytes(), &rubric, &l);
    assert!(tight(Limits::default()).is_ok());
    let err = tight(Limits {
        max_ratings: 1,
        ..Limits::default()
    })
    .unwrap_err();
    assert_eq!(
        (err.code(), err.location().row()),
        ("limit_exceeded", Some(3))
    );
    let err = tight(Limits {
        max_id_len: 2,
        ..Limits::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    // Exactly at the size limit is accepted; one byte less is refused, never truncated.
    let exact = Limits {
        max_input_bytes: csv.len() as u64,
        ..Limits::default()
    };
    assert!(tight(exact).is_ok());
    let err = tight(Limits {
        max_input_bytes: csv.len() as u64 - 1,
        ..Limits::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    let err = RatingSet::from_json_str_with_limits(
        "[]",
        &rubric,
        &Limits {
            max_input_bytes: 1,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");

    use readiness::rubric::{RubricLimits, STANDARD_TOML};
    assert!(Rubric::from_toml_str_with_limits(STANDARD_TOML, &RubricLimits::default()).is_ok());
    for (limits, path) in [
        (
            RubricLimits {
                max_input_bytes: 100,
                ..RubricLimits::default()
            },
            ".",
        ),
        (
            RubricLimits {
                max_dimensions: 3,
                ..RubricLimits::default()
            },
            "dimensions",
        ),
        (
            RubricLimits {
                max_criteria: 18,
                ..RubricLimits::default()
            },
            "dimensions",
        ),
        (
            RubricLimits {
                max_rater_groups: 3,
                ..RubricLimits::default()
            },
            "rater_groups",
        ),
        (
            RubricLimits {
                max_levels: 3,
                ..RubricLimits::default()
            },
            "policy.levels",
        ),
        (
            RubricLimits {
                max_text_len: 20,
                ..RubricLimits::default()
            },
            "name",
        ),
        (
            RubricLimits {
                max_list_len: 4,
                ..RubricLimits::default()
            },
            ".",
        ),
        (
            RubricLimits {
                max_depth: 2,
                ..RubricLimits::default()
            },
            "scale.labels[0]",
        ),
    ] {
        let err = Rubric::from_toml_str_with_limits(STANDARD_TOML, &limits).unwrap_err();
        assert_eq!(
            (err.code(), err.path()),
            ("limit_exceeded", path),
            "{limits:?}: {err}"
        );
    }
}
