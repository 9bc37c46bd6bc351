"""Scores a multi-company 360 history on Spark with the readiness engine.

Reads ratings (Parquet, hive-partitioned by company and cycle) and a small rubric table
(company -> rubric TOML text), scores every company-cycle cohort with ``readiness.assess``
inside ``applyInPandas`` (one group = one cohort, one rubric, one engine call), computes a
cohort report per company and cycle, and writes both back to Parquet:

* ``OUT/assessments/company=…/cycle=…``: one row per candidate and cycle, flattened columns
  plus ``document``, the full assessment document as the engine's JSON text;
* ``OUT/cohorts/company=…``: one row per company and cycle.

    spark-submit --master local[2] score_history.py RATINGS RUBRICS OUT
    python score_history.py RATINGS RUBRICS OUT --master local[2]

Executors need the ``readiness`` package installed (see README.md: the wheel is compiled).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pandas as pd

import readiness as rd

# Columns the engine reads; the rest of a ratings row (company, bucket) is routing only.
RATING_COLUMNS = ["candidate", "rater", "group", "criterion", "score", "comment", "cycle"]

ASSESSMENT_SCHEMA = (
    "company string, cycle string, candidate string, level string, label string, "
    "index double, index_ci_low double, index_ci_high double, "
    "technical_score double, technical_ci_low double, technical_ci_high double, "
    "dimension_scores map<string,double>, dimension_rwg map<string,double>, "
    "flags array<string>, strengths array<string>, development array<string>, "
    "rubric string, fingerprint string, engine string, document string"
)

COHORT_SCHEMA = (
    "company string, cycle string, candidates long, assessed long, "
    "level_counts map<string,long>, flag_counts map<string,long>, "
    "index_mean double, index_sd double, index_min double, index_median double, "
    "index_max double, dimension_means map<string,double>, dimension_rwg_means "
    "map<string,double>, index_alpha double, index_alpha_ci_low double, "
    "index_alpha_ci_high double, rubric string, fingerprint string"
)

# Rubrics parsed in this Python worker, by TOML text (workers are reused across tasks).
_RUBRICS: Dict[str, rd.Rubric] = {}


def rubric_of(toml_text: str) -> rd.Rubric:
    rub = _RUBRICS.get(toml_text)
    if rub is None:
        rub = _RUBRICS[toml_text] = rd.Rubric.from_toml(toml_text)
    return rub


def split_documents(res: rd.Assessments) -> List[str]:
    """Each document's JSON text as the engine writes it.

    The engine writes the documents as one compact JSON array. Every document is an object
    whose first key is "candidate", and the text ``},{"candidate":`` can occur only between
    two such objects (inside a JSON string the quote before ``candidate`` would be escaped),
    unless a nested object also starts with that key; the count check catches that case
    and falls back to serialising the dicts in Python.
    """
    text = res.to_json()
    n = len(res)
    if n == 0:
        return []
    sep = '},{"candidate":'
    if text.startswith('[{"candidate":') and text.endswith("}]") and text.count(sep) == n - 1:
        parts = text[1:-1].split(sep)
        return [
            (p if i == 0 else '{"candidate":' + p) + ("" if i == n - 1 else "}")
            for i, p in enumerate(parts)
        ]
    import json

    return [json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in res.to_dicts()]


def _split_list(value: Any) -> List[str]:
    return [] if not isinstance(value, str) or value == "" else value.split(";")


def _num(value: Any) -> Optional[float]:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def flatten(res: rd.Assessments, company: str) -> pd.DataFrame:
    """The assessments of one cohort as rows of ASSESSMENT_SCHEMA (engine table + JSON)."""
    table = res.to_pandas()
    # The engine's table repeats technical_* when a dimension is called "technical" (same
    # values); keep the first of each name.
    table = table.loc[:, ~table.columns.duplicated()]
    rub = res.rubric
    dims = [d["id"] for d in rub.dimensions]
    n = len(table)
    scores = table[[f"{d}_score" for d in dims]].to_numpy()
    rwgs = table[[f"{d}_rwg" for d in dims]].to_numpy()
    docs = split_documents(res)
    provenance_engine = rd.ENGINE_VERSION
    out = pd.DataFrame(
        {
            "company": [company] * n,
            "cycle": table["cycle"] if "cycle" in table else [None] * n,
            "candidate": table["candidate"],
            "level": table["level"],
            "label": table["label"],
            "index": table["index"],
            "index_ci_low": table["index_ci_low"],
            "index_ci_high": table["index_ci_high"],
            "technical_score": table.get("technical_score"),
            "technical_ci_low": table.get("technical_ci_low"),
            "technical_ci_high": table.get("technical_ci_high"),
            "dimension_scores": [
                {d: _num(v) for d, v in zip(dims, row) if _num(v) is not None} for row in scores
            ],
            "dimension_rwg": [
                {d: _num(v) for d, v in zip(dims, row) if _num(v) is not None} for row in rwgs
            ],
            "flags": [_split_list(v) for v in table["flags"]],
            "strengths": [_split_list(v) for v in table["strengths"]],
            "development": [_split_list(v) for v in table["development"]],
            "rubric": [rub.label] * n,
            "fingerprint": [rub.fingerprint] * n,
            "engine": [provenance_engine] * n,
            "document": docs,
        }
    )
    return out


def score_cohort(
    rubrics: Dict[str, str],
) -> Any:
    """The applyInPandas function: one group's ratings -> its assessment rows."""

    def score(key: Tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        company = key[0]
        try:
            rubric = rubric_of(rubrics[company])
        except KeyError:
            raise ValueError(f"no rubric for company {company!r}") from None
        res = rd.assess(pdf[RATING_COLUMNS], rubric)
        return flatten(res, company)

    return score


def _alpha(frame: pd.DataFrame, cols: List[str]) -> Tuple[Optional[float], ...]:
    """Cronbach's alpha of the leadership-side dimension scores over the cohort's candidates
    (how consistently the parts of the readiness index rank people), by the engine."""
    matrix = frame[cols].to_numpy(dtype=float)
    if len(cols) < 2 or len(matrix) < 3:
        return (None, None, None)
    try:
        a = rd.stats.cronbach_alpha(matrix)
    except rd.StatsError:
        return (None, None, None)
    ci = a.get("ci") or {}
    return (_num(a.get("alpha")), _num(ci.get("lower")), _num(ci.get("upper")))


def cohort_report(key: Tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
    """One company-cycle's assessment rows -> its cohort report row (COHORT_SCHEMA).

    Order-independent: rows are sorted by candidate and sums are exact (math.fsum), so the
    report does not depend on how Spark ordered the rows.
    """
    company, cycle = key
    pdf = pdf.sort_values("candidate", kind="stable").reset_index(drop=True)
    levels = pdf["level"].value_counts()
    flags: Dict[str, int] = {}
    for fl in pdf["flags"]:
        for f in fl:
            flags[f] = flags.get(f, 0) + 1
    index = [float(v) for v in pdf["index"] if _num(v) is not None]
    dims: Dict[str, List[float]] = {}
    rwg: Dict[str, List[float]] = {}
    for scores, rw in zip(pdf["dimension_scores"], pdf["dimension_rwg"]):
        for d, v in _pairs(scores):
            dims.setdefault(d, []).append(v)
        for d, v in _pairs(rw):
            rwg.setdefault(d, []).append(v)
    rubric_label = pdf["rubric"].iloc[0]
    fingerprint = pdf["fingerprint"].iloc[0]
    rub_dims = [d for d in dims if d != "technical"]
    wide = pd.DataFrame([dict(_pairs(s)) for s in pdf["dimension_scores"]], columns=rub_dims)
    assessed = pdf[pdf["level"] != "insufficient_evidence"]
    alpha = _alpha(wide.loc[assessed.index], rub_dims)
    row = {
        "company": company,
        "cycle": cycle,
        "candidates": len(pdf),
        "assessed": len(assessed),
        "level_counts": {str(k): int(v) for k, v in sorted(levels.items())},
        "flag_counts": dict(sorted(flags.items())),
        "index_mean": math.fsum(index) / len(index) if index else None,
        "index_sd": statistics.stdev(index) if len(index) > 1 else None,
        "index_min": min(index) if index else None,
        "index_median": statistics.median(index) if index else None,
        "index_max": max(index) if index else None,
        "dimension_means": {d: math.fsum(v) / len(v) for d, v in sorted(dims.items())},
        "dimension_rwg_means": {d: math.fsum(v) / len(v) for d, v in sorted(rwg.items())},
        "index_alpha": alpha[0],
        "index_alpha_ci_low": alpha[1],
        "index_alpha_ci_high": alpha[2],
        "rubric": rubric_label,
        "fingerprint": fingerprint,
    }
    return pd.DataFrame([row])


def _pairs(m: Any) -> List[Tuple[str, float]]:
    """A map column's value as (key, value) pairs (Arrow gives maps as lists of pairs)."""
    if m is None:
        return []
    if isinstance(m, dict):
        return list(m.items())
    return [(k, v) for k, v in m]


def read_rubrics(spark: Any, path: str) -> Dict[str, str]:
    """The rubric table (company -> TOML), validated on the driver so a bad rubric fails fast."""
    rows = spark.read.parquet(path).select("company", "rubric_toml").collect()
    table = {r["company"]: r["rubric_toml"] for r in rows}
    for company, text in table.items():
        try:
            rd.Rubric.from_toml(text)
        except rd.RubricError as e:
            raise SystemExit(f"rubric of company {company!r} is not valid: {e}") from None
    return table


def run(
    spark: Any,
    ratings_path: str,
    rubrics_path: str,
    out: str,
    *,
    buckets: int = 1,
) -> Dict[str, str]:
    """Runs the job; returns the output paths. ``buckets`` > 1 splits each cohort into that
    many groups by candidate hash (documents do not depend on the other candidates)."""
    from pyspark.sql import functions as F

    # Keep partition values as strings (a company called "0042" must stay "0042").
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    rubrics = read_rubrics(spark, rubrics_path)
    # Ship this module (pure Python) so workers can unpickle the functions below; the
    # readiness wheel itself must already be installed on them.
    if __name__ != "__main__":
        spark.sparkContext.addPyFile(os.path.abspath(__file__))
    ratings = spark.read.parquet(ratings_path)

    # The rubric table is tiny: it is joined at group level through a broadcast variable
    # rather than by adding a TOML column to every rating row.
    known = spark.createDataFrame([(c,) for c in rubrics], "company string")
    missing = [r["company"] for r in ratings.select("company").distinct()
               .join(F.broadcast(known), "company", "left_anti").collect()]
    if missing:
        raise SystemExit(f"no rubric for companies {sorted(missing)}")
    bc = spark.sparkContext.broadcast(rubrics)

    def score(key: Tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        return score_cohort(bc.value)(key, pdf)

    keys = ["company", "cycle"]
    if buckets > 1:
        ratings = ratings.withColumn("bucket", F.pmod(F.xxhash64("candidate"), F.lit(buckets)))
        keys.append("bucket")
    assessments = ratings.groupBy(*keys).applyInPandas(score, schema=ASSESSMENT_SCHEMA)
    paths = {"assessments": os.path.join(out, "assessments"), "cohorts": os.path.join(out, "cohorts")}
    (assessments.write.mode("overwrite").partitionBy("company", "cycle")
     .parquet(paths["assessments"]))

    # Cohort statistics from the written assessments (not recomputed from the ratings).
    written = spark.read.parquet(paths["assessments"]).drop("document")
    cohorts = written.groupBy("company", "cycle").applyInPandas(cohort_report, COHORT_SCHEMA)
    cohorts.coalesce(1).write.mode("overwrite").partitionBy("company").parquet(paths["cohorts"])
    return paths


def session(master: Optional[str], app: str = "readiness-score-history") -> Any:
    """A SparkSession; quiet, local-friendly defaults when ``master`` is local."""
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName(app)
    if master is not None:
        b = b.master(master)
        if master.startswith("local"):
            # Workers must run the interpreter that has readiness installed.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            b = (b.config("spark.driver.host", "127.0.0.1")
                 .config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.ui.enabled", "false"))
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ratings", help="ratings Parquet (partitioned company=…/cycle=…)")
    ap.add_argument("rubrics", help="rubric table Parquet (company, rubric_toml)")
    ap.add_argument("out", help="output directory (assessments/ and cohorts/)")
    ap.add_argument("--master", default=None, help="e.g. local[2]; default: spark-submit's")
    ap.add_argument("--buckets", type=int, default=1,
                    help="groups per company-cycle (split large cohorts by candidate hash)")
    ap.add_argument("--shuffle-partitions", type=int, default=None)
    a = ap.parse_args(argv)
    spark = session(a.master)
    try:
        if a.shuffle_partitions:
            spark.conf.set("spark.sql.shuffle.partitions", str(a.shuffle_partitions))
        paths = run(spark, a.ratings, a.rubrics, a.out, buckets=a.buckets)
        print(f"wrote {paths['assessments']} and {paths['cohorts']}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
