"""readiness: promotion-readiness assessment for notebooks.

Leadership potential, attitude and impact are scored apart from technical expertise, with
intervals, levels and the reasons for them. Every number comes from the Rust engine (the
private extension module ``readiness._native``); this package converts inputs and outputs.

>>> import readiness as rd
>>> res = rd.assess([{"candidate": "e-1", "rater": "m-1", "group": "manager",
...                   "criterion": "listens", "score": 4}])
>>> res["e-1"]["readiness"]["level"]
'insufficient_evidence'
"""

from __future__ import annotations

from . import fairness, stats
from ._cohort import CohortReport, cohort
from ._native import (
    ENGINE_VERSION,
    CohortError,
    RatingsError,
    ReadinessError,
    Rubric,
    RubricError,
    StatsError,
    __version__,
)
from ._plot import plot_nine_box, plot_profile
from ._result import Assessments, assess

__all__ = [
    "ENGINE_VERSION",
    "Assessments",
    "CohortError",
    "CohortReport",
    "RatingsError",
    "ReadinessError",
    "Rubric",
    "RubricError",
    "StatsError",
    "__version__",
    "assess",
    "cohort",
    "fairness",
    "plot_nine_box",
    "plot_profile",
    "stats",
]
