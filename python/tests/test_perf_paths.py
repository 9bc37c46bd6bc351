"""The fast paths of rd.assess give the same results as the general one.

Frames already in the engine's order (candidate, cycle, rater, then criterion in rubric order)
are scored in one pass over the borrowed columns, on rayon's pool for large cohorts; any other
frame is sorted first. Documents and tables must not depend on which path or how many threads.
"""

from __future__ import annotations

import hashlib
from typing import Any
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import readiness as rd

from .conftest import FIXTURES
from .test_assess import FIXTURE_NAMES, load_expected


def criterion_order(rubric: rd.Rubric) -> dict[str, int]:
    ids = [c["id"] for d in rubric.to_dict()["dimensions"] for c in d["criteria"]]
    return {c: i for i, c in enumerate(ids)}


def engine_order(df: pd.DataFrame, rubric: rd.Rubric) -> pd.DataFrame:
    keys = pd.DataFrame(
        {
            "candidate": df["candidate"].astype(str),
            "cycle": df["cycle"].fillna("").astype(str) if "cycle" in df else "",
            "rater": df["rater"].astype(str),
            "criterion": df["criterion"].map(criterion_order(rubric)),
        },
        index=df.index,
    )
    order = keys.sort_values(["candidate", "cycle", "rater", "criterion"], kind="stable").index
    return df.loc[order].reset_index(drop=True)


def read_fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(
        FIXTURES / f"{name}.csv",
        dtype={"score": "float64"},
        keep_default_na=False,
        na_values={"score": [""]},
    )


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@pytest.mark.parametrize("ids", ["object", "category", "string"])
def test_sorted_frames_give_the_engine_documents(name: str, ids: str) -> None:
    df = read_fixture(name)
    id_columns = [c for c in ["candidate", "rater", "group", "criterion", "cycle"] if c in df]
    sorted_df = engine_order(df, rd.Rubric.standard()).astype({c: ids for c in id_columns})
    res = rd.assess(sorted_df)
    assert res.to_dicts() == load_expected(name)
    pd.testing.assert_frame_equal(res.to_pandas(), rd.assess(df).to_pandas())


def cohort(candidates: int, seed: int) -> pd.DataFrame:
    """A cohort in survey-export order on the standard rubric, with unrated rows."""
    crits = list(criterion_order(rd.Rubric.standard()))
    groups = ["self", "manager", "peer", "peer", "peer", "direct_report", "direct_report", "direct_report"]
    rng = np.random.default_rng(seed)
    per = len(groups) * len(crits)
    n = candidates * per
    cand = np.repeat(np.arange(candidates), per)
    slot = np.tile(np.repeat(np.arange(len(groups)), len(crits)), candidates)
    score = rng.integers(1, 6, n).astype(np.float64)
    score[rng.random(n) < 0.05] = np.nan
    raters = [f"r{i:06d}" for i in range(candidates * len(groups))]
    return pd.DataFrame(
        {
            "candidate": pd.Categorical.from_codes(cand, [f"c{i:05d}" for i in range(candidates)]),
            "rater": pd.Categorical.from_codes(cand * len(groups) + slot, raters),
            "group": [groups[s] for s in slot],
            "criterion": pd.Categorical.from_codes(np.tile(np.arange(len(crits)), candidates * len(groups)), crits),
            "score": score,
        }
    )


def digest(res: rd.Assessments) -> str:
    h = hashlib.sha256()
    h.update(res.to_pandas().to_csv().encode())
    h.update(json.dumps(res.to_dicts()).encode())
    return h.hexdigest()


def test_sorted_and_shuffled_cohorts_agree() -> None:
    df = cohort(300, 7)
    res = rd.assess(df)
    other = rd.assess(df.sample(frac=1.0, random_state=1))
    assert res.to_dicts() == other.to_dicts()
    pd.testing.assert_frame_equal(res.to_pandas(), other.to_pandas())


SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.test_perf_paths import cohort, digest
import readiness as rd
df = cohort(800, 11)
res = rd.assess(df)
ids = ["candidate", "rater", "group", "criterion"]
print(len(res), digest(res), digest(rd.assess(df.astype({c: "string" for c in ids}))))
"""


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    # 800 candidates x 8 raters x the rubric's criteria: enough rows for several runs on two
    # and three threads. Each thread count in a fresh process (rayon's pool is sized once).
    out = {}
    for threads in ["1", "2", "3"]:
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(Path(__file__).resolve().parents[1])],
            env=dict(os.environ, RAYON_NUM_THREADS=threads),
            capture_output=True,
            text=True,
            check=True,
        )
        out[threads] = run.stdout.split()
    assert out["1"][0] == "800"
    assert out["1"] == out["2"] == out["3"]
    # String ids (run-length codes in the binding) give the categorical frame's results.
    assert out["1"][2] == out["1"][1]
    # Rows in another order take the general (sorting) path: the same documents and table.
    assert out["1"][1] == digest(rd.assess(cohort(800, 11).sample(frac=1.0, random_state=2)))


@pytest.mark.parametrize("distinct", [100, 200, 40_000])
def test_string_ids_with_many_distinct_values(distinct: int) -> None:
    # The binding's string encoding widens its codes past 127 and 32,767 distinct values.
    crits = list(criterion_order(rd.Rubric.standard()))
    rng = np.random.default_rng(distinct)
    rows = 2 * distinct
    df = pd.DataFrame(
        {
            "candidate": [f"e-{i // 2:06d}" for i in range(rows)],
            "rater": [f"m-{i // 2:06d}" for i in range(rows)],
            "group": "manager",
            "criterion": [crits[i % 2] for i in range(rows)],
            "score": rng.integers(1, 6, rows).astype(np.float64),
        }
    )
    expected = rd.assess(df.astype({c: "category" for c in ["candidate", "rater", "criterion"]}))
    for layout in [df, df.iloc[::-1]]:
        strings = layout.astype({c: "string" for c in ["candidate", "rater", "group", "criterion"]})
        got = rd.assess(strings)
        pd.testing.assert_frame_equal(got.to_pandas(), expected.to_pandas())
    assert len(expected) == distinct


def test_string_ids_differing_in_one_byte_stay_apart() -> None:
    # Consecutive ids of equal length (1 to 40 bytes) differing in a single position: the
    # encoder's word-wise comparison must see every byte.
    names = ["a" * n for n in range(1, 41)]
    names += ["a" * p + "b" + "a" * (n - p - 1) for n in range(1, 41) for p in range(n)]
    df = pd.DataFrame(
        {
            "candidate": names,
            "rater": names,
            "group": "manager",
            "criterion": list(criterion_order(rd.Rubric.standard()))[0],
            "score": 3.0,
        }
    )
    strings = rd.assess(df.astype({c: "string" for c in ["candidate", "rater", "group", "criterion"]}))
    assert len(strings) == len(set(names))
    pd.testing.assert_frame_equal(strings.to_pandas(), rd.assess(df).to_pandas())


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_to_pandas_text_columns_from_arrow_buffers_equal_the_lists(name: str) -> None:
    """`to_pandas()` builds pandas' Arrow-backed string columns from Arrow buffers when it can;
    the frame is exactly the one built from lists of ``str`` (values, dtypes, order)."""
    from readiness._result import _arrow_string_dtype, _table_frame

    res = rd.assess(str(FIXTURES / f"{name}.csv"))
    fast = _table_frame(res._native, arrow=True)
    plain = _table_frame(res._native, arrow=False)
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    pd.testing.assert_frame_equal(res.to_pandas(), plain, check_exact=True)
    if _arrow_string_dtype() is not None:
        assert type(fast["level"].array).__name__ == "ArrowStringArray"


class _FakeTable:
    """A native table with missing and non-ASCII text values."""

    values = ["a", None, "ccc", "", "é✓", None, "x" * 40, "z", "y"]

    def table_parts(self, with_text: bool = True) -> Any:
        block = np.asfortranarray(np.arange(len(self.values), dtype=np.float64)[:, None])
        texts = [(1, list(self.values))] if with_text else []
        return ["n", "t"], block, texts

    def table_text_buffers(self) -> Any:
        data = b"".join((v or "").encode() for v in self.values)
        offsets = np.cumsum([0] + [len((v or "").encode()) for v in self.values]).astype(np.int64)
        bits = np.zeros((len(self.values) + 7) // 8, dtype=np.uint8)
        for i, v in enumerate(self.values):
            if v is not None:
                bits[i // 8] |= 1 << (i % 8)
        return [(1, offsets, np.frombuffer(data, dtype=np.uint8), bits)]


def test_arrow_text_buffers_keep_missing_values() -> None:
    from readiness._result import _arrow_string_dtype, _table_frame

    if _arrow_string_dtype() is None:
        pytest.skip("pandas' default string dtype is not Arrow-backed here")
    fast = _table_frame(_FakeTable(), arrow=True)  # type: ignore[arg-type]
    plain = _table_frame(_FakeTable(), arrow=False)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    assert fast["t"].isna().tolist() == [v is None for v in _FakeTable.values]


def test_string_ids_in_runs_give_the_categorical_results() -> None:
    # Survey-export order: the binding keeps candidate, rater and group codes as runs (no
    # per-row array); criteria change every row and get one code per row. Rows whose runs
    # turn short part-way (the shuffled tail) switch the column to one code per row, past
    # 127 distinct values.
    ids = ["candidate", "rater", "group", "criterion"]
    df = cohort(300, 7)
    head = len(df) * 9 // 10
    tail = df.iloc[head:].sample(frac=1.0, random_state=3)
    for frame in [df, pd.concat([df.iloc[:head], tail], ignore_index=True)]:
        expected = rd.assess(frame)
        for dtype in ["string", pd.ArrowDtype(__import__("pyarrow").large_string())]:
            got = rd.assess(frame.astype({c: dtype for c in ids}))
            assert got.to_dicts() == expected.to_dicts()
            pd.testing.assert_frame_equal(got.to_pandas(), expected.to_pandas())


def test_missing_id_inside_a_run_names_its_row() -> None:
    df = cohort(20, 5).astype({c: "string" for c in ["candidate", "rater", "group", "criterion"]})
    df.loc[1234, "rater"] = pd.NA
    with pytest.raises(ValueError, match="1234"):
        rd.assess(df)
