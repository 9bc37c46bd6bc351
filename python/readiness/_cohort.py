"""``rd.cohort`` and the ``CohortReport`` it returns.

Every number comes from the engine's cohort report (``readiness::cohort::cohort_report``). The
optional tables are handed to the engine as CSV text (a DataFrame or list of dicts is written
with pandas) or as a file path, and read by the engine's own parsers, so every check and every
error is the engine's: a ``CohortError`` whose ``.row`` is the CSV line (header = line 1, the
first row of a DataFrame or list = line 2).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple, Union

import pandas as pd

from . import _native
from ._result import Ratings

Document = Dict[str, Any]
Table = Union[pd.DataFrame, List[Dict[str, Any]], str, "os.PathLike[str]"]

_RANKING = [
    "candidate", "cycle", "rank", "index", "ci_low", "ci_high", "percentile",
    "level", "final_level", "next_level", "index_gap",
]
_NINE_BOX = ["candidate", "performance", "potential", "cell", "name"]
_FAIRNESS = [
    "attribute", "group", "reference", "n", "selected", "rate", "impact_ratio",
    "four_fifths_violation", "shortfall", "fisher_p", "z_p", "smd_g", "smd_ci_low",
    "smd_ci_high", "small_sample",
]
_ICC_FORMS = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
_RELIABILITY = [
    "dimension", "kind", "n_ratings", *_ICC_FORMS,
    "cronbach_alpha", "krippendorff_alpha", "rwg_j_mean",
]
_TRENDS = ["candidate", "cycle", "index", "level", "slope", "change", "flags"]
_CALIBRATION = [
    "rater", "group", "n_candidates", "effect", "se", "df", "p", "p_adjusted", "verdict",
]
_DECISION_AUDIT = ["measure", "n", "r", "r_ci_low", "r_ci_high", "auc"]


def _interval(ci: Optional[List[float]]) -> Tuple[Optional[float], Optional[float]]:
    if not ci:
        return (None, None)
    return (ci[0], ci[1])


def _frame(rows: List[Dict[str, Any]], columns: List[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=pd.Index(columns))


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


class CohortReport:
    """The cohort report of a group of candidates (the engine's document, as pandas tables).

    ``to_dict()`` is the engine's document (identical to ``readiness cohort --format json``);
    ``ranking()``, ``nine_box()``, ``fairness()``, ``reliability()``, ``trends()``,
    ``calibration()`` and ``decision_audit()`` flatten its sections into DataFrames.
    """

    __slots__ = ("_doc", "_native")

    def __init__(self, native: _native.NativeCohort) -> None:
        self._native = native
        self._doc: Document = native.to_dict()

    def __repr__(self) -> str:
        p = self._doc["provenance"]
        return (
            f"<CohortReport: {p['candidates']} candidates, {p['assessments']} assessments, "
            f"rubric {p['rubric']}>"
        )

    def to_dict(self) -> Document:
        """The report document (``schema/cohort.schema.json``), as the engine writes it."""
        return self._native.to_dict()

    def to_json(self, *, pretty: bool = False) -> str:
        """The report as JSON text, written by the engine."""
        return self._native.to_json(pretty)

    def ranking(self) -> pd.DataFrame:
        """One row per candidate (latest cycle), best first. Columns: candidate, cycle, rank
        (None when not ranked), index, ci_low, ci_high (95% interval of the index),
        percentile, level (computed), final_level (after overrides), next_level, index_gap
        (index points to the next level)."""
        rows = []
        for c in self._doc["ranking"]["candidates"]:
            lo, hi = _interval(c.get("ci95"))
            rows.append({**{k: c.get(k) for k in _RANKING}, "ci_low": lo, "ci_high": hi})
        return _frame(rows, _RANKING)

    def nine_box(self) -> pd.DataFrame:
        """One row per candidate. Columns: candidate, performance and potential (0–100, None
        when not placed), cell (1–9) and name (the cell's name)."""
        rows = [{k: c.get(k) for k in _NINE_BOX} for c in self._doc["nine_box"]["candidates"]]
        return _frame(rows, _NINE_BOX)

    def fairness(self) -> pd.DataFrame:
        """One row per attribute (or pair of attributes, ``gender×site``) and group. Columns:
        attribute, group, reference (the group is the reference group), n, selected, rate,
        impact_ratio, four_fifths_violation, shortfall, fisher_p, z_p, smd_g, smd_ci_low,
        smd_ci_high (standardised index difference against the reference), small_sample (of
        the attribute's table). Empty without attributes."""
        rows = []
        for t in self._doc["fairness"]:
            for g in t["groups"]:
                smd = g.get("smd") or {}
                lo, hi = _interval(smd.get("ci95"))
                rows.append(
                    {
                        "attribute": t["attribute"],
                        "group": g["group"],
                        "reference": g["group"] == t.get("reference"),
                        **{k: g.get(k) for k in _FAIRNESS[3:11]},
                        "smd_g": smd.get("g"),
                        "smd_ci_low": lo,
                        "smd_ci_high": hi,
                        "small_sample": t["small_sample"],
                    }
                )
        return _frame(rows, _FAIRNESS)

    def reliability(self) -> pd.DataFrame:
        """One row per dimension (and ``overall``). Columns: dimension, kind, n_ratings,
        ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k (None when the design does not allow the form),
        cronbach_alpha, krippendorff_alpha, rwg_j_mean. Empty when reliability is
        unavailable (the reason is in ``to_dict()["reliability"]["unavailable"]``)."""
        table = self._doc["reliability"].get("table")
        rows = []
        if table:
            dims = list(table["dimensions"])
            if table.get("overall"):
                dims.append(table["overall"])
            for d in dims:
                iccs = {
                    str(f.get("kind", "")): _get(f, "result", "icc")
                    for f in _get(d, "icc", "forms") or []
                }
                rows.append(
                    {
                        "dimension": d["id"],
                        "kind": d.get("kind"),
                        "n_ratings": d.get("n_ratings"),
                        **{form: iccs.get(form.lower()) for form in _ICC_FORMS},
                        "cronbach_alpha": _get(d, "cronbach", "result", "alpha"),
                        "krippendorff_alpha": _get(d, "krippendorff", "result", "alpha"),
                        "rwg_j_mean": _get(d, "rwg", "mean"),
                    }
                )
        return _frame(rows, _RELIABILITY)

    def trends(self) -> pd.DataFrame:
        """One row per candidate and cycle. Columns: candidate, cycle, index, level, and the
        candidate's slope, change and flags (comma-separated: stalled, declining), repeated on
        each of the candidate's rows."""
        rows = []
        for c in self._doc["trends"]["candidates"]:
            flags = ",".join(c.get("flags") or [])
            for p in c["indexes"]:
                rows.append(
                    {
                        "candidate": c["candidate"],
                        "cycle": p["cycle"],
                        "index": p.get("index"),
                        "level": p.get("level"),
                        "slope": c.get("slope"),
                        "change": c.get("change"),
                        "flags": flags,
                    }
                )
        return _frame(rows, _TRENDS)

    def calibration(self) -> pd.DataFrame:
        """One row per rater. Columns: rater, group, n_candidates, effect (leniency +,
        severity −), se, df, p, p_adjusted, verdict (lenient, severe, typical or None)."""
        rows = [{k: r.get(k) for k in _CALIBRATION} for r in self._doc["calibration"]["raters"]]
        return _frame(rows, _CALIBRATION)

    def decision_audit(self) -> pd.DataFrame:
        """Two rows, ``technical`` and ``readiness``: how each predicted past promotions.
        Columns: measure, n, r, r_ci_low, r_ci_high (correlation with promotion), auc. ``frame.attrs`` holds ``driver``, ``verdict``,
        ``difference_p``, ``promoted_not_ready`` and ``ready_not_promoted``. Empty without
        decisions."""
        audit = self._doc.get("decision_audit")
        rows = []
        if audit:
            for measure in ("technical", "readiness"):
                a = audit[measure]
                lo, hi = _interval(a.get("ci95"))
                rows.append(
                    {"measure": measure, "n": a["n"], "r": a.get("r"), "r_ci_low": lo,
                     "r_ci_high": hi, "auc": a.get("auc")}
                )
        frame = _frame(rows, _DECISION_AUDIT)
        if audit:
            for k in ("driver", "verdict", "difference_p", "promoted_not_ready",
                      "ready_not_promoted", "n", "promoted"):
                frame.attrs[k] = audit.get(k)
        return frame

    def plot_nine_box(self, ax: Optional[Any] = None) -> Any:
        """The 9-box grid with every candidate placed (needs ``readiness[plot]``)."""
        from ._plot import plot_nine_box

        return plot_nine_box(self._doc["nine_box"], ax=ax)

    def _repr_html_(self) -> str:
        from ._html import cohort_html

        return cohort_html(self._doc)


def _table(name: str, value: Optional[Table]) -> Optional[Tuple[str, str]]:
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)):
        return ("path", os.fspath(value))
    if isinstance(value, (list, tuple)):
        value = pd.DataFrame(list(value))
    if isinstance(value, pd.DataFrame):
        return ("text", value.to_csv(index=False, lineterminator="\n"))
    raise TypeError(
        f"{name} must be a pandas DataFrame, a list of dicts or a CSV path, "
        f"got {type(value).__name__}"
    )


def cohort(
    ratings: Ratings,
    rubric: Optional[_native.Rubric] = None,
    attributes: Optional[Table] = None,
    decisions: Optional[Table] = None,
    overrides: Optional[Table] = None,
) -> CohortReport:
    """The cohort report of ``ratings`` (as for ``rd.assess``) with the standard rubric by
    default.

    ``attributes`` (``candidate`` + any attribute columns), ``decisions`` (``candidate``,
    ``promoted``, optional ``date``) and ``overrides`` (``candidate``, ``level``, ``reason``,
    ``author``, ``date``, optional ``cycle``) are DataFrames, lists of dicts or CSV paths.

    Raises ``RatingsError`` for the ratings and ``CohortError`` (``.code``: ``unknown_candidate``,
    ``duplicate_key``, ``override_without_reason``, …; ``.row``: the CSV line) for the tables.
    """
    rub = rubric if rubric is not None else _native.Rubric.standard()
    if not isinstance(rub, _native.Rubric):
        raise TypeError(f"rubric must be a readiness.Rubric, got {type(rub).__name__}")
    kind: str
    data: Any
    if isinstance(ratings, (str, os.PathLike)):
        kind, data = "path", os.fspath(ratings)
    elif isinstance(ratings, (list, tuple)):
        kind, data = "records", list(ratings)
    elif isinstance(ratings, pd.DataFrame):
        from ._frame import columns_of

        kind, data = "columns", columns_of(ratings)
    else:
        raise TypeError(
            "ratings must be a pandas DataFrame, a list of dicts or a CSV path, "
            f"got {type(ratings).__name__}"
        )
    native = _native.cohort(
        rub,
        kind,
        data,
        attributes=_table("attributes", attributes),
        decisions=_table("decisions", decisions),
        overrides=_table("overrides", overrides),
    )
    return CohortReport(native)


__all__ = ["CohortReport", "cohort"]
