"""Side-by-side comparison of `readiness` with what users would use instead (issue 8).

One run on one machine: generates the same ratings (deterministic seed) and times

  (a) scoring model v1 point estimates written plainly in pandas (groupby / merge / pivot),
  (b) ``rd.assess(df).to_pandas()`` with categorical ids and with string ids,
  (c) ``pingouin.intraclass_corr`` vs ``rd.stats.icc``,
  (d) ``krippendorff.alpha`` vs ``rd.stats.krippendorff_alpha`` (interval),

asserts that every pair gives the same numbers (1e-9), prints medians and ratios, measures the
peak memory of ``rd.assess`` in a fresh subprocess per measurement (``ru_maxrss``; tracemalloc
does not see the engine's Rust allocations), times the ``readiness assess`` CLI against reading
the same CSV with the ``csv`` crate alone, and writes ``benches/RESULTS.md``.

Run it through ``benches/compare/run`` (it installs the comparison packages into ``.venv`` and
builds the extension and the binaries); ``run --smoke`` is the quick equality check.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

import readiness as rd

SEED = 20261130
TOL = 1e-9
RATERS_PER_CANDIDATE = 8  # self, manager, 3 peers, 3 direct reports
RATER_GROUPS = ["self", "manager", "peer", "peer", "peer",
                "direct_report", "direct_report", "direct_report"]
GROUP_WEIGHTS = {"self": 0.0, "manager": 0.4, "peer": 0.3, "direct_report": 0.3}
# 4 dimensions x 5 criteria; one technical. Unequal criterion weights so that the
# renormalisation over rated criteria matters.
DIMENSIONS = [
    ("leadership", "leadership", 0.4,
     ["listens", "gives_room", "connects", "shows_direction", "grows_people"]),
    ("attitude", "attitude", 0.3,
     ["seeks_feedback", "learning_agility", "courage", "ownership", "integrity"]),
    ("impact", "impact", 0.3,
     ["team_development", "engagement", "feedback_culture", "wellbeing",
      "results_through_others"]),
    ("expertise", "technical", 1.0,
     ["domain_mastery", "quality_of_work", "problem_solving", "technical_judgement",
      "knowledge_sharing"]),
]
CRITERION_WEIGHTS = [1.0, 1.0, 2.0, 1.0, 1.5]
SCALE = (1.0, 5.0)
MISSING = 0.03

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


# --------------------------------------------------------------------------------------------
# Rubric and data
# --------------------------------------------------------------------------------------------

def rubric_toml() -> str:
    lines = [
        "format_version = 1",
        'id = "bench-compare"',
        'version = "1"',
        'name = "Comparison harness rubric (4 dimensions x 5 criteria)"',
        "[scale]",
        f"min = {SCALE[0]:g}",
        f"max = {SCALE[1]:g}",
        "step = 1",
    ]
    for g, w in GROUP_WEIGHTS.items():
        lines += [f"[rater_groups.{g}]", f"weight = {w}",
                  f"min_raters = {3 if g in ('peer', 'direct_report') else 1}"]
    lines += [
        "[policy]", "min_coverage = 0.5", "min_raters = 3",
        "[[policy.levels]]", 'id = "ready_now"', "min_index = 75", "min_dimension = 60",
        "[[policy.levels]]", 'id = "ready_1_2_years"', "min_index = 60",
        "[[policy.levels]]", 'id = "not_ready"',
    ]
    for dim_id, kind, w, crits in DIMENSIONS:
        lines += ["[[dimensions]]", f'id = "{dim_id}"', f'kind = "{kind}"', f"weight = {w}"]
        for c, cw in zip(crits, CRITERION_WEIGHTS):
            lines += ["[[dimensions.criteria]]", f'id = "{c}"', f"weight = {cw}",
                      f'development = ["practise {c}"]']
    return "\n".join(lines) + "\n"


def criteria_ids() -> List[str]:
    return [c for _, _, _, crits in DIMENSIONS for c in crits]


@dataclass
class Codes:
    """The ratings as codes (what both DataFrames are built from)."""

    candidates: int
    cand: np.ndarray      # int32 candidate code per row
    rater: np.ndarray     # int32 rater code per row (unique per candidate x rater slot)
    group: np.ndarray     # int8 code into GROUP_NAMES
    crit: np.ndarray      # int8 code into criteria_ids()
    score: np.ndarray     # float64, NaN = not rated


GROUP_NAMES = ["self", "manager", "peer", "direct_report"]


def generate(candidates: int, seed: int = SEED) -> Codes:
    """Long-format ratings, candidate-major (candidate, rater, criterion), as a survey export
    would list them. Scores 1..5 from candidate ability + rater leniency + criterion effect
    + noise; 3% missing (NaN)."""
    rng = np.random.default_rng(seed)
    nr, nc = RATERS_PER_CANDIDATE, len(criteria_ids())
    n = candidates * nr * nc
    cand = np.repeat(np.arange(candidates, dtype=np.int32), nr * nc)
    slot = np.tile(np.repeat(np.arange(nr, dtype=np.int32), nc), candidates)
    rater = cand * nr + slot
    gcode = np.array([GROUP_NAMES.index(g) for g in RATER_GROUPS], dtype=np.int8)
    group = gcode[slot]
    crit = np.tile(np.arange(nc, dtype=np.int8), candidates * nr)
    ability = rng.normal(0.0, 0.7, candidates).astype(np.float64)
    lenience = rng.normal(0.0, 0.4, candidates * nr)
    effect = rng.normal(0.0, 0.3, nc)
    x = 3.0 + ability[cand] + lenience[rater] + effect[crit] + rng.normal(0.0, 0.8, n)
    score = np.clip(np.rint(x), SCALE[0], SCALE[1])
    score[rng.random(n) < MISSING] = np.nan
    return Codes(candidates, cand, rater, group, crit, score)


def candidate_names(n: int) -> List[str]:
    return [f"c{i:06d}" for i in range(n)]


def rater_names(n: int) -> List[str]:
    return [f"r{i:07d}" for i in range(n)]


def frame(codes: Codes, ids: str) -> pd.DataFrame:
    """``ids="categorical"``: categorical id columns; ``"string"``: the same values as pandas'
    default string columns (``astype(str)``)."""
    cats = {
        "candidate": pd.Categorical.from_codes(codes.cand, candidate_names(codes.candidates)),
        "rater": pd.Categorical.from_codes(codes.rater,
                                           rater_names(codes.candidates * RATERS_PER_CANDIDATE)),
        "group": pd.Categorical.from_codes(codes.group, GROUP_NAMES),
        "criterion": pd.Categorical.from_codes(codes.crit, criteria_ids()),
    }
    df = pd.DataFrame(cats)
    df["score"] = codes.score
    if ids == "string":
        for col in ("candidate", "rater", "group", "criterion"):
            df[col] = df[col].astype(str)
    return df


# --------------------------------------------------------------------------------------------
# (a) scoring model v1 point estimates in plain pandas
# --------------------------------------------------------------------------------------------

def pandas_scores(df: pd.DataFrame) -> pd.DataFrame:
    """Steps 1-4 of scoring model v1, written the way an analyst would."""
    lo, hi = SCALE
    groups = pd.DataFrame({"group": list(GROUP_WEIGHTS), "group_weight": list(GROUP_WEIGHTS.values())})
    criteria = pd.DataFrame(
        [(c, d, cw) for d, _, _, crits in DIMENSIONS for c, cw in zip(crits, CRITERION_WEIGHTS)],
        columns=["criterion", "dimension", "criterion_weight"],
    )
    dimensions = pd.DataFrame([(d, k, w) for d, k, w, _ in DIMENSIONS],
                              columns=["dimension", "kind", "dimension_weight"])

    rated = df.dropna(subset=["score"])
    # 1. group means per candidate, criterion and rater group
    gm = rated.groupby(["candidate", "criterion", "group"], observed=True,
                       as_index=False)["score"].mean()
    # 2. criterion score: weighted over the groups with weight > 0 that rated it
    gm = gm.merge(groups, on="group")
    gm = gm[gm["group_weight"] > 0]
    gm["weighted"] = gm["score"] * gm["group_weight"]
    cs = gm.groupby(["candidate", "criterion"], observed=True,
                    as_index=False)[["weighted", "group_weight"]].sum()
    cs["criterion_score"] = cs["weighted"] / cs["group_weight"]
    # 3. dimension score: weighted over the rated criteria, normed to 0-100
    cs = cs.merge(criteria, on="criterion")
    cs["weighted"] = cs["criterion_score"] * cs["criterion_weight"]
    ds = cs.groupby(["candidate", "dimension"], observed=True,
                    as_index=False)[["weighted", "criterion_weight"]].sum()
    ds["raw"] = ds["weighted"] / ds["criterion_weight"]
    ds["score"] = 100 * (ds["raw"] - lo) / (hi - lo)
    # 4. readiness index over the leadership-side dimensions; technical apart
    ds = ds.merge(dimensions, on="dimension")
    ds["weighted"] = ds["score"] * ds["dimension_weight"]
    ds["side"] = np.where(ds["kind"] == "technical", "technical", "index")
    composite = ds.groupby(["candidate", "side"], observed=True)[["weighted", "dimension_weight"]].sum()
    composite = (composite["weighted"] / composite["dimension_weight"]).unstack("side")
    table = ds.pivot(index="candidate", columns="dimension", values="score").add_suffix("_score")
    table = table.join(composite.rename(columns={"technical": "technical_score"}))
    return table.sort_index()


POINT_COLUMNS = ["index"] + [f"{d}_score" for d, *_ in DIMENSIONS] + ["technical_score"]


def readiness_scores(df: pd.DataFrame, rubric: Any) -> pd.DataFrame:
    return rd.assess(df, rubric).to_pandas()


def max_diff(ours: pd.DataFrame, theirs: pd.DataFrame, columns: List[str]) -> float:
    a = ours.set_index("candidate") if "candidate" in ours.columns else ours
    b = theirs.set_index("candidate") if "candidate" in theirs.columns else theirs
    a.index = a.index.astype(str)
    b.index = b.index.astype(str)
    if len(a) != len(b) or not a.index.sort_values().equals(b.index.sort_values()):
        raise AssertionError(f"different candidates: {len(a)} vs {len(b)}")
    b = b.reindex(a.index)
    worst = 0.0
    for col in columns:
        x = a[col].to_numpy(dtype=np.float64)
        y = b[col].to_numpy(dtype=np.float64)
        if not np.array_equal(np.isnan(x), np.isnan(y)):
            raise AssertionError(f"{col}: missing values differ")
        ok = ~np.isnan(x)
        if ok.any():
            worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]))))
    return worst


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------

@dataclass
class Timing:
    wall: List[float] = field(default_factory=list)
    cpu: List[float] = field(default_factory=list)
    load: List[float] = field(default_factory=list)

    @property
    def wall_med(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_med(self) -> float:
        return statistics.median(self.cpu)


def timed(fn: Callable[[], Any], reps: int, warm: bool = False) -> Tuple[Timing, Any]:
    """``reps`` timed calls. Large calls: a full collection before each (no garbage of the
    previous call is timed). Millisecond calls (``warm``): one untimed call first, no
    collections in between (a collection before each call would time cold caches)."""
    t = Timing()
    out = None
    if warm:
        fn()
        gc.collect()
    for _ in range(reps):
        out = None
        if not warm:
            gc.collect()
        t.load.append(os.getloadavg()[0])
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        c1, w1 = time.process_time(), time.perf_counter()
        t.wall.append(w1 - w0)
        t.cpu.append(c1 - c0)
    return t, out


def fmt_s(x: float) -> str:
    if x >= 1:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.1f} ms"
    return f"{x * 1e6:.0f} µs"


@dataclass
class Row:
    section: str
    what: str
    size: str
    ours: Timing
    theirs: Optional[Timing]
    diff: Optional[float]
    target: str = ""
    target_ratio: Optional[float] = None
    note: str = ""

    def ratio(self, attr: str) -> Optional[float]:
        if self.theirs is None:
            return None
        return getattr(self.theirs, attr) / getattr(self.ours, attr)


# --------------------------------------------------------------------------------------------
# (a)/(b) scoring
# --------------------------------------------------------------------------------------------

def bench_scoring(candidates: int, reps: int, rubric: Any, log: Callable[[str], None]) -> List[Row]:
    rows: List[Row] = []
    n = candidates * RATERS_PER_CANDIDATE * len(criteria_ids())
    size = f"{n / 1e6:g}M ratings ({candidates:,} candidates)"
    log(f"generating {size}")
    codes = generate(candidates)
    for ids in ("categorical", "string"):
        df = frame(codes, ids)
        log(f"  {ids} ids: DataFrame {df.memory_usage(deep=True).sum() / 2**20:.0f} MiB, "
            f"dtypes {dict((c, str(t)) for c, t in df.dtypes.items())}")
        tp, ref = timed(lambda: pandas_scores(df), reps)
        log(f"  pandas   {ids:11s} median wall {fmt_s(tp.wall_med)} cpu {fmt_s(tp.cpu_med)}")
        tr, ours = timed(lambda: readiness_scores(df, rubric), reps)
        log(f"  readiness {ids:10s} median wall {fmt_s(tr.wall_med)} cpu {fmt_s(tr.cpu_med)}")
        d = max_diff(ours, ref, POINT_COLUMNS)
        log(f"  max |difference| {d:.3g}")
        if d > TOL:
            raise AssertionError(f"scoring ({ids} ids): max difference {d} > {TOL}")
        want = 20 if ids == "categorical" else 10
        rows.append(Row("scoring", f"`rd.assess(df).to_pandas()` vs pandas, {ids} ids", size,
                        tr, tp, d, f"≥ {want}×", want))
        del ours, ref
        # Where the time of rd.assess goes: the same call in its three parts.
        rows += breakdown(df, rubric, ids, size, max(1, min(reps, 3)), log)
        del df
        gc.collect()
    return rows


def breakdown(df: pd.DataFrame, rubric: Any, ids: str, size: str, reps: int,
              log: Callable[[str], None]) -> List[Row]:
    from readiness import _frame, _native

    t1, spec = timed(lambda: _frame.columns_of(df), reps)
    t2, native = timed(lambda: _native.assess_columns(rubric, spec), reps)
    t3, _ = timed(lambda: rd.Assessments(native).to_pandas(), reps)
    out = []
    for label, t in (("Python side: `columns_of` (factorise ids, score array)", t1),
                     ("engine: `assess_columns` (rating set + flat table, no GIL)", t2),
                     ("`to_pandas()` (flat table + DataFrame)", t3)):
        log(f"    part {label}: median wall {fmt_s(t.wall_med)} cpu {fmt_s(t.cpu_med)}")
        out.append(Row("breakdown", f"{ids} ids — {label}", size, t, None, None))
    return out


# --------------------------------------------------------------------------------------------
# (c) ICC, (d) Krippendorff
# --------------------------------------------------------------------------------------------

def bench_icc(targets: int, raters: int, reps: int, log: Callable[[str], None]) -> Row:
    import pingouin as pg

    rng = np.random.default_rng(SEED + 1)
    m = (rng.normal(0, 1, (targets, 1)) + rng.normal(0, 0.5, (1, raters))
         + rng.normal(0, 0.7, (targets, raters)))
    m = np.round(m * 10) / 10  # ratings with one decimal
    long = pd.DataFrame({
        "target": np.repeat(np.arange(targets), raters),
        "rater": np.tile(np.arange(raters), targets),
        "rating": m.ravel(),
    })
    tp, theirs = timed(lambda: pg.intraclass_corr(long, targets="target", raters="rater",
                                                  ratings="rating"), reps, warm=True)
    tr, ours = timed(lambda: rd.stats.icc(m), reps, warm=True)
    theirs = theirs.set_index("Type")
    # pingouin < 0.7 names the forms ICC1 … ICC3k, 0.7 ICC(1,1), ICC(A,1), ICC(C,1), … (k).
    names = {"ICC1": "ICC(1,1)", "ICC2": "ICC(A,1)", "ICC3": "ICC(C,1)",
             "ICC1k": "ICC(1,k)", "ICC2k": "ICC(A,k)", "ICC3k": "ICC(C,k)"}
    d = 0.0
    for form, new_name in names.items():
        key = form if form in theirs.index else new_name
        d = max(d, abs(ours[form]["icc"] - float(theirs.loc[key, "ICC"])),
                abs(ours[form]["f"] - float(theirs.loc[key, "F"])))
    log(f"icc {targets}x{raters}: pingouin {fmt_s(tp.wall_med)}, readiness {fmt_s(tr.wall_med)}, "
        f"max |difference| (six ICCs and F) {d:.3g}")
    if d > TOL:
        raise AssertionError(f"ICC: max difference {d} > {TOL}")
    return Row("icc", "`rd.stats.icc` vs `pingouin.intraclass_corr`", f"{targets:,} targets × {raters} raters",
               tr, tp, d, "≥ 50×", 50, "pingouin gets the long DataFrame, readiness the wide matrix "
               "(both prepared outside the timing); compared: the six ICCs and F values")


def bench_krippendorff(raters: int, units: int, reps: int, log: Callable[[str], None]) -> Row:
    import krippendorff

    rng = np.random.default_rng(SEED + 2)
    truth = rng.integers(1, 6, units)
    data = np.clip(truth[None, :] + rng.integers(-1, 2, (raters, units)), 1, 5).astype(np.float64)
    data[rng.random((raters, units)) < 0.1] = np.nan
    tp, theirs = timed(lambda: krippendorff.alpha(reliability_data=data,
                                                  level_of_measurement="interval"), reps, warm=True)
    tr, ours = timed(lambda: rd.stats.krippendorff_alpha(data, level="interval"), reps, warm=True)
    d = abs(ours["alpha"] - float(theirs))
    log(f"krippendorff {raters}x{units}: package {fmt_s(tp.wall_med)}, readiness "
        f"{fmt_s(tr.wall_med)}, |difference| {d:.3g}")
    if d > TOL:
        raise AssertionError(f"Krippendorff: difference {d} > {TOL}")
    return Row("krippendorff", "`rd.stats.krippendorff_alpha` vs `krippendorff.alpha` (interval)",
               f"{raters} raters × {units:,} units, 10% missing", tr, tp, d, "≥ 10×", 10)


# --------------------------------------------------------------------------------------------
# Peak memory (fresh subprocess per measurement)
# --------------------------------------------------------------------------------------------

def _release_heap() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def _reset_peak() -> bool:
    """Resets the process' peak RSS to its current RSS (Linux ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def memory_child(candidates: int, ids: str, what: str) -> Dict[str, Any]:
    """In a fresh process: build the DataFrame, drop every temporary, reset the peak, run
    ``what`` keeping its result alive, report ``ru_maxrss``."""
    codes = generate(candidates)
    df = frame(codes, ids)
    del codes
    rubric = rd.Rubric.from_toml(rubric_toml())
    df_bytes = int(df.memory_usage(deep=True).sum())
    _release_heap()
    reset = _reset_peak()
    before = _rss_kib()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if what == "assess":
        out = rd.assess(df, rubric).to_pandas()
    elif what == "assess_only":
        out = rd.assess(df, rubric)
    elif what == "pandas":
        out = pandas_scores(df)
    else:
        raise ValueError(what)
    ru_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is max(the signal struct's maxrss, this mm's high-water mark); the former
    # carries the RSS of the parent Python at fork/exec (kernel: setmax_mm_hiwater_rss at exec),
    # so the peak of this process' own memory is the mm's high-water mark, VmHWM, which
    # clear_refs reset above.
    peak = _status_kib("VmHWM")
    return {"df_bytes": df_bytes, "rss_before_kib": before, "ru_maxrss_before_kib": peak_before,
            "ru_maxrss_kib": ru_peak, "maxrss_kib": peak, "peak_reset": reset,
            "result_rows": len(out)}


def bench_memory(candidates: int, log: Callable[[str], None]) -> List[Dict[str, Any]]:
    results = []
    for ids in ("categorical", "string"):
        for what in ("assess", "assess_only", "pandas"):
            proc = subprocess.run(
                [sys.executable, str(Path(__file__)), "_memory", str(candidates), ids, what],
                check=True, capture_output=True, text=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r.update(ids=ids, what=what, candidates=candidates)
            extra = (r["maxrss_kib"] - r["rss_before_kib"]) * 1024
            r["extra_bytes"] = extra
            r["ratio"] = extra / r["df_bytes"]
            log(f"memory {what:11s} {ids:11s}: DataFrame {r['df_bytes'] / 2**20:.0f} MiB, "
                f"RSS before {r['rss_before_kib'] / 1024:.0f} MiB, peak {r['maxrss_kib'] / 1024:.0f} MiB, "
                f"peak − before = {extra / 2**20:.0f} MiB = {r['ratio']:.2f}× the DataFrame")
            results.append(r)
    return results


# --------------------------------------------------------------------------------------------
# CLI vs csv crate
# --------------------------------------------------------------------------------------------

def write_csv(codes: Codes, path: Path) -> None:
    df = frame(codes, "categorical")
    df["score"] = df["score"].astype("Int64")  # "4", and "" for not rated
    tmp = path.with_suffix(".tmp")
    df.to_csv(tmp, index=False, chunksize=1_000_000)
    tmp.replace(path)


def time_v(cmd: List[str]) -> Dict[str, float]:
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr[-2000:]}")
    out: Dict[str, float] = {}
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("User time"):
            out["user"] = float(line.split(":")[-1])
        elif line.startswith("System time"):
            out["sys"] = float(line.split(":")[-1])
        elif line.startswith("Maximum resident set size"):
            out["maxrss_kib"] = float(line.split(":")[-1])
        elif line.startswith("Elapsed (wall clock)"):
            v = line.split("):")[-1].strip().split(":")
            secs = 0.0
            for part in v:
                secs = secs * 60 + float(part)
            out["wall"] = secs
    out["cpu"] = out["user"] + out["sys"]
    out["stdout"] = proc.stdout  # type: ignore[assignment]
    return out


def bench_cli(candidates: int, reps: int, workdir: Path, cli: Path, baseline: Path,
              rubric_path: Path, log: Callable[[str], None]) -> Dict[str, Any]:
    n = candidates * RATERS_PER_CANDIDATE * len(criteria_ids())
    csv_path = workdir / f"ratings-{candidates}-{SEED}.csv"
    codes = generate(candidates)
    if not csv_path.exists():
        log(f"writing {csv_path}")
        write_csv(codes, csv_path)
    size = csv_path.stat().st_size
    log(f"CLI on {csv_path} ({n / 1e6:g}M ratings, {size / 2**20:.0f} MiB)")
    out_csv = workdir / "cli-out.csv"
    runs: Dict[str, List[Dict[str, float]]] = {"assess": [], "csv_string": [], "csv_bytes": []}
    loads: List[float] = []
    for _ in range(reps):
        loads.append(os.getloadavg()[0])
        runs["assess"].append(time_v([str(cli), "assess", "--rubric", str(rubric_path),
                                      str(csv_path), "--format", "csv", "--out", str(out_csv)]))
        runs["csv_string"].append(time_v([str(baseline), str(csv_path)]))
        runs["csv_bytes"].append(time_v([str(baseline), str(csv_path), "--bytes"]))
    # The CLI's numbers are the same as pandas' (checked on its CSV output).
    ref = pandas_scores(frame(codes, "categorical"))
    cli_out = pd.read_csv(out_csv, dtype={"candidate": str})
    d = max_diff(cli_out, ref, POINT_COLUMNS)
    log(f"  CLI output vs pandas: max |difference| {d:.3g}")
    if d > TOL:
        raise AssertionError(f"CLI: max difference {d} > {TOL}")
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall", "cpu", "maxrss_kib")}
           for k, v in runs.items()}
    for k, v in med.items():
        log(f"  {k:10s} median wall {v['wall']:.2f} s cpu {v['cpu']:.2f} s "
            f"maxrss {v['maxrss_kib'] / 1024:.0f} MiB")
    return {"ratings": n, "bytes": size, "median": med, "runs": runs, "loads": loads, "diff": d}


# --------------------------------------------------------------------------------------------
# RESULTS.md
# --------------------------------------------------------------------------------------------

def versions() -> Dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version(), "readiness": rd.__version__}
    for p in ("numpy", "pandas", "pingouin", "krippendorff", "scipy"):
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = "—"
    try:
        out["rustc"] = subprocess.run(["rustc", "--version"], capture_output=True,
                                      text=True).stdout.strip()
    except OSError:
        out["rustc"] = "—"
    return out


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = []
    for p in threadpool_info():
        parts.append(f"{p.get('internal_api')} {p.get('version')} "
                     f"(architecture {p.get('architecture')}, {p.get('num_threads')} threads)")
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return "; ".join(parts) + f"; environment {env}"


def machine() -> str:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} vCPU {cpu}, {mem} RAM, {platform.system()} {platform.release()}"


def ratio_cell(r: Row) -> str:
    w, c = r.ratio("wall_med"), r.ratio("cpu_med")
    if w is None or c is None:
        return ""
    return f"{c:.1f}× ({w:.1f}×)"


def verdict(r: Row) -> str:
    c = r.ratio("cpu_med")
    if r.target_ratio is None or c is None:
        return ""
    if c >= r.target_ratio:
        return f"{r.target} — met"
    w = r.ratio("wall_med")
    if w is not None and w >= r.target_ratio:
        return f"{r.target} — met in wall clock only (CPU: **missed**)"
    return f"{r.target} — **missed**"


def result_lines(rows: List[Row]) -> List[str]:
    """The comparison table (rows other than the breakdown), in markdown."""
    L = ["| comparison | size | readiness (CPU / wall, median) | other (CPU / wall, median) "
         "| ratio CPU (wall) | max diff | target | load |",
         "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.section == "breakdown":
            continue
        th = f"{fmt_s(r.theirs.cpu_med)} / {fmt_s(r.theirs.wall_med)}" if r.theirs else ""
        loads_all = r.ours.load + (r.theirs.load if r.theirs else [])
        L.append(f"| {r.what} | {r.size} | {fmt_s(r.ours.cpu_med)} / {fmt_s(r.ours.wall_med)} | {th} "
                 f"| {ratio_cell(r)} | {r.diff:.1e} | {verdict(r)} "
                 f"| {min(loads_all):.1f}–{max(loads_all):.1f} |")
    return L


def write_results(path: Path, args: argparse.Namespace, rows: List[Row], mem: List[Dict[str, Any]],
                  cli: Optional[Dict[str, Any]], notes: List[str], started: str,
                  loads: List[Tuple[float, float, float]]) -> None:
    v = versions()
    L: List[str] = []
    L.append("# Comparison with what users would use instead (issue 8)")
    L.append("")
    L.append("Written by `benches/compare/run` (`benches/compare/compare.py`); re-run it to refresh "
             "this file. Every pair below gave the same numbers (max |difference| ≤ 1e-9, asserted "
             "in the run).")
    L.append("")
    L.append("## Machine, versions, load")
    L.append("")
    L.append(f"- Run started {started}; machine: {machine()}.")
    L.append("- The 2 cores are **shared with other sessions**: load average (1/5/15 min) at the "
             "start, between the sections and at the end: "
             + ", ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c in loads)
             + ". Ratios are taken on **CPU time** (process time of the timed call, summed over "
             "all threads: the extension encodes string columns and scores large cohorts on "
             "rayon's pool, 2 threads here; pandas, pingouin and krippendorff run on one) — "
             "wall-clock ratios are given in brackets and are the user's experience when the "
             "machine is otherwise idle.")
    L.append("- " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".")
    L.append(f"- BLAS (threadpoolctl): {blas_info()}.")
    L.append("")
    L.append("## Method")
    L.append("")
    L.append(
        f"- Data: seed {SEED}; long format candidate, rater, group, criterion, score; 8 raters per "
        "candidate (self, manager, 3 peers, 3 direct reports; rater ids unique per candidate), "
        "20 criteria, scores 1–5 (candidate ability + rater leniency + criterion effect + noise, "
        "rounded), 3% missing as NaN; rows in survey-export order (candidate, rater, criterion). "
        "Rubric `bench-compare` written by the script: 4 dimensions × 5 criteria (leadership 0.4, "
        "attitude 0.3, impact 0.3, technical `expertise`), criterion weights 1, 1, 2, 1, 1.5, "
        "group weights self 0, manager 0.4, peer 0.3, direct report 0.3.")
    sdt = pd.Series(["x"]).astype(str).dtype
    L.append(
        "- Categorical ids: `pd.Categorical.from_codes`; string ids: the same values via "
        f"`astype(str)`, pandas' default string dtype here: `{sdt!r}`, storage "
        f"`{getattr(sdt, 'storage', 'object')}`.")
    L.append(
        "- (a) `pandas_scores` in `compare.py`: steps 1–4 of scoring model v1 with "
        "`dropna`/`groupby(observed=True).mean`/`merge`/`groupby.sum`/`pivot` — group means, "
        "criterion scores over groups with weight > 0 renormalised, dimension scores renormalised "
        "over rated criteria, norm to 0–100, index over the leadership-side dimensions, technical "
        "apart. (b) what is timed is `rd.assess(df, rubric).to_pandas()`: the only public Python "
        "path to the point estimates; it also computes every other number of the flat table "
        "(intervals, coverage, rwg, levels, flags, strengths, development areas) — the documents "
        "themselves (reasons, messages, actions) are built on first use (`to_dicts()`, "
        "`res[...]`, iteration), which the timed call does not ask for. Compared: "
        "`index`, the four `<dimension>_score` and `technical_score` of every candidate.")
    L.append(
        f"- Repetitions: {args.reps} at the largest scoring size, {args.small_reps} at the smaller "
        f"ones (a full `gc.collect()` before each), {args.stat_reps} for ICC and Krippendorff (one "
        "untimed warm-up call, no collections in between); medians. Data preparation is outside "
        "the timing; CPU time is `time.process_time()` around the call.")
    L.append(
        "- Peak memory: one fresh subprocess per measurement builds the DataFrame, frees every "
        "temporary (`gc`, `malloc_trim`), resets the peak RSS (`/proc/self/clear_refs` 5), runs "
        "the call keeping its result alive and reads the peak; reported is peak − RSS before the "
        "call, against `df.memory_usage(deep=True)`. The peak is `VmHWM` of `/proc/self/status`: "
        "`resource.getrusage(RUSAGE_SELF).ru_maxrss` is max(that, a per-process maximum the "
        "kernel carries over exec), and the latter holds the parent Python's RSS at fork — it read "
        "the same value for every child — so it cannot show the child's own peak (both are kept "
        "in the JSON the child prints).")
    L.append(
        "- CLI: `/usr/bin/time -v readiness assess --rubric bench-compare.toml ratings.csv "
        "--format csv --out out.csv` vs `/usr/bin/time -v csv_read_baseline ratings.csv` "
        "(`crates/readiness-cli/examples/csv_read_baseline.rs`: the csv crate configured as the "
        "engine's reader — `StringRecord`, `Trim::All`, 1 MiB `BufReader` — records counted, "
        "nothing else; `--bytes`: `ByteRecord`, no trim). Release builds. The CLI's CSV output is "
        "checked against pandas too.")
    for n in notes:
        L.append(f"- {n}")
    L.append("")
    L.append("## Results")
    L.append("")
    L += result_lines(rows)
    L.append("")
    L.append("Where the time of `rd.assess(df).to_pandas()` goes (the same call in its three parts, "
             "timed separately):")
    L.append("")
    L.append("| part | size | CPU (median) | wall (median) | load |")
    L.append("|---|---|---|---|---|")
    for r in rows:
        if r.section == "breakdown":
            L.append(f"| {r.what} | {r.size} | {fmt_s(r.ours.cpu_med)} | {fmt_s(r.ours.wall_med)} "
                     f"| {min(r.ours.load):.1f}–{max(r.ours.load):.1f} |")
    if mem:
        L.append("")
        L.append("Peak memory (fresh subprocess per line):")
        L.append("")
        L.append("| call | ids | ratings | input DataFrame | RSS before | peak | peak − before "
                 "| ÷ DataFrame | target ≤ 1.5× |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        labels = {"assess": "`rd.assess(df).to_pandas()`", "assess_only": "`rd.assess(df)`",
                  "pandas": "pandas implementation"}
        for m in mem:
            n = m["candidates"] * RATERS_PER_CANDIDATE * len(criteria_ids())
            tgt = ("met" if m["ratio"] <= 1.5 else "**missed**") if m["what"] != "pandas" else "—"
            L.append(f"| {labels[m['what']]} | {m['ids']} | {n / 1e6:g}M | "
                     f"{m['df_bytes'] / 2**20:.0f} MiB | {m['rss_before_kib'] / 1024:.0f} MiB | "
                     f"{m['maxrss_kib'] / 1024:.0f} MiB | {m['extra_bytes'] / 2**20:.0f} MiB | "
                     f"{m['ratio']:.2f}× | {tgt} |")
    if cli:
        med = cli["median"]
        a, s, b = med["assess"], med["csv_string"], med["csv_bytes"]
        L.append("")
        L.append(f"CLI on a {cli['ratings'] / 1e6:g}M-rating CSV ({cli['bytes'] / 2**20:.0f} MiB), "
                 f"medians of {len(cli['runs']['assess'])} runs, load "
                 f"{min(cli['loads']):.1f}–{max(cli['loads']):.1f}:")
        L.append("")
        L.append("| command | wall | CPU (user+sys) | ratings/s (CPU) | max RSS | ÷ csv read (CPU) |")
        L.append("|---|---|---|---|---|---|")
        for label, x in (("`readiness assess … --format csv`", a),
                         ("csv crate, `StringRecord` + trim (engine's settings)", s),
                         ("csv crate, `ByteRecord`", b)):
            L.append(f"| {label} | {x['wall']:.2f} s | {x['cpu']:.2f} s | "
                     f"{cli['ratings'] / max(x['cpu'], 1e-3) / 1e6:.1f} M | {x['maxrss_kib'] / 1024:.0f} MiB | "
                     f"{x['cpu'] / max(s['cpu'], 1e-3):.2f}× |")
        ok = a["cpu"] <= 2 * s["cpu"]
        L.append("")
        L.append(f"Target ≤ 2× reading with the csv crate: {a['cpu'] / max(s['cpu'], 1e-3):.2f}× "
                 f"({a['wall'] / max(s['wall'], 1e-3):.2f}× wall) — {'met' if ok else '**missed**'}, "
                 "against the baseline read the way the engine's reader used to be configured "
                 "(`StringRecord` + `Trim::All`, what the issue's target was set against). "
                 f"Against the fastest read the crate offers (`ByteRecord`, no trim, no UTF-8 "
                 f"check): {a['cpu'] / max(b['cpu'], 1e-3):.2f}×.")
    L.append("")
    L.append("<!-- analysis -->")
    analysis = HERE / "ANALYSIS.md"
    if analysis.exists():
        L.append("")
        L.append(analysis.read_text().rstrip())
    path.write_text("\n".join(L) + "\n")


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_memory":
        r = memory_child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        print(json.dumps(r))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, one repetition, equality asserted; no CLI, memory or RESULTS.md")
    ap.add_argument("--candidates", type=int, default=100_000,
                    help="largest scoring size (x160 ratings); default 100000 = 16M ratings")
    ap.add_argument("--also", type=int, nargs="*", default=[6_250],
                    help="further scoring sizes (default 6250 candidates = 1M ratings)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions at the largest size")
    ap.add_argument("--small-reps", type=int, default=5, help="repetitions at the other sizes")
    ap.add_argument("--stat-reps", type=int, default=41, help="repetitions of ICC / Krippendorff")
    ap.add_argument("--icc", type=int, nargs=2, default=[1000, 5], metavar=("TARGETS", "RATERS"))
    ap.add_argument("--kripp", type=int, nargs=2, default=[5, 10_000], metavar=("RATERS", "UNITS"))
    ap.add_argument("--memory-candidates", type=int, default=None,
                    help="size of the memory measurement (default: --candidates)")
    ap.add_argument("--cli", type=Path, help="the `readiness` binary (CLI comparison when given)")
    ap.add_argument("--baseline", type=Path, help="the csv_read_baseline example binary")
    ap.add_argument("--cli-reps", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "readiness-compare")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benches" / "RESULTS.md")
    ap.add_argument("--resume", action="store_true",
                    help="reuse the sections already measured in WORKDIR/state.json (same sizes)")
    ap.add_argument("--note", action="append", default=[], help="a line for the method section")
    ap.add_argument("--only-stats", action="store_true",
                    help="only the ICC and Krippendorff comparisons (--stat-reps, --icc, --kripp); "
                         "prints their rows in the RESULTS.md format and writes no file")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, flush=True)

    rubric_text = rubric_toml()
    rubric = rd.Rubric.from_toml(rubric_text)

    if args.smoke:
        t0 = time.perf_counter()
        bench_scoring(50, 1, rubric, log)
        bench_icc(30, 5, 1, log)
        bench_krippendorff(5, 200, 1, log)
        log(f"smoke: all results equal (≤ {TOL}) in {time.perf_counter() - t0:.1f} s")
        return 0

    if args.only_stats:
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        load0 = os.getloadavg()
        rows = [bench_icc(args.icc[0], args.icc[1], args.stat_reps, log),
                bench_krippendorff(args.kripp[0], args.kripp[1], args.stat_reps, log)]
        load1 = os.getloadavg()
        log(f"\nstarted {started}; load average (1/5/15 min) at the start "
            f"{load0[0]:.1f}/{load0[1]:.1f}/{load0[2]:.1f}, at the end "
            f"{load1[0]:.1f}/{load1[1]:.1f}/{load1[2]:.1f}; {args.stat_reps} repetitions, medians; "
            f"{machine()}; " + ", ".join(f"{k} {val}" for k, val in versions().items()))
        log("")
        for line in result_lines(rows):
            log(line)
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    state_path = args.workdir / "state.json"
    state: Dict[str, Any] = {}
    if args.resume and state_path.exists():
        state = json.loads(state_path.read_text())
        log(f"resuming: sections {sorted(k for k in state if k not in ('started', 'loads', 'end_load'))} "
            f"from {state_path}")
    state.setdefault("started", time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    state.setdefault("loads", [])

    def section(name: str, fn: Callable[[], Any]) -> Any:
        if name not in state:
            state["loads"].append(list(os.getloadavg()))
            state[name] = fn()
            state_path.write_text(json.dumps(state))
        return state[name]

    def rows_json(rs: List[Row]) -> List[Dict[str, Any]]:
        return [asdict(r) for r in rs]

    rubric_path = args.workdir / "bench-compare.toml"
    rubric_path.write_text(rubric_text)
    raw: List[Dict[str, Any]] = []
    raw += section(f"scoring-{args.candidates}",
                   lambda: rows_json(bench_scoring(args.candidates, args.reps, rubric, log)))
    for c in args.also:
        raw += section(f"scoring-{c}",
                       lambda c=c: rows_json(bench_scoring(c, args.small_reps, rubric, log)))
    raw += section("stats", lambda: rows_json([
        bench_icc(args.icc[0], args.icc[1], args.stat_reps, log),
        bench_krippendorff(args.kripp[0], args.kripp[1], args.stat_reps, log)]))
    rows = [Row(**{**r, "ours": Timing(**r["ours"]),
                   "theirs": Timing(**r["theirs"]) if r["theirs"] else None}) for r in raw]
    mem: List[Dict[str, Any]] = []
    if not args.no_memory:
        mem = section("memory", lambda: bench_memory(args.memory_candidates or args.candidates, log))
    cli = None
    if args.cli and args.baseline:
        cli = section("cli", lambda: bench_cli(args.candidates, args.cli_reps, args.workdir,
                                               args.cli, args.baseline, rubric_path, log))
    started = state["started"]
    if "end_load" not in state:
        state["end_load"] = list(os.getloadavg())
        state_path.write_text(json.dumps(state))
    loads = [tuple(x) for x in state["loads"]] + [tuple(state["end_load"])]
    print()
    print(f"{'comparison':70s} {'size':36s} {'ours cpu':>10s} {'theirs cpu':>10s} {'ratio cpu (wall)':>18s}")
    for r in rows:
        if r.theirs is not None:
            print(f"{r.what:70s} {r.size:36s} {fmt_s(r.ours.cpu_med):>10s} "
                  f"{fmt_s(r.theirs.cpu_med):>10s} {ratio_cell(r):>18s} {verdict(r)}")
    write_results(args.out, args, rows, mem, cli, args.note, started, loads)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
