//! The report as one self-contained HTML file: inline CSS and SVG, no script, no font, no
//! image and no link to anywhere outside the file; a print stylesheet puts each section on its
//! own page. All user text (candidate and rater ids, attribute values, reasons, rubric text)
//! goes through [`esc`].

use super::model::{
    band, by_group, flag_title, iccs, interval, num, pval, significant, trend_word, Card, Tone,
    View,
};
use readiness::assessment::DimensionScore;
use readiness::cohort::calibration::RaterVerdict;
use readiness::cohort::ranking::RankedCandidate;
use readiness::stats::interpret::ReliabilityBand;
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// At most `max` characters of `s`, with an ellipsis when cut (for SVG labels; the full text
/// stays in the element's `<title>`).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

const CSS: &str = r#"
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#e3e7ec;--soft:#f5f7fa;--accent:#243b53;
--l0:#1f7a4d;--l1:#2f6fb0;--l2:#c07f12;--l3:#b4493a;--lx:#8a94a0;--tech:#6b7785;
--good:#1f7a4d;--warn:#c07f12;--alert:#b4493a;--info:#2f6fb0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#eef1f5;color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-variant-numeric:tabular-nums}
.page{max-width:1120px;margin:0 auto;background:#fff;box-shadow:0 1px 4px rgba(16,24,40,.08)}
header.cover{background:var(--accent);color:#fff;padding:32px 40px 26px}
header.cover h1{margin:0 0 4px;font-size:28px;font-weight:650;letter-spacing:-.01em}
header.cover p{margin:2px 0;color:#d9e2ec}
header.cover .note{margin-top:10px;font-size:13px;color:#bcccdc}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 16px;padding:10px 40px;border-bottom:1px solid var(--line);background:var(--soft);font-size:13px}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
section{padding:26px 40px 30px;border-bottom:1px solid var(--line)}
h2{margin:0 0 4px;font-size:21px;color:var(--accent);font-weight:650}
h2 .num{color:var(--muted);font-weight:500;margin-right:8px}
h3{margin:22px 0 6px;font-size:16px;color:var(--accent)}
p.lead{margin:0 0 16px;color:var(--muted);max-width:75ch}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:14px 0 18px}
.tile{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--soft)}
.tile .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.tile .v{font-size:26px;font-weight:650;line-height:1.2}
.tile .s{font-size:12px;color:var(--muted)}
ul.findings{list-style:none;margin:8px 0 0;padding:0}
ul.findings li{border-left:4px solid var(--info);background:var(--soft);padding:8px 12px;margin:0 0 8px;border-radius:0 6px 6px 0}
ul.findings li.good{border-color:var(--good)}ul.findings li.warn{border-color:var(--warn)}ul.findings li.alert{border-color:var(--alert)}
.tag{display:inline-block;font-size:11px;font-weight:650;text-transform:uppercase;letter-spacing:.05em;padding:1px 7px;border-radius:10px;margin-right:8px;color:#fff;background:var(--info);vertical-align:1px}
.tag.good{background:var(--good)}.tag.warn{background:var(--warn)}.tag.alert{background:var(--alert)}
table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:12px;color:var(--muted);font-weight:600;background:var(--soft);border-bottom:1px solid #cfd6de}
td.n,th.n{text-align:right;white-space:nowrap}
tbody tr:nth-child(even) td{background:#fbfcfd}
.pill{display:inline-block;padding:1px 9px;border-radius:11px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.pill.l0{background:var(--l0)}.pill.l1{background:var(--l1)}.pill.l2{background:var(--l2)}.pill.l3{background:var(--l3)}.pill.lx{background:var(--lx)}
.pill.out{background:#fff;color:var(--ink);border:1px solid #cfd6de;font-weight:500}
.badge{display:inline-block;font-size:11px;padding:0 6px;border-radius:4px;border:1px solid #cfd6de;color:var(--muted);margin:1px 3px 1px 0;white-space:nowrap}
.badge.alert{border-color:var(--alert);color:var(--alert);font-weight:600}
.badge.warn{border-color:var(--warn);color:#8a5a00;font-weight:600}
.badge.good{border-color:var(--good);color:var(--good)}
.muted{color:var(--muted)}
.nw{white-space:nowrap}
a.who{color:var(--ink);text-decoration:none;font-weight:600}
a.who:hover{text-decoration:underline}
svg{display:block}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
td svg{display:inline-block;vertical-align:middle}
figure{margin:10px 0}
figcaption{font-size:12px;color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin:6px 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.cards{display:grid;grid-template-columns:1fr;gap:16px;margin-top:12px}
.card{border:1px solid var(--line);border-radius:10px;padding:16px 18px;background:#fff}
.card header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px;border-bottom:1px solid var(--line);padding-bottom:10px;margin-bottom:12px}
.card header .name{font-size:18px;font-weight:650}
.card header .rank{font-size:12px;color:var(--muted)}
.card .cols{display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);gap:18px}
.card h4{margin:12px 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.card h4:first-child{margin-top:0}
.dim{margin:0 0 6px}
.dim .row{display:grid;grid-template-columns:150px 1fr 44px;align-items:center;gap:8px}
.dim .lbl{font-size:13px}
.dim .val{text-align:right;font-weight:600}
.dim .grp{font-size:11.5px;color:var(--muted);margin-left:158px}
.tech{border-top:1px dashed #cfd6de;margin-top:10px;padding-top:8px}
ul.flags,ul.dev,ul.unmet{margin:0;padding-left:18px}
ul.flags li,ul.dev li,ul.unmet li{margin:0 0 4px}
ul.dev ul{margin:2px 0 6px;padding-left:16px;color:#3e4c59}
.chips span{display:inline-block;background:#e8f3ec;color:#175c3a;border-radius:12px;padding:1px 9px;margin:0 4px 4px 0;font-size:12.5px}
.callout{border-left:4px solid var(--info);background:var(--soft);padding:10px 14px;border-radius:0 6px 6px 0;margin:8px 0 12px;font-size:15px}
.callout.alert{border-color:var(--alert)}.callout.good{border-color:var(--good)}
footer.prov{padding:20px 40px 28px;background:var(--soft);font-size:12.5px;color:var(--muted)}
footer.prov h2{font-size:16px}
footer.prov dl{display:grid;grid-template-columns:170px 1fr;gap:3px 12px;margin:8px 0 0}
footer.prov dt{font-weight:600;color:var(--ink)}
footer.prov dd{margin:0;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
@media (max-width:760px){.card .cols{grid-template-columns:1fr}section,header.cover,nav.toc,footer.prov{padding-left:16px;padding-right:16px}.dim .row{grid-template-columns:110px 1fr 40px}.dim .grp{margin-left:118px}}
@page{size:A4;margin:14mm 12mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:9.5pt}
.page{box-shadow:none;max-width:none}
nav.toc{display:none}
header.cover{padding:18px 20px}
section{break-before:page;padding:0 0 10px;border:0}
section#summary{break-before:auto;padding-top:14px}
footer.prov{break-before:avoid;padding:12px 0;background:#fff}
.card,.tile,figure,tr,ul.findings li,.callout{break-inside:avoid}
.card{padding:10px 12px}
h2,h3,h4{break-after:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
tbody tr:nth-child(even) td{background:#fff}
}
"#;

/// The level colour class: by position in the policy (best first), grey for levels outside it.
fn level_class(v: &View<'_>, level: &str) -> &'static str {
    let n = v.rubric.policy.levels.len();
    let r = v.level_rank(level);
    if r >= n {
        return "lx";
    }
    if n <= 1 {
        return "l0";
    }
    match (r * 3 + (n - 1) / 2) / (n - 1) {
        0 => "l0",
        1 => "l1",
        2 => "l2",
        _ => "l3",
    }
}

fn level_color(class: &str) -> &'static str {
    match class {
        "l0" => "#1f7a4d",
        "l1" => "#2f6fb0",
        "l2" => "#c07f12",
        "l3" => "#b4493a",
        _ => "#8a94a0",
    }
}

fn pill(v: &View<'_>, level: &str) -> String {
    format!(
        "<span class=\"pill {}\">{}</span>",
        level_class(v, level),
        esc(v.level(level))
    )
}

fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Good => "good",
        Tone::Warn => "warn",
        Tone::Alert => "alert",
        Tone::Info => "info",
    }
}

/// A 0–100 bar: track, optional interval, the value as a dot, and optional level thresholds.
fn score_bar(
    value: Option<f64>,
    ci: Option<[f64; 2]>,
    width: f64,
    color: &str,
    ticks: &[f64],
) -> String {
    let h = 14.0;
    let x = |s: f64| 4.0 + (width - 8.0) * s.clamp(0.0, 100.0) / 100.0;
    let mut s = format!(
        "<svg width=\"{width:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {width:.0} {h:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!(
            "{} of 100{}",
            num(value, 1),
            ci.map_or(String::new(), |[a, b]| format!(", 95% interval {a:.1} to {b:.1}"))
        ))
    );
    let _ = write!(
        s,
        "<rect x=\"4\" y=\"5\" width=\"{:.1}\" height=\"4\" rx=\"2\" fill=\"#e3e7ec\"/>",
        width - 8.0
    );
    for t in ticks {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"2\" y2=\"12\" stroke=\"#9aa5b1\" stroke-width=\"1\" stroke-dasharray=\"2 1\"/>",
            x(*t)
        );
    }
    if let Some(v) = value {
        let _ = write!(
            s,
            "<rect x=\"4\" y=\"5\" width=\"{:.1}\" height=\"4\" rx=\"2\" fill=\"{color}\" opacity=\"0.35\"/>",
            x(v) - 4.0
        );
    }
    if let Some([a, b]) = ci {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{1:.1}\" y1=\"7\" y2=\"7\" stroke=\"{color}\" stroke-width=\"2\"/><line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"3\" y2=\"11\" stroke=\"{color}\" stroke-width=\"1.5\"/><line x1=\"{1:.1}\" x2=\"{1:.1}\" y1=\"3\" y2=\"11\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
            x(a),
            x(b)
        );
    }
    if let Some(v) = value {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"7\" r=\"4.2\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"1.2\"/>",
            x(v)
        );
    }
    s.push_str("</svg>");
    s
}

/// A line of the index per cycle.
/// `range`: the index range the y axis spans (the same for every candidate, so lines compare).
fn sparkline(points: &[Option<f64>], width: f64, height: f64, range: [f64; 2]) -> String {
    let known: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(k, p)| p.map(|x| (k, x)))
        .collect();
    let mut s = format!(
        "<svg width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"index by cycle\">"
    );
    let n = points.len().max(2) - 1;
    let x = |k: usize| 3.0 + (width - 6.0) * k as f64 / n as f64;
    let [lo, hi] = range;
    let span = (hi - lo).max(1.0);
    let y = |v: f64| 3.0 + (height - 6.0) * (1.0 - ((v - lo) / span).clamp(0.0, 1.0));
    let _ = write!(
        s,
        "<line x1=\"3\" x2=\"{:.1}\" y1=\"{1:.1}\" y2=\"{1:.1}\" stroke=\"#e3e7ec\"/>",
        width - 3.0,
        y((lo + hi) / 2.0)
    );
    if known.len() > 1 {
        let pts: Vec<String> = known
            .iter()
            .map(|(k, v)| format!("{:.1},{:.1}", x(*k), y(*v)))
            .collect();
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#243b53\" stroke-width=\"1.6\" stroke-linejoin=\"round\"/>",
            pts.join(" ")
        );
    }
    if let Some((k, v)) = known.last() {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.6\" fill=\"#243b53\"/>",
            x(*k),
            y(*v)
        );
    }
    s.push_str("</svg>");
    s
}

/// A value on a symmetric scale around 0 (rater effects, correlations).
fn diverging(value: Option<f64>, ci: Option<[f64; 2]>, limit: f64, color: &str) -> String {
    let (w, h) = (120.0, 14.0);
    let x = |v: f64| w / 2.0 + (w / 2.0 - 4.0) * (v / limit).clamp(-1.0, 1.0);
    let mut s = format!(
        "<svg width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" aria-hidden=\"true\"><line x1=\"4\" x2=\"{:.0}\" y1=\"7\" y2=\"7\" stroke=\"#e3e7ec\" stroke-width=\"4\"/><line x1=\"{1:.0}\" x2=\"{1:.0}\" y1=\"1\" y2=\"13\" stroke=\"#9aa5b1\"/>",
        w - 4.0,
        w / 2.0
    );
    if let Some([a, b]) = ci {
        let _ = write!(
            s,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"7\" y2=\"7\" stroke=\"{color}\" stroke-width=\"2\" opacity=\"0.6\"/>",
            x(a),
            x(b)
        );
    }
    if let Some(v) = value {
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"4\" width=\"{:.1}\" height=\"6\" fill=\"{color}\" rx=\"1\"/>",
            x(v).min(w / 2.0),
            (x(v) - w / 2.0).abs()
        );
    }
    s.push_str("</svg>");
    s
}

struct Html<'a, 'b> {
    v: &'b View<'a>,
    out: String,
}

impl Html<'_, '_> {
    fn section(&mut self, id: &str, n: usize, title: &str, lead: &str) {
        let _ = write!(
            self.out,
            "<section id=\"{id}\"><h2><span class=\"num\">{n}</span>{}</h2>",
            esc(title)
        );
        if !lead.is_empty() {
            let _ = write!(self.out, "<p class=\"lead\">{lead}</p>");
        }
    }

    fn end(&mut self) {
        self.out.push_str("</section>\n");
    }

    /// A table; header cells ending in `#` are right-aligned; body cells are HTML already.
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            self.out.push_str("<p class=\"muted\">None.</p>");
            return;
        }
        let right: Vec<bool> = header.iter().map(|h| h.ends_with('#')).collect();
        self.out.push_str("<table><thead><tr>");
        for (h, r) in header.iter().zip(&right) {
            let _ = write!(
                self.out,
                "<th{}>{}</th>",
                if *r { " class=\"n\"" } else { "" },
                esc(h.trim_end_matches('#'))
            );
        }
        self.out.push_str("</tr></thead><tbody>");
        for row in rows {
            self.out.push_str("<tr>");
            for (k, c) in row.iter().enumerate() {
                let _ = write!(
                    self.out,
                    "<td{}>{c}</td>",
                    if right.get(k).copied().unwrap_or(false) {
                        " class=\"n\""
                    } else {
                        ""
                    }
                );
            }
            self.out.push_str("</tr>");
        }
        self.out.push_str("</tbody></table>\n");
    }
}

/// Renders the report as one HTML document.
pub(crate) fn render(v: &View<'_>) -> String {
    let r = v.report;
    let p = &r.provenance;
    let mut h = Html {
        v,
        out: String::with_capacity(256 * 1024),
    };
    let _ = write!(
        h.out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"readiness {}\">\n<title>Promotion readiness report — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<div class=\"page\">\n",
        esc(&p.engine),
        esc(&v.rubric.name)
    );
    let _ = write!(
        h.out,
        "<header class=\"cover\"><h1>Promotion readiness report</h1><p>{} · rubric <code>{}</code></p><p>{} candidates · {} raters · {}</p><p class=\"note\">Leadership potential, attitude and impact make the readiness index. Technical expertise is reported apart: it may gate a level, it never enters the index.</p></header>",
        esc(&v.rubric.name),
        esc(&p.rubric),
        p.candidates,
        p.raters,
        if p.cycles > 0 {
            format!("{} cycles", p.cycles)
        } else {
            "one cycle".into()
        }
    );
    h.out.push_str("\n<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#summary\">Summary</a><a href=\"#cohort\">Cohort</a><a href=\"#nine-box\">9-box</a><a href=\"#candidates\">Candidates</a><a href=\"#reliability\">Reliability</a><a href=\"#calibration\">Calibration</a><a href=\"#fairness\">Fairness</a><a href=\"#decisions\">Decision audit</a><a href=\"#trends\">Trends</a><a href=\"#overrides\">Overrides</a><a href=\"#provenance\">Provenance</a></nav>\n<main>\n");
    summary(&mut h);
    cohort(&mut h);
    nine_box(&mut h);
    candidates(&mut h);
    reliability(&mut h);
    calibration(&mut h);
    fairness(&mut h);
    decisions(&mut h);
    trends(&mut h);
    overrides(&mut h);
    h.out.push_str("</main>\n");
    let _ = write!(
        h.out,
        "<footer class=\"prov\" id=\"provenance\"><h2>Provenance</h2><dl><dt>Engine</dt><dd>readiness {}</dd><dt>Rubric</dt><dd><code>{}</code> — {}</dd><dt>Rubric fingerprint</dt><dd><code>{}</code></dd><dt>Ratings digest</dt><dd><code>{}</code></dd><dt>Ratings</dt><dd>{} rows, {} scored; {} candidates, {} raters, {} cycles, {} assessments</dd><dt>Inputs</dt><dd>attributes {}, decisions {}, overrides {}</dd><dt>Anonymity</dt><dd>{}: a rater group's breakdown is withheld below its minimum number of raters</dd></dl></footer>\n</div>\n</body>\n</html>\n",
        esc(&p.engine),
        esc(&p.rubric),
        esc(&v.rubric.name),
        esc(&p.fingerprint),
        esc(&p.ratings_digest),
        p.ratings,
        p.scored,
        p.candidates,
        p.raters,
        p.cycles,
        p.assessments,
        p.attributes.map_or("–".into(), |n| format!("{n} rows")),
        p.decisions.map_or("–".into(), |n| format!("{n} rows")),
        p.overrides,
        if p.anonymity.is_suppress() {
            "suppress"
        } else {
            "roll up"
        }
    );
    h.out
}

fn summary(h: &mut Html<'_, '_>) {
    let v = h.v;
    let r = v.report;
    h.section(
        "summary",
        1,
        "Summary",
        "Where the cohort stands and what needs attention. Levels are final, after any override.",
    );
    let n = r.ranking.candidates.len();
    h.out.push_str("<div class=\"tiles\">");
    let _ = write!(
        h.out,
        "<div class=\"tile\"><div class=\"k\">Candidates</div><div class=\"v\">{n}</div><div class=\"s\">{} ratings from {} raters</div></div>",
        r.provenance.scored, r.provenance.raters
    );
    for l in r
        .ranking
        .levels
        .iter()
        .filter(|l| l.final_count > 0 || l.level != readiness::rubric::INSUFFICIENT_EVIDENCE)
    {
        let _ = write!(
            h.out,
            "<div class=\"tile\" style=\"border-top:3px solid {}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"s\">{:.0}% · {} as computed</div></div>",
            level_color(level_class(v, &l.level)),
            esc(&l.label),
            l.final_count,
            if n == 0 { 0.0 } else { 100.0 * f64::from(l.final_count) / n as f64 },
            l.computed
        );
    }
    h.out.push_str("</div>");
    // Distribution as one stacked bar.
    if n > 0 {
        let w = 1040.0;
        let mut x = 0.0;
        let _ = write!(
            h.out,
            "<figure><svg width=\"100%\" height=\"28\" viewBox=\"0 0 {w:.0} 28\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"candidates per level\">"
        );
        for l in &r.ranking.levels {
            if l.final_count == 0 {
                continue;
            }
            let lw = w * f64::from(l.final_count) / n as f64;
            let _ = write!(
                h.out,
                "<rect x=\"{x:.1}\" y=\"0\" width=\"{lw:.1}\" height=\"28\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"2\"><title>{}: {}</title></rect>",
                level_color(level_class(v, &l.level)),
                esc(&l.label),
                l.final_count
            );
            if lw > 36.0 {
                let _ = write!(
                    h.out,
                    "<text x=\"{:.1}\" y=\"18.5\" font-size=\"13\" font-weight=\"600\" fill=\"#fff\" text-anchor=\"middle\">{}</text>",
                    x + lw / 2.0,
                    l.final_count
                );
            }
            x += lw;
        }
        h.out.push_str("</svg><div class=\"legend\">");
        for l in &r.ranking.levels {
            let _ = write!(
                h.out,
                "<span><i style=\"background:{}\"></i>{}</span>",
                level_color(level_class(v, &l.level)),
                esc(&l.label)
            );
        }
        h.out.push_str("</div></figure>");
    }
    if let Some(s) = &r.ranking.index {
        let _ = write!(
            h.out,
            "<p class=\"muted\">Readiness index (0–100): median {:.1}, middle half {:.1}–{:.1}, range {:.1}–{:.1} over {} candidates.</p>",
            s.median, s.q1, s.q3, s.min, s.max, s.n
        );
    }
    h.out
        .push_str("<h3>Headline findings</h3><ul class=\"findings\">");
    for f in &v.findings {
        let c = tone_class(f.tone);
        let _ = write!(
            h.out,
            "<li class=\"{c}\"><span class=\"tag {c}\">{}</span>{}</li>",
            f.tone.word(),
            esc(&f.text)
        );
    }
    h.out.push_str("</ul>");
    h.end();
}

fn level_ticks(v: &View<'_>) -> Vec<f64> {
    v.rubric
        .policy
        .levels
        .iter()
        .filter_map(|l| l.min_index)
        .collect()
}

fn flag_badges(c: &Card<'_>) -> String {
    let Some(d) = c.doc else {
        return String::new();
    };
    let mut seen = Vec::new();
    let mut s = String::new();
    for f in &d.flags {
        let t = flag_title(f.code);
        if seen.contains(&t) {
            continue;
        }
        seen.push(t);
        let class = match f.code {
            readiness::FlagCode::ExpertTrap | readiness::FlagCode::BlindSpot => " warn",
            readiness::FlagCode::HiddenStrength => " good",
            _ => "",
        };
        let _ = write!(s, "<span class=\"badge{class}\">{}</span>", esc(t));
    }
    s
}

fn cohort(h: &mut Html<'_, '_>) {
    let v = h.v;
    h.section(
        "cohort",
        2,
        "Cohort",
        "Every candidate by readiness index, highest first (ties share a rank). The bar shows the index with its 95% interval; dashed marks are the levels' minimum index.",
    );
    let ticks = level_ticks(v);
    let rows: Vec<Vec<String>> = v
        .cards
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let rc = c.ranked;
            let class = level_class(v, &rc.final_level);
            let mut level = pill(v, &rc.final_level);
            if rc.final_level != rc.level {
                let _ = write!(
                    level,
                    " <span class=\"badge\" title=\"computed: {0}\">override · computed {0}</span>",
                    esc(v.level(&rc.level))
                );
            }
            vec![
                rc.rank.map_or("–".into(), |k| k.to_string()),
                format!("<a class=\"who\" href=\"#c{k}\">{}</a>", esc(&rc.candidate)),
                level,
                score_bar(rc.index, rc.ci95, 170.0, level_color(class), &ticks),
                format!("<b>{}</b>", num(rc.index, 1)),
                interval(rc.ci95, 1),
                num(rc.percentile, 0),
                num(c.doc.and_then(|d| d.technical.score), 0),
                match (&rc.next_level, rc.index_gap) {
                    _ if rc.final_level != rc.level => String::new(),
                    (Some(l), Some(g)) if g > 0.0 => {
                        format!("<span class=\"nw\">+{g:.1} to {}</span>", esc(v.level(l)))
                    }
                    (Some(l), _) => format!(
                        "<span class=\"muted\">other conditions for {}</span>",
                        esc(v.level(l))
                    ),
                    _ => String::new(),
                },
                flag_badges(c),
            ]
        })
        .collect();
    h.table(
        &[
            "Rank#",
            "Candidate",
            "Level",
            "Index and 95% interval",
            "Index#",
            "95% CI#",
            "Pct#",
            "Technical#",
            "Next level",
            "Flags",
        ],
        &rows,
    );
    h.end();
}

fn nine_box(h: &mut Html<'_, '_>) {
    let v = h.v;
    let nb = &v.report.nine_box;
    let lead = format!(
        "Performance = {}; potential = {}. Bands are cut at {} on 0–100 ({}).",
        esc(&nb.performance.dimensions.join(" + ")),
        esc(&nb.potential.dimensions.join(" + ")),
        interval(nb.performance.cuts, 0),
        esc(&nb.method)
    );
    h.section("nine-box", 3, "9-box: performance × potential", &lead);
    let (left, top, cw, ch) = (64.0, 10.0, 318.0, 176.0);
    let (w, ht) = (left + 3.0 * cw + 10.0, top + 3.0 * ch + 52.0);
    let _ = write!(
        h.out,
        "<figure><svg width=\"100%\" viewBox=\"0 0 {w:.0} {ht:.0}\" role=\"img\" aria-label=\"9-box grid\" style=\"max-width:{w:.0}px\">"
    );
    let fill = |cell: u8| match cell {
        9 => "#e3f1e8",
        6 | 8 => "#eef5ef",
        5 => "#f3f5f7",
        1 => "#f8e9e6",
        2 | 4 => "#fbf3ea",
        _ => "#f5f7fa",
    };
    for p in 0..3u8 {
        for q in 0..3u8 {
            let id = 3 * p + q + 1;
            let x = left + f64::from(q) * cw;
            let y = top + f64::from(2 - p) * ch;
            let cell = nb.cells.iter().find(|c| c.cell == id);
            let name = cell.map_or(String::new(), |c| c.name.clone());
            let count = cell.map_or(0, |c| c.count);
            let _ = write!(
                h.out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"4\"/>",
                x,
                y,
                cw,
                ch,
                fill(id)
            );
            let _ = write!(
                h.out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"650\" fill=\"#243b53\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"20\" font-weight=\"650\" fill=\"#243b53\" text-anchor=\"end\">{count}</text>",
                x + 12.0,
                y + 24.0,
                esc(&clip(&name, 30)),
                x + cw - 12.0,
                y + 27.0
            );
            let who: Vec<&str> = nb
                .candidates
                .iter()
                .filter(|c| c.cell == Some(id))
                .map(|c| c.candidate.as_str())
                .collect();
            // Names in columns; the last slot says how many more when they do not fit.
            let longest = who
                .iter()
                .map(|s| s.chars().count().min(14))
                .max()
                .unwrap_or(1);
            let col_w = (longest as f64 * 6.9 + 14.0).max(48.0);
            let cols = ((cw - 20.0) / col_w).floor().max(1.0) as usize;
            let rows = ((ch - 44.0) / 15.0).floor().max(1.0) as usize;
            let slots = cols * rows;
            for (k, name) in who.iter().enumerate() {
                if k + 1 == slots && who.len() > slots {
                    let _ = write!(
                        h.out,
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5f6b7a\">+{} more</text>",
                        x + 12.0 + (k % cols) as f64 * col_w,
                        y + 46.0 + (k / cols) as f64 * 15.0,
                        who.len() - k
                    );
                    break;
                }
                let _ = write!(
                    h.out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\"><title>{}</title>{}</text>",
                    x + 12.0 + (k % cols) as f64 * col_w,
                    y + 46.0 + (k / cols) as f64 * 15.0,
                    esc(name),
                    esc(&clip(name, 14))
                );
            }
        }
    }
    for (k, band) in ["low", "middle", "high"].iter().enumerate() {
        let _ = write!(
            h.out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5f6b7a\" text-anchor=\"middle\">{band}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5f6b7a\" text-anchor=\"middle\" transform=\"rotate(-90 {2:.1} {3:.1})\">{band}</text>",
            left + (k as f64 + 0.5) * cw,
            top + 3.0 * ch + 18.0,
            left - 14.0,
            top + (2.0 - k as f64 + 0.5) * ch
        );
    }
    let _ = write!(
        h.out,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#243b53\" text-anchor=\"middle\">Performance →</text><text x=\"18\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#243b53\" text-anchor=\"middle\" transform=\"rotate(-90 18 {2:.1})\">Potential →</text></svg></figure>",
        left + 1.5 * cw,
        top + 3.0 * ch + 42.0,
        top + 1.5 * ch
    );
    let unplaced: Vec<String> = nb
        .candidates
        .iter()
        .filter(|p| p.cell.is_none())
        .map(|p| esc(&p.candidate))
        .collect();
    if !unplaced.is_empty() {
        let _ = write!(
            h.out,
            "<p class=\"muted\">Not placed (an axis without a score): {}</p>",
            unplaced.join(", ")
        );
    }
    h.end();
}

fn dimension_html(v: &View<'_>, d: &DimensionScore, color: &str) -> String {
    let groups: Vec<String> = by_group(v, d)
        .iter()
        .map(|g| match (&g.withheld, g.score) {
            (Some(reason), _) => format!(
                "<span title=\"{}\">{} withheld</span>",
                esc(reason),
                esc(&g.label)
            ),
            (None, s) => format!("{} {}", esc(&g.label), num(s, 0)),
        })
        .collect();
    format!(
        "<div class=\"dim\"><div class=\"row\"><span class=\"lbl\">{}</span>{}<span class=\"val\">{}</span></div><div class=\"grp\">{}{}</div></div>",
        esc(v.dimension(&d.id)),
        score_bar(d.score, d.ci95, 250.0, color, &[]),
        num(d.score, 0),
        if d.ci95.is_some() {
            format!("95% CI {} · ", interval(d.ci95, 0))
        } else {
            String::new()
        },
        groups.join(" · ")
    )
}

/// "Towards ready now", or for an overridden level why the engine computed what it did.
pub(crate) fn next_heading(v: &View<'_>, rc: &RankedCandidate, next: &str) -> String {
    if rc.final_level == rc.level {
        format!("Towards {}", v.level(next).to_lowercase())
    } else {
        format!(
            "Why the engine computed {}",
            v.level(&rc.level).to_lowercase()
        )
    }
}

fn candidates(h: &mut Html<'_, '_>) {
    let v = h.v;
    h.section(
        "candidates",
        4,
        "Candidates",
        "One card per candidate, in ranking order. Dots are scores on 0–100, whiskers their 95% interval. Rater-group breakdowns below a group's minimum number of raters are withheld to protect anonymity.",
    );
    let ticks = level_ticks(v);
    h.out.push_str("<div class=\"cards\">");
    for (k, c) in v.cards.iter().enumerate() {
        let rc = c.ranked;
        let color = level_color(level_class(v, &rc.final_level));
        let _ = write!(
            h.out,
            "<article class=\"card\" id=\"c{k}\"><header><span class=\"name\">{}</span>{}",
            esc(&rc.candidate),
            pill(v, &rc.final_level)
        );
        if rc.final_level != rc.level {
            let _ = write!(
                h.out,
                "<span class=\"badge\">level set by override · computed {}</span>",
                esc(v.level(&rc.level))
            );
        }
        if let Some(name) = c.nine_box.and_then(|b| b.name.as_deref()) {
            let _ = write!(
                h.out,
                "<span class=\"pill out\">9-box: {}</span>",
                esc(name)
            );
        }
        let _ = write!(
            h.out,
            "<span class=\"rank\">rank {} of {} · percentile {}{}</span>",
            rc.rank.map_or("–".into(), |k| k.to_string()),
            v.cards.len(),
            num(rc.percentile, 0),
            rc.cycle
                .as_deref()
                .map_or(String::new(), |cy| format!(" · cycle {}", esc(cy)))
        );
        if let Some(t) = c.trend.filter(|t| t.indexes.len() > 1) {
            let pts: Vec<Option<f64>> = t.indexes.iter().map(|p| p.index).collect();
            let _ = write!(
                h.out,
                "<span title=\"{}\">{}</span>",
                esc(&t
                    .indexes
                    .iter()
                    .map(|p| format!("{} {}", p.cycle, num(p.index, 1)))
                    .collect::<Vec<_>>()
                    .join(" → ")),
                sparkline(&pts, 90.0, 24.0, trend_range(v))
            );
        }
        h.out.push_str("</header>");
        let Some(d) = c.doc else {
            h.out
                .push_str("<p class=\"muted\">No assessment.</p></article>");
            continue;
        };
        h.out.push_str("<div class=\"cols\"><div>");
        let _ = write!(
            h.out,
            "<h4>Readiness index</h4><div class=\"dim\"><div class=\"row\"><span class=\"lbl\"><b>Index</b></span>{}<span class=\"val\" style=\"font-size:16px\">{}</span></div><div class=\"grp\">95% CI {}{}</div></div>",
            score_bar(rc.index, rc.ci95, 250.0, color, &ticks),
            num(rc.index, 1),
            interval(rc.ci95, 1),
            match (&rc.next_level, rc.index_gap) {
                _ if rc.final_level != rc.level => String::new(),
                (Some(l), Some(g)) if g > 0.0 => format!(" · {g:.1} points to {}", esc(&v.level(l).to_lowercase())),
                _ => String::new(),
            }
        );
        h.out.push_str("<h4>Leadership side (in the index)</h4>");
        for dim in d.dimensions.iter().filter(|x| x.kind != "technical") {
            h.out.push_str(&dimension_html(v, dim, "#243b53"));
        }
        let tech: Vec<&DimensionScore> = d
            .dimensions
            .iter()
            .filter(|x| x.kind == "technical")
            .collect();
        if !tech.is_empty() {
            h.out.push_str(
                "<div class=\"tech\"><h4>Technical expertise (apart: never in the index)</h4>",
            );
            for dim in tech {
                h.out.push_str(&dimension_html(v, dim, "#6b7785"));
            }
            h.out.push_str("</div>");
        }
        h.out.push_str("</div><div>");
        if !d.flags.is_empty() {
            h.out.push_str("<h4>Flags</h4><ul class=\"flags\">");
            for f in &d.flags {
                let _ = write!(
                    h.out,
                    "<li><b>{}.</b> {}</li>",
                    flag_title(f.code),
                    esc(&f.message)
                );
            }
            h.out.push_str("</ul>");
        }
        if let Some(next) = d
            .readiness
            .next_level
            .as_ref()
            .filter(|n| !n.unmet.is_empty())
        {
            let _ = write!(
                h.out,
                "<h4>{}</h4><ul class=\"unmet\">",
                esc(&next_heading(v, rc, &next.level))
            );
            for u in &next.unmet {
                let _ = write!(h.out, "<li>{}</li>", esc(u));
            }
            h.out.push_str("</ul>");
        }
        if !d.strengths.is_empty() {
            h.out.push_str("<h4>Strengths</h4><div class=\"chips\">");
            for s in &d.strengths {
                let _ = write!(h.out, "<span>{}</span>", esc(v.criterion(s)));
            }
            h.out.push_str("</div>");
        }
        if !d.development.is_empty() {
            h.out.push_str("<h4>Development</h4><ul class=\"dev\">");
            for a in &d.development {
                let _ = write!(
                    h.out,
                    "<li><b>{}</b> <span class=\"muted\">({:.1} of {})</span>",
                    esc(v.criterion(&a.criterion)),
                    a.raw,
                    v.rubric.scale.max
                );
                if !a.actions.is_empty() {
                    h.out.push_str("<ul>");
                    for act in &a.actions {
                        let _ = write!(h.out, "<li>{}</li>", esc(act));
                    }
                    h.out.push_str("</ul>");
                }
                h.out.push_str("</li>");
            }
            h.out.push_str("</ul>");
        }
        h.out.push_str("</div></div></article>\n");
    }
    h.out.push_str("</div>");
    h.end();
}

fn band_badge(b: Option<ReliabilityBand>) -> String {
    let class = match b {
        Some(ReliabilityBand::Excellent | ReliabilityBand::Good) => "good",
        Some(ReliabilityBand::Moderate) => "warn",
        Some(ReliabilityBand::Poor) => "alert",
        None => "",
    };
    format!("<span class=\"badge {class}\">{}</span>", band(b))
}

fn reliability(h: &mut Html<'_, '_>) {
    let v = h.v;
    let r = v.report;
    h.section(
        "reliability",
        5,
        "Reliability",
        "How far the ratings can be trusted. ICC bands after Koo &amp; Li (2016): below 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, 0.90 and above excellent. A band is supported only as far as the lower end of its 95% interval reaches.",
    );
    let Some(t) = &r.reliability.table else {
        let _ = write!(
            h.out,
            "<p>Not available: {}.</p>",
            esc(r
                .reliability
                .unavailable
                .as_deref()
                .unwrap_or("unknown reason"))
        );
        h.end();
        return;
    };
    h.out.push_str("<div class=\"legend\"><span><i style=\"background:#b4493a\"></i>poor &lt; 0.50</span><span><i style=\"background:#c07f12\"></i>moderate 0.50–0.75</span><span><i style=\"background:#1f7a4d\"></i>good 0.75–0.90</span><span><i style=\"background:#1f7a4d\"></i>excellent ≥ 0.90</span></div>");
    let _ = write!(
        h.out,
        "<p class=\"muted\">{} units, {} scoring raters, {} design.</p>",
        t.n_units,
        t.n_raters,
        format!("{:?}", t.design).to_lowercase()
    );
    let icc = |f: Option<&readiness::stats::icc::IccForm>| match f {
        Some(f) => format!(
            "<b>{}</b> <span class=\"muted\">[{}, {}] {}</span>",
            num(f.icc, 2),
            num(f.ci_lower, 2),
            num(f.ci_upper, 2),
            esc(&f.shrout_fleiss)
        ),
        None => "–".into(),
    };
    let rows: Vec<Vec<String>> = t
        .dimensions
        .iter()
        .chain(t.overall.iter())
        .map(|row| {
            let (single, mean) = iccs(row);
            vec![
                if row.id == "overall" {
                    "<b>Overall (index)</b>".into()
                } else {
                    esc(v.dimension(&row.id))
                },
                icc(single),
                icc(mean),
                mean.map_or("–".into(), |f| {
                    format!(
                        "{} supported: {}",
                        band_badge(f.interpretation.point),
                        band_badge(f.interpretation.supported)
                    )
                }),
                num(row.cronbach.result.as_ref().and_then(|a| a.alpha), 2),
                num(row.krippendorff.result.as_ref().and_then(|a| a.alpha), 2),
                num(row.rwg.mean, 2),
            ]
        })
        .collect();
    h.table(
        &[
            "Dimension",
            "ICC, one rater [95% CI]",
            "ICC, mean of raters [95% CI]",
            "Band of the mean",
            "Cronbach α#",
            "Krippendorff α#",
            "Mean rwg(J)#",
        ],
        &rows,
    );
    h.end();
}

fn calibration(h: &mut Html<'_, '_>) {
    let v = h.v;
    let c = &v.report.calibration;
    let lead = format!(
        "Are some raters systematically lenient or severe? Effect: how far a rater's scores sit above (+) or below (−) the other raters of the same candidates, in scale points; verdicts after Holm adjustment at α = {}. Raters of anonymous groups are summarised per group only.",
        c.alpha
    );
    h.section("calibration", 6, "Calibration", &lead);
    let limit = c
        .raters
        .iter()
        .filter_map(|x| x.effect.map(f64::abs))
        .fold(0.25, f64::max);
    let rows: Vec<Vec<String>> = c
        .raters
        .iter()
        .map(|x| {
            let (verdict, color) = match x.verdict {
                Some(RaterVerdict::Lenient) => {
                    ("<span class=\"badge alert\">lenient</span>", "#b4493a")
                }
                Some(RaterVerdict::Severe) => {
                    ("<span class=\"badge alert\">severe</span>", "#b4493a")
                }
                Some(_) => ("<span class=\"badge\">typical</span>", "#2f6fb0"),
                None => ("<span class=\"muted\">no verdict</span>", "#8a94a0"),
            };
            vec![
                esc(&x.rater),
                esc(&v.group(&x.group)),
                x.n_candidates.to_string(),
                diverging(x.effect, None, limit, color),
                x.effect.map_or("–".into(), |e| format!("{e:+.2}")),
                pval(x.p_adjusted),
                verdict.to_string(),
            ]
        })
        .collect();
    h.table(
        &[
            "Rater",
            "Group",
            "Candidates#",
            "Effect (− severe · lenient +)",
            "Effect#",
            "p (Holm)#",
            "Verdict",
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
                    "<span class=\"muted\">summary only (anonymous)</span>".into()
                },
            ]
        })
        .collect();
    h.out.push_str("<h3>Rater groups</h3>");
    h.table(
        &[
            "Group",
            "Raters#",
            "Mean deviation#",
            "Lenient#",
            "Severe#",
            "Reported",
        ],
        &rows,
    );
    h.out.push_str("<h3>Levels before and after overrides</h3>");
    let rows: Vec<Vec<String>> = c
        .levels
        .iter()
        .map(|l| {
            vec![
                pill(v, &l.level),
                l.computed.to_string(),
                l.final_count.to_string(),
                if l.delta == 0 {
                    "<span class=\"muted\">0</span>".into()
                } else {
                    format!("<b>{:+}</b>", l.delta)
                },
            ]
        })
        .collect();
    h.table(&["Level", "Computed#", "Final#", "Change#"], &rows);
    match &c.distribution {
        Some(t) => {
            let rows: Vec<Vec<String>> = t
                .levels
                .iter()
                .map(|l| {
                    vec![
                        pill(v, &l.level),
                        format!("{:.0}%", 100.0 * l.target),
                        format!("{:.1}", l.expected),
                        l.observed.to_string(),
                    ]
                })
                .collect();
            h.out.push_str("<h3>Against the target distribution</h3>");
            h.table(&["Level", "Target#", "Expected#", "Observed#"], &rows);
            let _ = write!(
                h.out,
                "<p>χ² = {} (df {}), p {}: {}{}.</p>",
                num(t.chi_square, 2),
                t.df,
                pval(t.p),
                if significant(t.p) {
                    "<b>the levels differ from the target distribution</b>"
                } else {
                    "consistent with the target distribution"
                },
                if t.small_expected {
                    "; an expected count is below 5, so read it with care"
                } else {
                    ""
                }
            );
        }
        None => h
            .out
            .push_str("<p class=\"muted\">The rubric sets no target distribution of levels.</p>"),
    }
    h.end();
}

fn rate_bar(rate: f64, best: f64) -> String {
    let w = 120.0;
    let x = |r: f64| 2.0 + (w - 4.0) * r.clamp(0.0, 1.0);
    let mut s = format!(
        "<svg width=\"{w:.0}\" height=\"14\" viewBox=\"0 0 {w:.0} 14\" aria-hidden=\"true\"><rect x=\"2\" y=\"3\" width=\"{:.1}\" height=\"8\" fill=\"#e3e7ec\" rx=\"2\"/><rect x=\"2\" y=\"3\" width=\"{:.1}\" height=\"8\" fill=\"#2f6fb0\" rx=\"2\"/>",
        w - 4.0,
        x(rate) - 2.0
    );
    if best > 0.0 {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"14\" stroke=\"#b4493a\" stroke-width=\"1.5\"/>",
            x(0.8 * best)
        );
    }
    s.push_str("</svg>");
    s
}

fn fairness(h: &mut Html<'_, '_>) {
    let v = h.v;
    let r = v.report;
    h.section(
        "fairness",
        7,
        "Fairness",
        "Adverse impact of the selection per attribute and per pair of attributes. The red mark on each bar is four-fifths of the highest group's rate: a group left of it fails the four-fifths rule. <b>significant</b> marks Fisher p &lt; 0.05 against the reference group; a small sample is not evidence either way.",
    );
    if r.fairness.is_empty() {
        h.out.push_str("<p class=\"muted\">No attributes given (<code>--attributes</code>), so there is no adverse-impact analysis.</p>");
        h.end();
        return;
    }
    for t in &r.fairness {
        let sel: Vec<String> = t.selection.iter().map(|l| esc(v.level(l))).collect();
        let _ = write!(
            h.out,
            "<h3>{}{}</h3><p class=\"muted\">Selected: {}. Reference (highest rate): {}; lowest: {} — Fisher p {}{}; index difference g = {} [{}]{}</p>",
            esc(&t.attribute),
            if t.four_fifths_violation {
                " <span class=\"badge warn\">below four-fifths</span>"
            } else {
                " <span class=\"badge good\">four-fifths met</span>"
            },
            sel.join(", "),
            esc(t.reference.as_deref().unwrap_or("–")),
            esc(t.focal.as_deref().unwrap_or("–")),
            pval(t.fisher_p),
            if significant(t.fisher_p) {
                " <span class=\"badge alert\">significant</span>"
            } else {
                ""
            },
            num(t.smd.as_ref().map(|s| s.g), 2),
            interval(t.smd.as_ref().map(|s| s.ci95), 2),
            if t.small_sample {
                " · <span class=\"badge\">small sample</span>"
            } else {
                ""
            }
        );
        let best = t.groups.iter().map(|g| g.rate).fold(0.0, f64::max);
        let rows: Vec<Vec<String>> = t
            .groups
            .iter()
            .map(|g| {
                vec![
                    esc(&g.group),
                    g.n.to_string(),
                    g.selected.to_string(),
                    rate_bar(g.rate, best),
                    format!("{:.0}%", 100.0 * g.rate),
                    num(g.impact_ratio, 2),
                    if g.four_fifths_violation {
                        "<span class=\"badge warn\">below 4/5</span>".into()
                    } else {
                        "<span class=\"muted\">met</span>".into()
                    },
                    format!(
                        "{}{}",
                        pval(g.fisher_p),
                        if significant(g.fisher_p) {
                            " <span class=\"badge alert\">significant</span>"
                        } else {
                            ""
                        }
                    ),
                    format!("{:.1}", g.shortfall),
                ]
            })
            .collect();
        h.table(
            &[
                "Group",
                "n#",
                "Selected#",
                "Selection rate",
                "Rate#",
                "Impact ratio#",
                "Four-fifths",
                "Fisher p#",
                "Shortfall#",
            ],
            &rows,
        );
    }
    h.end();
}

fn decisions(h: &mut Html<'_, '_>) {
    let v = h.v;
    h.section(
        "decisions",
        8,
        "Decision audit",
        "Did past promotions follow leadership readiness, or technical expertise? Correlation of promoted (yes/no) with each score, and the area under the ROC curve (0.5 = no better than chance).",
    );
    let Some(a) = &v.report.decision_audit else {
        h.out
            .push_str("<p class=\"muted\">No past decisions given (<code>--decisions</code>).</p>");
        h.end();
        return;
    };
    let class = match a.driver.as_str() {
        "technical" => "alert",
        "readiness" => "good",
        _ => "",
    };
    let _ = write!(
        h.out,
        "<div class=\"callout {class}\"><b>Verdict:</b> {}. <span class=\"muted\">{} decisions, {} promoted.</span></div>",
        esc(a.verdict.trim_end_matches('.')),
        a.n,
        a.promoted
    );
    let rows: Vec<Vec<String>> = [
        ("Technical score", &a.technical, "#6b7785"),
        ("Readiness index", &a.readiness, "#243b53"),
    ]
    .iter()
    .map(|(k, s, color)| {
        vec![
            (*k).to_string(),
            s.n.to_string(),
            diverging(s.r, s.ci95, 1.0, color),
            format!("<b>{}</b>", num(s.r, 2)),
            interval(s.ci95, 2),
            num(s.auc, 2),
        ]
    })
    .collect();
    h.table(
        &[
            "Promotions against",
            "n#",
            "Correlation (−1 … +1)",
            "r#",
            "95% CI#",
            "AUC#",
        ],
        &rows,
    );
    let list = |xs: &[String]| {
        if xs.is_empty() {
            "none".to_string()
        } else {
            xs.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", ")
        }
    };
    let _ = write!(
        h.out,
        "<p><b>Promoted but assessed at the lowest level:</b> {}</p><p><b>Ready now but not promoted:</b> {}</p>",
        list(&a.promoted_not_ready),
        list(&a.ready_not_promoted)
    );
    h.end();
}

/// The range of every index in the trends, padded to at least 10 points.
fn trend_range(v: &View<'_>) -> [f64; 2] {
    let all = v
        .report
        .trends
        .candidates
        .iter()
        .flat_map(|c| c.indexes.iter().filter_map(|p| p.index));
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !lo.is_finite() {
        return [0.0, 100.0];
    }
    let pad = ((10.0 - (hi - lo)) / 2.0).max(0.0) + 2.0;
    [lo - pad, hi + pad]
}

fn trends(h: &mut Html<'_, '_>) {
    let v = h.v;
    let t = &v.report.trends;
    h.section(
        "trends",
        9,
        "Trends",
        "The readiness index per cycle, for the quarterly follow-up.",
    );
    if let Some(n) = &t.note {
        let _ = write!(
            h.out,
            "<p class=\"muted\">{}.</p>",
            esc(n.trim_end_matches('.'))
        );
    }
    if t.cycles.is_empty() {
        h.end();
        return;
    }
    let rows: Vec<Vec<String>> = t
        .cycles
        .iter()
        .map(|c| vec![esc(&c.cycle), c.assessed.to_string(), num(c.mean_index, 1)])
        .collect();
    h.table(&["Cycle", "Assessed#", "Mean index#"], &rows);
    for g in &t.gaps {
        let _ = write!(
            h.out,
            "<p><span class=\"badge warn\">follow-up gap</span> {} quarter(s) without an assessment between {} and {}.</p>",
            g.missing_quarters,
            esc(&g.after),
            esc(&g.before)
        );
    }
    let rows: Vec<Vec<String>> = t
        .candidates
        .iter()
        .map(|c| {
            let pts: Vec<Option<f64>> = c.indexes.iter().map(|p| p.index).collect();
            vec![
                esc(&c.candidate),
                sparkline(&pts, 120.0, 26.0, trend_range(v)),
                esc(&c
                    .indexes
                    .iter()
                    .map(|p| num(p.index, 1))
                    .collect::<Vec<_>>()
                    .join(" → ")),
                c.slope.map_or("–".into(), |s| format!("{s:+.2}")),
                c.change.map_or("–".into(), |s| format!("{s:+.1}")),
                c.flags
                    .iter()
                    .map(|f| format!("<span class=\"badge warn\">{}</span>", trend_word(*f)))
                    .collect::<String>(),
            ]
        })
        .collect();
    h.table(
        &[
            "Candidate",
            "Index over cycles",
            "Index by cycle",
            "Slope#",
            "Last change#",
            "Flags",
        ],
        &rows,
    );
    h.end();
}

fn overrides(h: &mut Html<'_, '_>) {
    let v = h.v;
    let o = &v.report.overrides;
    h.section(
        "overrides",
        10,
        "Overrides",
        "Levels set by hand, next to the level the engine computed, each with its reason and author.",
    );
    let rows: Vec<Vec<String>> = o
        .items
        .iter()
        .map(|x| {
            vec![
                esc(&x.candidate),
                esc(x.cycle.as_deref().unwrap_or("")),
                pill(v, &x.computed_level),
                pill(v, &x.final_level),
                esc(&x.direction),
                esc(&x.reason),
                esc(&x.author),
                esc(&x.date),
            ]
        })
        .collect();
    if rows.is_empty() {
        h.out
            .push_str("<p class=\"muted\">No level was set by hand.</p>");
    } else {
        h.table(
            &[
                "Candidate",
                "Cycle",
                "Computed",
                "Final",
                "Direction",
                "Reason",
                "Author",
                "Date",
            ],
            &rows,
        );
    }
    h.end();
}
