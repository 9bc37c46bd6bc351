//! Invariants of scoring model v1, checked on random cohorts.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use proptest::prelude::*;
use readiness::{Assessment, Engine, Rating, RatingSet, Rubric};

const GROUPS: [&str; 4] = ["self", "manager", "peer", "direct_report"];

fn rubric_text(group_w: [f64; 3], dim_w: [f64; 4], crit_w: [f64; 6]) -> String {
    format!(
        r#"
format_version = 1
id = "p"
version = "1"
[scale]
min = 1
max = 5
step = 1
[rater_groups.self]
weight = 0.0
[rater_groups.manager]
weight = {}
[rater_groups.peer]
weight = {}
min_raters = 2
[rater_groups.direct_report]
weight = {}
min_raters = 2
[policy]
min_coverage = 0.3
[[policy.levels]]
id = "top"
min_index = 70
min_dimension = 50
[[policy.levels]]
id = "mid"
min_index = 40
[[policy.levels]]
id = "low"
[[dimensions]]
id = "lead"
kind = "leadership"
weight = {}
criteria = [{{ id = "a", weight = {} }}, {{ id = "b", weight = {} }}]
[[dimensions]]
id = "att"
kind = "attitude"
weight = {}
criteria = [{{ id = "c", weight = {} }}, {{ id = "d", weight = {} }}]
[[dimensions]]
id = "imp"
kind = "impact"
weight = {}
criteria = [{{ id = "e", weight = {} }}]
[[dimensions]]
id = "tech"
kind = "technical"
weight = {}
criteria = [{{ id = "t", weight = {} }}]
"#,
        group_w[0],
        group_w[1],
        group_w[2],
        dim_w[0],
        crit_w[0],
        crit_w[1],
        dim_w[1],
        crit_w[2],
        crit_w[3],
        dim_w[2],
        crit_w[4],
        dim_w[3],
        crit_w[5]
    )
}

const CRITERIA: [&str; 6] = ["a", "b", "c", "d", "e", "t"];

fn default_rubric() -> Rubric {
    Rubric::from_toml_str(&rubric_text(
        [0.4, 0.3, 0.3],
        [0.4, 0.3, 0.3, 1.0],
        [1.0; 6],
    ))
    .unwrap()
}

/// Random ratings: up to 3 candidates, up to 7 raters each in random groups, some missing.
fn ratings() -> impl Strategy<Value = Vec<Rating>> {
    prop::collection::vec(
        (
            0usize..3,
            prop::collection::vec(
                (
                    0usize..4,
                    prop::collection::vec(prop::option::weighted(0.85, 1u8..=5), 6),
                ),
                1..7,
            ),
        ),
        1..4,
    )
    .prop_map(|cands| {
        let mut out = Vec::new();
        for (k, (_, raters)) in cands.iter().enumerate() {
            for (j, (g, scores)) in raters.iter().enumerate() {
                let group = if j == 0 { "manager" } else { GROUPS[*g] };
                for (c, s) in scores.iter().enumerate() {
                    out.push(Rating::new(
                        &format!("c{k}"),
                        &format!("r{k}-{j}"),
                        group,
                        CRITERIA[c],
                        s.map(f64::from),
                    ));
                }
            }
        }
        out
    })
}

fn assess(rubric: &Rubric, ratings: &[Rating]) -> Vec<Assessment> {
    let engine = Engine::new(rubric.clone()).unwrap();
    engine
        .assess(&RatingSet::from_records(ratings, rubric).unwrap())
        .unwrap()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * (1.0 + x.abs()),
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scores_stay_in_range_and_intervals_contain_the_point(r in ratings()) {
        for doc in assess(&default_rubric(), &r) {
            let mut points = vec![(doc.readiness.index, doc.readiness.ci95), (doc.technical.score, doc.technical.ci95)];
            points.extend(doc.dimensions.iter().map(|d| (d.score, d.ci95)));
            for (p, ci) in points {
                if let Some(p) = p {
                    prop_assert!((0.0..=100.0).contains(&p), "{p}");
                    if let Some([lo, hi]) = ci {
                        prop_assert!(lo <= p + 1e-9 && p <= hi + 1e-9 && lo >= 0.0 && hi <= 100.0, "{lo} {p} {hi}");
                    }
                } else {
                    prop_assert!(ci.is_none());
                }
            }
            for d in &doc.dimensions {
                prop_assert!((0.0..=1.0).contains(&d.coverage));
                if let Some(rwg) = d.rwg { prop_assert!((0.0..=1.0).contains(&rwg), "rwg {rwg}"); }
            }
            let json = serde_json::to_string(&doc).unwrap();
            prop_assert!(!json.contains("NaN") && !json.contains("inf"));
        }
    }

    #[test]
    fn raising_one_rating_never_lowers_its_dimension(r in ratings(), pick in any::<prop::sample::Index>()) {
        let rubric = default_rubric();
        let before = assess(&rubric, &r);
        let i = pick.index(r.len());
        let mut raised = r.clone();
        match raised[i].score {
            Some(s) if s < 5.0 => raised[i].score = Some(s + 1.0),
            _ => return Ok(()),
        }
        let after = assess(&rubric, &raised);
        let cand = &r[i].candidate;
        let d = ["lead", "lead", "att", "att", "imp", "tech"][CRITERIA.iter().position(|c| *c == r[i].criterion).unwrap()];
        let find = |docs: &[Assessment]| docs.iter().find(|x| &x.candidate == cand).unwrap().dimensions.iter().find(|x| x.id == d).unwrap().score;
        if let (Some(b), Some(a)) = (find(&before), find(&after)) {
            prop_assert!(a >= b - 1e-9, "{b} -> {a}");
        }
    }

    #[test]
    fn scaling_every_weight_of_a_kind_changes_nothing(r in ratings(), k in 0.01f64..100.0) {
        let base = assess(&default_rubric(), &r);
        for (g, d, c) in [
            ([0.4 * k, 0.3 * k, 0.3 * k], [0.4, 0.3, 0.3, 1.0], [1.0; 6]),
            ([0.4, 0.3, 0.3], [0.4 * k, 0.3 * k, 0.3 * k, 1.0 * k], [1.0; 6]),
            ([0.4, 0.3, 0.3], [0.4, 0.3, 0.3, 1.0], [k; 6]),
        ] {
            let scaled = assess(&Rubric::from_toml_str(&rubric_text(g, d, c)).unwrap(), &r);
            for (x, y) in base.iter().zip(&scaled) {
                prop_assert!(close(x.readiness.index, y.readiness.index));
                prop_assert_eq!(&x.readiness.level, &y.readiness.level);
                for (p, q) in x.dimensions.iter().zip(&y.dimensions) {
                    prop_assert!(close(p.score, q.score));
                    prop_assert!(close(p.ci95.map(|c| c[0]), q.ci95.map(|c| c[0])));
                }
            }
        }
    }

    #[test]
    fn row_order_changes_nothing(r in ratings(), seed in any::<u64>()) {
        let rubric = default_rubric();
        let base = assess(&rubric, &r);
        let mut shuffled = r.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let other = assess(&rubric, &shuffled);
        prop_assert_eq!(serde_json::to_string(&base).unwrap(), serde_json::to_string(&other).unwrap());
    }

    #[test]
    fn technical_ratings_never_change_the_index(r in ratings(), t in prop::collection::vec(1u8..=5, 64)) {
        let rubric = default_rubric();
        let base = assess(&rubric, &r);
        let mut changed = r.clone();
        for (k, x) in changed.iter_mut().filter(|x| x.criterion == "t").enumerate() {
            x.score = Some(f64::from(t[k % t.len()]));
        }
        let other = assess(&rubric, &changed);
        for (a, b) in base.iter().zip(&other) {
            prop_assert_eq!(&a.readiness, &b.readiness);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn renaming_raters_changes_no_byte(r in ratings(), salt in "[a-z]{1,3}") {
        let rubric = default_rubric();
        let base = assess(&rubric, &r);
        let mut renamed = r.clone();
        for x in &mut renamed {
            // Reverses the sort order of rater ids as well as renaming them.
            x.rater = format!("{salt}-{}", 1000 - x.rater.len() as i64)
                + &x.rater.chars().rev().collect::<String>();
        }
        let other = assess(&rubric, &renamed);
        prop_assert_eq!(serde_json::to_string(&base).unwrap(), serde_json::to_string(&other).unwrap());
    }

    #[test]
    fn score_table_holds_the_document_numbers(r in ratings()) {
        let rubric = default_rubric();
        let engine = Engine::new(rubric.clone()).unwrap();
        let set = RatingSet::from_records(&r, &rubric).unwrap();
        let docs = engine.assess(&set).unwrap();
        let t = engine.score_table(&set).unwrap();
        let nd = t.dimensions.len();
        prop_assert_eq!(t.index.len(), docs.len());
        for (row, doc) in docs.iter().enumerate() {
            prop_assert_eq!(t.index[row], doc.readiness.index);
            prop_assert_eq!(t.index_ci[row], doc.readiness.ci95);
            let level = t.levels.get(usize::from(t.level[row])).map_or("insufficient_evidence", String::as_str);
            prop_assert_eq!(level, doc.readiness.level.as_str());
            for d in 0..nd {
                prop_assert_eq!(t.dimension_score[row * nd + d], doc.dimensions[d].score);
                prop_assert_eq!(t.dimension_ci[row * nd + d], doc.dimensions[d].ci95);
                prop_assert_eq!(t.rwg[row * nd + d], doc.dimensions[d].rwg);
            }
            prop_assert_eq!(t.technical[row], doc.technical.score);
            let mut bits = 0u32;
            for f in &doc.flags {
                bits |= 1 << (f.code as u32);
            }
            prop_assert_eq!(t.flags[row], bits);
        }
        prop_assert_eq!(engine.index_points(&set).unwrap(), t.index.clone());
        // The flat table computed without documents is the documents' table, value for value.
        prop_assert_eq!(
            engine.assessments_table(&set).unwrap(),
            readiness::table::assessments_table(&docs, &rubric)
        );
    }

    #[test]
    fn columns_and_the_flat_table_match_records_and_documents(
        r in ratings(),
        rotate in 0usize..64,
        reverse in any::<bool>(),
    ) {
        use readiness::columns::{rating_set, Codes, Column, Factor};
        use readiness::table::assessments_table;
        let rubric = default_rubric();
        let engine = Engine::new(rubric.clone()).unwrap();
        let set = RatingSet::from_records(&r, &rubric).unwrap();
        let docs = engine.assess(&set).unwrap();
        // The flat table straight from the ratings is the documents' table.
        prop_assert_eq!(engine.assessments_table(&set).unwrap(), assessments_table(&docs, &rubric));
        // The same ratings as data-frame columns, in another row order (sorted or not), give
        // the same documents.
        let mut rows = r.clone();
        let k = rotate % rows.len().max(1);
        rows.rotate_left(k);
        if reverse {
            rows.reverse();
        }
        let factor = |get: &dyn Fn(&Rating) -> &str| {
            let mut values: Vec<String> = Vec::new();
            let codes: Vec<i64> = rows
                .iter()
                .map(|x| {
                    let v = get(x);
                    match values.iter().position(|u| u == v) {
                        Some(i) => i as i64,
                        None => {
                            values.push(v.to_string());
                            values.len() as i64 - 1
                        }
                    }
                })
                .collect();
            (codes, values)
        };
        let c = factor(&|x| &x.candidate);
        let ra = factor(&|x| &x.rater);
        let g = factor(&|x| &x.group);
        let k = factor(&|x| &x.criterion);
        let scores: Vec<f64> = rows.iter().map(|x| x.score.unwrap_or(f64::NAN)).collect();
        fn col(f: &(Vec<i64>, Vec<String>)) -> Column<'_, String> {
            Column::Text(Factor { codes: Codes::I64(&f.0), values: &f.1 })
        }
        let cols = [
            ("candidate", col(&c)),
            ("rater", col(&ra)),
            ("group", col(&g)),
            ("criterion", col(&k)),
            ("score", Column::Numbers(&scores)),
        ];
        let from_columns = rating_set(&cols, &rubric).unwrap();
        let other = engine.assess(&from_columns).unwrap();
        prop_assert_eq!(serde_json::to_string(&docs).unwrap(), serde_json::to_string(&other).unwrap());
        // Kept for scoring only: the same documents and table.
        let kept = readiness::columns::scoring_set(&cols, &rubric).unwrap();
        let third = kept.assess(&engine).unwrap();
        prop_assert_eq!(serde_json::to_string(&docs).unwrap(), serde_json::to_string(&third).unwrap());
        prop_assert_eq!(kept.assessments_table(&engine).unwrap(), assessments_table(&docs, &rubric));
    }
}
