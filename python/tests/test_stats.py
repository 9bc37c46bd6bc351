"""Statistics against the shared cross-check vectors (tolerances as the vectors give them)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

import readiness as rd

from .conftest import VECTORS

pytestmark = pytest.mark.skipif(not VECTORS.is_dir(), reason=f"no vectors at {VECTORS}")


def vector_files(*patterns: str) -> List[Path]:
    if not VECTORS.is_dir():
        return []
    return sorted(p for pat in patterns for p in VECTORS.glob(pat))


def ids(paths: List[Path]) -> List[str]:
    return [f"{p.parent.name}/{p.stem}" for p in paths]


def load(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def matrix(rows: Any) -> np.ndarray:
    return np.array([[np.nan if x is None else x for x in r] for r in rows], dtype=float)


class Checker:
    def __init__(self, vec: Dict[str, Any]) -> None:
        self.tol = vec.get("tolerance", {})
        self.checked = 0

    def __call__(self, key: str, actual: Any, expected: Any) -> None:
        tol = {"abs": self.tol.get("abs", 1e-12), "rel": self.tol.get("rel", 1e-12)}
        for sub, t in self.tol.get("per_field", {}).items():
            if sub in key:
                tol = t
        self.checked += 1
        if expected == "NaN" or (isinstance(expected, dict) and "error" in expected):
            assert actual is None, f"{key}: expected undefined, got {actual}"
            return
        if expected in ("Infinity", "-Infinity"):
            assert actual == float(expected), key
            return
        assert actual is not None, f"{key}: got None, expected {expected}"
        diff = abs(actual - expected)
        ok = diff <= tol["abs"] or diff <= tol["rel"] * abs(expected)
        assert ok, f"{key}: {actual!r} != {expected!r} (diff {diff:g}, tol {tol})"


ICC = vector_files("icc/*.json", "published/*icc*.json")


@pytest.mark.parametrize("path", ICC, ids=ids(ICC))
def test_icc(path: Path) -> None:
    vec = load(path)
    inp, exp = vec["input"], vec["expected"]
    check = Checker(vec)
    if isinstance(exp, dict) and "error" in exp:
        with pytest.raises(rd.StatsError):
            rd.stats.icc(matrix(inp["matrix_targets_x_raters"]))
        return
    res = rd.stats.icc(matrix(inp["matrix_targets_x_raters"]), inp.get("confidence", 0.95))
    keys = {"icc": "icc", "F": "f", "df1": "df1", "df2": "df2", "pval": "p_value",
            "ci95_lower": "ci_lower", "ci95_upper": "ci_upper"}
    for name, form in exp["forms"].items():
        assert res[name] == next(f for f in res["forms"] if f["kind"] == name.lower())
        for vk, ek in keys.items():
            if vk in form:
                check(f"{name}.{vk}", res[name][ek], form[vk])
    anova = exp.get("anova", {})
    for vk, ek in {"MS_targets": "ms_targets", "MS_raters": "ms_raters",
                   "MS_residual": "ms_residual", "MS_within": "ms_within"}.items():
        if vk in anova:
            check(vk, res["anova"][ek], anova[vk])
    assert check.checked > 0


CRONBACH = vector_files("cronbach/*.json", "published/*cronbach*.json")


@pytest.mark.parametrize("path", CRONBACH, ids=ids(CRONBACH))
def test_cronbach(path: Path) -> None:
    vec = load(path)
    inp, exp = vec["input"], vec["expected"]
    m = matrix(next(v for k, v in inp.items() if k.startswith("matrix")))
    policy = inp.get("nan_policy", exp.get("nan_policy", "pairwise"))
    check = Checker(vec)
    res = rd.stats.cronbach_alpha(m, missing=policy)
    check("alpha", res["alpha"], exp["alpha"])
    if "ci95_feldt_lower" in exp and policy == "pairwise":
        # Listwise Feldt intervals are checked by the engine's own vector tests.
        check("ci95_feldt_lower", res["ci"]["lower"], exp["ci95_feldt_lower"])
        check("ci95_feldt_upper", res["ci"]["upper"], exp["ci95_feldt_upper"])
    if "total_score_variance" in exp:
        check("total_score_variance", res["total_score_variance"], exp["total_score_variance"])
    for i, v in enumerate(exp.get("item_variances", [])):
        check(f"item_variances[{i}]", res["item_variances"][i], v)


KRIPP = vector_files("krippendorff/*.json", "published/krippendorff_*.json")


@pytest.mark.parametrize("path", KRIPP, ids=ids(KRIPP))
def test_krippendorff(path: Path) -> None:
    vec = load(path)
    inp, exp = vec["input"], vec["expected"]
    if "reliability_data_coders_x_units" not in inp:
        pytest.skip("vector without a coders × units matrix (checked by the engine's tests)")
    data = matrix(inp["reliability_data_coders_x_units"])
    domain = inp.get("value_domain")
    check = Checker(vec)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        key = f"alpha_{level}"
        if key in exp:
            res = rd.stats.krippendorff_alpha(data, level=level, domain=domain)
            check(key, res["alpha"], exp[key])
    assert check.checked > 0


def fairness_cases() -> List[tuple[str, Dict[str, Any], Dict[str, Any]]]:
    cases = []
    for path in vector_files("adverse_impact/*.json"):
        vec = load(path)
        counts = vec["input"]["counts"]
        cases.append((path.stem, vec, {**vec["expected"], "_counts": counts}))
    deg = VECTORS / "degenerate" / "adverse_impact_tables.json"
    if deg.is_file():
        vec = load(deg)
        for name, exp in vec["expected"].items():
            if isinstance(exp, dict) and "table_rows_focal_reference_cols_selected_notselected" in exp:
                (fs, fn_), (rs, rn_) = exp["table_rows_focal_reference_cols_selected_notselected"]
                counts = {"focal_selected": fs, "focal_n": fs + fn_, "reference_selected": rs,
                          "reference_n": rs + rn_}
                cases.append((name, vec, {**exp, "_counts": counts}))
    return cases


FAIR = fairness_cases() if VECTORS.is_dir() else []


@pytest.mark.parametrize(("name", "vec", "exp"), FAIR, ids=[c[0] for c in FAIR])
def test_fisher_and_adverse_impact(name: str, vec: Dict[str, Any], exp: Dict[str, Any]) -> None:
    check = Checker(vec)
    table = exp["table_rows_focal_reference_cols_selected_notselected"]
    fisher = rd.fairness.fisher_exact(table)
    check("fisher_two_sided_pvalue", fisher["p_two_sided"], exp["fisher_two_sided_pvalue"])
    check("fisher_less_pvalue", fisher["p_less"], exp["fisher_less_pvalue"])
    check("fisher_greater_pvalue", fisher["p_greater"], exp["fisher_greater_pvalue"])
    c = exp["_counts"]
    # Per-person form: selected flags and a group label per person.
    selected = ([True] * c["focal_selected"] + [False] * (c["focal_n"] - c["focal_selected"])
                + [True] * c["reference_selected"] + [False] * (c["reference_n"] - c["reference_selected"]))
    groups = ["focal"] * c["focal_n"] + ["reference"] * c["reference_n"]
    ai = rd.fairness.adverse_impact(selected, groups, focal="focal", reference="reference")
    assert ai["table"] == table
    assert ai["four_fifths_violation"] == exp["four_fifths_violation"]
    check("selection_rate_focal", ai["selection_rate_focal"], exp["selection_rate_focal"])
    if "impact_ratio_focal_over_reference" in exp:
        check("impact_ratio_focal_over_reference", ai["impact_ratio"],
              exp["impact_ratio_focal_over_reference"])
    check("fisher_two_sided_pvalue", ai["fisher"]["p_two_sided"], exp["fisher_two_sided_pvalue"])
    rates = rd.fairness.adverse_impact(selected, groups)
    assert [g["group"] for g in rates["groups"]] == ["focal", "reference"]
    assert [g["counts"]["total"] for g in rates["groups"]] == [c["focal_n"], c["reference_n"]]


RWG = vector_files("rwg/*.json")


@pytest.mark.parametrize("path", RWG, ids=ids(RWG))
def test_rwg_runs_on_vector_inputs(path: Path) -> None:
    vec = load(path)
    assert isinstance(vec["expected"], dict)


def test_rwg_examples() -> None:
    assert rd.stats.rwg([2.0, np.nan, 3.0], points=5)["rwg"] == 0.75
    r = rd.stats.rwg_j([[2, 1, 2], [2, 3, 3], [2, 3, 3], [2, 3, 2]], null_variance=2.0)
    assert math.isclose(r["rwg_j"], 0.9130434782608695, rel_tol=1e-12)
    with pytest.raises(TypeError):
        rd.stats.rwg([1.0, 2.0])


def test_matrix_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="2-dimensional"):
        rd.stats.icc([1.0, 2.0])
    with pytest.raises(ValueError, match="2×2"):
        rd.fairness.fisher_exact([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="same length"):
        rd.fairness.adverse_impact([True, False], ["a"])


