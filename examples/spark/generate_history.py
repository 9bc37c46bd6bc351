"""Generates a synthetic multi-company 360 history for the Spark example.

Writes two Parquet datasets under OUT:

* ``ratings/``: long-format ratings (candidate, rater, group, criterion, score, comment),
  hive-partitioned by ``company=…/cycle=…``. ``score`` is null when the rater left the
  criterion unrated.
* ``rubrics/``: the small rubric table, one row per company: ``company``, ``rubric_toml``.

Companies get different rubrics (the standard one and variants of it with other weights
and policy), so the job has to pick the rubric per company. Candidates stay mostly the same
from cycle to cycle (a quarterly history with some turnover).

    python generate_history.py OUT --companies 3 --cycles 4 --candidates 40
    python generate_history.py OUT --ratings 10000000      # sizes the cohorts for ~10M ratings

Needs numpy, pyarrow and readiness (for the rubrics); not Spark.
"""

from __future__ import annotations

import argparse
import os
import shutil
from typing import Dict, List, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

import readiness as rd

COMPANY_NAMES = ["acme", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne"]

COMMENTS = [
    "Takes time to explain the why behind decisions.",
    "Could involve the team earlier.",
    "Very reliable in a crisis.",
    "Tends to solve problems alone.",
]


def cycle_names(n: int, first_year: int = 2023) -> List[str]:
    """Quarterly cycle ids, oldest first: 2023-Q1, 2023-Q2, …"""
    return [f"{first_year + i // 4}-Q{i % 4 + 1}" for i in range(n)]


def company_names(n: int) -> List[str]:
    return [
        COMPANY_NAMES[i] if i < len(COMPANY_NAMES) else f"company-{i:03d}" for i in range(n)
    ]


def rubric_for(index: int, company: str) -> rd.Rubric:
    """The standard rubric for every third company, variants of it for the others."""
    if index % 3 == 0:
        return rd.Rubric.standard()
    d = rd.Rubric.standard().to_dict()
    d["id"] = f"{company}-leadership"
    if index % 3 == 1:
        d["version"] = "2.1.0"
        weights = {"leadership": 0.5, "attitude": 0.25, "impact": 0.25}
        for dim in d["dimensions"]:
            if dim["id"] in weights:
                dim["weight"] = weights[dim["id"]]
        d["policy"]["min_raters"] = 4
    else:
        d["version"] = "1.3.0"
        d["policy"]["self_other_gap"] = 1.0
        d["rater_groups"]["peer"]["min_raters"] = 2
    return rd.Rubric.from_dict(d)


def _criteria(rubric: rd.Rubric) -> Tuple[List[str], np.ndarray]:
    """Criterion ids and the index of each one's dimension."""
    ids: List[str] = []
    dims: List[int] = []
    for k, dim in enumerate(rubric.dimensions):
        for c in dim["criteria"]:
            ids.append(c["id"])
            dims.append(k)
    return ids, np.array(dims)


def cohort_ratings(
    rng: np.random.Generator,
    rubric: rd.Rubric,
    company_tag: str,
    cycle_index: int,
    candidates: int,
) -> Dict[str, np.ndarray]:
    """One company-cycle's ratings as column arrays (vectorised; ~200 ratings a candidate)."""
    crit_ids, crit_dim = _criteria(rubric)
    n_dim = int(crit_dim.max()) + 1
    n_crit = len(crit_ids)
    turnover = max(1, candidates // 10)
    ids = np.arange(candidates) + cycle_index * turnover  # most people stay, a tenth rotates
    # Raters per candidate: self, a manager, 3-6 peers, 0-6 direct reports.
    peers = rng.integers(3, 7, candidates)
    reports = rng.integers(0, 7, candidates)
    n_raters = 2 + peers + reports
    cand_of_rater = np.repeat(np.arange(candidates), n_raters)
    slot = np.arange(len(cand_of_rater)) - np.repeat(np.cumsum(n_raters) - n_raters, n_raters)
    p = np.repeat(peers, n_raters)
    group = np.where(slot == 0, 0, np.where(slot == 1, 1, np.where(slot < 2 + p, 2, 3)))
    group_names = np.array(["self", "manager", "peer", "direct_report"], dtype=object)
    person = ids[cand_of_rater]
    rater = np.empty(len(cand_of_rater), dtype=object)
    for g, fmt in enumerate(["{c}-e{p:05d}-self", "{c}-m{q:04d}", "{c}-p{q:05d}", "{c}-r{q:05d}"]):
        sel = np.flatnonzero(group == g)
        q = person[sel] * 16 + slot[sel] if g != 1 else person[sel] // 6
        rater[sel] = [fmt.format(c=company_tag, p=pp, q=qq) for pp, qq in zip(person[sel], q)]

    # Scores: candidate level per dimension + rater leniency + noise, self a little kinder.
    level = rng.normal(3.3, 0.6, (candidates, n_dim))
    leniency = rng.normal(0.0, 0.3, len(cand_of_rater)) + np.where(group == 0, 0.3, 0.0)
    n_r = len(cand_of_rater)
    raw = (
        level[cand_of_rater][:, crit_dim]
        + leniency[:, None]
        + rng.normal(0.0, 0.6, (n_r, n_crit))
    )
    score = np.clip(np.rint(raw), 1, 5)
    score[rng.random((n_r, n_crit)) < 0.05] = np.nan  # not rated
    cand_names = np.array([f"{company_tag}-e{i:05d}" for i in ids], dtype=object)
    comment = np.full(n_r * n_crit, None, dtype=object)
    hits = np.flatnonzero(rng.random(n_r * n_crit) < 0.01)
    comment[hits] = np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), len(hits))]
    return {
        "candidate": np.repeat(cand_names[cand_of_rater], n_crit),
        "rater": np.repeat(rater, n_crit),
        "group": np.repeat(group_names[group], n_crit),
        "criterion": np.tile(np.array(crit_ids, dtype=object), n_r),
        "score": score.ravel(),
        "comment": comment,
    }


def generate(
    out: str, companies: int, cycles: int, candidates: int, seed: int = 7
) -> Dict[str, int]:
    """Writes OUT/ratings and OUT/rubrics; returns counts (ratings, groups, candidates)."""
    rng = np.random.default_rng(seed)
    for sub in ("ratings", "rubrics"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    names = company_names(companies)
    rubrics = {name: rubric_for(i, name) for i, name in enumerate(names)}
    pq.write_table(
        pa.table({"company": names, "rubric_toml": [rubrics[n].to_toml() for n in names]}),
        os.path.join(out, "rubrics.parquet.tmp"),
    )
    os.makedirs(os.path.join(out, "rubrics"), exist_ok=True)
    os.replace(
        os.path.join(out, "rubrics.parquet.tmp"), os.path.join(out, "rubrics", "part-0.parquet")
    )
    schema = pa.schema(
        [
            ("candidate", pa.string()),
            ("rater", pa.string()),
            ("group", pa.string()),
            ("criterion", pa.string()),
            ("score", pa.float64()),
            ("comment", pa.string()),
        ]
    )
    total = 0
    for ci, company in enumerate(names):
        tag = f"c{ci:02d}"
        for k, cycle in enumerate(cycle_names(cycles)):
            cols = cohort_ratings(rng, rubrics[company], tag, k, candidates)
            table = pa.table(
                [pa.array(cols[f.name], type=f.type, from_pandas=True) for f in schema],
                schema=schema,
            )
            part = os.path.join(out, "ratings", f"company={company}", f"cycle={cycle}")
            os.makedirs(part, exist_ok=True)
            pq.write_table(table, os.path.join(part, "part-0.parquet"))
            total += table.num_rows
    return {
        "ratings": total,
        "groups": companies * cycles,
        "assessments": companies * cycles * candidates,
    }


def read_ratings(out: str):  # -> pandas.DataFrame
    """All ratings with company and cycle as plain string columns (for single-process use)."""
    table = ds.dataset(os.path.join(out, "ratings"), format="parquet", partitioning="hive").to_table()
    frame = table.to_pandas()
    for col in ("company", "cycle"):
        frame[col] = frame[col].astype(str)
    return frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output directory (ratings/ and rubrics/ are replaced)")
    ap.add_argument("--companies", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=4)
    ap.add_argument("--candidates", type=int, default=40, help="candidates per company-cycle")
    ap.add_argument("--ratings", type=int, default=None,
                    help="approximate total ratings; sets --candidates (~200 ratings each)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    candidates = a.candidates
    if a.ratings is not None:
        per = rd.Rubric.standard().dimensions
        n_crit = sum(len(d["criteria"]) for d in per)
        # 2 + 4.5 peers + 3 reports on average = 9.5 raters, n_crit criteria each.
        candidates = max(1, round(a.ratings / (a.companies * a.cycles * 9.5 * n_crit)))
    counts = generate(a.out, a.companies, a.cycles, candidates, a.seed)
    print(
        f"wrote {counts['ratings']:,} ratings: {a.companies} companies x {a.cycles} cycles x "
        f"{candidates} candidates ({counts['assessments']:,} assessments) to {a.out}"
    )


if __name__ == "__main__":
    main()
