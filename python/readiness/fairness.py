"""Adverse-impact statistics, computed by the engine. Results are the engine's documents as
plain dicts with the engine's keys."""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np
import pandas as pd

from . import _native

Result = Dict[str, Any]


def _counts(selected: Any, groups: Any) -> Dict[str, tuple[int, int]]:
    sel = np.asarray(selected)
    if sel.dtype != np.bool_:
        if not np.isin(sel, [0, 1]).all():
            raise ValueError("selected must hold booleans (or 0/1)")
        sel = sel.astype(np.bool_)
    codes, uniques = pd.factorize(pd.Series(np.asarray(groups, dtype=object)))
    if sel.ndim != 1 or len(sel) != len(codes):
        raise ValueError(
            f"selected and groups must be 1-D of the same length, got {sel.shape} and {len(codes)}"
        )
    if (codes < 0).any():
        raise ValueError("groups must not have missing values")
    totals = np.bincount(codes, minlength=len(uniques))
    chosen = np.bincount(codes, weights=sel, minlength=len(uniques))
    return {str(u): (int(chosen[i]), int(totals[i])) for i, u in enumerate(uniques)}


def adverse_impact(
    selected: Any,
    groups: Any,
    *,
    focal: Optional[str] = None,
    reference: Optional[str] = None,
) -> Result:
    """Selection rates and the four-fifths rule for people with a selection decision
    (``selected``: booleans) and a group label each (``groups``).

    Without ``focal``/``reference``: the engine's selection-rates document for all groups
    (sorted by label), each entry of ``groups`` with its ``group`` label added. With both: the
    engine's focal-vs-reference document (impact ratio, Fisher's exact test, z-tests, power,
    small-sample warnings).
    """
    counts = _counts(selected, groups)
    if (focal is None) != (reference is None):
        raise TypeError("give both focal and reference, or neither")
    if focal is not None and reference is not None:
        for g in (focal, reference):
            if g not in counts:
                raise KeyError(f"group {g!r} not found; groups are {sorted(counts)}")
        return _native.adverse_impact_counts(counts[focal], counts[reference])
    labels = sorted(counts)
    result = _native.selection_rates([counts[g] for g in labels])
    for label, entry in zip(labels, result["groups"]):
        entry["group"] = label
    return result


def fisher_exact(table: Any) -> Result:
    """Fisher's exact test of a 2×2 table of counts ``[[a, b], [c, d]]`` (exact in log space
    for large tables)."""
    t = np.asarray(table)
    if t.shape != (2, 2):
        raise ValueError(f"table must be 2×2, got shape {t.shape}")
    if not np.issubdtype(t.dtype, np.integer) and not np.all(np.mod(t, 1) == 0):
        raise ValueError("table must hold whole counts")
    if (t < 0).any():
        raise ValueError("table counts must not be negative")
    return _native.fisher_exact([[int(t[0, 0]), int(t[0, 1])], [int(t[1, 0]), int(t[1, 1])]])


__all__ = ["adverse_impact", "fisher_exact"]
