//! Rendering assessments as a table, JSON, JSON lines or CSV.

use crate::{Failure, Format, EXIT_IO};
use readiness::table::{Table, Values};
use readiness::{Assessment, Engine, RatingSet, Rubric};
use std::fmt::Write as _;
use std::path::Path;

/// Assesses `set` and renders the result: the CSV and the summary table come from the flat
/// table the engine computes without documents (`readiness::Engine::assessments_table`), JSON from
/// the documents.
/// Errors of the engine are about `file`'s ratings.
pub(crate) fn assess(
    engine: &Engine,
    set: &RatingSet,
    format: Format,
    file: &Path,
) -> Result<String, Failure> {
    let rubric = engine.rubric();
    match format {
        Format::Csv | Format::Table => {
            let t = engine
                .assessments_table(set)
                .map_err(|e| Failure::input(file, e))?;
            if format == Format::Csv {
                return csv(&t);
            }
            // The flat table has no score columns for a dimension named `technical`; in the
            // (odd) rubric where it is leadership-side, its scores come from the documents.
            let docs = if rubric
                .dimensions
                .iter()
                .any(|d| d.id == "technical" && d.kind.is_leadership_side())
            {
                engine.assess(set).map_err(|e| Failure::input(file, e))?
            } else {
                Vec::new()
            };
            Ok(table(&t, rubric, &docs))
        }
        Format::Json | Format::Jsonl => {
            let docs = engine.assess(set).map_err(|e| Failure::input(file, e))?;
            render(&docs, format)
        }
    }
}

fn render(docs: &[Assessment], format: Format) -> Result<String, Failure> {
    let json_err = |e: serde_json::Error| Failure {
        code: EXIT_IO,
        message: format!("cannot write JSON: {e}"),
    };
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(docs).map_err(json_err)?;
            s.push('\n');
            Ok(s)
        }
        Format::Jsonl => {
            let mut s = String::new();
            for d in docs {
                s.push_str(&serde_json::to_string(d).map_err(json_err)?);
                s.push('\n');
            }
            Ok(s)
        }
        Format::Csv | Format::Table => unreachable!("rendered from the flat table"),
    }
}

fn csv(t: &Table) -> Result<String, Failure> {
    let err = |e: &dyn std::fmt::Display| Failure {
        code: EXIT_IO,
        message: format!("cannot write CSV: {e}"),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.name.as_str()))
        .map_err(|e| err(&e))?;
    let mut cell = String::new();
    for row in 0..t.rows() {
        for c in &t.columns {
            cell.clear();
            match &c.values {
                Values::Text(v) => cell.push_str(v[row].as_deref().unwrap_or_default()),
                Values::Number(v) => {
                    if let Some(x) = v[row] {
                        let _ = write!(cell, "{x}");
                    }
                }
                _ => {}
            }
            w.write_field(&cell).map_err(|e| err(&e))?;
        }
        w.write_record(None::<&[u8]>).map_err(|e| err(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| err(&e))?;
    String::from_utf8(bytes).map_err(|e| err(&e))
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"))
}

fn table(t: &Table, rubric: &Rubric, docs: &[Assessment]) -> String {
    let text = |name: &str| {
        t.columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| match &c.values {
                Values::Text(v) => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let number = |name: &str| {
        t.columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| match &c.values {
                Values::Number(v) => Some(v.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let cell = |v: &[Option<f64>], r: usize| v.get(r).copied().flatten();
    let mut header = vec![
        "candidate".to_string(),
        "level".to_string(),
        "index [95% CI]".to_string(),
    ];
    let lead: Vec<(usize, &str)> = rubric
        .dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind.is_leadership_side())
        .map(|(k, d)| (k, d.id.as_str()))
        .collect();
    for &(_, id) in &lead {
        header.push(id.to_string());
    }
    header.push("technical".into());
    header.push("flags".into());
    let (candidate, cycle, level, flags) = (
        text("candidate"),
        text("cycle"),
        text("level"),
        text("flags"),
    );
    let (index, lo, hi, technical) = (
        number("index"),
        number("index_ci_low"),
        number("index_ci_high"),
        number("technical_score"),
    );
    let lead_scores: Vec<Vec<Option<f64>>> = lead
        .iter()
        .map(|&(k, id)| {
            if id == "technical" {
                docs.iter()
                    .map(|d| d.dimensions.get(k).and_then(|x| x.score))
                    .collect()
            } else {
                number(&format!("{id}_score")).to_vec()
            }
        })
        .collect();
    let get = |v: &[Option<String>], r: usize| v.get(r).cloned().flatten().unwrap_or_default();
    let rows_n = t.rows();
    let mut rows = Vec::with_capacity(rows_n);
    let mut level_of = Vec::with_capacity(rows_n);
    let mut flags_of: Vec<Vec<String>> = Vec::with_capacity(rows_n);
    for r in 0..rows_n {
        let mut row = Vec::with_capacity(header.len());
        let mut who = get(candidate, r);
        if let Some(Some(c)) = cycle.get(r) {
            let _ = write!(who, " ({c})");
        }
        row.push(who);
        let lv = get(level, r);
        row.push(lv.clone());
        level_of.push(lv);
        row.push(match (cell(index, r), cell(lo, r), cell(hi, r)) {
            (Some(i), Some(lo), Some(hi)) => format!("{i:.1} [{lo:.1}–{hi:.1}]"),
            (Some(i), _, _) => format!("{i:.1}"),
            _ => "–".into(),
        });
        for v in &lead_scores {
            row.push(num(cell(v, r)));
        }
        row.push(num(cell(technical, r)));
        let mut codes: Vec<String> = Vec::new();
        for f in get(flags, r).split(';').filter(|f| !f.is_empty()) {
            if !codes.iter().any(|c| c == f) {
                codes.push(f.to_string());
            }
        }
        row.push(codes.join(", "));
        flags_of.push(codes);
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(header[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if c + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[c] - cell.chars().count()));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, &header);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(&mut out, &rule);
    for r in &rows {
        line(&mut out, r);
    }
    // Summary: candidates per level, in policy order.
    out.push('\n');
    let mut levels: Vec<&str> = rubric.policy.levels.iter().map(|l| l.id.as_str()).collect();
    levels.push(readiness::rubric::INSUFFICIENT_EVIDENCE);
    let counts: Vec<String> = levels
        .iter()
        .map(|l| {
            let n = level_of.iter().filter(|x| x.as_str() == *l).count();
            format!("{l} {n}")
        })
        .collect();
    let _ = writeln!(out, "{} assessments: {}", rows_n, counts.join(", "));
    let flagged: Vec<String> = [
        "expert_trap",
        "blind_spot",
        "hidden_strength",
        "low_agreement",
        "few_raters",
    ]
    .iter()
    .map(|code| {
        let n = flags_of
            .iter()
            .filter(|f| f.iter().any(|c| c == code))
            .count();
        format!("{code} {n}")
    })
    .collect();
    let _ = writeln!(out, "flags: {}", flagged.join(", "));
    let _ = writeln!(
        out,
        "rubric {} {} · engine {} · technical never enters the index",
        rubric.label(),
        rubric.fingerprint(),
        readiness::VERSION
    );
    out
}
