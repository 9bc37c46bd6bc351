//! The report as Markdown: the HTML report's content as headings, lists and tables.

use super::model::{
    band, by_group, flag_title, iccs, interval, num, pval, significant, trend_word, Card, View,
};
use std::fmt::Write as _;

/// Escapes text for a Markdown table cell or paragraph: no user text may open a tag, a link,
/// emphasis or a new cell.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

struct Md {
    out: String,
}

impl Md {
    fn h(&mut self, level: usize, title: &str) {
        let _ = writeln!(self.out, "\n{} {title}\n", "#".repeat(level));
    }

    fn p(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}\n");
    }

    /// A table; cells are written as given (escape user text before).
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            self.p("_None._");
            return;
        }
        let _ = writeln!(self.out, "| {} |", header.join(" | "));
        let _ = writeln!(
            self.out,
            "|{}|",
            header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
        );
        for r in rows {
            let _ = writeln!(self.out, "| {} |", r.join(" | "));
        }
        self.out.push('\n');
    }
}

/// Renders the report as Markdown.
pub(crate) fn render(v: &View<'_>) -> String {
    let r = v.report;
    let p = &r.provenance;
    let mut m = Md { out: String::new() };
    m.out.push_str("# Promotion readiness report\n\n");
    m.p(&format!(
        "{} (`{}`) · {} candidates · {} raters · {}",
        esc(&v.rubric.name),
        esc(&p.rubric),
        p.candidates,
        p.raters,
        if p.cycles > 0 {
            format!("{} cycles", p.cycles)
        } else {
            "one cycle".into()
        }
    ));
    m.p("Technical expertise is reported apart: it may gate a level, it never enters the readiness index.");

    summary(&mut m, v);
    cohort(&mut m, v);
    nine_box(&mut m, v);
    candidates(&mut m, v);
    reliability(&mut m, v);
    calibration(&mut m, v);
    fairness(&mut m, v);
    decisions(&mut m, v);
    trends(&mut m, v);
    overrides(&mut m, v);

    m.h(2, "Provenance");
    m.table(
        &["", ""],
        &[
            vec!["engine".into(), format!("readiness {}", esc(&p.engine))],
            vec!["rubric".into(), format!("`{}`", esc(&p.rubric))],
            vec!["rubric fingerprint".into(), format!("`{}`", p.fingerprint)],
            vec!["ratings digest".into(), format!("`{}`", p.ratings_digest)],
            vec![
                "ratings".into(),
                format!(
                    "{} rows, {} scored; {} candidates, {} raters, {} cycles, {} assessments",
                    p.ratings, p.scored, p.candidates, p.raters, p.cycles, p.assessments
                ),
            ],
            vec![
                "inputs".into(),
                format!(
                    "attributes {}, decisions {}, overrides {}",
                    p.attributes.map_or("–".into(), |n| format!("{n} rows")),
                    p.decisions.map_or("–".into(), |n| format!("{n} rows")),
                    p.overrides
                ),
            ],
            vec![
                "anonymity".into(),
                format!(
                    "{} (group breakdowns below a group's minimum number of raters are withheld)",
                    if p.anonymity.is_suppress() {
                        "suppress"
                    } else {
                        "roll up"
                    }
                ),
            ],
        ],
    );
    m.out
}

fn summary(m: &mut Md, v: &View<'_>) {
    let r = v.report;
    m.h(2, "Summary");
    let rows: Vec<Vec<String>> = r
        .ranking
        .levels
        .iter()
        .map(|l| {
            vec![
                esc(&l.label),
                l.final_count.to_string(),
                l.computed.to_string(),
                format!("{:.0}%", 100.0 * l.share),
            ]
        })
        .collect();
    m.table(&["level", "candidates", "as computed", "share"], &rows);
    if let Some(s) = &r.ranking.index {
        m.p(&format!(
            "Readiness index (0–100): median {:.1}, middle half {:.1}–{:.1}, range {:.1}–{:.1} over {} candidates.",
            s.median, s.q1, s.q3, s.min, s.max, s.n
        ));
    }
    m.h(3, "Headline findings");
    for f in &v.findings {
        let _ = writeln!(m.out, "- **{}:** {}", f.tone.word(), esc(&f.text));
    }
    m.out.push('\n');
}

fn flags_short(c: &Card<'_>) -> String {
    let Some(d) = c.doc else {
        return String::new();
    };
    let mut seen: Vec<&str> = Vec::new();
    for f in &d.flags {
        let t = flag_title(f.code);
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    seen.join(", ")
}

fn cohort(m: &mut Md, v: &View<'_>) {
    m.h(2, "Cohort");
    m.p("Sorted by readiness index; ties share a rank.");
    let rows: Vec<Vec<String>> = v
        .cards
        .iter()
        .map(|c| {
            let rc = c.ranked;
            let mut level = esc(v.level(&rc.final_level));
            if rc.final_level != rc.level {
                level.push_str(&format!(
                    " (override; computed {})",
                    esc(v.level(&rc.level))
                ));
            }
            vec![
                rc.rank.map_or("–".into(), |k| k.to_string()),
                esc(&rc.candidate),
                level,
                num(rc.index, 1),
                interval(rc.ci95, 1),
                num(rc.percentile, 0),
                num(c.doc.and_then(|d| d.technical.score), 1),
                match (&rc.next_level, rc.index_gap) {
                    _ if rc.final_level != rc.level => String::new(),
                    (Some(l), Some(g)) => format!("{} (+{g:.1})", esc(v.level(l))),
                    (Some(l), None) => esc(v.level(l)),
                    _ => String::new(),
                },
                flags_short(c),
            ]
        })
        .collect();
    m.table(
        &[
            "rank",
            "candidate",
            "level",
            "index",
            "95% CI",
            "percentile",
            "technical",
            "next level (index points to go)",
            "flags",
        ],
        &rows,
    );
}

fn nine_box(m: &mut Md, v: &View<'_>) {
    let nb = &v.report.nine_box;
    m.h(2, "9-box");
    m.p(&format!(
        "Performance = {}; potential = {}; bands cut at {} ({}).",
        esc(&nb.performance.dimensions.join(" + ")),
        esc(&nb.potential.dimensions.join(" + ")),
        interval(nb.performance.cuts, 0),
        esc(&nb.method)
    ));
    let cell = |id: u8| {
        let Some(c) = nb.cells.iter().find(|c| c.cell == id) else {
            return String::new();
        };
        let who: Vec<String> = nb
            .candidates
            .iter()
            .filter(|p| p.cell == Some(id))
            .map(|p| esc(&p.candidate))
            .collect();
        format!("**{}** ({}): {}", esc(&c.name), c.count, who.join(", "))
    };
    let rows: Vec<Vec<String>> = [(2u8, "high"), (1, "middle"), (0, "low")]
        .iter()
        .map(|(p, name)| {
            vec![
                format!("**{name}**"),
                cell(3 * p + 1),
                cell(3 * p + 2),
                cell(3 * p + 3),
            ]
        })
        .collect();
    m.table(
        &["potential ↓ / performance →", "low", "middle", "high"],
        &rows,
    );
    let unplaced: Vec<String> = nb
        .candidates
        .iter()
        .filter(|p| p.cell.is_none())
        .map(|p| esc(&p.candidate))
        .collect();
    if !unplaced.is_empty() {
        m.p(&format!(
            "Not placed (an axis without a score): {}",
            unplaced.join(", ")
        ));
    }
}

fn candidates(m: &mut Md, v: &View<'_>) {
    m.h(2, "Candidates");
    for c in &v.cards {
        let rc = c.ranked;
        m.h(
            3,
            &format!("{} — {}", esc(&rc.candidate), esc(v.level(&rc.final_level))),
        );
        let mut line = format!(
            "Readiness index **{}** (95% CI {}), rank {}, percentile {}",
            num(rc.index, 1),
            interval(rc.ci95, 1),
            rc.rank.map_or("–".into(), |k| k.to_string()),
            num(rc.percentile, 0)
        );
        if let Some(cy) = &rc.cycle {
            line.push_str(&format!(", cycle {}", esc(cy)));
        }
        if let Some(name) = c.nine_box.and_then(|b| b.name.as_deref()) {
            line.push_str(&format!("; 9-box: {}", esc(name)));
        }
        if rc.final_level != rc.level {
            line.push_str(&format!(
                "; level set by override (computed: {})",
                esc(v.level(&rc.level))
            ));
        }
        m.p(&format!("{line}."));
        let Some(d) = c.doc else { continue };
        let rows: Vec<Vec<String>> = d
            .dimensions
            .iter()
            .filter(|x| x.kind != "technical")
            .map(|x| dimension_row(v, x))
            .collect();
        m.table(
            &[
                "dimension",
                "score",
                "95% CI",
                "raters",
                "agreement (rwg)",
                "by rater group",
            ],
            &rows,
        );
        let tech: Vec<Vec<String>> = d
            .dimensions
            .iter()
            .filter(|x| x.kind == "technical")
            .map(|x| dimension_row(v, x))
            .collect();
        if !tech.is_empty() {
            m.p("Technical expertise, reported apart (never in the index):");
            m.table(
                &[
                    "dimension",
                    "score",
                    "95% CI",
                    "raters",
                    "agreement (rwg)",
                    "by rater group",
                ],
                &tech,
            );
        }
        if !d.flags.is_empty() {
            m.p("**Flags**");
            for f in &d.flags {
                let _ = writeln!(m.out, "- **{}:** {}", flag_title(f.code), esc(&f.message));
            }
            m.out.push('\n');
        }
        if let Some(next) = &d.readiness.next_level {
            if !next.unmet.is_empty() {
                let _ = writeln!(
                    m.out,
                    "**{}**\n",
                    esc(&super::html::next_heading(v, rc, &next.level))
                );
                for u in &next.unmet {
                    let _ = writeln!(m.out, "- {}", esc(u));
                }
                m.out.push('\n');
            }
        }
        if !d.strengths.is_empty() {
            let names: Vec<String> = d.strengths.iter().map(|s| esc(v.criterion(s))).collect();
            m.p(&format!("**Strengths:** {}.", names.join("; ")));
        }
        if !d.development.is_empty() {
            m.p("**Development**");
            for a in &d.development {
                let _ = writeln!(
                    m.out,
                    "- **{}** ({:.1}):",
                    esc(v.criterion(&a.criterion)),
                    a.raw
                );
                for act in &a.actions {
                    let _ = writeln!(m.out, "  - {}", esc(act));
                }
            }
            m.out.push('\n');
        }
        if let Some(t) = c.trend {
            if t.indexes.len() > 1 {
                m.p(&format!(
                    "**Trend:** {}{}.",
                    t.indexes
                        .iter()
                        .map(|p| format!("{} {}", esc(&p.cycle), num(p.index, 1)))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    if t.flags.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " ({})",
                            t.flags
                                .iter()
                                .map(|f| trend_word(*f))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ));
            }
        }
    }
}

fn dimension_row(v: &View<'_>, x: &readiness::assessment::DimensionScore) -> Vec<String> {
    let groups: Vec<String> = by_group(v, x)
        .iter()
        .map(|g| match (&g.withheld, g.score) {
            (Some(_), _) => format!("{} withheld", esc(&g.label)),
            (None, s) => format!("{} {}", esc(&g.label), num(s, 0)),
        })
        .collect();
    vec![
        esc(v.dimension(&x.id)),
        num(x.score, 1),
        interval(x.ci95, 1),
        x.raters.to_string(),
        num(x.rwg, 2),
        groups.join(" · "),
    ]
}

fn reliability(m: &mut Md, v: &View<'_>) {
    let r = v.report;
    m.h(2, "Reliability");
    let Some(t) = &r.reliability.table else {
        m.p(&format!(
            "Not available: {}.",
            esc(r
                .reliability
                .unavailable
                .as_deref()
                .unwrap_or("unknown reason"))
        ));
        return;
    };
    m.p(&format!(
        "{} units, {} scoring raters, {} design. Bands after Koo & Li (2016): below 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, 0.90 and above excellent; the band the 95% interval supports is the band of its lower end.",
        t.n_units,
        t.n_raters,
        format!("{:?}", t.design).to_lowercase()
    ));
    let rows: Vec<Vec<String>> = t
        .dimensions
        .iter()
        .chain(t.overall.iter())
        .map(|row| {
            let (single, mean) = iccs(row);
            let icc = |f: Option<&readiness::stats::icc::IccForm>| match f {
                Some(f) => format!(
                    "{} {} [{}, {}]",
                    f.shrout_fleiss,
                    num(f.icc, 2),
                    num(f.ci_lower, 2),
                    num(f.ci_upper, 2)
                ),
                None => "–".into(),
            };
            vec![
                esc(if row.id == "overall" {
                    "overall (index)"
                } else {
                    v.dimension(&row.id)
                }),
                icc(single),
                icc(mean),
                mean.map_or("–".into(), |f| {
                    format!(
                        "{} (supported: {})",
                        band(f.interpretation.point),
                        band(f.interpretation.supported)
                    )
                }),
                num(row.cronbach.result.as_ref().and_then(|a| a.alpha), 2),
                num(row.krippendorff.result.as_ref().and_then(|a| a.alpha), 2),
                num(row.rwg.mean, 2),
            ]
        })
        .collect();
    m.table(
        &[
            "dimension",
            "ICC single rater [95% CI]",
            "ICC mean of raters [95% CI]",
            "band",
            "Cronbach α",
            "Krippendorff α",
            "mean rwg(J)",
        ],
        &rows,
    );
}

fn calibration(m: &mut Md, v: &View<'_>) {
    let c = &v.report.calibration;
    m.h(2, "Calibration");
    m.p(&format!(
        "Effect = how far a rater's scores sit above (+, lenient) or below (−, severe) the other raters of the same candidates, in scale points; verdicts at Holm-adjusted α = {}. Anonymous groups are summarised only.",
        c.alpha
    ));
    let rows: Vec<Vec<String>> = c
        .raters
        .iter()
        .map(|x| {
            vec![
                esc(&x.rater),
                esc(&v.group(&x.group)),
                x.n_candidates.to_string(),
                x.effect.map_or("–".into(), |e| format!("{e:+.2}")),
                pval(x.p_adjusted),
                match x.verdict {
                    Some(readiness::cohort::calibration::RaterVerdict::Lenient) => {
                        "**lenient**".into()
                    }
                    Some(readiness::cohort::calibration::RaterVerdict::Severe) => {
                        "**severe**".into()
                    }
                    Some(_) => "typical".into(),
                    None => "no verdict (one candidate)".into(),
                },
            ]
        })
        .collect();
    m.table(
        &[
            "rater",
            "group",
            "candidates",
            "effect",
            "p (Holm)",
            "verdict",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = c
        .groups
        .iter()
        .map(|g| {
            vec![
                esc(&v.group(&g.group)),
                g.n_raters.to_string(),
                g.mean_deviation.map_or("–".into(), |e| format!("{e:+.2}")),
                g.lenient.to_string(),
                g.severe.to_string(),
                if g.listed {
                    "individually".into()
                } else {
                    "summary only (anonymous)".into()
                },
            ]
        })
        .collect();
    m.table(
        &[
            "group",
            "raters",
            "mean deviation",
            "lenient",
            "severe",
            "reported",
        ],
        &rows,
    );
    match &c.distribution {
        Some(t) => {
            let rows: Vec<Vec<String>> = t
                .levels
                .iter()
                .map(|l| {
                    vec![
                        esc(v.level(&l.level)),
                        format!("{:.0}%", 100.0 * l.target),
                        format!("{:.1}", l.expected),
                        l.observed.to_string(),
                    ]
                })
                .collect();
            m.table(&["level", "target", "expected", "observed"], &rows);
            m.p(&format!(
                "χ² = {} (df {}), p {}{}{}.",
                num(t.chi_square, 2),
                t.df,
                pval(t.p),
                if significant(t.p) {
                    ": the levels differ from the target distribution"
                } else {
                    ": consistent with the target distribution"
                },
                if t.small_expected {
                    "; an expected count is below 5, so read it with care"
                } else {
                    ""
                }
            ));
        }
        None => m.p("The rubric sets no target distribution of levels."),
    }
}

fn fairness(m: &mut Md, v: &View<'_>) {
    let r = v.report;
    m.h(2, "Fairness");
    if r.fairness.is_empty() {
        m.p("No attributes given (`--attributes`), so there is no adverse-impact analysis.");
        return;
    }
    m.p("Selection = the final level is one of the levels named per table. **below 4/5** marks a selection rate under four-fifths of the highest group's; **significant** marks Fisher p < 0.05 against the reference group. A small sample is not evidence either way.");
    for t in &r.fairness {
        m.h(3, &esc(&t.attribute));
        let sel: Vec<String> = t.selection.iter().map(|l| esc(v.level(l))).collect();
        m.p(&format!(
            "Selected: {}. Reference (highest rate): {}; lowest: {} — Fisher p {}{}, index difference g = {} [{}]{}.",
            sel.join(", "),
            esc(t.reference.as_deref().unwrap_or("–")),
            esc(t.focal.as_deref().unwrap_or("–")),
            pval(t.fisher_p),
            if significant(t.fisher_p) { " (**significant**)" } else { "" },
            num(t.smd.as_ref().map(|s| s.g), 2),
            interval(t.smd.as_ref().map(|s| s.ci95), 2),
            if t.small_sample { "; small sample" } else { "" }
        ));
        let rows: Vec<Vec<String>> = t
            .groups
            .iter()
            .map(|g| {
                vec![
                    esc(&g.group),
                    g.n.to_string(),
                    g.selected.to_string(),
                    format!("{:.0}%", 100.0 * g.rate),
                    num(g.impact_ratio, 2),
                    if g.four_fifths_violation {
                        "**below 4/5**".into()
                    } else {
                        "ok".into()
                    },
                    format!(
                        "{}{}",
                        pval(g.fisher_p),
                        if significant(g.fisher_p) {
                            " **significant**"
                        } else {
                            ""
                        }
                    ),
                    format!("{:.1}", g.shortfall),
                ]
            })
            .collect();
        m.table(
            &[
                "group",
                "n",
                "selected",
                "rate",
                "impact ratio",
                "four-fifths",
                "Fisher p",
                "shortfall",
            ],
            &rows,
        );
    }
}

fn decisions(m: &mut Md, v: &View<'_>) {
    m.h(2, "Decision audit");
    let Some(a) = &v.report.decision_audit else {
        m.p("No past decisions given (`--decisions`).");
        return;
    };
    m.p(&format!(
        "**Verdict:** {} ({} decisions, {} promoted).",
        esc(a.verdict.trim_end_matches('.')),
        a.n,
        a.promoted
    ));
    let rows: Vec<Vec<String>> = [
        ("technical score", &a.technical),
        ("readiness index", &a.readiness),
    ]
    .iter()
    .map(|(k, s)| {
        vec![
            (*k).to_string(),
            s.n.to_string(),
            num(s.r, 2),
            interval(s.ci95, 2),
            num(s.auc, 2),
        ]
    })
    .collect();
    m.table(
        &["promotions against", "n", "correlation r", "95% CI", "AUC"],
        &rows,
    );
    let list = |xs: &[String]| {
        if xs.is_empty() {
            "none".to_string()
        } else {
            xs.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", ")
        }
    };
    m.p(&format!(
        "Promoted but assessed at the lowest level: {}.",
        list(&a.promoted_not_ready)
    ));
    m.p(&format!(
        "Ready now but not promoted: {}.",
        list(&a.ready_not_promoted)
    ));
}

fn trends(m: &mut Md, v: &View<'_>) {
    let t = &v.report.trends;
    m.h(2, "Trends");
    if let Some(n) = &t.note {
        m.p(&format!("{}.", esc(n.trim_end_matches('.'))));
    }
    if t.cycles.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = t
        .cycles
        .iter()
        .map(|c| vec![esc(&c.cycle), c.assessed.to_string(), num(c.mean_index, 1)])
        .collect();
    m.table(&["cycle", "assessed", "mean index"], &rows);
    for g in &t.gaps {
        m.p(&format!(
            "Follow-up gap: {} quarter(s) without an assessment between {} and {}.",
            g.missing_quarters,
            esc(&g.after),
            esc(&g.before)
        ));
    }
    let rows: Vec<Vec<String>> = t
        .candidates
        .iter()
        .map(|c| {
            vec![
                esc(&c.candidate),
                c.indexes
                    .iter()
                    .map(|p| num(p.index, 1))
                    .collect::<Vec<_>>()
                    .join(" → "),
                c.slope.map_or("–".into(), |s| format!("{s:+.2}")),
                c.change.map_or("–".into(), |s| format!("{s:+.1}")),
                c.flags
                    .iter()
                    .map(|f| format!("**{}**", trend_word(*f)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    m.table(
        &[
            "candidate",
            "index by cycle",
            "slope per cycle",
            "last change",
            "flags",
        ],
        &rows,
    );
}

fn overrides(m: &mut Md, v: &View<'_>) {
    let o = &v.report.overrides;
    m.h(2, "Overrides");
    if o.items.is_empty() {
        m.p("No level was set by hand.");
        return;
    }
    let rows: Vec<Vec<String>> = o
        .items
        .iter()
        .map(|x| {
            vec![
                esc(&x.candidate),
                esc(x.cycle.as_deref().unwrap_or("")),
                esc(v.level(&x.computed_level)),
                esc(v.level(&x.final_level)),
                esc(&x.direction),
                esc(&x.reason),
                esc(&x.author),
                esc(&x.date),
            ]
        })
        .collect();
    m.table(
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
}
