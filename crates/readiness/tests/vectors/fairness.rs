//! Vector checks of adverse impact: `adverse_impact/` (one table from a dataset's selection)
//! and `degenerate/adverse_impact_tables.json` (named tables, including N = 2000 and 3000).
//!
//! Every key of `expected` is matched to an engine output; an unknown key is a failure.

use super::common::{expected_f64, Checker, Outcome};
use readiness::stats::adverse_impact::{adverse_impact, selection_rates, GroupCounts};
use serde_json::Value;
use std::path::Path;

const TABLE_KEY: &str = "table_rows_focal_reference_cols_selected_notselected";

/// Reads `[[focal_sel, focal_not], [ref_sel, ref_not]]` as (focal, reference) counts.
fn counts_from_table(t: &Value) -> Option<(GroupCounts, GroupCounts)> {
    let cell = |r: usize, c: usize| t[r][c].as_u64();
    let (a, b, c, d) = (cell(0, 0)?, cell(0, 1)?, cell(1, 0)?, cell(1, 1)?);
    Some((GroupCounts::new(a, a + b), GroupCounts::new(c, c + d)))
}

/// Compares one case's expected map with the engine's analysis of `focal` vs `reference`.
fn check_case(
    ck: &mut Checker,
    prefix: &str,
    focal: GroupCounts,
    reference: GroupCounts,
    expected: &Value,
    input: &Value,
) {
    let r = match adverse_impact(focal, reference) {
        Ok(r) => r,
        Err(e) => {
            ck.fail(format!("{prefix}engine error: {e}"));
            return;
        }
    };
    let groups = match selection_rates(&[focal, reference]) {
        Ok(g) => g,
        Err(e) => {
            ck.fail(format!("{prefix}engine error: {e}"));
            return;
        }
    };
    let Some(map) = expected.as_object() else {
        ck.fail(format!("{prefix}expected is not an object"));
        return;
    };
    for (key, e) in map {
        let k = format!("{prefix}{key}");
        let num = |x: Option<f64>| x;
        match key.as_str() {
            TABLE_KEY => {
                let want: Option<Vec<Vec<u64>>> = e.as_array().and_then(|rows| {
                    rows.iter()
                        .map(|row| {
                            row.as_array()
                                .and_then(|c| c.iter().map(Value::as_u64).collect())
                        })
                        .collect()
                });
                let got: Vec<Vec<u64>> = r.table.iter().map(|row| row.to_vec()).collect();
                ck.same(&k, Some(got), want);
            }
            "selection_rate_focal" => ck.num(&k, Some(r.selection_rate_focal), e),
            "selection_rate_reference" => ck.num(&k, Some(r.selection_rate_reference), e),
            "impact_ratio_focal_over_reference" => ck.num(&k, r.impact_ratio, e),
            "impact_ratio_min_over_max" => ck.num(&k, r.impact_ratio_min_over_max, e),
            "four_fifths_violation" => ck.same(&k, Some(r.four_fifths_violation), e.as_bool()),
            "four_fifths_violation_naive_float" => {
                // What a float comparison of the engine's rates returns (the trap the exact
                // integer rule avoids); NaN < 0.8 is false.
                let naive = r.selection_rate_focal / r.selection_rate_reference < 0.8;
                ck.same(&k, Some(naive), e.as_bool());
            }
            "fisher_two_sided_pvalue" => ck.num(&k, Some(r.fisher.p_two_sided), e),
            "fisher_less_pvalue" => ck.num(&k, Some(r.fisher.p_less), e),
            "fisher_greater_pvalue" => ck.num(&k, Some(r.fisher.p_greater), e),
            "fisher_sample_odds_ratio" => ck.num(&k, r.fisher.sample_odds_ratio, e),
            "conditional_mle_odds_ratio" => ck.num(&k, num(r.fisher.conditional_mle_odds_ratio), e),
            "conditional_odds_ratio_ci95" => {
                let ci = &r.fisher.conditional_odds_ratio_ci95;
                ck.num(&format!("{k}[0]"), Some(ci.lower), &e[0]);
                // `upper: None` is the engine's "unbounded": +∞.
                ck.num(
                    &format!("{k}[1]"),
                    Some(ci.upper.unwrap_or(f64::INFINITY)),
                    &e[1],
                );
            }
            "ztest_pooled_z" | "ztest_pooled_z_by_formula" => ck.num(&k, r.z_pooled.z, e),
            "ztest_pooled_pvalue_two_sided" => ck.num(&k, r.z_pooled.p_two_sided, e),
            "ztest_unpooled_wald_z" => ck.num(&k, r.z_unpooled.z, e),
            "ztest_unpooled_wald_pvalue_two_sided" => ck.num(&k, r.z_unpooled.p_two_sided, e),
            "fairlearn_demographic_parity_ratio" => ck.num(&k, groups.min_over_max_ratio, e),
            "fairlearn_demographic_parity_difference" => {
                ck.num(&k, Some(groups.max_minus_min_difference), e)
            }
            "selected_candidates" => {
                // The selection rule of the input, applied to the input scores.
                let cutoff = input["selection"]["cutoff"].as_f64();
                let mut got: Vec<String> = input["overall_readiness"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, s)| matches!((s.as_f64(), cutoff), (Some(s), Some(c)) if s >= c))
                    .map(|(id, _)| id.clone())
                    .collect();
                got.sort();
                let mut want: Vec<String> = e
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect();
                want.sort();
                ck.same(&k, got, want);
            }
            other => ck.fail(format!("{prefix}{other}: no engine value for this key")),
        }
    }
}

/// Counts of the dataset vectors, re-derived from the scores, groups and cutoff of the input
/// and compared with `input.counts`.
fn counts_from_input(ck: &mut Checker, input: &Value) -> Option<(GroupCounts, GroupCounts)> {
    let sel = &input["selection"];
    let (cutoff, focal, reference) = (
        sel["cutoff"].as_f64()?,
        sel["focal_group"].as_str()?,
        sel["reference_group"].as_str()?,
    );
    let mut derived = [GroupCounts::new(0, 0), GroupCounts::new(0, 0)];
    for (id, score) in input["overall_readiness"].as_object()? {
        let group = input["demographic_group"][id].as_str()?;
        let slot = if group == focal {
            0
        } else if group == reference {
            1
        } else {
            continue;
        };
        derived[slot].total += 1;
        if score.as_f64()? >= cutoff {
            derived[slot].selected += 1;
        }
    }
    let c = &input["counts"];
    let given = (
        GroupCounts::new(c["focal_selected"].as_u64()?, c["focal_n"].as_u64()?),
        GroupCounts::new(
            c["reference_selected"].as_u64()?,
            c["reference_n"].as_u64()?,
        ),
    );
    ck.same(
        "input.counts re-derived from scores",
        (derived[0], derived[1]),
        given,
    );
    Some(given)
}

/// `adverse_impact/*` and `degenerate/adverse_impact_tables.json`.
pub fn check_adverse_impact(v: &Value, _dir: &Path) -> Outcome {
    let mut ck = Checker::new(v);
    let input = &v["input"];
    if input.is_object() {
        let Some((focal, reference)) = counts_from_input(&mut ck, input) else {
            return Err(vec![
                "input lacks counts, scores, groups or selection".into()
            ]);
        };
        check_case(&mut ck, "", focal, reference, &v["expected"], input);
    } else {
        // Named tables: the input of each case is its own table (see the file's `input`).
        let Some(cases) = v["expected"].as_object() else {
            return Err(vec!["expected is not an object".into()]);
        };
        for (name, case) in cases {
            let Some((focal, reference)) = counts_from_table(&case[TABLE_KEY]) else {
                ck.fail(format!("{name}: no table"));
                continue;
            };
            // The name lists both groups as "<selected>of<n>" (in either order).
            let mut named: Vec<(u64, u64)> = name
                .split('_')
                .filter_map(|p| {
                    let (s, n) = p.split_once("of")?;
                    Some((s.parse().ok()?, n.parse().ok()?))
                })
                .collect();
            named.sort_unstable();
            let mut tab = vec![
                (focal.selected, focal.total),
                (reference.selected, reference.total),
            ];
            tab.sort_unstable();
            ck.same(&format!("{name}: table matches name"), named, tab);
            check_case(
                &mut ck,
                &format!("{name}."),
                focal,
                reference,
                case,
                &Value::Null,
            );
        }
    }
    let _ = expected_f64;
    ck.finish()
}
