"""rd.assess on DataFrames, records and CSV files; the result object; cross-binding fixtures."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import readiness as rd

from .conftest import FIXTURES


def load_expected(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


# Assessment fixtures: `<name>.csv` with `<name>.expected.json` (cohort reports such as
# cohort_sample.expected.json have no ratings file of their own; see test_cohort.py).
FIXTURE_NAMES = sorted(
    p.name[: -len(".expected.json")]
    for p in FIXTURES.glob("*.expected.json")
    if (FIXTURES / (p.name[: -len(".expected.json")] + ".csv")).exists()
)


def test_fixtures_exist() -> None:
    assert "small" in FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_csv_path_gives_the_engine_documents(name: str) -> None:
    res = rd.assess(FIXTURES / f"{name}.csv")
    assert res.to_dicts() == load_expected(name)
    assert json.loads(res.to_json()) == load_expected(name)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_dataframe_gives_the_engine_documents(name: str) -> None:
    df = pd.read_csv(FIXTURES / f"{name}.csv", dtype={"score": "float64"}, keep_default_na=False, na_values={"score": [""]})
    assert rd.assess(df).to_dicts() == load_expected(name)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_records_give_the_engine_documents(name: str) -> None:
    df = pd.read_csv(FIXTURES / f"{name}.csv", dtype=str, keep_default_na=False)
    records = df.to_dict("records")
    for r in records:
        r["score"] = float(r["score"]) if r["score"] else None
        if "comment" in r and not r["comment"]:
            del r["comment"]
    assert rd.assess(records).to_dicts() == load_expected(name)


def small_frame() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "small.csv")


def test_categorical_string_and_integer_ids_agree() -> None:
    df = small_frame()
    expected = rd.assess(df).to_dicts()
    cat = df.astype({c: "category" for c in ["candidate", "rater", "group", "criterion"]})
    assert rd.assess(cat).to_dicts() == expected
    strings = df.astype({c: "string" for c in ["candidate", "rater", "group", "criterion"]})
    assert rd.assess(strings).to_dicts() == expected
    # Integer ids: candidate e-101 → 101, raters numbered; documents name them as text.
    ints = df.copy()
    ints["candidate"] = ints["candidate"].str.slice(2).astype(np.int64)
    ints["rater"] = pd.factorize(ints["rater"])[0].astype(np.int32) + 1000
    res = rd.assess(ints)
    assert len(res) == len(expected)
    assert [d["candidate"] for d in res] == sorted(str(c) for c in ints["candidate"].unique())
    by_id = {d["candidate"]: d for d in expected}
    for doc in res:
        ref = by_id["e-" + doc["candidate"]]
        # Renaming raters reorders them (the engine sorts by id), which may move the last
        # digit of an interval (summation order), so numbers are compared to 1e-12.
        for got, want in zip([doc["readiness"], *doc["dimensions"]], [ref["readiness"], *ref["dimensions"]]):
            assert got.keys() == want.keys()
            for k in got:
                if isinstance(want[k], float) or (
                    isinstance(want[k], list) and all(isinstance(x, float) for x in want[k])
                ):
                    assert got[k] == pytest.approx(want[k], rel=1e-12), k
                else:
                    assert got[k] == want[k], k


def test_categorical_with_unused_categories_and_row_order() -> None:
    df = small_frame().sample(frac=1.0, random_state=3)
    cat = df.astype({"criterion": pd.CategoricalDtype(list(df["criterion"].unique()) + ["unused"])})
    assert rd.assess(cat).to_dicts() == rd.assess(small_frame()).to_dicts()


def test_integer_scores_and_nan_as_missing() -> None:
    df = small_frame()
    with_nan = df.copy()
    with_nan.loc[with_nan.index[:5], "score"] = np.nan
    dropped = df.iloc[5:]
    assert rd.assess(with_nan).to_dicts() == rd.assess(dropped).to_dicts()
    rated = df.dropna(subset=["score"])
    assert rd.assess(rated.astype({"score": "int64"})).to_dicts() == rd.assess(rated).to_dicts()
    nullable = df.astype({"score": "Int64"})
    nullable.loc[nullable.index[:5], "score"] = pd.NA
    assert rd.assess(nullable).to_dicts() == rd.assess(dropped).to_dicts()


def test_empty_dataframe() -> None:
    empty = small_frame().iloc[0:0]
    res = rd.assess(empty)
    assert len(res) == 0
    assert res.to_dicts() == []
    table = res.to_pandas()
    assert len(table) == 0
    assert list(table.columns[:3]) == ["candidate", "level", "label"]
    assert "<table" in res._repr_html_()


def test_empty_frame_without_columns_is_a_missing_column() -> None:
    with pytest.raises(rd.RatingsError) as info:
        rd.assess(pd.DataFrame())
    assert info.value.code == "missing_column"


def test_cycles_and_comments() -> None:
    res = rd.assess(FIXTURES / "cycles.csv")
    keys = res.keys()
    assert ("e-7", "2026-Q1") in keys and ("e-7", "2026-Q2") in keys
    with pytest.raises(KeyError, match="several cycles"):
        res["e-7"]
    assert res["e-7", "2026-Q2"]["cycle"] == "2026-Q2"
    table = res.to_pandas()
    assert list(table.columns[:2]) == ["candidate", "cycle"]


def test_result_protocol() -> None:
    res = rd.assess(small_frame())
    docs = res.to_dicts()
    assert len(res) == len(docs)
    assert list(res) == docs
    assert res[0] == docs[0] and res[-1] == docs[-1]
    first = docs[0]["candidate"]
    assert res[first] == docs[0]
    assert first in res and "nobody" not in res
    with pytest.raises(KeyError):
        res["nobody"]
    with pytest.raises(IndexError):
        res[len(res)]
    assert res.rubric == rd.Rubric.standard()
    assert "Assessments" in repr(res)


def test_to_pandas_is_the_engine_table() -> None:
    res = rd.assess(small_frame())
    table = res.to_pandas()
    docs = res.to_dicts()
    assert len(table) == len(docs)
    assert list(table["candidate"]) == [d["candidate"] for d in docs]
    assert list(table["level"]) == [d["readiness"]["level"] for d in docs]
    for i, d in enumerate(docs):
        idx = d["readiness"]["index"]
        got = table["index"].iloc[i]
        assert (idx is None and math.isnan(got)) or got == idx
        lead = next(x for x in d["dimensions"] if x["id"] == "leadership")
        ci = lead["ci95"]
        low = table["leadership_ci_low"].iloc[i]
        assert (ci is None and math.isnan(low)) or low == ci[0]
    assert table["index"].dtype == np.float64
    for col in ["index_ci_low", "index_ci_high", "leadership_score", "technical_score", "flags"]:
        assert col in table.columns


def test_repr_html_has_level_colours() -> None:
    html = rd.assess(small_frame())._repr_html_()
    assert html.startswith("<table")
    assert "background:#" in html
    assert "e-101" in html


def test_html_escapes_ids() -> None:
    df = small_frame()
    df["candidate"] = df["candidate"].str.replace("e-101", "<b>x</b>")
    html = rd.assess(df)._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_other_rubric(tmp_path: Path) -> None:
    d = rd.Rubric.standard().to_dict()
    d["policy"]["levels"][0]["min_index"] = 74
    path = tmp_path / "r.toml"
    path.write_text(rd.Rubric.from_dict(d).to_toml())
    rubric = rd.Rubric.from_file(path)
    assert rubric != rd.Rubric.standard()
    doc = rd.assess(small_frame(), rubric=rubric)[0]
    assert doc["provenance"]["fingerprint"] == rubric.fingerprint


def test_comment_column_is_accepted_and_ignored() -> None:
    df = small_frame()
    with_comment = df.assign(comment="free text, never used")
    assert rd.assess(with_comment).to_dicts() == rd.assess(df).to_dicts()


def test_plot_profile() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = rd.assess(small_frame())
    ax = rd.plot_profile(res[0])
    assert ax.get_xlim() == (0.0, 100.0)
    assert len(ax.get_yticklabels()) == len(res[0]["dimensions"])
    plt.close("all")


def test_arrow_string_ids_in_any_layout_agree() -> None:
    pa = pytest.importorskip("pyarrow")
    df = small_frame()
    expected = rd.assess(df).to_dicts()
    ids = ["candidate", "rater", "group", "criterion"]
    for dtype in [
        pd.StringDtype("pyarrow"),
        pd.ArrowDtype(pa.string()),
        pd.ArrowDtype(pa.large_string()),
    ]:
        frame = df.astype({c: dtype for c in ids})
        assert rd.assess(frame).to_dicts() == expected, dtype
        # Several Arrow chunks, rows in another order, categories backed by Arrow.
        shuffled = frame.sample(frac=1.0, random_state=5)
        chunked = pd.concat([shuffled.iloc[:7], shuffled.iloc[7:]], ignore_index=True)
        assert rd.assess(chunked).to_dicts() == expected, dtype
        cat = frame.astype({c: "category" for c in ids})
        assert rd.assess(cat).to_dicts() == expected, dtype


def test_arrow_string_missing_id_names_the_row() -> None:
    pytest.importorskip("pyarrow")
    df = small_frame().astype({"rater": pd.StringDtype("pyarrow")})
    df.loc[4, "rater"] = None
    with pytest.raises(rd.RatingsError) as err:
        rd.assess(df)
    assert err.value.code == "missing_value"
    assert err.value.row == 4


def test_to_pandas_is_the_documents_flattened() -> None:
    res = rd.assess(small_frame())
    table = res.to_pandas()
    docs = res.to_dicts()

    def same(got: Any, want: Any) -> bool:
        return (want is None and isinstance(got, float) and math.isnan(got)) or got == want

    for i, d in enumerate(docs):
        row = table.iloc[i]
        r = d["readiness"]
        assert row["label"] == r["label"]
        assert same(row["index_ci_high"], None if r["ci95"] is None else r["ci95"][1])
        for dim in d["dimensions"]:
            assert same(row[f"{dim['id']}_coverage"], dim["coverage"])
            assert same(row[f"{dim['id']}_rwg"], dim["rwg"])
            if dim["id"] != "technical":
                assert same(row[f"{dim['id']}_score"], dim["score"])
        assert same(row["technical_score"], d["technical"]["score"])
        assert row["flags"] == ";".join(f["code"] for f in d["flags"])
        assert row["strengths"] == ";".join(d["strengths"])
        assert row["development"] == ";".join(a["criterion"] for a in d["development"])
