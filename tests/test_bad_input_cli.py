"""Issue 11, items 5 and 8 (the command line): every refused option is one line on stderr
naming the option and the value, exit status 2, before any work and before TensorFlow;
the output folder is checked first; Ctrl-C is one line and exit status 130 and leaves
nothing this run created; divergence is one line, exit status 1, after writing what there
is; no JSON file holds NaN or Infinity. In-process (``parity.cli.main``), no TensorFlow."""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import numpy_impl as ni
from parity import cli
from parity.outputs import finite_json, json_text, write_json


@pytest.fixture(autouse=True)
def no_tensorflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may get as far as importing TensorFlow."""
    def refuse() -> None:
        raise AssertionError("TensorFlow was started")

    monkeypatch.setattr(cli, "start_tensorflow", refuse)


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def strict_json(path: Path) -> object:
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in {path}")

    return json.loads(path.read_text(), parse_constant=refuse)


TRAIN = ("train", "--data", "digits:0,1")
OPTION_ERRORS = [
    (TRAIN + ("--arch", "2,-4,1"), "argument --arch", "'2,-4,1'", "size 2 (-4) is not >= 1"),
    (TRAIN + ("--arch", "2,,1"), "argument --arch", "'2,,1'", "size 2 is empty"),
    (TRAIN + ("--arch", "abc"), "argument --arch", "'abc'", "is not an integer"),
    (TRAIN + ("--arch", "64"), "argument --arch", "'64'", "at least 2 sizes"),
    (TRAIN + ("--arch", "64,100000,100000,1"), "argument --arch", "'64,100000,100000,1'",
     "more than the limit of 10000000"),
    (TRAIN + ("--seed", "99999999999999999999"), "argument --seed",
     "'99999999999999999999'", "[0, 4294967295]"),
    (TRAIN + ("--seed", "-1"), "argument --seed", "'-1'", "[0, 4294967295]"),
    (TRAIN + ("--lr", "nan"), "argument --lr", "'nan'", "a finite number > 0"),
    (TRAIN + ("--lr", "inf"), "argument --lr", "'inf'", "a finite number > 0"),
    (TRAIN + ("--lr", "1e400"), "argument --lr", "'1e400'", "a finite number > 0"),
    (TRAIN + ("--lr", "-1"), "argument --lr", "'-1'", "a finite number > 0"),
    (TRAIN + ("--lr", "0"), "argument --lr", "'0'", "a finite number > 0"),
    (TRAIN + ("--lr", "fast"), "argument --lr", "'fast'", "a finite number > 0"),
    (TRAIN + ("--epochs", "0"), "argument --epochs", "'0'", "[1, 1000000]"),
    (TRAIN + ("--epochs", "1.5"), "argument --epochs", "'1.5'", "an integer"),
    (TRAIN + ("--batch-size", "-3"), "argument --batch-size", "'-3'", "an integer >= 1"),
    (TRAIN + ("--lambd", "nan"), "argument --lambd", "'nan'", "a finite number >= 0"),
    (TRAIN + ("--lambd", "-0.1"), "argument --lambd", "'-0.1'", "a finite number >= 0"),
    (TRAIN + ("--lambd", "inf"), "argument --lambd", "'inf'", "a finite number >= 0"),
    (TRAIN + ("--keep-prob", "0"), "argument --keep-prob", "'0'", "(0, 1]"),
    (TRAIN + ("--keep-prob", "1.5"), "argument --keep-prob", "'1.5'", "(0, 1]"),
    (TRAIN + ("--keep-prob", "nan"), "argument --keep-prob", "'nan'", "(0, 1]"),
    (TRAIN + ("--dtype", "float16"), "argument --dtype", "'float16'", "invalid choice"),
    (TRAIN + ("--hidden", "swish"), "argument --hidden", "'swish'", "invalid choice"),
    (TRAIN + ("--image-size", "5000"), "argument --image-size", "'5000'", "[1, 1024]"),
    (("train", "--data", ""), "argument --data", "''", "a non-empty value"),
    (("report", "--arch", "resnet50"), "argument --arch", "'resnet50'", "unknown architecture"),
    (("report", "--arch", "2,-4,1"), "argument --arch", "'2,-4,1'", "is not >= 1"),
    (("report", "--arch", "shallow_relu", "--m", "0"), "argument --m", "'0'", "[1, 1000000]"),
    (("report", "--arch", "shallow_relu", "--steps", "0"), "argument --steps", "'0'",
     "[1, 1000000]"),
    (("--archs", "shallow_relu,resnet50"), "argument --archs", "'resnet50'",
     "unknown architecture"),
    (("--epochs", "0"), "argument --epochs", "'0'", "[1, 1000000]"),
    (("--lr", "nan"), "argument --lr", "'nan'", "a finite number > 0"),
    (("check", "x.py", "--timeout", "inf"), "argument --timeout", "'inf'",
     "a finite number > 0"),
    (("check", "x.py", "--seed", "1e3"), "argument --seed", "'1e3'", "an integer"),
]


@pytest.mark.parametrize("args,option,value,reason", OPTION_ERRORS,
                         ids=[" ".join(a[0][-2:]) for a in OPTION_ERRORS])
def test_option_errors_name_the_option_and_the_value(capsys, tmp_path, args, option, value,
                                                     reason) -> None:
    status, out, err = run(capsys, *args, *(("--out", str(tmp_path / "o"))
                                            if args[0] == "train" else ()))
    line = one_line(err)
    assert status == 2
    assert option in line and value in line and reason in line, line
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "o").exists()  # refused before any work


def test_help_returns_0_in_process(capsys) -> None:
    status, out, _ = run(capsys, "train", "--help")
    assert status == 0 and "--keep-prob" in out


# --- the output folder, before any work --------------------------------------------------------
def test_out_that_is_a_file(capsys, tmp_path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    status, _, err = run(capsys, *TRAIN, "--out", str(target))
    assert status == 2
    assert one_line(err) == f"error: --out {str(target)!r} exists and is not a folder"


def test_out_below_a_file(capsys, tmp_path) -> None:
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, *TRAIN, "--out", str(tmp_path / "file" / "out"))
    assert status == 2
    assert "cannot create the folder" in one_line(err) and "--out" in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_read_only_out(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "load_dataset", lambda *a, **k: pytest.fail("work started"))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        status, _, err = run(capsys, *TRAIN, "--out", str(locked))
        assert status == 2
        assert f"--out {str(locked)!r}: cannot write in the folder" in one_line(err)
        status, _, err = run(capsys, *TRAIN, "--out", str(locked / "sub"))
        assert status == 2 and "cannot create the folder" in one_line(err)
    finally:
        locked.chmod(0o700)


def test_json_that_is_a_folder(capsys, tmp_path) -> None:
    status, _, err = run(capsys, "report", "--arch", "shallow_relu", "--json", str(tmp_path))
    assert status == 2
    assert one_line(err) == f"error: --json {str(tmp_path)!r} is a folder; expected a file name"


def test_json_folder_below_a_file(capsys, tmp_path) -> None:
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, "report", "--arch", "shallow_relu", "--json",
                         str(tmp_path / "file" / "r.json"))
    line = one_line(err)
    assert status == 2 and line.startswith(f"error: --json {str(tmp_path / 'file' / 'r.json')!r}")
    assert line.endswith("exists and is not a folder")


def test_refused_data_names_the_option_and_leaves_no_folder(capsys, tmp_path) -> None:
    out = tmp_path / "new" / "out"
    status, _, err = run(capsys, "train", "--data", "csv:/no/such.csv:y", "--out", str(out))
    assert status == 2
    assert one_line(err).startswith("error: --data csv:/no/such.csv:y: CSV file")
    assert not (tmp_path / "new").exists()  # the folders this run created are gone


def test_arch_that_does_not_fit_the_data(capsys, tmp_path) -> None:
    status, _, err = run(capsys, *TRAIN, "--arch", "3,8,1", "--out", str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("error: --arch 3,8,1 does not fit digits:0,1")


# --- Ctrl-C --------------------------------------------------------------------------------------
def interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_while_loading(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "load_dataset", interrupt)
    out = tmp_path / "out"
    status, _, err = run(capsys, *TRAIN, "--out", str(out))
    assert status == 130 and err == "interrupted\n"
    assert not out.exists()


def fake_result(costs: dict[str, list[float]]) -> SimpleNamespace:
    runs = {b: SimpleNamespace(costs=c) for b, c in costs.items()}
    return SimpleNamespace(title="fake", runs=runs, diverged=None,
                           to_dict=lambda: {"runs": {b: {"costs": c} for b, c in costs.items()}})


def test_ctrl_c_while_writing_removes_what_this_run_created(capsys, tmp_path,
                                                            monkeypatch) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    monkeypatch.setattr(cli, "run_training", lambda *a, **k: fake_result({"numpy": [0.5]}))
    monkeypatch.setattr(cli, "write_json", interrupt)  # after cost_curves.png is written
    keep = tmp_path / "earlier.txt"
    keep.write_text("from an earlier run")
    status, out, err = run(capsys, *TRAIN, "--out", str(tmp_path))
    assert status == 130 and err == "interrupted\n"
    assert "cost_curves.png" in out  # it was written, then removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.txt"]


def test_ctrl_c_in_the_main_job(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", interrupt)
    status, _, err = run(capsys, "--out", str(tmp_path / "o"))
    assert status == 130 and err == "interrupted\n" and not (tmp_path / "o").exists()


# --- divergence ----------------------------------------------------------------------------------
def diverging(partial: object | None):
    def train(*args: object, **kwargs: object) -> None:
        err = ni.DivergenceError("keras cost", float("nan"), epoch=2, step=7)
        if partial is not None:
            err.partial = partial
        raise err
    return train


def test_divergence_writes_what_there_is(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    partial = fake_result({"numpy": [0.69, math.inf], "keras": [0.69, math.nan]})
    monkeypatch.setattr(cli, "run_training", diverging(partial))
    status, _, err = run(capsys, *TRAIN, "--out", str(tmp_path), "--lr", "1e300")
    assert status == 1
    line = one_line(err)
    assert line.startswith("error: training diverged at epoch 2, step 7: keras cost is nan")
    record = strict_json(tmp_path / "training.json")
    assert record["diverged"] == line.removeprefix("error: ")
    assert record["runs"]["keras"]["costs"] == [0.69, None]
    assert record["non_finite_values"] == {"runs.numpy.costs[1]": "inf",
                                           "runs.keras.costs[1]": "nan"}
    assert record["data"]["name"] == "digits:0,1" and record["data"]["decisions"] == []
    assert not (tmp_path / "cost_curves.png").exists()


def test_divergence_without_a_partial_result(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    monkeypatch.setattr(cli, "run_training", diverging(None))
    out = tmp_path / "out"
    status, _, err = run(capsys, *TRAIN, "--out", str(out))
    assert status == 1 and "diverged at epoch 2, step 7" in one_line(err)
    assert not out.exists()  # nothing to write: the empty folder is not left behind


def test_training_json_records_the_data_and_its_decisions(capsys, tmp_path,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    monkeypatch.setattr(cli, "run_training", lambda *a, **k: fake_result({"numpy": [0.5]}))
    real = cli.load_dataset

    def with_decisions(*args: object, **kwargs: object):
        data = real(*args, **kwargs)
        if "decisions" in type(data).__dataclass_fields__:
            from dataclasses import replace
            data = replace(data, decisions=("imputed 1 cell of x",))
        return data

    monkeypatch.setattr(cli, "load_dataset", with_decisions)
    status, out, err = run(capsys, *TRAIN, "--out", str(tmp_path))
    assert status == 0, err
    assert "decisions: imputed 1 cell of x" in out.splitlines()[0]  # the summary line
    record = strict_json(tmp_path / "training.json")
    assert record["data"]["decisions"] == ["imputed 1 cell of x"]
    assert record["data"]["m_train"] + record["data"]["m_test"] == 360


# --- JSON never holds NaN or Infinity ------------------------------------------------------------
def test_write_json_replaces_non_finite_values_with_null_and_says_why(tmp_path) -> None:
    data = {"a": np.float64("nan"), "b": [1.0, -np.inf], "c": np.array([[np.inf, 2.0]]),
            "d": {"e": np.int64(3), "f": True, "g": None}}
    record = strict_json(write_json(tmp_path / "x.json", data))
    assert record == {"a": None, "b": [1.0, None], "c": [[None, 2.0]],
                      "d": {"e": 3, "f": True, "g": None},
                      "non_finite_values": {"a": "nan", "b[1]": "-inf", "c[0][0]": "inf"}}


def test_finite_data_is_unchanged_and_lists_are_wrapped() -> None:
    assert finite_json({"x": [1.5, 2]}) == {"x": [1.5, 2]}
    assert json.loads(json_text([1.0, float("nan")])) == {
        "data": [1.0, None], "non_finite_values": {"[1]": "nan"}}


def test_write_json_refuses_what_json_cannot_hold(tmp_path) -> None:
    with pytest.raises(TypeError, match="cannot write object at x as JSON"):
        write_json(tmp_path / "y.json", {"x": object()})
    assert list(tmp_path.iterdir()) == []  # nothing half-written


# --- progress -----------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_in_a_log_is_one_plain_line_per_epoch() -> None:
    stream = io.StringIO()
    with cli.Progress(stream) as progress:
        for epoch in (1, 2, 3):
            progress(epoch, 3, {"numpy": 0.5, "keras": 0.5})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in stream.getvalue()
    assert lines[-1] == "epoch 3/3 [########################] numpy 0.500000  keras 0.500000"


def test_progress_on_a_terminal_is_a_bar_updated_in_place() -> None:
    stream = Terminal()
    with cli.Progress(stream) as progress:
        for epoch in (1, 2, 3):
            progress(epoch, 3, {"numpy": 0.25})
    text = stream.getvalue()
    assert "\r" in text and "3/3" in text and "numpy 0.250000" in text
    assert text.count("\n") <= 1  # one bar, redrawn, not one line per epoch


@pytest.mark.parametrize("delay", [0.05, 0.1, 0.2, 1.0])
def test_a_real_ctrl_c_is_one_line_and_exit_130(tmp_path, delay: float) -> None:
    """SIGINT to a real run (while it imports its libraries, or trains): no traceback.
    Within 0.2 s (libraries importing) CPython used to kill itself with SIGINT at exit
    (status -2) after our message, in about half the runs."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "parity", "train", "--data", "digits:0,1", "--epochs",
         "1000000", "--batch-size", "1", "--backend", "numpy", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # past start-up (the interrupt handling is in place once the output folder is made;
    # a signal during the interpreter's own start-up would test nothing of ours)
    deadline = time.monotonic() + 60
    while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and err == "interrupted\n", err
    assert not out.exists()
