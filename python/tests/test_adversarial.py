"""The adversarial table (tests/adversarial/cases.json) through the Python package.

Ratings CSV goes through ``rd.assess(path)``, ratings JSON through ``json.loads`` and
``rd.assess(records)``, rubrics through ``Rubric.from_toml`` / ``Rubric.from_json``. Each case
raises a ``ReadinessError`` with the expected ``code`` (message bounded, never echoing comment
text) or gives the expected documents with every number finite.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import readiness as rd

from .conftest import ROOT

TABLE = json.loads((ROOT / "tests" / "adversarial" / "cases.json").read_text(encoding="utf-8"))


def build(spec: Any) -> str:
    """The input text of a case (see ``about`` in cases.json)."""
    if isinstance(spec, str):
        return spec
    out: list[str] = []
    for part in spec["parts"]:
        if isinstance(part, str):
            out.append(part)
        elif "repeat" in part:
            sep = part.get("sep", "")
            out.append(sep.join(part["repeat"].replace("{i}", str(i)) for i in range(part["count"])))
        else:
            text = TABLE["defs"][part["def"]]
            for old, new in part.get("replace", []):
                assert old in text, old
                text = text.replace(old, new, 1)
            if "inject_description" in part:
                long = "d" * part["inject_description"]
                if text.startswith("{"):
                    text = text.replace("{", '{"description": "' + long + '", ', 1)
                else:
                    text = text.replace('version = "1"\n', 'version = "1"\ndescription = "' + long + '"\n', 1)
            if part.get("crlf"):
                text = text.replace("\n", "\r\n")
            if "truncate" in part:
                text = text[: part["truncate"]]
            out.append(text)
    return "".join(out)


def non_finite(value: Any, path: str = "$") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        for k, v in value.items():
            if (p := non_finite(v, f"{path}.{k}")) is not None:
                return p
    if isinstance(value, list):
        for i, v in enumerate(value):
            if (p := non_finite(v, f"{path}[{i}]")) is not None:
                return p
    return None


def run(door: str, text: str, tmp_path: Path) -> Any:
    if door == "ratings_csv":
        f = tmp_path / "ratings.csv"
        f.write_text(text, encoding="utf-8", newline="")
        return rd.assess(f)
    if door == "ratings_json":
        return rd.assess(json.loads(text))
    if door == "rubric_toml":
        return rd.Rubric.from_toml(text)
    if door == "rubric_json":
        return rd.Rubric.from_json(text)
    raise AssertionError(door)


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_adversarial_case(case: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if issue := case.get("known_issue", {}).get("python"):
        request.applymarker(pytest.mark.xfail(strict=True, reason=issue))
    text = build(case["input"])
    expect = case["expect"]
    host = case.get("host", {}).get("python")
    if host == "host_error":
        # Python's json module (or the binding's type check) refuses the input before the
        # engine sees it.
        with pytest.raises((ValueError, TypeError, RecursionError)) as info:
            run(case["door"], text, tmp_path)
        assert not isinstance(info.value, rd.ReadinessError) or info.value.code == "ratings_syntax"
        return
    if case["door"] == "ratings_json" and expect.get("error") == "ratings_syntax":
        # Text that is not JSON never reaches the engine: Python's json module refuses it,
        # as the engine's own parser does.
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return
    codes = [host] if host not in (None, "ok") else expect.get("error")
    if host == "ok":
        codes = None
    if isinstance(codes, str):
        codes = [codes]
    if codes:
        with pytest.raises(rd.ReadinessError) as info:
            run(case["door"], text, tmp_path)
        err = info.value
        assert err.code in codes, f"{err.code}: {str(err)[:200]}"
        message = str(err)
        assert len(message.encode()) <= expect.get("max_message_bytes", 1024)
        assert "\n" not in message
        for secret in expect.get("not_in_message", []):
            assert secret not in message
        return
    result = run(case["door"], text, tmp_path)
    if case["door"].startswith("ratings"):
        docs = result.to_dicts()
        assert non_finite(docs) is None
        assert "NaN" not in result.to_json() and "Infinity" not in result.to_json()
        ok = expect.get("ok", {}) if host is None else {}
        if "documents" in ok:
            assert len(docs) == ok["documents"]
        if "candidates" in ok:
            assert [d["candidate"] for d in docs] == ok["candidates"]


def test_withheld_breakdowns_stay_withheld() -> None:
    rows = [("m", "manager", 4), ("p1", "peer", 1), ("p2", "peer", 2)]
    rows += [("d1", "direct_report", 5), ("d2", "direct_report", 4), ("d3", "direct_report", 4)]
    records = [
        {"candidate": "e-1", "rater": r, "group": g, "criterion": "listens", "score": s}
        for r, g, s in rows
    ]
    res = rd.assess(records)
    lead = res.to_dicts()[0]["dimensions"][0]
    assert lead["by_group"]["peer"] is None
    assert "peer" in lead["suppressed"]
    assert json.loads(res.to_json())[0]["dimensions"][0]["by_group"]["peer"] is None


FIXTURES = ROOT / "tests" / "fixtures"
NAMES = sorted(
    p.name[: -len(".expected.json")]
    for p in FIXTURES.glob("*.expected.json")
    if (FIXTURES / (p.name[: -len(".expected.json")] + ".csv")).exists()
)


def shuffled(csv_text: str, seed: int, rename: bool) -> str:
    import random

    header, *lines = csv_text.strip("\n").split("\n")
    if rename:
        k = header.split(",").index("rater")
        raters = sorted({line.split(",")[k] for line in lines})
        # Consistent renaming that reverses the raters' sort order.
        name = {r: f"zz-{len(raters) - i:06d}" for i, r in enumerate(raters)}
        renamed = []
        for line in lines:
            cells = line.split(",")
            cells[k] = name[cells[k]]
            renamed.append(",".join(cells))
        lines = renamed
    random.Random(seed).shuffle(lines)
    return "\n".join([header, *lines]) + "\n"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fixture_shuffled_gives_the_same_bytes(name: str, seed: int, tmp_path: Path) -> None:
    expected_text = (FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8")
    f = tmp_path / f"{name}.csv"
    f.write_text(shuffled((FIXTURES / f"{name}.csv").read_text(encoding="utf-8"), seed, False), encoding="utf-8")
    res = rd.assess(f)
    assert res.to_dicts() == json.loads(expected_text)
    assert res.to_json(pretty=True) + "\n" == expected_text


@pytest.mark.parametrize("name", NAMES)
def test_fixture_renamed_raters_give_the_same_bytes(name: str, tmp_path: Path) -> None:
    expected_text = (FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8")
    f = tmp_path / f"{name}.csv"
    f.write_text(shuffled((FIXTURES / f"{name}.csv").read_text(encoding="utf-8"), 5, True), encoding="utf-8")
    assert rd.assess(f).to_json(pretty=True) + "\n" == expected_text


_GOOD = {"candidate": "e-1", "rater": "m-1", "group": "manager", "criterion": "listens", "score": 4.0}


@pytest.mark.parametrize("bad", [math.inf, -math.inf], ids=["inf", "-inf"])
@pytest.mark.parametrize("door", ["records", "dataframe", "csv_path"])
def test_infinite_score_is_a_typed_error_through_every_door(door: str, bad: float, tmp_path: Path) -> None:
    # ±inf is never "not rated": the engine's score_not_finite, naming the row (second rating).
    rows = [_GOOD, {**_GOOD, "rater": "m-2", "score": bad}]
    if door == "records":
        source: Any = rows
        row = 1  # list index
    elif door == "dataframe":
        pd = pytest.importorskip("pandas")
        source = pd.DataFrame(rows)
        row = 1  # frame position
    else:
        source = tmp_path / "ratings.csv"
        lines = ["candidate,rater,group,criterion,score"]
        lines += [f"{r['candidate']},{r['rater']},{r['group']},{r['criterion']},{r['score']}" for r in rows]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        row = 3  # line number
    with pytest.raises(rd.ReadinessError) as info:
        rd.assess(source)
    assert (info.value.code, info.value.row) == ("score_not_finite", row)


@pytest.mark.parametrize("door", ["records", "dataframe"])
def test_nan_score_stays_not_rated(door: str) -> None:
    # Documented: NaN is "not rated" (a missing cell of a data frame), not an error.
    rows = [_GOOD, {**_GOOD, "rater": "m-2", "score": math.nan}]
    if door == "dataframe":
        pd = pytest.importorskip("pandas")
        source: Any = pd.DataFrame(rows)
    else:
        source = rows
    with_nan = rd.assess(source).to_json()
    assert with_nan == rd.assess([_GOOD, {**_GOOD, "rater": "m-2", "score": None}]).to_json()
