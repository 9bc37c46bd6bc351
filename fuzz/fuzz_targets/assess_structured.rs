#![no_main]
//! Structured ratings on the standard rubric (ids from small alphabets so that duplicates,
//! conflicts and shared raters are common). Invariants: no panic; valid input gives finite,
//! sorted documents; shuffling the rows or renaming raters consistently (order-preserving or
//! not) changes no byte of the JSON; invalid input stays invalid after the shuffle.
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use readiness::{Engine, Rating, RatingSet};
use readiness_fuzz::{check_assessments, check_error, Score};

#[derive(Debug, Arbitrary)]
struct Row {
    candidate: u8,
    rater: u8,
    group: u8,
    criterion: u8,
    score: Score,
    cycle: Option<u8>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    rows: Vec<Row>,
    shuffle_seed: u64,
    rename_seed: u64,
}

/// A deterministic permutation of 0..n (Fisher–Yates on a SplitMix64 stream).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        p.swap(i, (z % (i as u64 + 1)) as usize);
    }
    p
}

fuzz_target!(|input: Input| {
    let engine = Engine::standard();
    let rubric = engine.rubric();
    let groups: Vec<&str> = rubric.rater_groups.keys().map(String::as_str).collect();
    let criteria: Vec<&str> = rubric.criterion_ids().collect();
    let pick = |list: &[&str], k: u8| -> String {
        // One value past the list is an unknown id; the rest wrap around.
        let i = usize::from(k) % (list.len() + 1);
        list.get(i).map_or("unknown", |s| s).to_string()
    };
    let rename = permutation(256, input.rename_seed);
    let records: Vec<Rating> = input
        .rows
        .iter()
        .take(512)
        .map(|r| Rating {
            candidate: format!("c{}", r.candidate % 6),
            rater: format!("r{}", r.rater % 24),
            group: pick(&groups, r.group),
            criterion: pick(&criteria, r.criterion),
            score: r.score.0,
            cycle: r.cycle.map(|c| format!("q{}", c % 3)),
            comment: None,
        })
        .collect();
    let order = permutation(records.len(), input.shuffle_seed);
    let shuffled: Vec<Rating> = order.iter().map(|&i| records[i].clone()).collect();
    let renamed: Vec<Rating> = records
        .iter()
        .map(|r| {
            let n: usize = r.rater[1..].parse().unwrap_or(0);
            Rating {
                rater: format!("x{:03}", rename[n]),
                ..r.clone()
            }
        })
        .collect();

    let first = RatingSet::from_records(&records, rubric);
    let second = RatingSet::from_records(&shuffled, rubric);
    let third = RatingSet::from_records(&renamed, rubric);
    match (first, second, third) {
        (Ok(a), Ok(b), Ok(c)) => {
            // Assessing fails (a typed error) or succeeds whatever the row order or names.
            let json_of = |set: &RatingSet| {
                engine.assess(set).map(|docs| {
                    check_assessments(&docs);
                    serde_json::to_string(&docs).expect("serialize")
                })
            };
            let json = match json_of(&a) {
                Ok(json) => json,
                Err(e) => {
                    check_error(e.code(), &e.to_string());
                    for other in [&a, &b, &c] {
                        let again = json_of(other).map_err(|e| e.code());
                        assert_eq!(again, Err(e.code()), "validity depends on order or names");
                    }
                    return;
                }
            };
            let again = json_of(&a).expect("assessing twice failed");
            assert_eq!(json, again, "assessing twice changed the output");
            let shuffled = json_of(&b).expect("shuffled rows failed");
            assert_eq!(json, shuffled, "row order changed the output");
            // Renaming raters changes no byte either (scoring sums in a canonical order; see
            // crates/readiness/tests/fixtures.rs).
            let renamed = json_of(&c).expect("renamed raters failed");
            assert_eq!(json, renamed, "renaming raters changed the output");
        }
        (Err(a), Err(_), Err(_)) => check_error(a.code(), &a.to_string()),
        (a, b, c) => panic!(
            "validity depends on row order or rater names: {:?} / {:?} / {:?}",
            a.err(),
            b.err(),
            c.err()
        ),
    }
});
