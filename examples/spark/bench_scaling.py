"""Times score_history on one or more local masters (the scaling note in README.md).

    python bench_scaling.py DATA --masters 'local[1]' 'local[2]' [--reps 2] [--single]

DATA is a generate_history.py output directory. Each master gets a fresh SparkSession
(JVM start-up is not timed); the time covers the whole job: reading the ratings, scoring,
writing the assessments, the cohort reports and writing them. ``--single`` also times
single-process ``rd.assess`` over the same ratings (one call per company, read by pyarrow),
for comparison. Prints one line per run, and the load average, since the machine may be
shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate_history  # noqa: E402
import score_history  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--buckets", type=int, default=1)
    ap.add_argument("--single", action="store_true")
    a = ap.parse_args()
    ratings = os.path.join(a.data, "ratings")
    rubrics = os.path.join(a.data, "rubrics")
    n = pq.ParquetDataset(ratings).read(columns=["score"]).num_rows
    print(f"{n:,} ratings; cpus {os.cpu_count()}; load {os.getloadavg()}", flush=True)

    if a.single:
        import readiness as rd

        t0 = time.perf_counter()
        frame = generate_history.read_ratings(a.data)
        table = pq.read_table(rubrics).to_pandas()
        docs = 0
        for company, text in zip(table["company"], table["rubric_toml"]):
            sub = frame[frame["company"] == company].reset_index(drop=True)
            res = rd.assess(sub[score_history.RATING_COLUMNS], rd.Rubric.from_toml(text))
            docs += len(score_history.split_documents(res))
        dt = time.perf_counter() - t0
        print(f"single-process rd.assess + documents: {dt:.1f} s, {n / dt:,.0f} ratings/s, "
              f"{docs:,} documents; load {os.getloadavg()}", flush=True)

    for master in a.masters:
        spark = score_history.session(master, app=f"readiness-bench-{master}")
        spark.conf.set("spark.sql.shuffle.partitions", "8")
        try:
            for rep in range(a.reps):
                out = tempfile.mkdtemp(prefix="readiness-bench-")
                t0 = time.perf_counter()
                score_history.run(spark, ratings, rubrics, out, buckets=a.buckets)
                dt = time.perf_counter() - t0
                shutil.rmtree(out, ignore_errors=True)
                print(f"{master} rep {rep}: {dt:.1f} s, {n / dt:,.0f} ratings/s; "
                      f"load {os.getloadavg()}", flush=True)
        finally:
            spark.stop()


if __name__ == "__main__":
    main()
