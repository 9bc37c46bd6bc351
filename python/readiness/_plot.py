"""Plots (matplotlib, installed with the ``readiness[plot]`` extra; imported lazily)."""

from __future__ import annotations

from typing import Any, Dict, Optional


def plot_profile(doc: Dict[str, Any], ax: Optional[Any] = None) -> Any:
    """Horizontal bars of one assessment's dimension scores (0–100) with their 95% intervals;
    technical dimensions are drawn apart (hatched), as they never enter the readiness index.

    ``doc`` is an assessment document (``res["e-1042"]``). Returns the matplotlib Axes.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_profile needs matplotlib: pip install 'readiness[plot]'"
        ) from e
    dims = doc.get("dimensions", [])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.6 * max(len(dims), 1) + 1.2))
    labels = []
    for y, d in enumerate(dims):
        score = d.get("score")
        technical = d.get("kind") == "technical"
        labels.append(f"{d['id']} (technical)" if technical else d["id"])
        if score is None:
            ax.text(1, y, "no ratings", va="center", fontsize=8, color="grey")
            continue
        ci = d.get("ci95")
        xerr = None
        if ci is not None:
            xerr = [[score - ci[0]], [ci[1] - score]]
        ax.barh(
            y,
            score,
            xerr=xerr,
            color="#9db4c0" if technical else "#4c78a8",
            hatch="//" if technical else None,
            capsize=3,
        )
    ax.set_yticks(range(len(dims)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (0–100)")
    readiness = doc.get("readiness", {})
    index = readiness.get("index")
    if index is not None:
        ax.axvline(index, color="black", linestyle="--", linewidth=1)
    title = f"{doc.get('candidate', '')}: {readiness.get('label') or readiness.get('level', '')}"
    if index is not None:
        title += f" (index {index:.1f})"
    ax.set_title(title)
    return ax
