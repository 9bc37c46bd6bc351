"""Reliability and agreement statistics, computed by the engine.

Matrices are anything numpy turns into a 2-D float array; NaN marks a missing value. Each
function returns the engine's result document as a plain dict with the engine's keys.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np

from . import _native

Result = Dict[str, Any]


def _matrix(data: Any, what: str) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(data, dtype=np.float64))
    if a.ndim != 2:
        raise ValueError(f"{what} must be 2-dimensional, got {a.ndim} dimension(s)")
    return a


def _vector(data: Any, what: str) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(data, dtype=np.float64))
    if a.ndim != 1:
        raise ValueError(f"{what} must be 1-dimensional, got {a.ndim} dimension(s)")
    return a


def icc(matrix: Any, confidence: float = 0.95) -> Result:
    """The six Shrout & Fleiss ICCs with F tests and intervals.

    Rows are targets (candidates), columns raters (pingouin's wide form); targets with a
    missing rating are dropped (listwise). Each form is in ``forms`` and also keyed by its
    name: ``icc(m)["ICC2"]["icc"]``.
    """
    return _native.icc(_matrix(matrix, "matrix"), confidence)


def cronbach_alpha(matrix: Any, missing: str = "pairwise", confidence: float = 0.95) -> Result:
    """Cronbach's alpha with Feldt's interval. Rows are observations, columns items;
    ``missing`` is ``"pairwise"`` (as pingouin) or ``"listwise"``."""
    return _native.cronbach_alpha(_matrix(matrix, "matrix"), missing, confidence)


def krippendorff_alpha(
    data: Any, level: str = "interval", domain: Optional[Sequence[float]] = None
) -> Result:
    """Krippendorff's alpha. Rows are raters (coders), columns units (the ``krippendorff``
    package's ``reliability_data``); ``level`` is nominal, ordinal, interval or ratio;
    ``domain`` optionally fixes the value domain (e.g. the whole scale 1…5)."""
    dom = None if domain is None else [float(x) for x in domain]
    return _native.krippendorff_alpha(_matrix(data, "data"), level, dom)


def _null_variance(null_variance: Optional[float], points: Optional[int]) -> float:
    if (null_variance is None) == (points is None):
        raise TypeError("give exactly one of null_variance or points")
    if points is not None:
        return _native.uniform_null_variance(points)
    return float(null_variance)  # type: ignore[arg-type]


def rwg(
    ratings: Any, *, points: Optional[int] = None, null_variance: Optional[float] = None
) -> Result:
    """Within-group agreement rwg of one item (James, Demaree & Wolf 1984).

    ``ratings`` is 1-D (NaN = missing). The null variance is the uniform one of an
    A-point scale (``points=A``: (A² − 1)/12) or given as ``null_variance``.
    """
    return _native.rwg(_vector(ratings, "ratings"), _null_variance(null_variance, points))


def rwg_j(
    matrix: Any, *, points: Optional[int] = None, null_variance: Optional[float] = None
) -> Result:
    """rwg(J) over J items and Lindell's r*wg(J); rows are raters, columns items."""
    return _native.rwg_j(_matrix(matrix, "matrix"), _null_variance(null_variance, points))


__all__ = ["cronbach_alpha", "icc", "krippendorff_alpha", "rwg", "rwg_j"]
