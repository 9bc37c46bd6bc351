//! Vector checks for reliability and agreement: ICC, Cronbach's alpha, Krippendorff's alpha,
//! rwg, and the distributions, t intervals and weighted means they rest on.
//!
//! Every expected key is visited; a key this file does not know is a failure, so a new field
//! in the vectors cannot pass unchecked.

use super::common::{expected_f64, Checker, Outcome};
use readiness::stats::cronbach::{cronbach_alpha, feldt_interval, MissingPolicy};
use readiness::stats::descriptive::{t_interval, weighted_mean_with, Summation};
use readiness::stats::distributions::{
    f_quantile, f_sf, normal_quantile, normal_two_sided_p, t_quantile,
};
use readiness::stats::icc::{icc, IccKind};
use readiness::stats::krippendorff::{
    krippendorff_alpha_from_counts, krippendorff_alpha_with_domain, KrippendorffAlpha, Level,
};
use readiness::stats::rwg::{rwg, rwg_j, rwg_j_from_variances, uniform_null_variance, Rwg, RwgJ};
use serde_json::Value;
use std::path::Path;

/// A JSON matrix of numbers/nulls as rows of `Option<f64>`.
fn matrix(v: &Value) -> Option<Vec<Vec<Option<f64>>>> {
    v.as_array()?
        .iter()
        .map(|row| {
            row.as_array().map(|r| {
                r.iter()
                    .map(|x| expected_f64(x).filter(|f| !f.is_nan()))
                    .collect()
            })
        })
        .collect()
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn obj(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flatten()
}

fn confidence(v: &Value) -> f64 {
    v["input"]["confidence"].as_f64().unwrap_or(0.95)
}

/// Compares a list of numbers element by element.
fn num_list(c: &mut Checker, key: &str, actual: &[Option<f64>], expected: &Value) {
    let Some(exp) = expected.as_array() else {
        c.fail(format!("{key}: expected a list, got {expected}"));
        return;
    };
    c.same(&format!("{key}.len"), actual.len(), exp.len());
    for (i, (a, e)) in actual.iter().zip(exp).enumerate() {
        c.num(&format!("{key}[{i}]"), *a, e);
    }
}

// ---------------------------------------------------------------- ICC

/// ICC vectors: the six forms, the ANOVA, the targets kept.
pub fn check_icc(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    let input = &v["input"];
    let Some(m) = matrix(&input["matrix_targets_x_raters"]).or_else(|| matrix(input)) else {
        return Err(vec!["no targets x raters matrix in input".into()]);
    };
    let ids = strings(&input["target_ids"])
        .unwrap_or_else(|| (0..m.len()).map(|i| format!("T{i}")).collect());
    let res = match icc(&m, confidence(v)) {
        Ok(r) => r,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    for (key, exp) in obj(&v["expected"]) {
        match key.as_str() {
            "targets_used_after_listwise_deletion" => {
                let used: Vec<String> = res.targets_used.iter().map(|&i| ids[i].clone()).collect();
                c.same(key, Some(used), strings(exp));
            }
            "n_targets_used" => c.num(key, Some(res.targets_used.len() as f64), exp),
            "k_raters" => c.num(key, Some(res.k_raters as f64), exp),
            "anova" => {
                let a = &res.anova;
                for (field, e) in obj(exp) {
                    let actual = match field.as_str() {
                        "n" => a.n as f64,
                        "k" => a.k as f64,
                        "grand_mean" => a.grand_mean,
                        "SS_total" => a.ss_total,
                        "SS_targets" => a.ss_targets,
                        "SS_raters" => a.ss_raters,
                        "SS_residual" => a.ss_residual,
                        "MS_targets" => a.ms_targets,
                        "MS_raters" => a.ms_raters,
                        "MS_residual" => a.ms_residual,
                        "MS_within" => a.ms_within,
                        other => {
                            c.fail(format!("anova.{other}: unknown field"));
                            continue;
                        }
                    };
                    c.num(&format!("anova.{field}"), Some(actual), e);
                }
            }
            "forms" => {
                for (name, fields) in obj(exp) {
                    let Some(form) = IccKind::ALL
                        .iter()
                        .find(|k| k.name() == name)
                        .and_then(|&k| res.form(k))
                    else {
                        c.fail(format!("forms.{name}: unknown form"));
                        continue;
                    };
                    for (field, e) in obj(fields) {
                        let path = format!("forms.{name}.{field}");
                        match field.as_str() {
                            // pingouin labels one-way forms à la Shrout & Fleiss, two-way
                            // forms à la McGraw & Wong
                            "pingouin_type" => {
                                let label = if form.kind.valid_for_nested_design() {
                                    &form.shrout_fleiss
                                } else {
                                    &form.mcgraw_wong
                                };
                                c.same(&path, Some(label.as_str()), e.as_str());
                            }
                            "description" => {
                                c.same(&path, Some(form.description.as_str()), e.as_str())
                            }
                            "icc" => c.num(&path, form.icc, e),
                            "F" => c.num_or_unbounded(&path, form.f, e),
                            "df1" => c.num(&path, Some(form.df1), e),
                            "df2" => c.num(&path, Some(form.df2), e),
                            "pval" => c.num(&path, form.p_value, e),
                            "ci95_lower" => c.num(&path, form.ci_lower, e),
                            "ci95_upper" => c.num(&path, form.ci_upper, e),
                            other => c.fail(format!("{path}: unknown field {other}")),
                        }
                    }
                }
            }
            "published_shrout_fleiss_1979_2dp" => {
                for (name, e) in obj(exp) {
                    let actual = IccKind::ALL
                        .iter()
                        .find(|k| k.name() == name)
                        .and_then(|&k| res.form(k))
                        .and_then(|f| f.icc);
                    c.num(&format!("{key}.{name}"), actual, e);
                }
            }
            other => c.fail(format!("{other}: unknown expected key")),
        }
    }
    c.finish()
}

// ---------------------------------------------------------------- Cronbach

/// Cronbach vectors: alpha, variances, Feldt CI (pingouin's n and the listwise n).
pub fn check_cronbach(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    let input = &v["input"];
    let Some(m) = matrix(&input["matrix_forms_x_items"])
        .or_else(|| matrix(&input["matrix_rows_x_items"]))
        .or_else(|| matrix(input))
    else {
        return Err(vec!["no observations x items matrix in input".into()]);
    };
    let policy_name = input["nan_policy"]
        .as_str()
        .or_else(|| v["expected"]["nan_policy"].as_str())
        .unwrap_or("pairwise");
    let policy = match policy_name {
        "pairwise" => MissingPolicy::Pairwise,
        "listwise" => MissingPolicy::Listwise,
        other => return Err(vec![format!("unknown nan_policy {other}")]),
    };
    let conf = confidence(v);
    let res = match cronbach_alpha(&m, policy, conf) {
        Ok(r) => r,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    // pingouin takes n before listwise deletion for its interval; the engine's own interval
    // (res.ci) uses the rows actually used. Both are checked.
    let compat = match feldt_interval(res.alpha, res.n_rows_input, res.k_items, conf) {
        Ok(ci) => ci,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    for (key, exp) in obj(&v["expected"]) {
        match key.as_str() {
            "alpha" => c.num(key, res.alpha, exp),
            "n_rows_input" => c.num(key, Some(res.n_rows_input as f64), exp),
            "n_rows_after_listwise" => c.num(key, Some(res.n_rows_used as f64), exp),
            "k_items" => c.num(key, Some(res.k_items as f64), exp),
            "nan_policy" => c.same(key, Some(policy_name), exp.as_str()),
            "item_variances" => num_list(&mut c, key, &res.item_variances, exp),
            "total_score_variance" => c.num(key, res.total_score_variance, exp),
            "ci95_feldt_lower" => c.num(key, compat.lower, exp),
            "ci95_feldt_upper" => c.num(key, compat.upper, exp),
            "ci95_feldt_df" => num_list(
                &mut c,
                key,
                &[Some(compat.df1 as f64), Some(compat.df2 as f64)],
                exp,
            ),
            // pingouin prints its interval rounded to 3 decimals: compare the rounded bounds
            "ci95_pingouin_rounded_3dp" => {
                let round3 = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 1000.0);
                num_list(
                    &mut c,
                    key,
                    &[round3(compat.lower), round3(compat.upper)],
                    exp,
                );
            }
            "ci95_feldt_lower_n_after_listwise" => c.num(key, res.ci.lower, exp),
            "ci95_feldt_upper_n_after_listwise" => c.num(key, res.ci.upper, exp),
            other => c.fail(format!("{other}: unknown expected key")),
        }
    }
    c.finish()
}

// ---------------------------------------------------------------- Krippendorff

fn level_of(name: &str) -> Option<Level> {
    match name {
        "nominal" => Some(Level::Nominal),
        "ordinal" => Some(Level::Ordinal),
        "interval" => Some(Level::Interval),
        "ratio" => Some(Level::Ratio),
        _ => None,
    }
}

/// Krippendorff vectors: alpha per level, coincidences, marginals, D_o and D_e; degenerate
/// keys `<level>__domain_observed` and `<level>__domain_explicit_<a>to<b>`.
pub fn check_krippendorff(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    let input = &v["input"];
    let domain: Option<Vec<f64>> = input["value_domain"]
        .as_array()
        .map(|d| d.iter().filter_map(Value::as_f64).collect());
    // Either coders × units ratings, or (nested designs) units × values counts.
    let data = matrix(&input["reliability_data_coders_x_units"]).or_else(|| matrix(input));
    let counts: Option<Vec<Vec<usize>>> =
        input["value_counts_units_x_values"].as_array().map(|rows| {
            rows.iter()
                .map(|r| {
                    r.as_array()
                        .into_iter()
                        .flatten()
                        .map(|x| x.as_u64().unwrap_or(u64::MAX) as usize)
                        .collect()
                })
                .collect()
        });
    if data.is_none() && (counts.is_none() || domain.is_none()) {
        return Err(vec![
            "no coders x units matrix or value counts in input".into()
        ]);
    }
    let run = |level: Level, dom: Option<&[f64]>| -> Result<KrippendorffAlpha, String> {
        let res = match (&data, &counts, dom) {
            (Some(m), _, _) => krippendorff_alpha_with_domain(m, level, dom),
            (None, Some(cn), Some(d)) => krippendorff_alpha_from_counts(cn, d, level),
            _ => return Err("value counts need a value domain".into()),
        };
        res.map_err(|e| format!("engine error: {e}"))
    };
    let main = |level: Level| run(level, domain.as_deref());
    let mut errors = Vec::new();
    for (key, exp) in obj(&v["expected"]) {
        let outcome: Result<(), String> = (|| {
            if let Some(level) = key.strip_prefix("alpha_").and_then(level_of) {
                c.num(key, main(level)?.alpha, exp);
                return Ok(());
            }
            if let Some((lvl, dom)) = key.split_once("__") {
                let level = level_of(lvl).ok_or(format!("{key}: unknown level"))?;
                let res = if dom == "domain_observed" {
                    run(level, None)?
                } else if let Some(range) = dom.strip_prefix("domain_explicit_") {
                    let (a, b) = range.split_once("to").ok_or(format!("{key}: bad domain"))?;
                    let (a, b): (i64, i64) = (
                        a.parse().map_err(|_| format!("{key}: bad domain"))?,
                        b.parse().map_err(|_| format!("{key}: bad domain"))?,
                    );
                    let d: Vec<f64> = (a..=b).map(|x| x as f64).collect();
                    run(level, Some(&d))?
                } else {
                    return Err(format!("{key}: unknown domain spec"));
                };
                c.num(key, res.alpha, exp);
                return Ok(());
            }
            let interval = main(Level::Interval)?;
            match key.as_str() {
                "value_domain" => {
                    let vals: Vec<Option<f64>> = interval.values.iter().map(|&x| Some(x)).collect();
                    num_list(&mut c, key, &vals, exp);
                }
                "coincidence_matrix" => {
                    let rows = exp.as_array().ok_or(format!("{key}: not a list"))?;
                    c.same(
                        &format!("{key}.len"),
                        interval.coincidence_matrix.len(),
                        rows.len(),
                    );
                    for (i, (a, e)) in interval.coincidence_matrix.iter().zip(rows).enumerate() {
                        let a: Vec<Option<f64>> = a.iter().map(|&x| Some(x)).collect();
                        num_list(&mut c, &format!("{key}[{i}]"), &a, e);
                    }
                }
                "n_v_marginals" => {
                    let a: Vec<Option<f64>> = interval.marginals.iter().map(|&x| Some(x)).collect();
                    num_list(&mut c, key, &a, exp);
                }
                "n_pairable_values" => c.num(key, Some(interval.n_pairable_values), exp),
                "n_units_total" => c.num(key, Some(interval.n_units_total as f64), exp),
                "n_units_pairable" => c.num(key, Some(interval.n_units_pairable as f64), exp),
                "observed_disagreement_interval_Do" => {
                    c.num(key, interval.observed_disagreement, exp)
                }
                "expected_disagreement_interval_De" => {
                    c.num(key, interval.expected_disagreement, exp)
                }
                k if k.starts_with("published_") => {
                    for (name, e) in obj(exp) {
                        let level = name
                            .strip_prefix("alpha_")
                            .and_then(level_of)
                            .ok_or(format!("{key}.{name}: unknown level"))?;
                        c.num(&format!("{key}.{name}"), main(level)?.alpha, e);
                    }
                }
                other => return Err(format!("{other}: unknown expected key")),
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            errors.push(e);
        }
    }
    for e in errors {
        c.fail(e);
    }
    c.finish()
}

// ---------------------------------------------------------------- rwg

fn compare_rwg(c: &mut Checker, path: &str, r: &Rwg, exp: &Value) {
    for (field, e) in obj(exp) {
        let key = format!("{path}.{field}");
        match field.as_str() {
            "n" => c.num(&key, Some(r.n as f64), e),
            "s2" => c.num(&key, r.s2, e),
            "rwg_raw" => c.num(&key, r.rwg_raw, e),
            "rwg" => c.num(&key, r.rwg, e),
            "truncated" => c.same(&key, Some(r.truncated), e.as_bool()),
            other => c.fail(format!("{path}: unknown field {other}")),
        }
    }
}

fn compare_rwg_j(c: &mut Checker, path: &str, r: &RwgJ, exp: &Value) {
    for (field, e) in obj(exp) {
        let key = format!("{path}.{field}");
        match field.as_str() {
            "J" => c.num(&key, Some(r.j as f64), e),
            "item_variances" => num_list(c, &key, &r.item_variances, e),
            "mean_item_variance" => c.num(&key, r.mean_item_variance, e),
            "rwg_j_raw" => c.num_or_unbounded(&key, r.rwg_j_raw, e),
            "rwg_j" => c.num(&key, r.rwg_j, e),
            "rwg_j_lindell" => c.num(&key, r.rwg_j_lindell, e),
            "truncated" => c.same(&key, Some(r.truncated), e.as_bool()),
            other => c.fail(format!("{path}: unknown field {other}")),
        }
    }
}

/// Ratings written into a degenerate case's name, e.g. `with_missing_[2,None,3]`.
fn ratings_in_name(name: &str) -> Option<Vec<Option<f64>>> {
    let inner = name.split_once('[')?.1.strip_suffix(']')?;
    inner
        .split(',')
        .map(|s| match s.trim() {
            "None" | "null" => Some(None),
            t => t.parse::<f64>().ok().map(Some),
        })
        .collect()
}

/// One candidate's raters (ids) and raters × criteria matrix.
type Group = (String, Vec<String>, Vec<Vec<Option<f64>>>);

/// rwg vectors: per candidate × criterion, rwg(J) per dimension and overall; degenerate cases.
pub fn check_rwg(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    let input = &v["input"];
    let Some(a) = input["A"].as_u64() else {
        return Err(vec!["input.A missing".into()]);
    };
    let null = match uniform_null_variance(a as usize) {
        Ok(s) => s,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    // Per-candidate raters × criteria matrices from the long ratings.
    let criteria: Vec<(String, String)> = input["criteria"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|cr| {
            Some((
                cr["id"].as_str()?.to_owned(),
                cr["dimension"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    for r in input["ratings"].as_array().into_iter().flatten() {
        let (Some(cand), Some(rater), Some(crit)) = (r[0].as_str(), r[1].as_str(), r[2].as_str())
        else {
            c.fail(format!("bad rating row {r}"));
            continue;
        };
        let Some(ci) = criteria.iter().position(|(id, _)| id == crit) else {
            c.fail(format!("rating of unknown criterion {crit}"));
            continue;
        };
        let gi = match groups.iter().position(|g| g.0 == cand) {
            Some(i) => i,
            None => {
                groups.push((cand.to_owned(), Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        let g = &mut groups[gi];
        let ri = match g.1.iter().position(|x| x == rater) {
            Some(i) => i,
            None => {
                g.1.push(rater.to_owned());
                g.2.push(vec![None; criteria.len()]);
                g.1.len() - 1
            }
        };
        g.2[ri][ci] = expected_f64(&r[3]).filter(|x| !x.is_nan());
    }
    let group = |cand: &str| groups.iter().find(|g| g.0 == cand).map(|g| &g.2);
    for (key, exp) in obj(&v["expected"]) {
        match key.as_str() {
            "A" => c.num(key, Some(a as f64), exp),
            "sigma2_EU" => c.num(key, Some(null), exp),
            "single_item" => {
                for (cand, crits) in obj(exp) {
                    let Some(m) = group(cand) else {
                        c.fail(format!("{key}.{cand}: no ratings"));
                        continue;
                    };
                    for (crit, e) in obj(crits) {
                        let Some(ci) = criteria.iter().position(|(id, _)| id == crit) else {
                            c.fail(format!("{key}.{cand}.{crit}: unknown criterion"));
                            continue;
                        };
                        let col: Vec<Option<f64>> = m.iter().map(|r| r[ci]).collect();
                        match rwg(&col, null) {
                            Ok(r) => compare_rwg(&mut c, &format!("{key}.{cand}.{crit}"), &r, e),
                            Err(err) => c.fail(format!("{key}.{cand}.{crit}: {err}")),
                        }
                    }
                }
            }
            "rwg_j_by_dimension" | "rwg_j_all_criteria" => {
                for (cand, e) in obj(exp) {
                    let Some(m) = group(cand) else {
                        c.fail(format!("{key}.{cand}: no ratings"));
                        continue;
                    };
                    let scales: Vec<(String, Option<String>, &Value)> =
                        if key == "rwg_j_all_criteria" {
                            vec![(format!("{key}.{cand}"), None, e)]
                        } else {
                            obj(e)
                                .map(|(d, ev)| (format!("{key}.{cand}.{d}"), Some(d.clone()), ev))
                                .collect()
                        };
                    for (path, dim, ev) in scales {
                        let cols: Vec<usize> = criteria
                            .iter()
                            .enumerate()
                            .filter(|(_, (_, d))| dim.as_ref().is_none_or(|x| x == d))
                            .map(|(i, _)| i)
                            .collect();
                        let sub: Vec<Vec<Option<f64>>> = m
                            .iter()
                            .map(|r| cols.iter().map(|&i| r[i]).collect())
                            .collect();
                        match rwg_j(&sub, null) {
                            Ok(r) => compare_rwg_j(&mut c, &path, &r, ev),
                            Err(err) => c.fail(format!("{path}: {err}")),
                        }
                    }
                }
            }
            name if exp.get("J").is_some() => {
                let vars: Vec<Option<f64>> = exp["item_variances"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| expected_f64(x).filter(|f| !f.is_nan()))
                    .collect();
                match rwg_j_from_variances(&vars, null) {
                    Ok(r) => compare_rwg_j(&mut c, name, &r, exp),
                    Err(err) => c.fail(format!("{name}: {err}")),
                }
            }
            name => match ratings_in_name(name) {
                Some(ratings) => match rwg(&ratings, null) {
                    Ok(r) => compare_rwg(&mut c, name, &r, exp),
                    Err(err) => c.fail(format!("{name}: {err}")),
                },
                None => c.fail(format!("{name}: unknown expected key")),
            },
        }
    }
    c.finish()
}

// ---------------------------------------------------------------- distributions

/// Distribution vectors: t and F quantiles, F tail, normal quantile and two-sided p.
pub fn check_distributions(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    let g = |case: &Value, k: &str| case[k].as_f64().unwrap_or(f64::NAN);
    for (section, cases) in obj(&v["expected"]) {
        for (i, case) in cases.as_array().into_iter().flatten().enumerate() {
            let key = format!("{section}[{i}]");
            match section.as_str() {
                "t_ppf" => c.num(
                    &key,
                    t_quantile(g(case, "p"), g(case, "df")),
                    &case["t_ppf"],
                ),
                "f_ppf" => c.num(
                    &key,
                    f_quantile(g(case, "p"), g(case, "df1"), g(case, "df2")),
                    &case["f_ppf"],
                ),
                "f_sf" => c.num(
                    &key,
                    f_sf(g(case, "x"), g(case, "df1"), g(case, "df2")),
                    &case["f_sf"],
                ),
                "norm_ppf" => c.num(&key, normal_quantile(g(case, "p")), &case["norm_ppf"]),
                "norm_two_sided" => {
                    c.num(&key, normal_two_sided_p(g(case, "z")), &case["two_sided_p"])
                }
                other => c.fail(format!("{other}: unknown section")),
            }
        }
    }
    c.finish()
}

// ---------------------------------------------------------------- t intervals

/// t-interval vectors: n, mean, sd, se, df, critical value and bounds at several levels.
pub fn check_t_ci(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    for (case, levels) in obj(&v["expected"]) {
        let values: Vec<f64> = v["input"][case]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_f64)
            .collect();
        for (level, exp) in obj(levels) {
            let Ok(conf) = level.parse::<f64>() else {
                c.fail(format!("{case}.{level}: not a confidence level"));
                continue;
            };
            let ci = match t_interval(&values, conf) {
                Ok(ci) => ci,
                Err(e) => {
                    c.fail(format!("{case}.{level}: engine error: {e}"));
                    continue;
                }
            };
            for (field, e) in obj(exp) {
                let key = format!("{case}.{level}.{field}");
                match field.as_str() {
                    "n" => c.num(&key, Some(ci.n as f64), e),
                    "values" => {
                        let vs: Vec<Option<f64>> = values.iter().map(|&x| Some(x)).collect();
                        num_list(&mut c, &key, &vs, e);
                    }
                    "mean" => c.num(&key, Some(ci.mean), e),
                    "sd" => c.num(&key, ci.sd, e),
                    "se" => c.num(&key, ci.se, e),
                    "df" => c.num(&key, Some(ci.df as f64), e),
                    "t_crit" => c.num(&key, ci.t_crit, e),
                    "lower" => c.num(&key, ci.lower, e),
                    "upper" => c.num(&key, ci.upper, e),
                    "confidence" => c.num(&key, Some(ci.confidence), e),
                    other => c.fail(format!("{key}: unknown field {other}")),
                }
            }
        }
    }
    c.finish()
}

// ---------------------------------------------------------------- weighted mean

/// Weighted-mean vectors: `weighted_mean`/`weights_used_sum` are numpy's left-to-right sums
/// (the engine's `Summation::Naive`), `math_fsum_based` the exactly rounded one (the engine's
/// default `Summation::Exact`).
pub fn check_weighted_mean(v: &Value, _dir: &Path) -> Outcome {
    let mut c = Checker::new(v);
    for (case, exp) in obj(&v["expected"]) {
        let inp = &v["input"][case];
        let values: Vec<Option<f64>> = inp["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x.as_f64())
            .collect();
        let weights: Vec<f64> = inp["weights"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect();
        let run = |s: Summation| weighted_mean_with(&values, &weights, s).ok().flatten();
        let (naive, exact) = (run(Summation::Naive), run(Summation::Exact));
        for (field, e) in obj(exp) {
            let key = format!("{case}.{field}");
            match field.as_str() {
                "weighted_mean" => c.num(&key, naive.as_ref().map(|m| m.weighted_mean), e),
                "weights_used_sum" => c.num(&key, naive.as_ref().map(|m| m.weights_used_sum), e),
                "math_fsum_based" => c.num(&key, exact.as_ref().map(|m| m.weighted_mean), e),
                other => c.fail(format!("{key}: unknown field {other}")),
            }
        }
    }
    c.finish()
}
