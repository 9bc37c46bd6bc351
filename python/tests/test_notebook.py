"""examples/notebooks/cohort_analysis.ipynb runs headless (nbclient, Agg backend) without errors,
and is committed with its outputs cleared."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "examples" / "notebooks" / "cohort_analysis.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    # The inline backend renders with Agg (headless) and hands the figures to the notebook.
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        kernel_manager_class=_manager(sys.executable),
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the 9-box and the profile


def _manager(python: str) -> type:
    """A kernel manager that starts ipykernel with `python` (the interpreter running the
    tests), so the notebook sees the freshly built package of this venv."""
    from jupyter_client.manager import KernelManager

    class VenvKernelManager(KernelManager):
        def format_kernel_cmd(self, extra_arguments: object = None) -> list[str]:
            cmd: list[str] = super().format_kernel_cmd(extra_arguments)  # type: ignore[arg-type]
            return [python, *cmd[1:]] if cmd and "python" in cmd[0] else cmd

    return VenvKernelManager
