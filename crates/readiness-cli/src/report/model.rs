//! What both renderings show: the cohort report, each candidate's (anonymity-protected)
//! assessment, and the headline findings, all read from the engine's documents. Nothing here
//! recomputes a breakdown: every number is a field of a document.

use readiness::cohort::ranking::{NineBoxPlacement, RankedCandidate};
use readiness::cohort::trends::{CandidateTrend, TrendFlag};
use readiness::cohort::CohortReport;
use readiness::stats::icc::{IccForm, IccKind};
use readiness::stats::interpret::ReliabilityBand;
use readiness::stats::reliability::ReliabilityRow;
use readiness::{Assessment, FlagCode, Rubric};
use std::collections::HashMap;

/// Significance level used to mark p-values in the report.
pub(crate) const ALPHA: f64 = 0.05;

/// The tone of a finding, for its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Good news.
    Good,
    /// Worth a look.
    Warn,
    /// Needs action.
    Alert,
    /// Neutral.
    Info,
}

impl Tone {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Tone::Good => "ok",
            Tone::Warn => "check",
            Tone::Alert => "act",
            Tone::Info => "note",
        }
    }
}

/// One headline finding, in plain words.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub tone: Tone,
    pub text: String,
}

/// One candidate: their place in the ranking and their assessment.
#[derive(Debug)]
pub(crate) struct Card<'a> {
    pub ranked: &'a RankedCandidate,
    pub doc: Option<&'a Assessment>,
    pub nine_box: Option<&'a NineBoxPlacement>,
    pub trend: Option<&'a CandidateTrend>,
}

/// Everything a rendering needs.
#[derive(Debug)]
pub(crate) struct View<'a> {
    pub report: &'a CohortReport,
    pub rubric: &'a Rubric,
    pub cards: Vec<Card<'a>>,
    pub findings: Vec<Finding>,
    level_labels: HashMap<&'a str, &'a str>,
    criterion_names: HashMap<&'a str, &'a str>,
    dimension_names: HashMap<&'a str, &'a str>,
}

impl<'a> View<'a> {
    /// `docs`: the assessments the report was made from, anonymity-protected.
    pub(crate) fn new(
        report: &'a CohortReport,
        docs: &'a [Assessment],
        rubric: &'a Rubric,
    ) -> View<'a> {
        let by_key: HashMap<(&str, Option<&str>), &Assessment> = docs
            .iter()
            .map(|d| ((d.candidate.as_str(), d.cycle.as_deref()), d))
            .collect();
        let boxes: HashMap<&str, &NineBoxPlacement> = report
            .nine_box
            .candidates
            .iter()
            .map(|p| (p.candidate.as_str(), p))
            .collect();
        let trends: HashMap<&str, &CandidateTrend> = report
            .trends
            .candidates
            .iter()
            .map(|t| (t.candidate.as_str(), t))
            .collect();
        let cards = report
            .ranking
            .candidates
            .iter()
            .map(|r| Card {
                ranked: r,
                doc: by_key
                    .get(&(r.candidate.as_str(), r.cycle.as_deref()))
                    .copied(),
                nine_box: boxes.get(r.candidate.as_str()).copied(),
                trend: trends.get(r.candidate.as_str()).copied(),
            })
            .collect();
        let mut level_labels: HashMap<&str, &str> = rubric
            .policy
            .levels
            .iter()
            .map(|l| (l.id.as_str(), l.label.as_str()))
            .collect();
        for l in &report.ranking.levels {
            level_labels.insert(l.level.as_str(), l.label.as_str());
        }
        let mut view = View {
            report,
            rubric,
            cards,
            findings: Vec::new(),
            level_labels,
            criterion_names: rubric
                .dimensions
                .iter()
                .flat_map(|d| d.criteria.iter())
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
            dimension_names: rubric
                .dimensions
                .iter()
                .map(|d| (d.id.as_str(), d.name.as_str()))
                .collect(),
        };
        view.findings = findings(&view);
        view
    }

    /// A level's label ("Ready now"); the id when the rubric has none.
    pub(crate) fn level(&self, id: &'a str) -> &'a str {
        self.level_labels.get(id).copied().unwrap_or(id)
    }

    /// Position of a level in policy order (0 = best); levels outside the policy last.
    pub(crate) fn level_rank(&self, id: &str) -> usize {
        self.rubric
            .policy
            .levels
            .iter()
            .position(|l| l.id == id)
            .unwrap_or(self.rubric.policy.levels.len())
    }

    /// A criterion's name; the id when unknown.
    pub(crate) fn criterion(&self, id: &'a str) -> &'a str {
        self.criterion_names.get(id).copied().unwrap_or(id)
    }

    /// A dimension's name; the id when unknown.
    pub(crate) fn dimension(&self, id: &'a str) -> &'a str {
        self.dimension_names.get(id).copied().unwrap_or(id)
    }

    /// A rater group's label: the rubric's, else the id in words.
    pub(crate) fn group(&self, id: &str) -> String {
        match self
            .rubric
            .rater_groups
            .get(id)
            .and_then(|g| g.label.clone())
        {
            Some(l) => l,
            None => id.replace('_', " "),
        }
    }

    /// The best level's id (`ready_now` in the standard rubric).
    pub(crate) fn top_level(&self) -> Option<&'a str> {
        self.rubric.policy.levels.first().map(|l| l.id.as_str())
    }
}

/// A flag's title in plain words.
pub(crate) fn flag_title(code: FlagCode) -> &'static str {
    match code {
        FlagCode::ExpertTrap => "Expert trap",
        FlagCode::BlindSpot => "Blind spot",
        FlagCode::HiddenStrength => "Hidden strength",
        FlagCode::LowAgreement => "Raters disagree",
        FlagCode::FewRaters => "Too few raters",
        _ => "Flag",
    }
}

/// A trend flag in words.
pub(crate) fn trend_word(f: TrendFlag) -> &'static str {
    match f {
        TrendFlag::Stalled => "stalled",
        TrendFlag::Declining => "declining",
    }
}

/// A Koo & Li band in words.
pub(crate) fn band(b: Option<ReliabilityBand>) -> &'static str {
    match b {
        None => "undefined",
        Some(ReliabilityBand::Poor) => "poor",
        Some(ReliabilityBand::Moderate) => "moderate",
        Some(ReliabilityBand::Good) => "good",
        Some(ReliabilityBand::Excellent) => "excellent",
    }
}

/// The ICC of a single rater (ICC2 when the design allows it, else ICC1) and of the mean of the
/// raters (ICC2k, else ICC1k), as computed by the engine.
pub(crate) fn iccs(row: &ReliabilityRow) -> (Option<&IccForm>, Option<&IccForm>) {
    let form = |kinds: [IccKind; 2]| {
        kinds.iter().find_map(|k| {
            row.icc
                .forms
                .iter()
                .find(|e| e.kind == *k)
                .and_then(|e| e.result.as_ref())
        })
    };
    (
        form([IccKind::Icc2, IccKind::Icc1]),
        form([IccKind::Icc2k, IccKind::Icc1k]),
    )
}

/// `value` with `digits` decimals, or a dash.
pub(crate) fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.digits$}"))
}

/// A p-value: three decimals, `<0.001` below that, a dash when undefined.
pub(crate) fn pval(v: Option<f64>) -> String {
    match v {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "–".into(),
    }
}

/// `[lo, hi]` with `digits` decimals, or a dash.
pub(crate) fn interval(v: Option<[f64; 2]>, digits: usize) -> String {
    v.map_or_else(
        || "–".into(),
        |[a, b]| {
            // A dash between two signed numbers reads as a minus: write "to" then.
            if a < 0.0 || b < 0.0 {
                format!("{a:.digits$} to {b:.digits$}")
            } else {
                format!("{a:.digits$}–{b:.digits$}")
            }
        },
    )
}

/// Whether a p-value is below [`ALPHA`].
pub(crate) fn significant(p: Option<f64>) -> bool {
    p.is_some_and(|p| p < ALPHA)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn findings(v: &View<'_>) -> Vec<Finding> {
    let r = v.report;
    let mut out = Vec::new();
    let n = r.ranking.candidates.len();

    // Readiness.
    if let Some(top) = v.top_level() {
        if let Some(l) = r.ranking.levels.iter().find(|l| l.level == top) {
            let mut text = format!(
                "{} of {n} candidates are {} ({} as computed{}).",
                l.final_count,
                v.level(top).to_lowercase(),
                l.computed,
                if l.final_count == l.computed {
                    ""
                } else {
                    ", the rest by override"
                }
            );
            if let Some(ins) = r
                .ranking
                .levels
                .iter()
                .find(|l| l.level == readiness::rubric::INSUFFICIENT_EVIDENCE)
                .filter(|l| l.final_count > 0)
            {
                text.push_str(&format!(
                    " {} the evidence for a level.",
                    plural(
                        ins.final_count as usize,
                        "candidate lacks",
                        "candidates lack"
                    )
                ));
            }
            out.push(Finding {
                tone: Tone::Info,
                text,
            });
        }
    }

    // Past decisions.
    if let Some(a) = &r.decision_audit {
        let tone = match a.driver.as_str() {
            "technical" => Tone::Alert,
            "readiness" => Tone::Good,
            _ => Tone::Info,
        };
        let mut text = format!("Past decisions: {}.", a.verdict.trim_end_matches('.'));
        if !a.promoted_not_ready.is_empty() {
            text.push_str(&format!(
                " {} promoted while assessed at the lowest level.",
                plural(
                    a.promoted_not_ready.len(),
                    "candidate was",
                    "candidates were"
                )
            ));
        }
        out.push(Finding { tone, text });
    }

    // Fairness: the single attributes in one finding, the intersections in another.
    let singles: Vec<_> = r.fairness.iter().filter(|t| t.columns.len() == 1).collect();
    let mut below = Vec::new();
    let mut firm = Vec::new();
    let mut min_p: Option<f64> = None;
    let (mut any_sig, mut all_small) = (false, true);
    for t in singles.iter().filter(|t| t.four_fifths_violation) {
        let focal = t
            .focal
            .as_deref()
            .and_then(|f| t.groups.iter().find(|g| g.group == f));
        let Some(g) = focal else { continue };
        let item = format!(
            "{} (group {}: {} of the highest rate)",
            t.attribute,
            g.group,
            num(g.impact_ratio, 2)
        );
        if significant(t.fisher_p) && !t.small_sample {
            firm.push(item);
        } else {
            below.push(item);
            any_sig |= significant(t.fisher_p);
            all_small &= t.small_sample;
        }
        if let Some(p) = t.fisher_p {
            min_p = Some(min_p.map_or(p, |m: f64| m.min(p)));
        }
    }
    if !firm.is_empty() {
        out.push(Finding {
            tone: Tone::Alert,
            text: format!(
                "Selection rates fall below the four-fifths rule with a statistically significant difference: {}.",
                firm.join("; ")
            ),
        });
    }
    if !below.is_empty() {
        out.push(Finding {
            tone: Tone::Warn,
            text: format!(
                "Selection rates fall below the four-fifths rule for {}; {} (smallest Fisher p {}){}.",
                below.join("; "),
                if any_sig {
                    "a difference is statistically significant only where the sample is too small to read"
                } else if below.len() == 1 {
                    "the difference is not statistically significant"
                } else {
                    "the differences are not statistically significant"
                },
                pval(min_p),
                if all_small {
                    ", and the groups are small: a signal to watch, not evidence"
                } else {
                    ""
                }
            ),
        });
    }
    let pairs: Vec<_> = r.fairness.iter().filter(|t| t.columns.len() > 1).collect();
    let flagged = pairs.iter().filter(|t| t.four_fifths_violation).count();
    if !singles.is_empty() && !r.fairness.iter().any(|t| t.four_fifths_violation) {
        out.push(Finding {
            tone: Tone::Good,
            text: "Every group's selection rate is at least four-fifths of the highest.".into(),
        });
    } else if flagged > 0 {
        out.push(Finding {
            tone: Tone::Info,
            text: format!(
                "{flagged} of {} intersections of two attributes fall below the four-fifths rule; most of their groups are small (see Fairness).",
                pairs.len()
            ),
        });
    }

    // Calibration.
    let flagged: Vec<String> = r
        .calibration
        .raters
        .iter()
        .filter_map(|x| {
            let word = match x.verdict {
                Some(readiness::cohort::calibration::RaterVerdict::Lenient) => "lenient",
                Some(readiness::cohort::calibration::RaterVerdict::Severe) => "severe",
                _ => return None,
            };
            Some(format!(
                "{} ({word}, {:+.2} points)",
                x.rater,
                x.effect.unwrap_or(0.0)
            ))
        })
        .collect();
    if !r.calibration.raters.is_empty() {
        if flagged.is_empty() {
            out.push(Finding {
                tone: Tone::Good,
                text: format!(
                    "No individually reported rater rates significantly more leniently or severely than the others (Holm-adjusted, α = {}).",
                    r.calibration.alpha
                ),
            });
        } else {
            out.push(Finding {
                tone: Tone::Warn,
                text: format!(
                    "Raters to calibrate: {} (Holm-adjusted, α = {}).",
                    flagged.join(", "),
                    r.calibration.alpha
                ),
            });
        }
    }

    // Reliability of the index (overall row, mean of raters).
    if let Some(t) = &r.reliability.table {
        if let Some(row) = &t.overall {
            if let (_, Some(f)) = iccs(row) {
                let supported = f.interpretation.supported;
                let tone = match supported {
                    Some(ReliabilityBand::Good | ReliabilityBand::Excellent) => Tone::Good,
                    Some(ReliabilityBand::Moderate) => Tone::Warn,
                    _ => Tone::Alert,
                };
                out.push(Finding {
                    tone,
                    text: format!(
                        "The averaged ratings are {} reliable: {} = {} (95% CI {}–{}; the interval supports \"{}\").",
                        match f.interpretation.point {
                            Some(ReliabilityBand::Excellent) => "highly",
                            Some(ReliabilityBand::Good) => "reasonably",
                            Some(ReliabilityBand::Moderate) => "only moderately",
                            _ => "not",
                        },
                        f.shrout_fleiss,
                        num(f.icc, 2),
                        num(f.ci_lower, 2),
                        num(f.ci_upper, 2),
                        band(supported)
                    ),
                });
            }
        }
    }

    // Candidate flags.
    let count = |code: FlagCode| {
        v.cards
            .iter()
            .filter(|c| {
                c.doc
                    .is_some_and(|d| d.flags.iter().any(|f| f.code == code))
            })
            .count()
    };
    let traps = count(FlagCode::ExpertTrap);
    if traps > 0 {
        out.push(Finding {
            tone: Tone::Warn,
            text: format!(
                "{} the expert trap: strong technical scores, leadership not yet shown. Technical expertise never enters the index.",
                plural(traps, "candidate shows", "candidates show")
            ),
        });
    }
    let blind = count(FlagCode::BlindSpot);
    let few = count(FlagCode::FewRaters);
    let low = count(FlagCode::LowAgreement);
    let mut parts = Vec::new();
    if blind > 0 {
        parts.push(format!(
            "{} a blind spot (self rating well above the others)",
            plural(blind, "candidate has", "candidates have")
        ));
    }
    if few > 0 {
        parts.push(format!(
            "{} too few raters",
            plural(few, "candidate has", "candidates have")
        ));
    }
    if low > 0 {
        parts.push(format!(
            "for {} the raters disagree",
            plural(low, "candidate", "candidates")
        ));
    }
    if !parts.is_empty() {
        let mut text = parts.join("; ");
        text.push('.');
        out.push(Finding {
            tone: Tone::Info,
            text,
        });
    }

    // Overrides.
    let o = &r.overrides;
    if o.n > 0 {
        out.push(Finding {
            tone: Tone::Info,
            text: format!(
                "{} set by hand ({} raised, {} lowered), each with its reason and author.",
                plural(o.n as usize, "level was", "levels were"),
                o.raised,
                o.lowered
            ),
        });
    }

    // Trends.
    if !r.trends.candidates.is_empty() {
        let has = |f: TrendFlag| {
            r.trends
                .candidates
                .iter()
                .filter(|c| c.flags.contains(&f))
                .count()
        };
        let (stalled, declining) = (has(TrendFlag::Stalled), has(TrendFlag::Declining));
        out.push(Finding {
            tone: if declining > 0 {
                Tone::Warn
            } else {
                Tone::Info
            },
            text: format!(
                "Over the last {} cycles: {} stalled, {} declining.",
                r.trends.window,
                plural(stalled, "candidate", "candidates"),
                declining
            ),
        });
        if !r.trends.gaps.is_empty() {
            out.push(Finding {
                tone: Tone::Warn,
                text: format!(
                    "{} in the quarterly follow-up.",
                    plural(r.trends.gaps.len(), "gap", "gaps")
                ),
            });
        }
    }
    // The opening line first, then by urgency (stable within a tone).
    let urgency = |t: Tone| match t {
        Tone::Alert => 0,
        Tone::Warn => 1,
        Tone::Good => 2,
        Tone::Info => 3,
    };
    if out.len() > 1 {
        out[1..].sort_by_key(|f| urgency(f.tone));
    }
    out
}

/// One rater group's breakdown of a dimension, as the document shows it.
#[derive(Debug)]
pub(crate) struct GroupScore {
    pub label: String,
    pub score: Option<f64>,
    /// Why the breakdown is withheld, when it is.
    pub withheld: Option<String>,
}

/// The rater-group breakdowns of one dimension: the groups with a score and the withheld ones,
/// never a value the document does not carry.
pub(crate) fn by_group(v: &View<'_>, d: &readiness::assessment::DimensionScore) -> Vec<GroupScore> {
    let mut out = Vec::new();
    for (g, s) in &d.by_group {
        if let Some(reason) = d.suppressed.get(g) {
            out.push(GroupScore {
                label: v.group(g),
                score: None,
                withheld: Some(reason.clone()),
            });
        } else if s.is_some() {
            out.push(GroupScore {
                label: v.group(g),
                score: *s,
                withheld: None,
            });
        }
    }
    for (g, reason) in &d.suppressed {
        if !d.by_group.contains_key(g) {
            out.push(GroupScore {
                label: v.group(g),
                score: None,
                withheld: Some(reason.clone()),
            });
        }
    }
    out
}
