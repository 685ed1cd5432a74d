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


def time_ratio(impls: dict[str, dict], mine: str, other: str,
               speed_up: bool = False) -> tuple[float, str] | None:
    """``time(mine) / time(other)`` (``speed_up``: the inverse) and a note for the case
    column, or None without the data. Measured in alternating rounds where ``mine``'s
    benchmark did so (``extra_info["paired"][other]``, see ``benchmarks.common.paired``):
    the note then gives the quartiles; otherwise the ratio of the two medians."""
    if mine not in impls:
        return None
    pair = (impls[mine].get("paired") or {}).get(other)
    if pair:
        low, high = pair["q1"], pair["q3"]
        if speed_up:
            return 1 / pair["ratio"], f" [alternating, IQR {1 / high:.3g}-{1 / low:.3g}]"
        return pair["ratio"], f" [alternating, IQR {low:.3g}-{high:.3g}]"
    if other not in impls:
        return None
    value = impls[mine]["mean"] / impls[other]["mean"]
    return (1 / value if speed_up else value), ""


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
    # the yardstick is the lean hand-written TensorFlow step (benchmarks.common.lean_tf_step);
    # Keras' own compiled and eager steps are shown beside it
    for (dtype,), impls in sorted(_index(rows, "step", "dtype").items()):
        for other in ("lean tf", "tf.function", "eager"):
            found = time_ratio(impls, "numpy", other)
            if found:
                value, case = found
                target = "<= 0.6" if other == "lean tf" and dtype == "float32" else ""
                what = "lean tf.function step" if other == "lean tf" else f"keras {other} step"
                add(f"step: NeuralNetwork.step time / {what} time", f"{dtype}{case}", value,
                    target, value <= 0.6 if target else None)
    for (dtype,), impls in sorted(_index(rows, "grads", "dtype").items()):
        for mine, what in (("numpy", "parameters"), ("numpy dA0", "with dA0")):
            found = time_ratio(impls, mine, "lean tf")
            if found:
                value, case = found
                target = "<= 0.6" if mine == "numpy" and dtype == "float32" else ""
                add("grads: model_forward + model_backward time / lean tf gradient time",
                    f"{dtype}, {what}{case}", value, target, value <= 0.6 if target else None)
    for (net, batch), impls in sorted(_index(rows, "fit", "net", "batch").items(),
                                      key=lambda kv: str(kv[0])):
        found = time_ratio(impls, "numpy", "keras", speed_up=True)
        if found:
            value, case = found
            add("fit: keras model.fit time / NeuralNetwork.fit time",
                f"{net} batch={batch}{case}", value, ">= 25", value >= 25)
    for (width, m), impls in sorted(_index(rows, "scaling", "width", "m").items()):
        found = time_ratio(impls, "numpy step", "matmul", speed_up=True)
        if found:
            value, case = found
            flops = impls["numpy step"]["flops"]
            step_gf = flops / impls["numpy step"]["mean"] / 1e9
            floor = 0.85 if width >= 1024 else 0.7 if width >= 256 else None
            add("scaling: numpy step GFLOP/s / np.matmul GFLOP/s",
                f"w={width} m={m} (step {step_gf:.1f} GFLOP/s){case}", value,
                f">= {floor}" if floor else "", (value >= floor) if floor else None)
    table.extend(conv_ratios(rows))
    for _, impls in _index(rows, "check").items():
        if {"check", "import"} <= impls.keys():
            extra = impls["check"]["mean"] - impls["import"]["mean"]
            add("check: notebook check time - TensorFlow import time (s)",
                f"week 4 ({impls['check']['mean']:.1f} s / {impls['import']['mean']:.1f} s)",
                extra, "<= 3", extra <= 3)
    table.extend(suite_rows(rows))
    return table


def suite_rows(rows: list[dict[str, Any]]) -> list[tuple[str, str, float, str, str]]:
    """The main job's wall time (median round of ``python -m parity --quiet``, target
    <= 12 s) and the test time ``pytest parity/`` reported (target <= 60 s), in seconds."""
    table = []
    for impls in _index(rows, "suite").values():
        if "main job" in impls:
            value = impls["main job"]["mean"]
            table.append(("main job: python -m parity --quiet, wall time (s)",
                          "median round", value, "<= 12", "met" if value <= 12 else "MISSED"))
        test_time = impls.get("parity tests", {}).get("test_time")
        if test_time is not None:
            table.append(("suite: pytest parity/, test time (s)", "one run", test_time,
                          "<= 60", "met" if test_time <= 60 else "MISSED"))
    return table


def _is_conv_target(impls: dict[str, dict]) -> bool:
    """The issue's case for the conv step targets: m = 64 images of 28x28, float32."""
    row = impls["vectorised"]
    return row.get("n") == 28 and row.get("m") == 64 and row.get("dtype") == "float32"


def conv_ratios(rows: list[dict[str, Any]]) -> list[tuple[str, str, float, str, str]]:
    """Convolution and pooling rows: loop / vectorised (the loop timed on ``timed_m``
    examples and scaled to ``m``), vectorised / tf.function, and the forward's GFLOP/s
    against a bare np.matmul of its im2col product (one call, and the row blocks the
    vectorised forward uses). Targets on the conv step at 28x28, m=64:
    loop / vectorised >= 50 and vectorised / tf.function <= 2."""
    table = []
    index = _index(rows, "conv", "layer", "op", "case")
    for (layer, op, case), impls in sorted(index.items(), key=lambda kv: str(kv[0])):
        if "vectorised" not in impls:
            continue
        vec = impls["vectorised"]["mean"]
        target = layer == "conv" and op == "step" and _is_conv_target(impls)
        if "loop" in impls:
            loop = impls["loop"]
            scale = loop["m"] / loop["timed_m"]
            value = loop["mean"] * scale / vec
            table.append((f"{layer} {op}: loop time / vectorised time",
                          f"{case} (loop timed at m={loop['timed_m']}, x{scale:g})", value,
                          ">= 50" if target else "",
                          ("met" if value >= 50 else "MISSED") if target else "-"))
        if "tf.function" in impls:
            tf_time = impls["tf.function"]["mean"]
            value = vec / tf_time
            table.append((f"{layer} {op}: vectorised time / tf.function time",
                          f"{case} ({vec * 1e3:.3g} ms / {tf_time * 1e3:.3g} ms)", value,
                          "<= 2" if target else "",
                          ("met" if value <= 2 else "MISSED") if target else "-"))
        for floor, what in (("matmul", "np.matmul"), ("matmul blocks", "np.matmul in blocks")):
            if floor in impls:
                flops = impls[floor]["flops"]
                vec_gf, mm_gf = flops / vec / 1e9, flops / impls[floor]["mean"] / 1e9
                table.append((f"{layer} {op}: vectorised GFLOP/s / {what} GFLOP/s (im2col GEMM)",
                              f"{case} ({vec_gf:.2g} / {mm_gf:.2g} GFLOP/s)", vec_gf / mm_gf,
                              "", "-"))
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
