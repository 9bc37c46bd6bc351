//! `readiness cohort`: the cohort report (ranking, 9-box, reliability, calibration, fairness,
//! decision audit, trends, overrides, provenance). Every number comes from
//! `readiness::cohort::cohort_report`; this module reads the files and formats the document.

use crate::{load_ratings, load_rubric, read_text, write_output, Failure, EXIT_INPUT, EXIT_IO};
use clap::{Args, ValueEnum};
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs, CohortReport};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `readiness cohort`.
#[derive(Args, Debug)]
pub(crate) struct CohortArgs {
    /// Rubric file (TOML or JSON); the built-in standard rubric when absent.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Ratings: CSV (optional `cycle` column for trends) or a JSON array (by the .json
    /// extension); `-` reads CSV from stdin.
    ratings: PathBuf,
    /// Attributes CSV: a `candidate` column and any attribute columns (gender, site, …).
    #[arg(long, value_name = "FILE")]
    attributes: Option<PathBuf>,
    /// Past decisions CSV: `candidate,promoted[,date]`.
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// Overrides CSV: `candidate,level,reason,author,date[,cycle]`; every override needs a reason.
    #[arg(long, value_name = "FILE")]
    overrides: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CohortFormat::Table)]
    format: CohortFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Output formats of `cohort`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum CohortFormat {
    /// A readable report.
    Table,
    /// The cohort report document (`schema/cohort.schema.json`).
    Json,
    /// A Markdown report.
    Md,
}

/// Runs `readiness cohort`.
pub(crate) fn run(args: CohortArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let set = load_ratings(&args.ratings, &rubric)?;
    let input = |p: &Path, e: readiness::error::CohortError| Failure::input(p, e);
    let mut inputs = CohortInputs::default();
    if let Some(p) = &args.attributes {
        inputs.attributes = Some(parse_attributes(&read_text(p)?, &set).map_err(|e| input(p, e))?);
    }
    if let Some(p) = &args.decisions {
        inputs.decisions = Some(parse_decisions(&read_text(p)?, &set).map_err(|e| input(p, e))?);
    }
    if let Some(p) = &args.overrides {
        inputs.overrides =
            parse_overrides(&read_text(p)?, &set, &rubric).map_err(|e| input(p, e))?;
    }
    let report = cohort_report(&set, &rubric, &inputs).map_err(|e| Failure {
        code: EXIT_INPUT,
        message: format!("{}: {e}", args.ratings.display()),
    })?;
    let text = match args.format {
        CohortFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).map_err(|e| Failure {
                code: EXIT_IO,
                message: format!("cannot write JSON: {e}"),
            })?;
            s.push('\n');
            s
        }
        CohortFormat::Table => render(&report, false),
        CohortFormat::Md => render(&report, true),
    };
    write_output(args.out.as_deref(), &text)
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.digits$}"))
}

fn pval(v: Option<f64>) -> String {
    match v {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "–".into(),
    }
}

fn ci(v: Option<[f64; 2]>, digits: usize) -> String {
    v.map_or_else(
        || "–".into(),
        |[a, b]| format!("[{a:.digits$}, {b:.digits$}]"),
    )
}

/// A report written either as aligned text or as Markdown.
struct Doc {
    md: bool,
    out: String,
}

impl Doc {
    fn heading(&mut self, title: &str) {
        if self.md {
            let _ = writeln!(self.out, "\n## {title}\n");
        } else {
            let _ = writeln!(self.out, "\n{title}\n{}", "═".repeat(title.chars().count()));
        }
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
        if self.md {
            self.out.push('\n');
        }
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            self.line("(none)");
            return;
        }
        if self.md {
            let esc = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(
                self.out,
                "| {} |",
                header
                    .iter()
                    .map(|h| esc(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            let _ = writeln!(
                self.out,
                "|{}|",
                header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
            );
            for r in rows {
                let _ = writeln!(
                    self.out,
                    "| {} |",
                    r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                );
            }
            self.out.push('\n');
            return;
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .chain(std::iter::once(header[c].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut put = |cells: Vec<&str>| {
            let mut s = String::new();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    s.push_str("  ");
                }
                s.push_str(cell);
                s.push_str(&" ".repeat(widths[c].saturating_sub(cell.chars().count())));
            }
            let _ = writeln!(self.out, "{}", s.trim_end());
        };
        put(header.to_vec());
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        put(rule.iter().map(String::as_str).collect());
        for r in rows {
            put(r.iter().map(String::as_str).collect());
        }
    }
}

fn render(r: &CohortReport, md: bool) -> String {
    let mut d = Doc {
        md,
        out: String::new(),
    };
    if md {
        d.out.push_str("# Cohort report\n");
    } else {
        d.out.push_str("Cohort report\n");
    }

    d.heading("1. Ranking and distribution");
    let rows: Vec<Vec<String>> = r
        .ranking
        .candidates
        .iter()
        .map(|c| {
            vec![
                c.rank.map_or("–".into(), |k| k.to_string()),
                match &c.cycle {
                    Some(cy) => format!("{} ({cy})", c.candidate),
                    None => c.candidate.clone(),
                },
                num(c.index, 1),
                ci(c.ci95, 1),
                num(c.percentile, 0),
                c.level.clone(),
                if c.final_level == c.level {
                    String::new()
                } else {
                    c.final_level.clone()
                },
                match (&c.next_level, c.index_gap) {
                    (Some(l), Some(g)) => format!("{l} (+{g:.1})"),
                    (Some(l), None) => l.clone(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    d.table(
        &[
            "rank",
            "candidate",
            "index",
            "95% CI",
            "pct",
            "level",
            "override",
            "next level (index gap)",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = r
        .ranking
        .levels
        .iter()
        .map(|l| {
            vec![
                l.level.clone(),
                l.computed.to_string(),
                l.final_count.to_string(),
                format!("{:.0}%", 100.0 * l.share),
            ]
        })
        .collect();
    d.table(&["level", "computed", "final", "share"], &rows);
    if let Some(s) = &r.ranking.index {
        d.line(&format!(
            "index: n {}, mean {:.1}, sd {}, min {:.1}, quartiles {:.1} / {:.1} / {:.1}, max {:.1}",
            s.n,
            s.mean,
            num(s.sd, 1),
            s.min,
            s.q1,
            s.median,
            s.q3,
            s.max
        ));
    }

    d.heading("2. 9-box (performance × potential)");
    let nb = &r.nine_box;
    d.line(&format!(
        "performance = {} (cuts {}), potential = {} (cuts {}), method {}",
        nb.performance.dimensions.join(" + "),
        ci(nb.performance.cuts, 1),
        nb.potential.dimensions.join(" + "),
        ci(nb.potential.cuts, 1),
        nb.method
    ));
    let rows: Vec<Vec<String>> = nb
        .cells
        .iter()
        .rev()
        .map(|c| {
            let who: Vec<&str> = nb
                .candidates
                .iter()
                .filter(|p| p.cell == Some(c.cell))
                .map(|p| p.candidate.as_str())
                .collect();
            vec![
                c.cell.to_string(),
                c.name.clone(),
                c.potential.clone(),
                c.performance.clone(),
                c.count.to_string(),
                who.join(" "),
            ]
        })
        .collect();
    d.table(
        &[
            "cell",
            "name",
            "potential",
            "performance",
            "n",
            "candidates",
        ],
        &rows,
    );

    d.heading("3. Reliability");
    match &r.reliability.table {
        Some(t) => {
            d.line(
                &format!(
                    "design {:?}, {} units, {} scoring raters",
                    t.design, t.n_units, t.n_raters
                )
                .to_lowercase(),
            );
            let rows: Vec<Vec<String>> = t
                .dimensions
                .iter()
                .chain(t.overall.iter())
                .map(|row| {
                    let icc1 = row
                        .icc
                        .forms
                        .iter()
                        .find(|f| f.result.is_some())
                        .and_then(|f| f.result.as_ref())
                        .and_then(|f| f.icc);
                    vec![
                        row.id.clone(),
                        num(icc1, 2),
                        num(row.cronbach.result.as_ref().and_then(|a| a.alpha), 2),
                        num(row.krippendorff.result.as_ref().and_then(|a| a.alpha), 2),
                        num(row.rwg.mean, 2),
                    ]
                })
                .collect();
            d.table(
                &[
                    "dimension",
                    "ICC (first valid form)",
                    "Cronbach α",
                    "Krippendorff α",
                    "mean rwg(J)",
                ],
                &rows,
            );
        }
        None => d.line(&format!(
            "not available: {}",
            r.reliability.unavailable.as_deref().unwrap_or("?")
        )),
    }

    d.heading("4. Calibration");
    d.line(&format!(
        "method: {} (α = {})",
        r.calibration.method, r.calibration.alpha
    ));
    let rows: Vec<Vec<String>> = r
        .calibration
        .raters
        .iter()
        .map(|x| {
            vec![
                x.rater.clone(),
                x.group.clone(),
                x.n_candidates.to_string(),
                num(x.effect, 2),
                num(x.se, 2),
                pval(x.p),
                pval(x.p_adjusted),
                x.verdict
                    .map_or("–".into(), |v| format!("{v:?}").to_lowercase()),
            ]
        })
        .collect();
    d.table(
        &[
            "rater",
            "group",
            "candidates",
            "effect",
            "se",
            "p",
            "p (Holm)",
            "verdict",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = r
        .calibration
        .groups
        .iter()
        .map(|g| {
            vec![
                g.group.clone(),
                g.n_raters.to_string(),
                num(g.mean_deviation, 2),
                g.lenient.to_string(),
                g.severe.to_string(),
                if g.listed {
                    "listed".into()
                } else {
                    "anonymous (summary only)".into()
                },
            ]
        })
        .collect();
    d.table(
        &[
            "group",
            "raters",
            "mean deviation",
            "lenient",
            "severe",
            "reporting",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = r
        .calibration
        .levels
        .iter()
        .map(|l| {
            vec![
                l.level.clone(),
                l.computed.to_string(),
                l.final_count.to_string(),
                format!("{:+}", l.delta),
            ]
        })
        .collect();
    d.table(&["level", "computed", "after overrides", "delta"], &rows);
    match &r.calibration.distribution {
        Some(t) => {
            let rows: Vec<Vec<String>> = t
                .levels
                .iter()
                .map(|l| {
                    vec![
                        l.level.clone(),
                        format!("{:.0}%", 100.0 * l.target),
                        l.observed.to_string(),
                        format!("{:.1}", l.expected),
                    ]
                })
                .collect();
            d.table(&["level", "target", "observed", "expected"], &rows);
            d.line(&format!(
                "chi-square {} (df {}), p {}{}",
                num(t.chi_square, 2),
                t.df,
                pval(t.p),
                if t.small_expected {
                    "; an expected count is below 5"
                } else {
                    ""
                }
            ));
        }
        None => d.line("no target distribution in the rubric (policy.target_distribution)"),
    }

    d.heading("5. Fairness");
    if r.fairness.is_empty() {
        d.line("no attributes given (--attributes)");
    }
    for t in &r.fairness {
        d.line(&format!(
            "{} — selection: {}; reference {}, focal {}: Fisher p {}, z p {}, SMD {} {}{}",
            t.attribute,
            t.selection.join(", "),
            t.reference.as_deref().unwrap_or("–"),
            t.focal.as_deref().unwrap_or("–"),
            pval(t.fisher_p),
            pval(t.z_p),
            num(t.smd.as_ref().map(|s| s.g), 2),
            ci(t.smd.as_ref().map(|s| s.ci95), 2),
            if t.small_sample {
                " (small sample: not evidence either way)"
            } else {
                ""
            }
        ));
        let rows: Vec<Vec<String>> = t
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.group.clone(),
                    g.n.to_string(),
                    g.selected.to_string(),
                    format!("{:.2}", g.rate),
                    num(g.impact_ratio, 2),
                    if g.four_fifths_violation {
                        "VIOLATION".into()
                    } else {
                        String::new()
                    },
                    format!("{:.1}", g.shortfall),
                ]
            })
            .collect();
        d.table(
            &[
                "group",
                "n",
                "selected",
                "rate",
                "impact ratio",
                "four-fifths",
                "shortfall",
            ],
            &rows,
        );
    }

    d.heading("6. Decision audit");
    match &r.decision_audit {
        Some(a) => {
            d.line(&format!(
                "{} decisions, {} promoted: {}",
                a.n, a.promoted, a.verdict
            ));
            let rows: Vec<Vec<String>> = [("technical", &a.technical), ("readiness", &a.readiness)]
                .iter()
                .map(|(k, s)| {
                    vec![
                        (*k).to_string(),
                        s.n.to_string(),
                        num(s.r, 2),
                        ci(s.ci95, 2),
                        num(s.auc, 2),
                    ]
                })
                .collect();
            d.table(
                &["score", "n", "r (point-biserial)", "95% CI", "AUC"],
                &rows,
            );
            d.line(&format!(
                "promoted but not ready: {}",
                list(&a.promoted_not_ready)
            ));
            d.line(&format!(
                "ready now but not promoted: {}",
                list(&a.ready_not_promoted)
            ));
        }
        None => d.line("no decisions given (--decisions)"),
    }

    d.heading("7. Trends");
    if let Some(n) = &r.trends.note {
        d.line(n);
    }
    if !r.trends.cycles.is_empty() {
        let rows: Vec<Vec<String>> = r
            .trends
            .cycles
            .iter()
            .map(|c| {
                vec![
                    c.cycle.clone(),
                    c.assessed.to_string(),
                    num(c.mean_index, 1),
                ]
            })
            .collect();
        d.table(&["cycle", "assessed", "mean index"], &rows);
        for g in &r.trends.gaps {
            d.line(&format!(
                "follow-up gap: {} quarter(s) missing between {} and {}",
                g.missing_quarters, g.after, g.before
            ));
        }
        let rows: Vec<Vec<String>> = r
            .trends
            .candidates
            .iter()
            .map(|c| {
                vec![
                    c.candidate.clone(),
                    c.indexes
                        .iter()
                        .map(|p| num(p.index, 1))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    num(c.slope, 2),
                    num(c.change, 1),
                    c.flags
                        .iter()
                        .map(|f| format!("{f:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect();
        d.table(
            &["candidate", "index by cycle", "slope", "change", "flags"],
            &rows,
        );
    }

    d.heading("8. Overrides");
    let rows: Vec<Vec<String>> = r
        .overrides
        .items
        .iter()
        .map(|o| {
            vec![
                o.candidate.clone(),
                o.cycle.clone().unwrap_or_default(),
                o.computed_level.clone(),
                o.final_level.clone(),
                o.direction.clone(),
                o.reason.clone(),
                o.author.clone(),
                o.date.clone(),
            ]
        })
        .collect();
    d.table(
        &[
            "candidate",
            "cycle",
            "computed",
            "final",
            "direction",
            "reason",
            "author",
            "date",
        ],
        &rows,
    );

    d.heading("9. Provenance");
    let p = &r.provenance;
    d.line(&format!(
        "engine {} · rubric {} {} · ratings {} ({} ratings, {} scored, {} candidates, {} raters, {} cycles, {} assessments)",
        p.engine, p.rubric, p.fingerprint, p.ratings_digest, p.ratings, p.scored, p.candidates, p.raters, p.cycles, p.assessments
    ));
    d.out
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}
