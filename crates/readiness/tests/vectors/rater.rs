//! Vector checks of the rater-effect models: the additive least-squares model
//! (`rater_effects/`) and the many-facet Rasch model (`mfrm/`).
//!
//! Every key of `expected` is matched to an engine output; an unknown key is a failure.

use super::common::{Checker, Outcome};
use readiness::stats::mfrm::{mfrm, MfrmElement, MfrmOptions};
use readiness::stats::rater_effects::{additive_effects, Rating};
use serde_json::Value;
use std::path::Path;

/// Ids in order of first appearance, for one facet.
#[derive(Debug, Default)]
struct Ids(Vec<String>);

impl Ids {
    fn index(&mut self, id: &str) -> usize {
        if let Some(i) = self.0.iter().position(|x| x == id) {
            i
        } else {
            self.0.push(id.to_string());
            self.0.len() - 1
        }
    }
    fn get(&self, id: &str) -> Option<usize> {
        self.0.iter().position(|x| x == id)
    }
}

/// Reads `input.ratings` (`[candidate, rater, criterion, score|null]`), dropping missing
/// scores, into engine ratings and the id maps of the three facets.
fn ratings(v: &Value) -> Result<(Vec<Rating>, [Ids; 3]), String> {
    let rows = v["input"]["ratings"]
        .as_array()
        .ok_or("input.ratings is not an array")?;
    let mut ids: [Ids; 3] = Default::default();
    let mut out = Vec::new();
    for row in rows {
        let cell = |i: usize| -> Result<String, String> {
            match &row[i] {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(format!("rating id {other} is not a string")),
            }
        };
        let (c, r, k) = (cell(0)?, cell(1)?, cell(2)?);
        let (ci, ri, ki) = (ids[0].index(&c), ids[1].index(&r), ids[2].index(&k));
        if let Some(score) = row[3].as_f64() {
            out.push(Rating::new(ci, ri, ki, score));
        }
    }
    Ok((out, ids))
}

/// Compares a `{id: number}` map with per-element engine values; every id must exist and no
/// engine element may be missing from the map.
fn per_id(ck: &mut Checker, key: &str, expected: &Value, ids: &Ids, actual: &[Option<f64>]) {
    let Some(map) = expected.as_object() else {
        ck.fail(format!("{key}: expected an object"));
        return;
    };
    ck.same(
        &format!("{key}: number of elements"),
        map.len(),
        actual.len(),
    );
    for (id, e) in map {
        match ids.get(id) {
            Some(i) if i < actual.len() => ck.num(&format!("{key}.{id}"), actual[i], e),
            _ => ck.fail(format!("{key}.{id}: unknown element")),
        }
    }
}

const ADDITIVE_MODEL: &str =
    "OLS score ~ C(candidate, Sum) + C(rater, Sum) + C(criterion, Sum), observed ratings only";

/// `rater_effects/`: additive model effects, adjusted means and residual mean square.
pub fn check_rater_effects(v: &Value, _dir: &Path) -> Outcome {
    let mut ck = Checker::new(v);
    let (rs, ids) = ratings(v).map_err(|e| vec![e])?;
    let fit = match additive_effects(&rs) {
        Ok(f) => f,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    let Some(expected) = v["expected"].as_object() else {
        return Err(vec!["expected is not an object".into()]);
    };
    for (key, e) in expected {
        match key.as_str() {
            "model" => ck.same(key, e.as_str(), Some(ADDITIVE_MODEL)),
            "intercept_grand_mean_effect_coded" => ck.num(key, Some(fit.intercept.estimate), e),
            "rater_leniency_effect" => {
                let a: Vec<_> = fit
                    .rater_leniency
                    .iter()
                    .map(|x| Some(x.estimate))
                    .collect();
                per_id(&mut ck, key, e, &ids[1], &a);
            }
            "rater_severity_effect" => {
                let a: Vec<_> = fit.rater_severity().into_iter().map(Some).collect();
                per_id(&mut ck, key, e, &ids[1], &a);
            }
            "candidate_adjusted_mean" => {
                let a: Vec<_> = fit
                    .candidate_adjusted_means
                    .iter()
                    .map(|x| Some(x.estimate))
                    .collect();
                per_id(&mut ck, key, e, &ids[0], &a);
            }
            "residual_df" => ck.num(key, Some(fit.residual_df as f64), e),
            "residual_mse" => ck.num(key, fit.residual_mse, e),
            "n_obs" => ck.num(key, Some(fit.n_obs as f64), e),
            other => ck.fail(format!("{other}: no engine value for this key")),
        }
    }
    ck.finish()
}

fn element_value(el: &MfrmElement, key: &str, measure_key: &str) -> Result<Option<f64>, String> {
    Ok(match key {
        "count" => Some(el.count as f64),
        "observed_raw_score" => Some(el.observed_raw_score),
        "observed_average" => Some(el.observed_average),
        "expected_raw_score_at_estimates" => Some(el.expected_raw_score),
        "model_se" => el.model_se,
        "infit_mnsq" => el.infit_mnsq,
        "outfit_mnsq" => el.outfit_mnsq,
        "fair_m_average" => Some(el.fair_average),
        k if k == measure_key => Some(el.measure),
        other => return Err(format!("{other}: no engine value for this key")),
    })
}

/// `mfrm/`: measures, SEs, fit, fair averages, thresholds, category counts, log-likelihood.
pub fn check_mfrm(v: &Value, _dir: &Path) -> Outcome {
    let mut ck = Checker::new(v);
    let (rs, ids) = ratings(v).map_err(|e| vec![e])?;
    // The vectors were converged to |gradient| < 1e-13; 1e-11 gives the same estimates to far
    // below the 1e-6 tolerance.
    let options = MfrmOptions {
        tolerance: 1e-11,
        ..MfrmOptions::default()
    };
    let fit = match mfrm(&rs, &options) {
        Ok(f) => f,
        Err(e) => return Err(vec![format!("engine error: {e}")]),
    };
    // The scale of the input must be the categories the engine used.
    let scale = &v["input"]["scale"];
    if let (Some(lo), Some(hi)) = (scale["min"].as_f64(), scale["max"].as_f64()) {
        let values: Vec<f64> = fit.categories.iter().map(|c| c.value).collect();
        let want: Vec<f64> = (lo as i64..=hi as i64).map(|x| x as f64).collect();
        ck.same("input.scale categories", values, want);
    }
    let Some(expected) = v["expected"].as_object() else {
        return Err(vec!["expected is not an object".into()]);
    };
    for (key, e) in expected {
        let facet = match key.as_str() {
            "candidates" => Some((&fit.candidates, &ids[0], "measure")),
            "raters" => Some((&fit.raters, &ids[1], "severity_measure")),
            "criteria" => Some((&fit.criteria, &ids[2], "difficulty_measure")),
            _ => None,
        };
        if let Some((elements, facet_ids, measure_key)) = facet {
            let Some(map) = e.as_object() else {
                ck.fail(format!("{key}: expected an object"));
                continue;
            };
            ck.same(
                &format!("{key}: number of elements"),
                map.len(),
                elements.len(),
            );
            for (id, fields) in map {
                let Some(el) = facet_ids.get(id).and_then(|i| elements.get(i)) else {
                    ck.fail(format!("{key}.{id}: unknown element"));
                    continue;
                };
                for (field, ev) in fields.as_object().into_iter().flatten() {
                    match element_value(el, field, measure_key) {
                        Ok(a) => ck.num(&format!("{key}.{id}.{field}"), a, ev),
                        Err(msg) => ck.fail(format!("{key}.{id}.{msg}")),
                    }
                }
            }
            continue;
        }
        match key.as_str() {
            "andrich_thresholds" => {
                let map = e.as_object().cloned().unwrap_or_default();
                ck.same("andrich_thresholds: count", map.len(), fit.thresholds.len());
                for (name, ev) in &map {
                    // "F3 (3->4)": threshold 3, between categories 3 and 4.
                    let h: Option<usize> = name
                        .strip_prefix('F')
                        .and_then(|r| r.split_whitespace().next())
                        .and_then(|x| x.parse().ok());
                    match h
                        .and_then(|h| h.checked_sub(1))
                        .and_then(|i| fit.thresholds.get(i))
                    {
                        Some(t) => ck.num(&format!("{key}.{name}"), Some(*t), ev),
                        None => ck.fail(format!("{key}.{name}: unknown threshold")),
                    }
                }
            }
            "category_counts_observed" | "category_counts_expected" => {
                let map = e.as_object().cloned().unwrap_or_default();
                ck.same(&format!("{key}: count"), map.len(), fit.categories.len());
                for (name, ev) in &map {
                    let cat = name
                        .parse::<f64>()
                        .ok()
                        .and_then(|x| fit.categories.iter().find(|c| c.value == x));
                    match cat {
                        Some(c) => {
                            let a = if key.ends_with("observed") {
                                c.observed_count as f64
                            } else {
                                c.expected_count
                            };
                            ck.num(&format!("{key}.{name}"), Some(a), ev);
                        }
                        None => ck.fail(format!("{key}.{name}: unknown category")),
                    }
                }
            }
            "log_likelihood" => ck.num(key, Some(fit.log_likelihood), e),
            "excluded_extreme_candidates" => {
                let mut want: Vec<String> = e
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect();
                want.sort();
                let mut got: Vec<String> = fit
                    .candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.extreme.is_some())
                    .map(|(i, _)| ids[0].0[i].clone())
                    .collect();
                got.sort();
                ck.same(key, got, want);
            }
            other => ck.fail(format!("{other}: no engine value for this key")),
        }
    }
    ck.finish()
}
