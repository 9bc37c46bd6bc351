from __future__ import annotations

import json
import re
from pathlib import Path

import readiness as rd


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", rd.__version__)
    assert rd.ENGINE_VERSION == rd.__version__


def test_standard_round_trips() -> None:
    r = rd.Rubric.standard()
    assert r.fingerprint.startswith("sha256:") and len(r.fingerprint) == 7 + 64
    assert rd.Rubric.from_dict(r.to_dict()) == r
    assert rd.Rubric.from_toml(r.to_toml()).fingerprint == r.fingerprint
    assert rd.Rubric.from_json(r.to_json()).fingerprint == r.fingerprint
    assert [d["id"] for d in r.dimensions] == ["leadership", "attitude", "impact", "technical"]
    assert r.dimensions[3]["kind"] == "technical"
    assert r.label == f"{r.id}@{r.version}"
    assert hash(r) == hash(rd.Rubric.standard())
    assert "sha256:" in repr(r)


def test_from_file(tmp_path: Path) -> None:
    r = rd.Rubric.standard()
    (tmp_path / "r.toml").write_text(r.to_toml())
    (tmp_path / "r.json").write_text(json.dumps(r.to_dict()))
    assert rd.Rubric.from_file(tmp_path / "r.toml") == r
    assert rd.Rubric.from_file(str(tmp_path / "r.json")) == r


def test_from_file_needs_a_known_extension(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("x")
    try:
        rd.Rubric.from_file(tmp_path / "r.yaml")
    except ValueError as e:
        assert ".toml or .json" in str(e)
    else:  # pragma: no cover
        raise AssertionError("expected ValueError")
