"""Every engine error kind raises its class with `.code`, `.row` and `.path`."""

from __future__ import annotations

import pandas as pd
import pytest

import readiness as rd
from readiness import _native


def rating(**over: object) -> dict[str, object]:
    r: dict[str, object] = {
        "candidate": "e-1",
        "rater": "m-1",
        "group": "manager",
        "criterion": "listens",
        "score": 4,
    }
    r.update(over)
    return r


def test_hierarchy() -> None:
    for cls in (rd.RubricError, rd.RatingsError, rd.StatsError):
        assert issubclass(cls, rd.ReadinessError)
    assert issubclass(rd.ReadinessError, ValueError)
    assert rd.ReadinessError.code == "" and rd.ReadinessError.row is None


@pytest.mark.parametrize(
    ("records", "code", "row"),
    [
        ([rating(score=9)], "score_out_of_scale", 0),
        ([rating(), rating(score=3.5)], "score_off_step", 1),
        ([rating(), rating(criterion="charisma")], "unknown_criterion", 1),
        ([rating(group="boss")], "unknown_group", 0),
        ([rating(candidate="")], "missing_value", 0),
        ([rating(), rating()], "duplicate_rating", 1),
        ([rating(), rating(group="peer", criterion="courage")], "rater_in_two_groups", 1),
        ([rating(department="x")], "unknown_column", 0),
        ([{"candidate": "e-1", "rater": "m", "group": "manager", "criterion": "listens"}], "missing_column", 0),
        ([rating(candidate=5)], "wrong_type", 0),
        ([rating(score="four")], "score_not_numeric", 0),
        ([rating(candidate="x" * 300)], "limit_exceeded", 0),
    ],
)
def test_ratings_errors_from_records(records: list[dict[str, object]], code: str, row: int | None) -> None:
    with pytest.raises(rd.RatingsError) as info:
        rd.assess(records)
    assert info.value.code == code
    assert info.value.row == row
    assert info.value.path is None


def test_score_not_finite_from_text_csv() -> None:
    with pytest.raises(rd.RatingsError) as info:
        _native.assess_csv_text(
            rd.Rubric.standard(), "candidate,rater,group,criterion,score\ne-1,m,manager,listens,inf\n"
        )
    assert (info.value.code, info.value.row) == ("score_not_finite", 2)


def test_ratings_syntax_error() -> None:
    with pytest.raises(rd.RatingsError) as info:
        _native.assess_csv_text(rd.Rubric.standard(), "candidate,rater\n\"e-1,m\n")
    assert info.value.code in {"ratings_syntax", "missing_column"}


def test_csv_file_error_names_the_line(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "r.csv"  # type: ignore[operator]
    path.write_text("candidate,rater,group,criterion,score\ne-1,m,manager,listens,4\ne-1,p,peer,listens,0\n")
    with pytest.raises(rd.RatingsError, match="line 3") as info:
        rd.assess(path)
    assert (info.value.code, info.value.row) == ("score_out_of_scale", 3)


STANDARD = rd.Rubric.standard().to_toml()


@pytest.mark.parametrize(
    ("text", "code", "path"),
    [
        ("not = [valid", "rubric_syntax", "."),
        (STANDARD.replace("weight = 0.4\nmin_raters = 1", "weight = -1\nmin_raters = 1", 1), "invalid_weight", None),
        (STANDARD + "\nsurprise = 1\n", "unknown_key", None),
        (STANDARD.replace("format_version = 1", "format_version = 7", 1), "unsupported_format_version", "format_version"),
    ],
)
def test_rubric_errors(text: str, code: str, path: str | None) -> None:
    with pytest.raises(rd.RubricError) as info:
        rd.Rubric.from_toml(text)
    assert info.value.code == code
    assert info.value.row is None
    assert info.value.path is not None
    if path is not None:
        assert info.value.path == path


def test_rubric_error_from_dict_names_the_path() -> None:
    d = rd.Rubric.standard().to_dict()
    d["dimensions"][0]["criteria"][0]["weight"] = 0
    with pytest.raises(rd.RubricError) as info:
        rd.Rubric.from_dict(d)
    assert info.value.code == "invalid_weight"
    assert info.value.path == "dimensions[0].criteria[0].weight"


def test_rubric_duplicate_id() -> None:
    d = rd.Rubric.standard().to_dict()
    d["dimensions"][1]["id"] = d["dimensions"][0]["id"]
    with pytest.raises(rd.RubricError) as info:
        rd.Rubric.from_dict(d)
    assert info.value.code == "duplicate_id"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: rd.stats.icc([[1.0], [2.0]]), "too_few"),
        (lambda: rd.stats.icc([[], [], []]), "too_few"),
        (lambda: rd.stats.icc([[1.0, 2.0], [2.0, float("inf")]]), "non_finite"),
        (lambda: rd.stats.icc([[1.0, 2.0], [2.0, 3.0]], confidence=2.0), "invalid_parameter"),
        (lambda: rd.stats.cronbach_alpha([[1.0], [2.0]]), "too_few"),
        (lambda: rd.stats.krippendorff_alpha([[-1.0, 2.0], [1.0, 2.0]], level="ratio"), "invalid_parameter"),
        # 8,200 distinct values: more than the coincidence matrix may hold (4,096)
        (
            lambda: rd.stats.krippendorff_alpha([[0.25 + 0.5 * (2 * u + r) for u in range(4100)] for r in range(2)]),
            "too_large",
        ),
        (lambda: rd.stats.rwg([1.0, 2.0], points=1), "too_few"),
        (lambda: _native.adverse_impact_counts((3, 2), (1, 2)), "selected_exceeds_total"),
        (lambda: _native.selection_rates([]), "too_few"),
    ],
)
def test_stats_errors(call: object, code: str) -> None:
    with pytest.raises(rd.StatsError) as info:
        call()  # type: ignore[operator]
    assert info.value.code == code
    assert info.value.row is None and info.value.path is None


def test_strict_enum_arguments_list_the_choices() -> None:
    with pytest.raises(ValueError, match="'nominal', 'ordinal', 'interval', 'ratio'"):
        rd.stats.krippendorff_alpha([[1.0, 2.0]], level="metric")
    with pytest.raises(ValueError, match="'pairwise', 'listwise'"):
        rd.stats.cronbach_alpha([[1.0, 2.0], [2.0, 3.0]], missing="some")


class TestDataFrameErrors:
    def frame(self, **over: object) -> pd.DataFrame:
        data: dict[str, object] = {
            "candidate": ["e-1", "e-1", "e-2"],
            "rater": ["m-1", "p-1", "m-2"],
            "group": ["manager", "peer", "manager"],
            "criterion": ["listens", "listens", "courage"],
            "score": [4.0, 3.0, 5.0],
        }
        data.update(over)
        return pd.DataFrame(data)

    def test_missing_column(self) -> None:
        with pytest.raises(rd.RatingsError, match="missing column `rater`") as info:
            rd.assess(self.frame().drop(columns="rater"))
        assert (info.value.code, info.value.row) == ("missing_column", None)

    def test_unknown_column(self) -> None:
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(department=["a", "b", "c"]))
        assert info.value.code == "unknown_column"

    def test_out_of_scale_names_the_row(self) -> None:
        with pytest.raises(rd.RatingsError, match=r"row \[2\]") as info:
            rd.assess(self.frame(score=[4.0, 3.0, 6.0]))
        assert (info.value.code, info.value.row) == ("score_out_of_scale", 2)

    def test_row_is_positional_not_the_index_label(self) -> None:
        df = self.frame(score=[4.0, 9.0, 3.0])
        df.index = [100, 50, 7]
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(df)
        assert info.value.row == 1

    def test_text_score_not_numeric(self) -> None:
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(score=["4", "3", "lots"]))
        assert (info.value.code, info.value.row) == ("score_not_numeric", 2)

    def test_wrong_dtype(self) -> None:
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(score=[True, False, True]))
        assert info.value.code == "wrong_type"
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(candidate=pd.to_datetime(["2026-01-01"] * 3)))
        assert info.value.code == "wrong_type"

    def test_infinite_score(self) -> None:
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(score=[4.0, float("inf"), 3.0]))
        assert (info.value.code, info.value.row) == ("score_not_finite", 1)

    def test_missing_candidate(self) -> None:
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(self.frame(candidate=["e-1", None, "e-2"]))
        assert (info.value.code, info.value.row) == ("missing_value", 1)

    def test_duplicate(self) -> None:
        df = pd.concat([self.frame(), self.frame().iloc[[0]]], ignore_index=True)
        with pytest.raises(rd.RatingsError) as info:
            rd.assess(df)
        assert (info.value.code, info.value.row) == ("duplicate_rating", 3)


def test_wrong_input_type() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        rd.assess(42)  # type: ignore[arg-type]
