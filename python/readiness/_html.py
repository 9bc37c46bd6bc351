"""HTML rendering of the assessment table for Jupyter (presentation only: values as given)."""

from __future__ import annotations

import math
from html import escape
from typing import Any, List, Sequence, Tuple

# Background colours of the standard levels; levels of custom rubrics get a neutral colour.
LEVEL_COLOURS = {
    "ready_now": "#b7e1b0",
    "ready_1_2_years": "#d9efc2",
    "ready_3_5_years": "#fbe7b5",
    "not_ready": "#f6c6c0",
    "insufficient_evidence": "#e3e3e3",
}
_NEUTRAL = "#eef0f4"
_MAX_ROWS = 200


def _number(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{float(x):.1f}"


def assessments_html(columns: Sequence[Tuple[str, Any]], n: int) -> str:
    """A table of the flat assessment columns: candidate, level, index with its interval,
    dimension scores, technical score and flags."""
    data = {name: values for name, values in columns}
    score_cols = [
        name for name, _ in columns if name.endswith("_score") and name != "technical_score"
    ]
    header = ["candidate"]
    if "cycle" in data:
        header.append("cycle")
    header += ["level", "index", "95% interval"]
    header += [c[: -len("_score")] for c in score_cols]
    header += ["technical", "flags"]
    out: List[str] = [
        '<table class="readiness-assessments" style="border-collapse:collapse">',
        "<thead><tr>",
    ]
    out += [f'<th style="text-align:left;padding:2px 8px">{escape(h)}</th>' for h in header]
    out.append("</tr></thead><tbody>")
    for i in range(min(n, _MAX_ROWS)):
        level = data["level"][i] or ""
        colour = LEVEL_COLOURS.get(level, _NEUTRAL)
        cells = [escape(str(data["candidate"][i]))]
        if "cycle" in data:
            cells.append(escape(str(data["cycle"][i] or "")))
        label = data["label"][i] or level
        cells.append(
            f'<span style="background:{colour};padding:1px 6px;border-radius:3px" '
            f'title="{escape(level)}">{escape(label)}</span>'
        )
        cells.append(_number(data["index"][i]))
        lo, hi = data["index_ci_low"][i], data["index_ci_high"][i]
        cells.append("—" if _number(lo) == "—" else f"{_number(lo)}–{_number(hi)}")
        cells += [_number(data[c][i]) for c in score_cols]
        cells.append(_number(data["technical_score"][i]))
        cells.append(escape((data["flags"][i] or "").replace(";", ", ")))
        out.append("<tr>")
        out += [f'<td style="padding:2px 8px">{c}</td>' for c in cells]
        out.append("</tr>")
    out.append("</tbody></table>")
    if n > _MAX_ROWS:
        out.append(f"<p>… {n - _MAX_ROWS} more; use <code>to_pandas()</code> for all.</p>")
    return "".join(out)


def cohort_html(doc: Any) -> str:
    """A summary of a cohort report: provenance, the level distribution and the top of the
    ranking (presentation only: values as the engine gives them)."""
    p = doc["provenance"]
    ranking = doc["ranking"]
    labels = {lv["level"]: lv["label"] for lv in ranking["levels"]}
    out: List[str] = [
        '<div class="readiness-cohort">',
        f"<p><b>Cohort report</b>: {int(p['candidates'])} candidates, "
        f"{int(p['assessments'])} assessments, {int(p['raters'])} raters, "
        f"rubric <code>{escape(str(p['rubric']))}</code></p>",
        '<table style="border-collapse:collapse"><thead><tr>',
    ]
    out += [
        f'<th style="text-align:left;padding:2px 8px">{h}</th>'
        for h in ("level", "computed", "final", "share")
    ]
    out.append("</tr></thead><tbody>")
    for lv in ranking["levels"]:
        colour = LEVEL_COLOURS.get(lv["level"], _NEUTRAL)
        out.append(
            f'<tr><td style="padding:2px 8px"><span style="background:{colour};'
            f'padding:1px 6px;border-radius:3px">{escape(str(lv["label"]))}</span></td>'
            f'<td style="padding:2px 8px">{int(lv["computed"])}</td>'
            f'<td style="padding:2px 8px">{int(lv["final"])}</td>'
            f'<td style="padding:2px 8px">{100 * float(lv["share"]):.0f}%</td></tr>'
        )
    out.append("</tbody></table>")
    top = ranking["candidates"][:10]
    if top:
        out.append('<p>Top of the ranking:</p><table style="border-collapse:collapse"><tbody>')
        for c in top:
            level = c["final_level"]
            colour = LEVEL_COLOURS.get(level, _NEUTRAL)
            out.append(
                f'<tr><td style="padding:2px 8px">{escape(str(c.get("rank") or "—"))}</td>'
                f'<td style="padding:2px 8px">{escape(str(c["candidate"]))}</td>'
                f'<td style="padding:2px 8px">{_number(c.get("index"))}</td>'
                f'<td style="padding:2px 8px"><span style="background:{colour};'
                f'padding:1px 6px;border-radius:3px">'
                f"{escape(str(labels.get(level, level)))}</span></td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</div>")
    return "".join(out)
