"""The .pyi stubs and inline types match the runtime package (mypy.stubtest)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_stubtest() -> None:
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "readiness", "--ignore-missing-stub", "--mypy-config-file", str(PYPROJECT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
