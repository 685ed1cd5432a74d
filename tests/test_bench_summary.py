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
        bench("d2", 1.25, kind="step", impl="lean tf", dtype="float32"),
        bench("k", 0.5, kind="grads", impl="numpy", dtype="float32"),
        bench("l", 0.75, kind="grads", impl="numpy dA0", dtype="float32"),
        bench("n", 1.0, kind="grads", impl="lean tf", dtype="float32"),
        bench("e", 1.0, kind="fit", impl="numpy", net="n", batch=64),
        bench("f", 5.0, kind="fit", impl="keras", net="n", batch=64),
        bench("g", 2.0, kind="scaling", impl="numpy step", width=1024, m=4096, flops=4e9),
        bench("h", 1.0, kind="scaling", impl="matmul", width=1024, m=4096, flops=4e9),
        bench("i", 7.5, kind="check", impl="check"),
        bench("j", 5.0, kind="check", impl="import"),
    ]}))
    table = summary.ratios(summary.load(path))
    rows = {(r[0].split(":")[0], r[1]): r for r in table}
    assert rows[("dense", "m=64")][2] == pytest.approx(200.0)
    steps = {r[0]: r[2:] for r in table if r[0].startswith("step")}
    assert steps["step: NeuralNetwork.step time / lean tf.function step time"] == (
        0.8, "<= 0.6", "MISSED")
    assert steps["step: NeuralNetwork.step time / keras tf.function step time"] == (0.5, "", "-")
    assert rows[("grads", "float32, parameters")][2:] == (0.5, "<= 0.6", "met")
    assert rows[("grads", "float32, with dA0")][2:] == (0.75, "", "-")
    assert rows[("fit", "n batch=64")][2:] == (5.0, ">= 25", "MISSED")
    assert rows[("check", "week 4 (7.5 s / 5.0 s)")][2:] == (2.5, "<= 3", "met")
    scaling = next(r for k, r in rows.items() if k[0] == "scaling")
    assert scaling[2] == pytest.approx(0.5) and scaling[4] == "MISSED"
    assert summary.main([str(path)]) == 0
    assert "MISSED" in capsys.readouterr().out


def test_paired_ratios_take_precedence_and_invert_for_speed_ups(tmp_path: Path) -> None:
    """A benchmark that timed itself in alternating rounds with its yardstick
    (extra_info["paired"]) is judged on that ratio, not on the two separate medians."""
    def pair(ratio: float, q1: float, q3: float) -> dict:
        return {"ratio": ratio, "q1": q1, "q3": q3, "rounds": 21}

    path = tmp_path / "r.json"
    path.write_text(json.dumps({"benchmarks": [
        # separate medians say 0.8 (missed); the alternating rounds say 0.55 (met)
        bench("c", 1.0, kind="step", impl="numpy", dtype="float32",
              paired={"lean tf": pair(0.55, 0.5, 0.6)}),
        bench("d", 1.25, kind="step", impl="lean tf", dtype="float32"),
        # no yardstick row at all: the pair alone is enough
        bench("k", 0.5, kind="grads", impl="numpy", dtype="float32",
              paired={"lean tf": pair(0.7, 0.65, 0.75)}),
        # time ratios 0.04 (numpy / keras) become speed-ups of 25, quartiles swapped
        bench("e", 1.0, kind="fit", impl="numpy", net="n", batch=64,
              paired={"keras": pair(0.04, 0.032, 0.05)}),
        bench("g", 2.0, kind="scaling", impl="numpy step", width=256, m=4096, flops=4e9,
              paired={"matmul": pair(1.25, 1.0, 2.0)}),
    ]}))
    rows = {(r[0].split(":")[0], r[1].split(" [")[0]): r for r in
            summary.ratios(summary.load(path))}
    step = rows[("step", "float32")]
    assert step[2:] == (0.55, "<= 0.6", "met") and "IQR 0.5-0.6" in step[1]
    assert rows[("grads", "float32, parameters")][2:] == (0.7, "<= 0.6", "MISSED")
    fit = rows[("fit", "n batch=64")]
    assert fit[2] == pytest.approx(25.0) and fit[4] == "met" and "IQR 20-31.2" in fit[1]
    scaling = next(r for k, r in rows.items() if k[0] == "scaling")
    assert scaling[2] == pytest.approx(0.8) and scaling[4] == "met"
    assert "IQR 0.5-1" in scaling[1]


def test_conv_rows_scale_the_loop_and_judge_the_28x28_step(tmp_path: Path) -> None:
    case, big = "28x28x1 conv3x3x8 same m=64", "64x64x3 conv4x4x8 same m=32"
    common = {"kind": "conv", "layer": "conv", "dtype": "float32"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"benchmarks": [
        bench("a", 0.2, **common, case=case, op="step", impl="loop", m=64, timed_m=2, n=28),
        bench("b", 0.004, **common, case=case, op="step", impl="vectorised", m=64,
              timed_m=64, n=28),
        bench("c", 0.001, **common, case=case, op="step", impl="tf.function", m=64,
              timed_m=64, n=28),
        bench("d", 0.004, **common, case=big, op="step", impl="vectorised", m=32,
              timed_m=32, n=64),
        bench("e", 0.001, **common, case=big, op="step", impl="tf.function", m=32,
              timed_m=32, n=64),
        bench("f", 0.002, **common, case=case, op="forward", impl="vectorised", m=64,
              timed_m=64, n=28, flops=4e6),
        bench("g", 0.001, **common, case=case, op="forward", impl="matmul", m=64,
              timed_m=64, n=28, flops=4e6),
    ]}))
    rows = {(r[0], r[1].split(" (")[0]): r for r in summary.ratios(summary.load(path))}
    loop = rows[("conv step: loop time / vectorised time", case)]
    assert loop[2] == pytest.approx(0.2 * 32 / 0.004) and loop[3:] == (">= 50", "met")
    assert "loop timed at m=2, x32" in loop[1]
    tf = rows[("conv step: vectorised time / tf.function time", case)]
    assert tf[2] == pytest.approx(4.0) and tf[3:] == ("<= 2", "MISSED")
    assert rows[("conv step: vectorised time / tf.function time", big)][3:] == ("", "-")
    gemm = rows[("conv forward: vectorised GFLOP/s / np.matmul GFLOP/s (im2col GEMM)", case)]
    assert gemm[2] == pytest.approx(0.5) and "(2 / 4 GFLOP/s)" in gemm[1]


@pytest.mark.parametrize("main_job,test_time,verdicts", [
    (11.9, 59.5, ("met", "met")), (12.1, 60.5, ("MISSED", "MISSED")),
    (12.0, 60.0, ("met", "met"))])
def test_suite_rows_judge_seconds(tmp_path: Path, main_job: float, test_time: float,
                                  verdicts: tuple[str, str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"benchmarks": [
        bench("m", main_job, kind="suite", impl="main job"),
        bench("p", 70.0, kind="suite", impl="parity tests", test_time=test_time)]}))
    rows = {r[0].split(":")[0]: r[2:] for r in summary.ratios(summary.load(path))}
    assert rows["main job"] == (main_job, "<= 12", verdicts[0])  # the median round, not mean
    assert rows["suite"] == (test_time, "<= 60", verdicts[1])  # pytest's test time, not wall


def test_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"benchmarks": []}))
    assert summary.main([str(empty)]) == 2
    assert summary.main([str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "holds no benchmark results" in err and "missing.json" in err


def test_paired_is_the_median_ratio_of_alternating_rounds(monkeypatch) -> None:
    """``paired`` on a fake clock: the subject costs 3 ticks, the yardstick 2, except that
    one round of the yardstick is disturbed (20 ticks): the median ratio is still 1.5, the
    quartiles bracket it and the calls per round follow the calibration."""
    from benchmarks import common

    clock = {"now": 0.0, "yard_calls": 0}

    def subject() -> None:
        clock["now"] += 3.0

    def yardstick() -> None:
        clock["yard_calls"] += 1
        clock["now"] += 20.0 if clock["yard_calls"] == 10 else 2.0

    monkeypatch.setattr(common.time, "perf_counter", lambda: clock["now"])
    result = common.paired(subject, yardstick, rounds=7, round_time=6.0)
    assert result["ratio"] == pytest.approx(1.5) and result["rounds"] == 7
    assert result["q1"] <= result["ratio"] <= result["q3"]
    assert result["q1"] == pytest.approx(1.5)
