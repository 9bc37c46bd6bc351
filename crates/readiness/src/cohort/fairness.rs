//! Section 5: adverse impact of the selection per attribute and per pair of attributes, with the
//! standardized mean difference of the readiness index.

use super::inputs::Attributes;
use super::util::{mean, var, Z975};
use super::Unit;
use crate::error::Error;
use crate::rubric::Rubric;
use crate::stats::adverse_impact::{
    adverse_impact, selection_rates, GroupCounts, SmallSampleWarning,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Group name of candidates without a value for an attribute.
pub const MISSING: &str = "(missing)";

/// The adverse-impact table of one attribute (or an intersection of two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FairnessTable {
    /// Attribute column, or `a × b` for an intersection.
    pub attribute: String,
    /// The columns involved (one, or two for an intersection).
    pub columns: Vec<String>,
    /// Final level ids that count as selected.
    pub selection: Vec<String>,
    /// One row per group value (`(missing)` for candidates without a value), by value.
    pub groups: Vec<FairnessGroup>,
    /// The group with the highest selection rate (the comparison reference).
    pub reference: Option<String>,
    /// The group with the lowest selection rate (the group the tests below are about).
    pub focal: Option<String>,
    /// Two-sided Fisher exact p of focal vs reference.
    pub fisher_p: Option<f64>,
    /// Two-sided pooled two-proportion z-test p of focal vs reference.
    pub z_p: Option<f64>,
    /// Whether the focal-vs-reference comparison is too small to be read either way.
    pub small_sample: bool,
    /// The reasons for `small_sample`.
    pub warnings: Vec<SmallSampleWarning>,
    /// Whether any group violates the four-fifths rule.
    pub four_fifths_violation: bool,
    /// Standardized mean difference of the readiness index, focal minus reference.
    pub smd: Option<Smd>,
}

/// One group of a fairness table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FairnessGroup {
    /// Group value.
    pub group: String,
    /// Candidates in the group.
    pub n: u64,
    /// Candidates selected.
    pub selected: u64,
    /// `selected / n`.
    pub rate: f64,
    /// Rate over the highest group's rate; `null` when nobody was selected.
    pub impact_ratio: Option<f64>,
    /// Rate strictly below 4/5 of the highest rate (decided in integers).
    pub four_fifths_violation: bool,
    /// Selections the group would have had at the highest rate, minus its actual selections.
    pub shortfall: f64,
    /// Fisher exact p of this group vs the reference (`null` for the reference itself).
    pub fisher_p: Option<f64>,
    /// Pooled z-test p of this group vs the reference.
    pub z_p: Option<f64>,
    /// Index SMD of this group vs the reference.
    pub smd: Option<Smd>,
}

/// Hedges' g of the readiness index between two groups, with its 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Smd {
    /// g = J·(mean₁ − mean₂)/s_pooled, J = 1 − 3/(4(n₁+n₂) − 9).
    pub g: f64,
    /// g ± 1.96·√((n₁+n₂)/(n₁n₂) + g²/(2(n₁+n₂))).
    pub ci95: [f64; 2],
    /// Candidates with an index in the group.
    pub n: u32,
    /// Candidates with an index in the reference group.
    pub n_reference: u32,
}

fn smd(a: &[f64], b: &[f64]) -> Option<Smd> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (m1, m2, v1, v2) = (mean(a)?, mean(b)?, var(a)?, var(b)?);
    let sp = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt();
    if sp.is_nan() || sp <= 0.0 {
        return None;
    }
    let j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0);
    let g = j * (m1 - m2) / sp;
    let se = ((n1 + n2) / (n1 * n2) + g * g / (2.0 * (n1 + n2))).sqrt();
    Some(Smd {
        g,
        ci95: [g - Z975 * se, g + Z975 * se],
        n: a.len() as u32,
        n_reference: b.len() as u32,
    })
}

pub(crate) fn fairness(
    units: &[Unit<'_>],
    rubric: &Rubric,
    attributes: Option<&Attributes>,
) -> Result<Vec<FairnessTable>, Error> {
    let Some(attrs) = attributes else {
        return Ok(Vec::new());
    };
    let selection: Vec<String> = if rubric.policy.fairness.levels.is_empty() {
        rubric
            .policy
            .levels
            .iter()
            .take(1)
            .map(|l| l.id.clone())
            .collect()
    } else {
        rubric.policy.fairness.levels.clone()
    };
    // Row indexes: the cohort report's one cold map type (see `decision::audit`).
    let by_cand: HashMap<&str, usize> = attrs
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.candidate.as_str(), i))
        .collect();
    let value = |cand: &str, col: &str| -> String {
        by_cand
            .get(cand)
            .and_then(|&i| attrs.rows[i].values.get(col))
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| MISSING.to_string())
    };
    let mut out = Vec::new();
    let cols = &attrs.columns;
    for a in 0..cols.len() {
        let labels: Vec<String> = units
            .iter()
            .map(|u| value(&u.doc.candidate, &cols[a]))
            .collect();
        out.push(table(
            units,
            cols[a].clone(),
            vec![cols[a].clone()],
            &labels,
            &selection,
        )?);
    }
    for a in 0..cols.len() {
        for b in a + 1..cols.len() {
            let labels: Vec<String> = units
                .iter()
                .map(|u| {
                    format!(
                        "{} × {}",
                        value(&u.doc.candidate, &cols[a]),
                        value(&u.doc.candidate, &cols[b])
                    )
                })
                .collect();
            let name = format!("{} × {}", cols[a], cols[b]);
            out.push(table(
                units,
                name,
                vec![cols[a].clone(), cols[b].clone()],
                &labels,
                &selection,
            )?);
        }
    }
    Ok(out)
}

fn table(
    units: &[Unit<'_>],
    attribute: String,
    columns: Vec<String>,
    labels: &[String],
    selection: &[String],
) -> Result<FairnessTable, Error> {
    // Groups sorted by value, `(missing)` parts last.
    let mut names: Vec<&str> = labels.iter().map(String::as_str).collect();
    crate::sort::sort_stable_by(&mut names, |a, b| {
        (a.contains(MISSING), *a).cmp(&(b.contains(MISSING), *b))
    });
    names.dedup();
    let mut counts = vec![GroupCounts::new(0, 0); names.len()];
    let mut index: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for (u, label) in units.iter().zip(labels) {
        let Some(k) = names.iter().position(|n| n == label) else {
            continue;
        };
        counts[k].total += 1;
        if selection.contains(&u.final_level) {
            counts[k].selected += 1;
        }
        if let Some(x) = u.doc.readiness.index {
            index[k].push(x);
        }
    }
    let mut t = FairnessTable {
        attribute,
        columns,
        selection: selection.to_vec(),
        groups: Vec::new(),
        reference: None,
        focal: None,
        fisher_p: None,
        z_p: None,
        small_sample: false,
        warnings: Vec::new(),
        four_fifths_violation: false,
        smd: None,
    };
    if names.is_empty() {
        return Ok(t);
    }
    let rates = selection_rates(&counts)?;
    // Reference: the first group with the highest rate; focal: the last with the lowest rate.
    let reference = (0..names.len())
        .find(|&k| rates.groups[k].is_highest)
        .unwrap_or(0);
    let focal = (0..names.len())
        .rev()
        .min_by(|&a, &b| {
            rates.groups[a]
                .selection_rate
                .total_cmp(&rates.groups[b].selection_rate)
        })
        .unwrap_or(0);
    for (k, g) in rates.groups.iter().enumerate() {
        let (fisher_p, z_p, smd_k) = if k == reference {
            (None, None, None)
        } else {
            let ai = adverse_impact(counts[k], counts[reference])?;
            (
                Some(ai.fisher.p_two_sided),
                ai.z_pooled.p_two_sided,
                smd(&index[k], &index[reference]),
            )
        };
        t.groups.push(FairnessGroup {
            group: names[k].to_string(),
            n: g.counts.total,
            selected: g.counts.selected,
            rate: g.selection_rate,
            impact_ratio: g.impact_ratio,
            four_fifths_violation: g.four_fifths_violation,
            shortfall: g.shortfall,
            fisher_p,
            z_p,
            smd: smd_k,
        });
    }
    t.four_fifths_violation = t.groups.iter().any(|g| g.four_fifths_violation);
    if names.len() >= 2 && focal != reference {
        let ai = adverse_impact(counts[focal], counts[reference])?;
        t.fisher_p = Some(ai.fisher.p_two_sided);
        t.z_p = ai.z_pooled.p_two_sided;
        t.small_sample = !ai.warnings.is_empty();
        t.warnings = ai.warnings;
        t.smd = smd(&index[focal], &index[reference]);
        t.focal = Some(names[focal].to_string());
    }
    t.reference = Some(names[reference].to_string());
    Ok(t)
}
