"""rd.cohort: the same document from every input form, the flattened tables, CohortError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, cast

import pandas as pd
import pytest

import readiness as rd

from .conftest import ROOT

DATA = ROOT / "examples" / "data"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def ratings() -> pd.DataFrame:
    return pd.read_csv(DATA / "cohort.csv")


@pytest.fixture(scope="module")
def report(ratings: pd.DataFrame) -> rd.CohortReport:
    return rd.cohort(
        ratings,
        attributes=_read("attributes.csv"),
        decisions=_read("decisions.csv"),
        overrides=_read("overrides.csv"),
    )


def test_paths_frames_and_records_give_the_same_document(
    ratings: pd.DataFrame, report: rd.CohortReport
) -> None:
    from_paths = rd.cohort(
        DATA / "cohort.csv",
        attributes=DATA / "attributes.csv",
        decisions=str(DATA / "decisions.csv"),
        overrides=DATA / "overrides.csv",
    )
    # NaN scores go over as null (not rated), as in rd.assess.
    records: List[Dict[str, Any]] = ratings.drop(columns=["comment"]).to_dict("records")
    from_records = rd.cohort(
        records,
        attributes=_read("attributes.csv").to_dict("records"),
        decisions=_read("decisions.csv").to_dict("records"),
        overrides=_read("overrides.csv").to_dict("records"),
    )
    doc = report.to_dict()
    assert from_paths.to_dict() == doc
    assert from_records.to_dict() == doc
    assert json.loads(report.to_json()) == doc
    assert json.loads(report.to_json(pretty=True)) == doc


def test_same_document_as_the_engine_fixture(report: rd.CohortReport) -> None:
    # tests/fixtures/cohort_sample.expected.json: the engine's report of examples/data
    # (`readiness cohort ... --format json`; see crates/readiness/tests/cohort_fixture.rs).
    expected = json.loads(
        (ROOT / "tests" / "fixtures" / "cohort_sample.expected.json").read_text(encoding="utf-8")
    )
    assert report.to_dict() == expected


def test_key_numbers(report: rd.CohortReport, ratings: pd.DataFrame) -> None:
    doc = report.to_dict()
    p = doc["provenance"]
    assert p["ratings"] == len(ratings)
    assert p["candidates"] == ratings["candidate"].nunique()
    assert p["raters"] == ratings["rater"].nunique()
    assert p["attributes"] == len(_read("attributes.csv"))
    assert p["decisions"] == len(_read("decisions.csv"))
    assert p["overrides"] == 2
    assert p["fingerprint"] == rd.Rubric.standard().fingerprint
    assert p["ratings_digest"].startswith("sha256:")
    # The ranking is the assessment's index, best first.
    res = rd.assess(ratings)
    ranking = report.ranking()
    assert len(ranking) == len(res)
    for row in ranking.itertuples():
        assert row.index == pytest.approx(res[row.candidate]["readiness"]["index"])
    ranked = ranking.dropna(subset=["rank"])
    assert list(ranked["index"]) == sorted(ranked["index"], reverse=True)
    assert list(ranked["rank"])[0] == 1
    # Overrides: e-1034 was set to ready_now, e-1025 to ready_3_5_years.
    final = dict(zip(ranking["candidate"], ranking["final_level"]))
    assert final["e-1034"] == "ready_now"
    assert final["e-1025"] == "ready_3_5_years"
    assert doc["overrides"]["n"] == 2
    levels = {lv["level"]: lv for lv in doc["ranking"]["levels"]}
    assert sum(lv["final"] for lv in levels.values()) == len(res)


COLUMNS = {
    "ranking": [
        "candidate", "cycle", "rank", "index", "ci_low", "ci_high", "percentile", "level",
        "final_level", "next_level", "index_gap",
    ],
    "nine_box": ["candidate", "performance", "potential", "cell", "name"],
    "fairness": [
        "attribute", "group", "reference", "n", "selected", "rate", "impact_ratio",
        "four_fifths_violation", "shortfall", "fisher_p", "z_p", "smd_g", "smd_ci_low",
        "smd_ci_high", "small_sample",
    ],
    "reliability": [
        "dimension", "kind", "n_ratings", "ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k",
        "cronbach_alpha", "krippendorff_alpha", "rwg_j_mean",
    ],
    "trends": ["candidate", "cycle", "index", "level", "slope", "change", "flags"],
    "calibration": [
        "rater", "group", "n_candidates", "effect", "se", "df", "p", "p_adjusted", "verdict",
    ],
    "decision_audit": ["measure", "n", "r", "r_ci_low", "r_ci_high", "auc"],
}


@pytest.mark.parametrize("method", sorted(COLUMNS))
def test_frames_have_the_documented_columns(report: rd.CohortReport, method: str) -> None:
    frame = getattr(report, method)()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == COLUMNS[method]


def test_frames_match_the_document(report: rd.CohortReport) -> None:
    doc = report.to_dict()
    nb = report.nine_box()
    assert len(nb) == len(doc["nine_box"]["candidates"])
    fair = report.fairness()
    attrs = {t["attribute"] for t in doc["fairness"]}
    assert {"gender", "site", "age_band"} <= attrs
    assert set(fair["attribute"]) == attrs
    assert len(fair) == sum(len(t["groups"]) for t in doc["fairness"])
    for t in doc["fairness"]:
        if t["reference"] is not None:
            ref = fair[(fair["attribute"] == t["attribute"]) & fair["reference"]]
            assert list(ref["group"]) == [t["reference"]]
    audit = report.decision_audit()
    assert list(audit["measure"]) == ["technical", "readiness"]
    assert audit.attrs["verdict"] == doc["decision_audit"]["verdict"]
    assert audit.attrs["n"] == len(_read("decisions.csv"))
    cal = report.calibration()
    assert len(cal) == len(doc["calibration"]["raters"])
    rel = report.reliability()
    if doc["reliability"]["table"] is not None:
        assert len(rel) >= len(doc["reliability"]["table"]["dimensions"])


def test_without_tables(ratings: pd.DataFrame) -> None:
    rep = rd.cohort(ratings)
    doc = rep.to_dict()
    assert doc["decision_audit"] is None
    assert doc["fairness"] == []
    assert doc["provenance"]["attributes"] is None
    assert rep.fairness().empty and list(rep.fairness().columns) == COLUMNS["fairness"]
    assert rep.decision_audit().empty
    assert "Cohort report" in rep._repr_html_()
    assert repr(rep).startswith("<CohortReport:")


def test_cycles_give_trends() -> None:
    rep = rd.cohort(ROOT / "tests" / "fixtures" / "cycles.csv")
    trends = rep.trends()
    assert not trends.empty
    assert trends["cycle"].notna().all()
    doc = rep.to_dict()
    assert len(trends) == sum(len(c["indexes"]) for c in doc["trends"]["candidates"])


def test_plot_nine_box(report: rd.CohortReport) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    ax = report.plot_nine_box()
    assert ax.get_xlim() == (0.0, 100.0)
    plt.close("all")


# --- errors -------------------------------------------------------------------------------

ONE = [
    {"candidate": "e-1", "rater": "m-1", "group": "manager", "criterion": "listens", "score": 4},
    {"candidate": "e-2", "rater": "m-1", "group": "manager", "criterion": "listens", "score": 3},
]
OVR = {"candidate": "e-1", "level": "ready_now", "reason": "r", "author": "hr", "date": "2026-01-01"}


@pytest.mark.parametrize(
    ("kwargs", "code", "row"),
    [
        ({"attributes": [{"candidate": "e-9", "site": "n"}]}, "unknown_candidate", 2),
        (
            {"attributes": [{"candidate": "e-1", "site": "n"}, {"candidate": "e-1", "site": "s"}]},
            "duplicate_key",
            3,
        ),
        ({"attributes": [{"site": "n"}]}, "table_missing_column", 1),
        ({"decisions": [{"candidate": "e-1", "promoted": "maybe"}]}, "table_invalid_value", 2),
        ({"decisions": [{"candidate": "e-1", "promoted": ""}]}, "table_missing_value", 2),
        ({"decisions": [{"candidate": "e-1", "promoted": True, "x": 1}]}, "table_unknown_column", 1),
        ({"decisions": [{"candidate": "e-2", "promoted": True}] * 2}, "duplicate_key", 3),
        ({"overrides": [{**OVR, "reason": ""}]}, "override_without_reason", 2),
        ({"overrides": [OVR, {**OVR, "candidate": "e-7"}]}, "unknown_candidate", 3),
        ({"overrides": [{**OVR, "level": "ready_yesterday"}]}, "table_invalid_value", 2),
    ],
)
def test_every_cohort_error_raises_cohort_error(
    kwargs: Dict[str, Any], code: str, row: int
) -> None:
    with pytest.raises(rd.CohortError) as info:
        rd.cohort(ONE, **kwargs)
    assert info.value.code == code
    assert info.value.row == row
    assert isinstance(info.value, rd.ReadinessError)
    assert isinstance(info.value, ValueError)


def test_table_errors_from_frames_and_paths(tmp_path: Path) -> None:
    bad = tmp_path / "attributes.csv"
    bad.write_text("candidate,site\ne-1,north\ne-1,south,extra\n")
    with pytest.raises(rd.CohortError) as info:
        rd.cohort(ONE, attributes=bad)
    assert (info.value.code, info.value.row) == ("table_syntax", 3)
    frame = pd.DataFrame({"candidate": ["e-1", "e-2", "e-3"], "site": ["n", "s", "n"]})
    with pytest.raises(rd.CohortError) as info:
        rd.cohort(ONE, attributes=frame)
    assert (info.value.code, info.value.row) == ("unknown_candidate", 4)
    assert "e-3" in str(info.value)


def test_ratings_errors_stay_ratings_errors() -> None:
    with pytest.raises(rd.RatingsError) as info:
        rd.cohort([{**ONE[0], "score": 9}])
    assert (info.value.code, info.value.row) == ("score_out_of_scale", 0)


def test_wrong_types() -> None:
    with pytest.raises(TypeError):
        rd.cohort(cast(Any, 42))
    with pytest.raises(TypeError):
        rd.cohort(ONE, attributes=cast(Any, 42))
    with pytest.raises(TypeError):
        rd.cohort(ONE, rubric=cast(Any, "standard"))
