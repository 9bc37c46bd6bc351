//! Rendering assessments as a table, JSON, JSON lines or CSV.

use crate::{Failure, Format, EXIT_IO};
use readiness::table::{assessments_table, Values};
use readiness::{Assessment, Rubric};
use std::fmt::Write as _;

pub(crate) fn render(
    docs: &[Assessment],
    rubric: &Rubric,
    format: Format,
) -> Result<String, Failure> {
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
        Format::Csv => csv(docs, rubric),
        Format::Table => Ok(table(docs, rubric)),
    }
}

fn csv(docs: &[Assessment], rubric: &Rubric) -> Result<String, Failure> {
    let t = assessments_table(docs, rubric);
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Failure {
        code: EXIT_IO,
        message: format!("cannot write CSV: {e}"),
    };
    w.write_record(t.columns.iter().map(|c| c.name.as_str()))
        .map_err(err)?;
    for row in 0..t.rows() {
        let record: Vec<String> = t
            .columns
            .iter()
            .map(|c| match &c.values {
                Values::Text(v) => v[row].clone().unwrap_or_default(),
                Values::Number(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
                _ => String::new(),
            })
            .collect();
        w.write_record(&record).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| Failure {
        code: EXIT_IO,
        message: format!("cannot write CSV: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| Failure {
        code: EXIT_IO,
        message: format!("cannot write CSV: {e}"),
    })
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"))
}

fn table(docs: &[Assessment], rubric: &Rubric) -> String {
    let mut header = vec![
        "candidate".to_string(),
        "level".to_string(),
        "index [95% CI]".to_string(),
    ];
    let lead: Vec<usize> = rubric
        .dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind.is_leadership_side())
        .map(|(k, _)| k)
        .collect();
    for &k in &lead {
        header.push(rubric.dimensions[k].id.clone());
    }
    header.push("technical".into());
    header.push("flags".into());
    let mut rows = Vec::with_capacity(docs.len());
    for d in docs {
        let mut row = Vec::with_capacity(header.len());
        let mut who = d.candidate.clone();
        if let Some(c) = &d.cycle {
            let _ = write!(who, " ({c})");
        }
        row.push(who);
        row.push(d.readiness.level.clone());
        row.push(match (d.readiness.index, d.readiness.ci95) {
            (Some(i), Some([lo, hi])) => format!("{i:.1} [{lo:.1}–{hi:.1}]"),
            (Some(i), None) => format!("{i:.1}"),
            _ => "–".into(),
        });
        for &k in &lead {
            row.push(num(d.dimensions.get(k).and_then(|x| x.score)));
        }
        row.push(num(d.technical.score));
        let mut flags: Vec<&str> = Vec::new();
        for f in &d.flags {
            if !flags.contains(&f.code.as_str()) {
                flags.push(f.code.as_str());
            }
        }
        row.push(flags.join(", "));
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
            let n = docs.iter().filter(|d| d.readiness.level == *l).count();
            format!("{l} {n}")
        })
        .collect();
    let _ = writeln!(out, "{} assessments: {}", docs.len(), counts.join(", "));
    let flagged: Vec<String> = [
        "expert_trap",
        "blind_spot",
        "hidden_strength",
        "low_agreement",
        "few_raters",
    ]
    .iter()
    .map(|code| {
        let n = docs
            .iter()
            .filter(|d| d.flags.iter().any(|f| f.code.as_str() == *code))
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
