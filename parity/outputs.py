"""Files the command line writes: the JSON report and the PNG of cost curves (atomic)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from numpy_impl.io import atomic_write


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, default=_jsonable).encode()
    return atomic_write(path, lambda f: f.write(text))


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def plot_cost_curves(path: str | os.PathLike, curves: Mapping[str, list[float]],
                     title: str) -> Path:
    """One line per backend (cost per epoch), overlaid, saved as PNG atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    styles = {"numpy": {"lw": 3.0, "alpha": 0.55}, "keras": {"lw": 1.4, "ls": "--"}}
    for backend, costs in curves.items():
        ax.plot(range(1, len(costs) + 1), costs, label=backend, **styles.get(backend, {}))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost (mean over the epoch's batches)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    try:
        return atomic_write(path, lambda f: fig.savefig(f, format="png"))
    finally:
        plt.close(fig)
