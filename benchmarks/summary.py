"""Turn a ``pytest --benchmark-json`` file into a table of ratios against the targets.

Ratios are of each benchmark's median round (``stats.median``), which on a shared machine
is far more repeatable than the mean (a few slow rounds drag the mean, not the median).

Usage: ``python -m benchmarks.summary results.json``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def load(path: str | Path) -> list[dict[str, Any]]:
    """The benchmarks of a pytest-benchmark JSON file, each with ``extra_info`` and mean."""
    try:
        data = json.loads(Path(path).read_text())
        # the median round: robust to the long tail that a shared machine adds to the mean
        rows = [{**b["extra_info"], "mean": b["stats"]["median"], "name": b["name"]}
                for b in data["benchmarks"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a pytest-benchmark JSON file with results "
                         f"({type(exc).__name__}: {exc})") from exc
    if not rows:
        raise ValueError(f"{path}: holds no benchmark results (was it run with "
                         "--benchmark-disable?)")
    return rows


def _index(rows: list[dict[str, Any]], kind: str, *keys: str) -> dict[tuple, dict]:
    out: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        if r.get("kind") == kind:
            out[tuple(r.get(k) for k in keys)][r["impl"]] = r
    return out


def ratios(rows: list[dict[str, Any]]) -> list[tuple[str, str, float, str, str]]:
    """``(comparison, case, value, target, verdict)`` rows."""
    table = []

    def add(comparison: str, case: str, value: float, target: str, ok: bool | None) -> None:
        verdict = "-" if ok is None else ("met" if ok else "MISSED")
        table.append((comparison, case, value, target, verdict))

    for (m,), impls in sorted(_index(rows, "dense", "m").items()):
        if {"loop", "vectorised"} <= impls.keys():
            add("dense: loop time / vectorised time", f"m={m}",
                impls["loop"]["mean"] / impls["vectorised"]["mean"], "speed-up", None)
        if {"matmul", "vectorised"} <= impls.keys():
            add("dense: vectorised time / np.matmul time", f"m={m}",
                impls["vectorised"]["mean"] / impls["matmul"]["mean"], "overhead", None)
    for (dtype,), impls in sorted(_index(rows, "step", "dtype").items()):
        for other in ("tf.function", "eager"):
            if {"numpy", other} <= impls.keys():
                value = impls["numpy"]["mean"] / impls[other]["mean"]
                target = "<= 0.6" if other == "tf.function" and dtype == "float32" else ""
                add(f"step: numpy time / keras {other} time", dtype, value, target,
                    value <= 0.6 if target else None)
    for (net, batch), impls in sorted(_index(rows, "fit", "net", "batch").items(),
                                      key=lambda kv: str(kv[0])):
        if {"numpy", "keras"} <= impls.keys():
            value = impls["keras"]["mean"] / impls["numpy"]["mean"]
            add("fit: keras model.fit time / NeuralNetwork.fit time", f"{net} batch={batch}",
                value, ">= 10", value >= 10)
    for (width, m), impls in sorted(_index(rows, "scaling", "width", "m").items()):
        if {"numpy step", "matmul"} <= impls.keys():
            flops = impls["matmul"]["flops"]
            step_gf = flops / impls["numpy step"]["mean"] / 1e9
            gemm_gf = flops / impls["matmul"]["mean"] / 1e9
            big = width >= 1024 and m >= 4096
            add("scaling: numpy step GFLOP/s / np.matmul GFLOP/s",
                f"w={width} m={m} ({step_gf:.1f} / {gemm_gf:.1f} GFLOP/s)", step_gf / gemm_gf,
                ">= 0.75" if big else "", (step_gf / gemm_gf >= 0.75) if big else None)
    for _, impls in _index(rows, "check").items():
        if {"check", "import"} <= impls.keys():
            extra = impls["check"]["mean"] - impls["import"]["mean"]
            add("check: notebook check time - TensorFlow import time (s)",
                f"week 4 ({impls['check']['mean']:.1f} s / {impls['import']['mean']:.1f} s)",
                extra, "<= 3", extra <= 3)
    return table


def format_table(table: list[tuple[str, str, float, str, str]]) -> str:
    """Aligned text."""
    head = ("comparison", "case", "ratio", "target", "verdict")
    rows = [head] + [(c, k, f"{v:.3g}", t, s) for c, k, v, t, s in table]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def main(argv: list[str] | None = None) -> int:
    """Print the ratio table; exit 2 with one line on a bad file."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: python -m benchmarks.summary RESULTS.json", file=sys.stderr)
        return 2 if len(argv) != 1 else 0
    try:
        print(format_table(ratios(load(argv[0]))))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
