"""Timeline charts as SVG or PNG files (optional: ``pip install 'socnews[plot]'``).

matplotlib is an optional extra because it is large and only this one command
needs it; everything else prints to the terminal.
"""

from __future__ import annotations

from pathlib import Path


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def plot_timeline(rows: list[dict], path: Path, title: str = "") -> Path:
    if path.suffix.lower() not in (".svg", ".png"):
        raise ValueError(f"--plot writes .svg or .png files, not {path.suffix or 'no extension'}")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'socnews[plot]'") from None
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 0.35), 3.5))
    ax.bar([r["period"] for r in rows], [r["count"] for r in rows], color="#3a6ea5")
    ax.set_ylabel("documents")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=60, labelsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
