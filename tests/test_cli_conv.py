"""The command line for networks of layers (issue 12, item 5): ``train --arch`` with a
layer specification on image datasets, side-by-side training of a conv net, ``report``
on a layered zoo name or a layer specification with ``--input``, the main job with the
conv zoo, and their refusals (one line, exit status 2, before TensorFlow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import numpy_impl as ni
from parity import cli
from parity.architecture import LAYERED_ZOO, ZOO, LayerArchitecture
from tests.test_cli import assert_quiet, run

CONV = "conv3x3x8,relu,maxpool2,flatten,10"


# --- in process, without TensorFlow ---------------------------------------------------------
@pytest.fixture
def no_tensorflow(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("TensorFlow was started")

    monkeypatch.setattr(cli, "start_tensorflow", refuse)


def one_line_error(capsys: pytest.CaptureFixture, *args: str) -> str:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1, err
    assert "Traceback" not in err and out == ""
    return lines[0]


@pytest.mark.parametrize("args, parts", [
    (("train", "--data", "digits8x8", "--arch", "conv3x3x0,relu,flatten,10"),
     ("argument --arch", "'conv3x3x0,relu,flatten,10'", "filters must be >= 1")),
    (("train", "--data", "digits8x8", "--arch", "conv3x3x8,relu,pool2,flatten,10"),
     ("argument --arch", "'conv3x3x8,relu,pool2,flatten,10'", "layer 3 ('pool2') is not a "
      "layer")),
    (("train", "--data", "digits8x8", "--arch", "conv3x2x8,flatten,10"),
     ("argument --arch", "kernels must be square")),
    # found by review: full-width digits were read as digits by \d and int(), then compared
    # as text ("kernels must be square, got ３x3"); they are refused, named
    (("train", "--data", "digits8x8", "--arch", "conv\uff13x3x8,relu,flatten,10"),
     ("argument --arch", "layer 1 ('conv\uff13x3x8') holds the non-ASCII character(s) "
      "'\uff13' (U+FF13)", "ASCII letters and digits 0-9")),
    (("train", "--data", "digits8x8", "--arch", "64,relu,\uff11\uff10"),
     ("argument --arch", "layer 3 ('\uff11\uff10') holds the non-ASCII character(s) "
      "'\uff11' (U+FF11), '\uff10' (U+FF10)")),
    (("train", "--data", "digits", "--arch", "64,\uff13\uff12,10"),
     ("argument --arch", "size 2 ('\uff13\uff12') holds the non-ASCII character(s)",
      "expected digits 0-9")),
    (("train", "--data", "digits", "--arch", CONV),
     (f"error: --arch {CONV} needs images", "--data digits is flat (64 features)",
      "digits8x8")),
    (("train", "--data", "breast_cancer", "--arch", "conv2x2x4,flatten,1"),
     ("--arch conv2x2x4,flatten,1 needs images", "--data breast_cancer is flat")),
    (("train", "--data", "digits8x8", "--arch", "conv9x9x8,relu,flatten,10"),
     ("error: --arch conv9x9x8,relu,flatten,10 does not fit digits8x8 (input 8x8x1)",
      "smaller than the 9x9 window")),
    (("train", "--data", "digits8x8:3,8", "--arch", CONV),
     (f"error: --arch {CONV} does not fit digits8x8:3,8", "expected 1 output unit(s), the "
      "last dense layer has 10")),
    # found by review: after a trailing batchnorm or activation, the units were not checked
    (("train", "--data", "digits8x8", "--arch", "conv3x3x4,flatten,5,batchnorm,softmax"),
     ("error: --arch conv3x3x4,flatten,5,batchnorm,softmax does not fit digits8x8",
      "expected 10 output unit(s), the last dense layer has 5")),
    (("train", "--data", "digits8x8", "--arch", "conv3x3x8,relu,flatten"),
     ("error: --arch conv3x3x8,relu,flatten does not fit", "cannot be the output")),
    (("train", "--data", "digits8x8", "--arch", "conv3x3x8,flatten,100000,100000,10"),
     ("error: --arch conv3x3x8,flatten,100000,100000,10", "more than the limit of 10000000")),
    (("train", "--data", "digits8x8", "--arch", CONV, "--keep-prob", "0.5"),
     ("error: --keep-prob 0.5 applies to layer sizes", "dropout0.8")),
    (("train", "--data", "digits8x8", "--arch", CONV, "--hidden", "tanh"),
     ("error: --hidden tanh applies to layer sizes",)),
    (("report", "--arch", CONV),
     (f"error: --arch {CONV}: a layer specification needs --input",)),
    (("report", "--arch", CONV, "--input", "8x8"),
     ("argument --input", "'8x8'", "HxWxC like 8x8x1")),
    (("report", "--arch", CONV, "--input", "2x2x1"),
     (f"error: --arch {CONV} does not fit 2x2x1", "smaller than the 3x3 window")),
    (("report", "--arch", "conv_digits", "--input", "8x8x1"),
     ("error: --input 8x8x1 applies to a layer specification", "--arch conv_digits")),
    (("report", "--arch", "convnet"), ("argument --arch", "'convnet'", "conv_digits")),
    (("--archs", "conv_digits,conv_resnet"),
     ("argument --archs", "'conv_resnet'", "conv_batchnorm")),
])
def test_refusals_are_one_line_naming_the_option(capsys, tmp_path, no_tensorflow, args,
                                                 parts) -> None:
    out = tmp_path / "o"
    line = one_line_error(capsys, *args, *(("--out", str(out)) if args[0] == "train" else ()))
    for part in parts:
        assert part in line, line
    assert not out.exists()


def test_arch_option_sizes_or_layers() -> None:
    assert cli.parse_arch("400,25,15,1") == (400, 25, 15, 1)  # the dense form, as before
    option = cli.parse_arch(CONV)
    assert isinstance(option, cli.LayersOption) and option.needs_images
    assert [s.kind for s in option.layers] == ["conv", "maxpool", "flatten", "dense"]
    dense = cli.parse_arch("16,relu,batchnorm,10")
    assert isinstance(dense, cli.LayersOption) and not dense.needs_images
    with pytest.raises(ValueError, match=r"size 1 \('abc'\) is not an integer"):
        cli.parse_arch("abc")


def test_a_trailing_dense_layer_gets_the_output_activation() -> None:
    ten = cli.with_output_activation(ni.parse_layers(CONV))[-1]
    one = cli.with_output_activation(ni.parse_layers("conv3x3x8,flatten,1"))[-1]
    kept = cli.with_output_activation(ni.parse_layers("flatten,4,sigmoid"))[-1]
    assert (ten.activation, one.activation, kept.activation) == ("softmax", "sigmoid",
                                                                 "sigmoid")


def test_main_job_selects_both_zoos() -> None:
    parser = cli.build_parser()
    assert parser.parse_args([]).archs == [*ZOO, *LAYERED_ZOO]
    assert parser.parse_args(["--archs", "shallow_relu,conv_digits"]).archs == [
        "shallow_relu", "conv_digits"]
    assert cli.LAYERED_REPORT == {"m": 8, "steps": 3}


def test_zoo_reports_refuses_unknown_names_before_tensorflow(no_tensorflow) -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        cli.zoo_reports(["conv_digits", "resnet"])


class Captured:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, arch, data, *args, **kwargs):
        self.calls.append((arch, data))
        from types import SimpleNamespace
        return SimpleNamespace(title="t", diverged=None,
                               runs={"numpy": SimpleNamespace(costs=[0.5])},
                               to_dict=lambda: {"runs": {}})


@pytest.mark.parametrize("arch, layered, x_shape", [
    (CONV, True, (8, 8, 1)),                 # conv layers: the images
    ("64,16,10", False, (64,)),              # layer sizes: flattened as before
    ("16,batchnorm,relu,10", True, (64,)),   # dense layers only: flattened features
    (None, False, (64,)),                    # the default n_x,16,n_y
])
def test_train_gives_each_architecture_its_data(capsys, tmp_path, monkeypatch, arch, layered,
                                                x_shape) -> None:
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    captured = Captured()
    monkeypatch.setattr(cli, "run_training", captured)
    args = ["train", "--data", "digits8x8", "--out", str(tmp_path)]
    assert cli.main(args + (["--arch", arch] if arch else [])) == 0
    (network, data), = captured.calls
    assert isinstance(network, LayerArchitecture) == layered
    assert data.input_shape == x_shape
    if layered:
        assert network.input_shape == x_shape and network.output_activation == "softmax"
        assert network.layers[-1].units == 10 and network.name == "digits8x8"
    else:
        assert network.layer_dims[0] == 64 and network.layer_dims[-1] == 10
        assert "flattened to 64 features" in data.decisions[-1]
    record = json.loads((tmp_path / "training.json").read_text())
    assert record["data"]["input_shape"] == list(x_shape)
    assert record["data"]["m_train"] + record["data"]["m_test"] == 1797
    capsys.readouterr()


def test_image_folder_kept_as_images_for_conv_layers(capsys, tmp_path, monkeypatch) -> None:
    from tests.test_datasets import make_images

    root = make_images(tmp_path / "imgs", {"a": (250, 0, 0), "b": (0, 0, 250)})
    monkeypatch.setattr(cli, "start_tensorflow", lambda: None)
    captured = Captured()
    monkeypatch.setattr(cli, "run_training", captured)
    base = ["train", "--data", f"images:{root}", "--image-size", "6", "--out", str(tmp_path)]
    assert cli.main(base + ["--arch", "conv2x2x4,relu,flatten,1"]) == 0
    assert cli.main(base) == 0
    (conv, images), (dense, flat) = captured.calls
    assert images.X_train.shape[1:] == (6, 6, 3) and conv.input_shape == (6, 6, 3)
    assert conv.output_activation == "sigmoid"
    assert flat.X_train.shape[0] == 108 and flat.X_train.max() <= 1.0  # unchanged dense form
    capsys.readouterr()


# --- side by side, in process (TensorFlow) ----------------------------------------------------
@pytest.fixture(scope="module")
def small_digits():
    from numpy_impl.datasets import load_dataset

    data = load_dataset("digits8x8:3,8")
    return data


def test_conv_side_by_side_with_batchnorm_and_dropout(small_digits) -> None:
    from parity.layered import train_layered_side_by_side

    data = small_digits
    arch = LAYERED_ZOO["conv_batchnorm"]  # dropout masks replayed, moving statistics
    seen = []
    result = train_layered_side_by_side(
        arch, data.X_train[:60], data.Y_train[:, :60], data.X_test, data.Y_test, "adam", 0.01,
        2, 16, 0, on_epoch=lambda e, n, c: seen.append((e, n, dict(c))))
    assert [s[:2] for s in seen] == [(1, 2), (2, 2)]
    numpy_run, keras_run = result.runs["numpy"], result.runs["keras"]
    assert numpy_run.costs == pytest.approx(keras_run.costs, rel=1e-9)
    assert numpy_run.final_cost == pytest.approx(keras_run.final_cost, rel=1e-9)
    assert numpy_run.test_accuracy == keras_run.test_accuracy is not None
    assert result.max_param_diff is not None
    assert result.max_param_diff < 1e-6  # parameters and moving statistics
    assert result.settings["architecture"]["name"] == "conv_batchnorm"
    assert "largest parameter difference" in result.table()


def test_conv_side_by_side_divergence_keeps_the_completed_epochs(small_digits) -> None:
    from parity.layered import train_layered_side_by_side

    data = small_digits
    arch = LayerArchitecture((8, 8, 1), "conv3x3x2,relu,flatten,1,sigmoid", name="tiny")
    with pytest.raises(ni.DivergenceError, match=r"training diverged at epoch \d+, step \d+: "
                       r"the (numpy|keras) ") as info:
        train_layered_side_by_side(arch, data.X_train, data.Y_train, optimizer="gd",
                                   learning_rate=1e300, epochs=3, batch_size=32)
    partial = info.value.partial
    assert partial.diverged == str(info.value)
    assert all(run.final_cost is None for run in partial.runs.values())
    json.dumps(partial.to_dict(), allow_nan=False)


def test_numpy_only_conv_training(small_digits) -> None:
    from parity.layered import train_layered_side_by_side

    data = small_digits
    arch = LayerArchitecture((8, 8, 1), "conv3x3x8,relu,maxpool2,flatten,1,sigmoid")
    result = train_layered_side_by_side(arch, data.X_train, data.Y_train, data.X_test,
                                        data.Y_test, "adam", 0.01, 3, 32, 0,
                                        backends=("numpy",))
    run = result.runs["numpy"]
    assert list(result.runs) == ["numpy"] and result.max_param_diff is None
    assert run.costs[-1] < run.costs[0] and run.test_accuracy > 0.8


# --- end to end, in subprocesses --------------------------------------------------------------
def test_train_a_conv_net_on_digits8x8(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("train", "--data", "digits8x8", "--arch", CONV, "--epochs", "1",
                 "--batch-size", "64", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "epoch 1/1 [" in result.stdout and "largest parameter difference" in result.stdout
    assert "conv3x3x8,relu maxpool2 flatten 10,softmax" in result.stdout
    training = json.loads((out / "training.json").read_text())
    assert training["data"]["input_shape"] == [8, 8, 1]
    assert training["max_param_diff"] < 1e-9
    runs = training["runs"]
    assert set(runs) == {"numpy", "keras"} and len(runs["numpy"]["costs"]) == 1
    assert runs["numpy"]["train_accuracy"] == runs["keras"]["train_accuracy"] > 0.1
    assert training["settings"]["architecture"]["layers"][0]["kind"] == "conv"
    assert (out / "cost_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_quiet(result)


def test_report_on_a_layered_zoo_name(tmp_path: Path) -> None:
    result = run("report", "--arch", "conv_digits", "--m", "8", "--steps", "2", "--json",
                 str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    assert "parity: conv_digits 8x8x1 conv3x3x8,relu" in result.stdout
    assert "passed, 0 failed" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["passed"] is True
    assert_quiet(result)


def test_report_on_a_layer_specification() -> None:
    result = run("report", "--arch", "conv2x2x2,relu,flatten,3", "--input", "4x4x1", "--m",
                 "6", "--steps", "1", "--dtype", "float32")
    assert result.returncode == 0, result.stderr
    assert "parity: custom 4x4x1 conv2x2x2,relu flatten 3,softmax cce float32" in result.stdout


def test_main_job_includes_the_conv_zoo(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("--archs", "shallow_relu,conv_digits", "--epochs", "1", "--quiet", "--out",
                 str(out))
    assert result.returncode == 0, result.stderr
    assert "2 of 2 architectures agree" in result.stdout
    assert any(line.startswith("conv_digits ") and line.endswith("PASS")
               for line in result.stdout.splitlines())
    report = json.loads((out / "report.json").read_text())
    assert list(report["zoo"]) == ["shallow_relu", "conv_digits"]
    assert report["zoo"]["conv_digits"]["passed"] is True
