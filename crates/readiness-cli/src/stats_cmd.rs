//! `readiness stats`: the cohort reliability table per dimension (with Koo & Li bands) and the
//! additive rater-effect summary. All numbers come from the engine
//! (`readiness::stats::reliability::reliability_table`, `readiness::adjust::rater_effects_summary`);
//! this module only formats them.

use crate::{load_ratings, load_rubric, write_output, Failure, EXIT_INPUT};
use clap::{Args, ValueEnum};
use readiness::adjust::{rater_effects_summary, RaterEffectsSummary, RaterFacet};
use readiness::stats::interpret::{BandJudgement, ReliabilityBand};
use readiness::stats::reliability::{
    reliability_table, Design, IccColumns, ReliabilityRow, ReliabilityTable,
};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `readiness stats`.
#[derive(Args, Debug)]
pub(crate) struct StatsArgs {
    /// Rubric file (TOML or JSON); the built-in standard rubric when absent.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Ratings: CSV or a JSON array (by the .json extension); `-` reads CSV from stdin.
    ratings: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    format: StatsFormat,
}

/// Output formats of `stats`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum StatsFormat {
    /// A readable report.
    Table,
    /// One JSON document: `{"reliability": …, "rater_effects": …}`.
    Json,
}

/// Runs `readiness stats`.
pub(crate) fn run(args: StatsArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let set = load_ratings(&args.ratings, &rubric)?;
    let table = reliability_table(&set, &rubric).map_err(|e| Failure {
        code: EXIT_INPUT,
        message: format!("{}: {e}", args.ratings.display()),
    })?;
    let effects = rater_effects_summary(&set, &rubric);
    let text = match args.format {
        StatsFormat::Json => {
            let effects_json = match &effects {
                Ok(s) => serde_json::to_value(s),
                Err(e) => Ok(serde_json::json!({
                    "error": {"code": e.code(), "message": e.to_string()}
                })),
            };
            let doc = effects_json.and_then(|fx| {
                Ok(serde_json::json!({
                    "reliability": serde_json::to_value(&table)?,
                    "rater_effects": fx,
                }))
            });
            let doc = doc.map_err(|e| Failure {
                code: EXIT_INPUT,
                message: format!("cannot write JSON: {e}"),
            })?;
            let mut s = serde_json::to_string_pretty(&doc).map_err(|e| Failure {
                code: EXIT_INPUT,
                message: format!("cannot write JSON: {e}"),
            })?;
            s.push('\n');
            s
        }
        StatsFormat::Table => render_table(&table, &effects),
    };
    write_output(None, &text)
}

fn design_name(d: Design) -> &'static str {
    match d {
        Design::Crossed => "crossed panel",
        Design::Nested => "nested 360",
        Design::Mixed => "mixed (analysed as nested)",
    }
}

fn band(b: Option<ReliabilityBand>) -> &'static str {
    match b {
        None => "undefined",
        Some(ReliabilityBand::Poor) => "poor",
        Some(ReliabilityBand::Moderate) => "moderate",
        Some(ReliabilityBand::Good) => "good",
        Some(ReliabilityBand::Excellent) => "excellent",
    }
}

/// "good; CI moderate–excellent, supported: moderate" (Koo & Li, judged on the interval).
fn judgement(j: &BandJudgement) -> String {
    if j.conclusive {
        format!("{} (CI within the band)", band(j.point))
    } else {
        format!(
            "{}; CI {}–{}, supported: {}",
            band(j.point),
            band(j.lower),
            band(j.upper),
            band(j.supported)
        )
    }
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))
}

fn render_row(out: &mut String, row: &ReliabilityRow) {
    let _ = writeln!(
        out,
        "\n{} ({}): {} criteria, {} ratings",
        row.id,
        row.kind,
        row.criteria.len(),
        row.n_ratings
    );
    let icc = &row.icc;
    let cols = match icc.columns_are {
        IccColumns::Raters => "raters",
        IccColumns::Slots => "rater slots",
    };
    match &icc.unavailable {
        Some(reason) => {
            let _ = writeln!(out, "  ICC: not available: {reason}");
        }
        None => {
            let _ = write!(
                out,
                "  ICC over {} {cols} ({}); {} of {} targets complete",
                icc.columns.len(),
                icc.columns.join(", "),
                icc.targets_used.len(),
                icc.n_targets_input
            );
            if icc.raters_beyond_slots > 0 {
                let _ = write!(
                    out,
                    "; {} raters beyond the common slots left out",
                    icc.raters_beyond_slots
                );
            }
            out.push('\n');
            let mut skipped: Vec<&str> = Vec::new();
            let mut reason = "";
            for entry in &icc.forms {
                let name = entry.kind.name();
                match &entry.result {
                    Some(f) => {
                        let _ = writeln!(
                            out,
                            "    {name:<6} {:>6} [{}, {}]  {}",
                            num(f.icc),
                            num(f.ci_lower),
                            num(f.ci_upper),
                            judgement(&f.interpretation)
                        );
                    }
                    None => {
                        skipped.push(name);
                        reason = entry.not_computed.as_deref().unwrap_or("not computed");
                    }
                }
            }
            if !skipped.is_empty() {
                let _ = writeln!(out, "    {}: {reason}", skipped.join(", "));
            }
        }
    }
    match (&row.cronbach.result, &row.cronbach.unavailable) {
        (Some(a), _) => {
            let _ = writeln!(
                out,
                "  Cronbach's alpha {} [{}, {}] (Feldt, n = {})",
                num(a.alpha),
                num(a.ci.lower),
                num(a.ci.upper),
                a.n_rows_used
            );
        }
        (None, reason) => {
            let _ = writeln!(
                out,
                "  Cronbach's alpha: not available: {}",
                reason.as_deref().unwrap_or("")
            );
        }
    }
    match (&row.krippendorff.result, &row.krippendorff.unavailable) {
        (Some(a), None) => {
            let _ = writeln!(
                out,
                "  Krippendorff's alpha (interval) {} ({} pairable units)",
                num(a.alpha),
                a.n_units_pairable
            );
        }
        (_, reason) => {
            let _ = writeln!(
                out,
                "  Krippendorff's alpha (interval): {}",
                reason.as_deref().unwrap_or("undefined")
            );
        }
    }
    let r = &row.rwg;
    let _ = writeln!(
        out,
        "  rwg(J) mean {} (min {}) over {} of {} units{}",
        num(r.mean),
        num(r.min),
        r.n_units_defined,
        r.n_units,
        if r.n_truncated > 0 {
            format!(", {} truncated to 0", r.n_truncated)
        } else {
            String::new()
        }
    );
}

fn render_table(
    t: &ReliabilityTable,
    effects: &Result<RaterEffectsSummary, readiness::stats::error::StatsError>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "design: {} ({} units, {} scoring raters, {} forms, at most {} units per rater)",
        design_name(t.design),
        t.n_units,
        t.n_raters,
        t.n_forms,
        t.max_units_per_rater
    );
    let _ = writeln!(out, "rule: {}", t.design_rule);
    let _ = write!(out, "scoring groups: {}", t.scoring_groups.join(", "));
    if !t.excluded_groups.is_empty() {
        let _ = write!(
            out,
            " (left out, weight 0: {})",
            t.excluded_groups.join(", ")
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "bands: Koo & Li (2016), judged on the {:.0}% interval",
        t.confidence * 100.0
    );
    for row in t.dimensions.iter().chain(&t.overall) {
        render_row(&mut out, row);
    }
    out.push('\n');
    match effects {
        Ok(s) => {
            let per = match s.facet {
                RaterFacet::Rater => "per rater",
                RaterFacet::Group => "per rater group (raters are not identifiable in this design)",
            };
            let _ = writeln!(
                out,
                "rater effects (additive leniency in scale points, {per}; most lenient first):"
            );
            let n = s.effects.len();
            // Long lists: the three most lenient and the three most severe.
            let shown: Vec<usize> = if n > 6 {
                (0..3).chain(n - 3..n).collect()
            } else {
                (0..n).collect()
            };
            for (pos, &i) in shown.iter().enumerate() {
                if pos == 3 && n > 6 {
                    let _ = writeln!(out, "  … {} more", n - 6);
                }
                let e = &s.effects[i];
                let se =
                    e.se.map_or_else(|| "SE —".to_string(), |v| format!("SE {v:.3}"));
                let who = if s.facet == RaterFacet::Rater {
                    format!("{} ({})", e.id, e.group)
                } else {
                    e.id.clone()
                };
                let _ = writeln!(
                    out,
                    "  {who:<28} {:+.3} ({se}, {} ratings)",
                    e.leniency, e.count
                );
            }
        }
        Err(e) => {
            let _ = writeln!(out, "rater effects: not available: {e}");
        }
    }
    out
}
