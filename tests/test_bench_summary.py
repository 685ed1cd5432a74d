"""The benchmark summary turns pytest-benchmark JSON into ratios and verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import summary


def bench(name: str, fastest: float, **info) -> dict:
    return {"name": name, "stats": {"median": fastest, "mean": 2 * fastest}, "extra_info": info}


def test_ratios_and_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"benchmarks": [
        bench("a", 2.0, kind="dense", impl="loop", m=64),
        bench("b", 0.01, kind="dense", impl="vectorised", m=64),
        bench("c", 1.0, kind="step", impl="numpy", dtype="float32"),
        bench("d", 2.0, kind="step", impl="tf.function", dtype="float32"),
        bench("e", 1.0, kind="fit", impl="numpy", net="n", batch=64),
        bench("f", 5.0, kind="fit", impl="keras", net="n", batch=64),
        bench("g", 2.0, kind="scaling", impl="numpy step", width=1024, m=4096, flops=4e9),
        bench("h", 1.0, kind="scaling", impl="matmul", width=1024, m=4096, flops=4e9),
        bench("i", 7.5, kind="check", impl="check"),
        bench("j", 5.0, kind="check", impl="import"),
    ]}))
    rows = {(r[0].split(":")[0], r[1]): r for r in summary.ratios(summary.load(path))}
    assert rows[("dense", "m=64")][2] == pytest.approx(200.0)
    assert rows[("step", "float32")][2:] == (0.5, "<= 0.6", "met")
    assert rows[("fit", "n batch=64")][2:] == (5.0, ">= 10", "MISSED")
    assert rows[("check", "week 4 (7.5 s / 5.0 s)")][2:] == (2.5, "<= 3", "met")
    scaling = next(r for k, r in rows.items() if k[0] == "scaling")
    assert scaling[2] == pytest.approx(0.5) and scaling[4] == "MISSED"
    assert summary.main([str(path)]) == 0
    assert "MISSED" in capsys.readouterr().out


def test_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"benchmarks": []}))
    assert summary.main([str(empty)]) == 2
    assert summary.main([str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "holds no benchmark results" in err and "missing.json" in err
