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


def plot_nine_box(nine_box: Dict[str, Any], ax: Optional[Any] = None) -> Any:
    """The 9-box grid (performance × potential, both 0–100) of a cohort report's ``nine_box``
    section: the engine's cuts as grid lines, cell names and counts, every candidate a dot.
    Returns the matplotlib Axes."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_nine_box needs matplotlib: pip install 'readiness[plot]'"
        ) from e
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6))
    perf_cuts = nine_box.get("performance", {}).get("cuts")
    pot_cuts = nine_box.get("potential", {}).get("cuts")
    for c in perf_cuts or []:
        ax.axvline(c, color="grey", linewidth=1)
    for c in pot_cuts or []:
        ax.axhline(c, color="grey", linewidth=1)
    if perf_cuts and pot_cuts:
        xs = [0.0, perf_cuts[0], perf_cuts[1], 100.0]
        ys = [0.0, pot_cuts[0], pot_cuts[1], 100.0]
        order = {"low": 0, "medium": 1, "moderate": 1, "mid": 1, "high": 2}
        for cell in nine_box.get("cells", []):
            i = order.get(str(cell.get("performance")))
            j = order.get(str(cell.get("potential")))
            if i is None or j is None:
                continue
            ax.text(
                (xs[i] + xs[i + 1]) / 2,
                ys[j + 1] - 1.5,
                f"{cell.get('name', '')} ({cell.get('count', 0)})",
                ha="center",
                va="top",
                fontsize=7,
                color="dimgrey",
            )
    placed = [
        c for c in nine_box.get("candidates", [])
        if c.get("performance") is not None and c.get("potential") is not None
    ]
    ax.scatter(
        [c["performance"] for c in placed],
        [c["potential"] for c in placed],
        color="#4c78a8",
        s=18,
        zorder=3,
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    perf = ", ".join(nine_box.get("performance", {}).get("dimensions", []))
    pot = ", ".join(nine_box.get("potential", {}).get("dimensions", []))
    ax.set_xlabel(f"performance ({perf})" if perf else "performance")
    ax.set_ylabel(f"potential ({pot})" if pot else "potential")
    ax.set_title(f"9-box: {len(placed)} candidates")
    return ax
