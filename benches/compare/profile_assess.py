"""A target for profilers: builds the comparison data and runs one step repeatedly.

    perf record -g -o /tmp/assess.perf -- .venv/bin/python benches/compare/profile_assess.py \
        --candidates 6250 --ids string --what assess --reps 5
    perf report -i /tmp/assess.perf --no-children --sort dso,symbol

``--what``: ``assess`` (``rd.assess(df).to_pandas()``), ``native`` (the engine call only),
``columns`` (the Python-side factorising only), ``pandas`` (the pandas implementation),
``icc``, ``kripp``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402
import readiness as rd  # noqa: E402
from readiness import _frame, _native  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=6250)
    ap.add_argument("--ids", choices=["categorical", "string"], default="categorical")
    ap.add_argument("--what", default="assess",
                    choices=["assess", "native", "columns", "pandas", "icc", "kripp"])
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    rubric = rd.Rubric.from_toml(compare.rubric_toml())
    if args.what in ("icc", "kripp"):
        rng = np.random.default_rng(1)
        m = np.round(rng.normal(3, 1, (1000, 5)) * 10) / 10
        d = np.clip(np.rint(rng.normal(3, 1, (5, 10_000))), 1, 5)
        for _ in range(args.reps):
            if args.what == "icc":
                rd.stats.icc(m)
            else:
                rd.stats.krippendorff_alpha(d, level="interval")
        return
    df = compare.frame(compare.generate(args.candidates), args.ids)
    spec = _frame.columns_of(df)
    for _ in range(args.reps):
        if args.what == "assess":
            rd.assess(df, rubric).to_pandas()
        elif args.what == "native":
            _native.assess_columns(rubric, spec)
        elif args.what == "columns":
            _frame.columns_of(df)
        else:
            compare.pandas_scores(df)


if __name__ == "__main__":
    main()
