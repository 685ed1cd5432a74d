"""Hostile model files, diverging training, and resuming with learning-rate decay.

The malformed files are built by hand (zipfile and ``np.lib.format`` directly, old
layouts, JSON of the wrong types), not through ``NeuralNetwork.save``.
"""

from __future__ import annotations

import io
import json
import math
import os
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import numpy_impl as ni
import numpy_impl.modelfile as modelfile
from tests.conftest import binary_data

UNREADABLE = "is not a readable NeuralNetwork file"


# --- building files by hand --------------------------------------------------------------
def npy(array: np.ndarray) -> bytes:
    """The bytes of one ``.npy`` member (pickles object arrays, as old tools did)."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=True)
    return buffer.getvalue()


def members(path: Path) -> dict[str, bytes]:
    """``{member name without .npy: raw bytes}`` of a zip."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename[:-4]: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    """A deflated zip (np.savez would store) of ``{name: npy bytes}``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(f"{name}.npy", data)
    return path


def read_member(data: bytes) -> np.ndarray:
    return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)


def saved(tmp_path: Path, optimizer: str = "adam", name: str = "net.npz") -> Path:
    """A genuine file: a (4, 3, 1) network after two epochs of mini-batches."""
    X, Y = binary_data(np.random.default_rng(0), 4, 24)
    net = ni.NeuralNetwork((4, 3, 1), optimizer=optimizer, keep_probs=0.8, seed=1)
    net.fit(X, Y, epochs=2, batch_size=8, learning_rate=0.05)
    net.save(tmp_path / name)
    return tmp_path / name


def edited(tmp_path: Path, meta: Callable[[dict[str, Any]], None] | None = None,
           arrays: Callable[[dict[str, bytes]], None] | None = None,
           raw_meta: str | None = None) -> Path:
    """A genuine file with its JSON metadata and/or members changed in place."""
    parts = members(saved(tmp_path, name="orig.npz"))
    if meta is not None:
        data = json.loads(str(read_member(parts["meta"])))
        meta(data)
        parts["meta"] = npy(np.array(json.dumps(data)))
    if raw_meta is not None:
        parts["meta"] = npy(np.array(raw_meta))
    if arrays is not None:
        arrays(parts)
    return write_zip(tmp_path / "edited.npz", parts)


def set_array(name: str, make: Callable[[np.ndarray], np.ndarray]
              ) -> Callable[[dict[str, bytes]], None]:
    def change(parts: dict[str, bytes]) -> None:
        parts[name] = npy(make(read_member(parts[name])))
    return change


def poke(index: tuple[int, int], value: float) -> Callable[[np.ndarray], np.ndarray]:
    def make(a: np.ndarray) -> np.ndarray:
        a = a.copy()
        a[index] = value
        return a
    return make


def set_key(*keys_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *keys, value = keys_and_value

    def change(meta: dict[str, Any]) -> None:
        target = meta
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


def drop_key(*keys: str) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        target = meta
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]
    return change


def refused(path: Path, fragment: str, **kwargs: Any) -> None:
    with pytest.raises(ValueError) as info:
        ni.NeuralNetwork.load(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{str(path)!r} {UNREADABLE} ("), message
    assert fragment in message, message


# --- not a NeuralNetwork file at all ---------------------------------------------------------
def test_npy_file(tmp_path: Path) -> None:
    np.save(tmp_path / "weights.npy", np.ones((3, 4)))
    refused(tmp_path / "weights.npy", "a single .npy array, not an .npz archive")


def test_npy_renamed_npz(tmp_path: Path) -> None:
    np.save(tmp_path / "weights.npy", np.ones((3, 4)))
    os.replace(tmp_path / "weights.npy", tmp_path / "weights.npz")
    refused(tmp_path / "weights.npz", "a single .npy array, not an .npz archive")


def test_text_file(tmp_path: Path) -> None:
    (tmp_path / "net.npz").write_text("W1 = [[1, 2], [3, 4]]\n")
    refused(tmp_path / "net.npz", "not a zip archive")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "net.npz").write_bytes(b"")
    refused(tmp_path / "net.npz", "the file is empty")


def test_truncated_zip(tmp_path: Path) -> None:
    good = saved(tmp_path)
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(tmp_path / "cut.npz", "not a zip archive")


def test_corrupted_array_bytes(tmp_path: Path) -> None:
    good = saved(tmp_path, optimizer="gd")
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("param/W1.npy")
    data[info.header_offset + 200] ^= 0xFF  # inside W1's stored data: the CRC no longer fits
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    refused(tmp_path / "flipped.npz", "CRC")


def test_pickled_object_meta(tmp_path: Path) -> None:
    path = tmp_path / "pickled.npz"
    np.savez(path, meta=np.array([{"format": "nn-parity/NeuralNetwork/2"}], dtype=object))
    refused(path, "meta holds pickled Python objects")


def test_pickled_object_weights(tmp_path: Path) -> None:
    path = edited(tmp_path, arrays=set_array("param/W1", lambda a: a.astype(object)))
    refused(path, "param/W1 holds pickled Python objects")


def test_foreign_npz_of_course_params(tmp_path: Path) -> None:
    path = tmp_path / "params.npz"
    np.savez(path, **ni.initialize_parameters([4, 3, 1], seed=0))
    refused(path, "no 'meta' member; members ['W1', 'W2', 'b1', 'b2']")


def test_member_that_is_not_npy(tmp_path: Path) -> None:
    path = tmp_path / "net.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.npy", npy(np.array("{}")))
        archive.writestr("README.txt", "hello")
    refused(path, "member 'README.txt' is not an .npy array")


def test_duplicate_member(tmp_path: Path) -> None:
    parts = members(saved(tmp_path))
    path = tmp_path / "twice.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(f"{name}.npy", data)
            archive.writestr("param/W1.npy", npy(np.zeros((3, 4))))
    refused(path, "member 'param/W1.npy' appears twice")


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist or is not a file"):
        ni.NeuralNetwork.load(tmp_path / "absent.npz")
    with pytest.raises(ValueError, match="does not exist or is not a file"):
        ni.NeuralNetwork.load(tmp_path)


# --- the metadata ----------------------------------------------------------------------------
META_CASES = [
    ("unknown format", set_key("format", "keras/h5"), "format 'keras/h5'; this version reads "
     "'nn-parity/NeuralNetwork/2', 'nn-parity/NeuralNetwork/1' (NeuralNetwork) and "
     "'nn-parity/LayeredNetwork/1' (LayeredNetwork)"),
    # found by review: a newer layered file was told it should be a NeuralNetwork's
    ("a newer layered format", set_key("format", "nn-parity/LayeredNetwork/2"),
     "format 'nn-parity/LayeredNetwork/2'; this version reads 'nn-parity/NeuralNetwork/2', "
     "'nn-parity/NeuralNetwork/1' (NeuralNetwork) and 'nn-parity/LayeredNetwork/1'"),
    ("missing t", drop_key("t"), "meta keys: missing ['t']"),
    ("extra key", set_key("comment", "hi"), "meta keys: unexpected ['comment']"),
    ("missing epochs_trained in format 2", drop_key("epochs_trained"),
     "meta keys: missing ['epochs_trained']"),
    ("negative step counter", set_key("t", -1), "t is -1; expected an int in [0, 2**53]"),
    ("float step counter", set_key("t", 6.0), "t is 6.0; expected an int"),
    ("bool step counter", set_key("t", True), "t is True; expected an int"),
    ("huge step counter", set_key("t", 10**400), "expected an int in [0, 2**53]"),
    ("negative epochs_trained", set_key("epochs_trained", -2), "epochs_trained is -2"),
    ("layer_dims of strings", set_key("config", "layer_dims", ["4", "3", "1"]),
     "config.layer_dims is ['4', '3', '1']; expected at least 2 ints >= 1"),
    ("layer_dims float", set_key("config", "layer_dims", [4, 1e10, 1]),
     "config.layer_dims is [4, 10000000000.0, 1]; expected at least 2 ints >= 1"),
    ("layer_dims bool", set_key("config", "layer_dims", [4, True, 1]), "layer_dims"),
    ("layer_dims zero", set_key("config", "layer_dims", [4, 0, 1]), "ints >= 1"),
    ("layer_dims not a list", set_key("config", "layer_dims", "4,3,1"),
     "config.layer_dims is str '4,3,1'; expected a list"),
    ("activation not a string", set_key("config", "hidden_activation", 3),
     "config.hidden_activation is 3; expected a string"),
    ("unknown activation", set_key("config", "hidden_activation", "swish"),
     "config: hidden_activation must be one of"),
    ("lambd a string", set_key("config", "lambd", "0.1"),
     "config.lambd is '0.1'; expected a finite number"),
    ("lambd negative", set_key("config", "lambd", -1.0), "lambd must be a finite number >= 0"),
    ("keep_probs a number", set_key("config", "keep_probs", 0.8),
     "config.keep_probs is float 0.8; expected a list"),
    ("keep_probs too many", set_key("config", "keep_probs", [0.8, 0.9]),
     "keep_probs must hold one value per hidden layer (1), got 2"),
    ("dtype float16", set_key("config", "dtype", "float16"),
     "dtype must be 'float32' or 'float64'"),
    ("loss null", set_key("config", "loss", None), "config.loss is None; expected a string"),
    ("unknown config key", set_key("config", "momentum", 0.9),
     "config keys: unexpected ['momentum']"),
    ("optimizer unknown", set_key("config", "optimizer", {"name": "sgd"}),
     "config.optimizer is {'name': 'sgd'}; expected an object with a name in"),
    ("optimizer beta string", set_key("config", "optimizer", "beta1", "0.9"),
     "config.optimizer.beta1 is '0.9'; expected a finite number"),
    ("optimizer beta out of range", set_key("config", "optimizer", "beta1", 1.5),
     "beta1 must be in [0, 1)"),
    ("optimizer form number", set_key("config", "optimizer", "form", 1),
     "config.optimizer.form is 1; expected a string"),
    ("optimizer extra field", set_key("config", "optimizer", "amsgrad", True),
     "config.optimizer keys: unexpected ['amsgrad']"),
    ("history of strings", set_key("history", ["0.7", "0.6"]),
     "history[0] is '0.7'; expected a finite number"),
    ("history an object", set_key("history", {"loss": [0.7]}),
     "history is dict"),
    ("rng of another kind", set_key("rng", "bit_generator", "MT19937"),
     "rng.bit_generator is 'MT19937'; expected one of ('PCG64', 'PCG64DXSM')"),
    ("rng state negative", set_key("rng", "state", "state", -5),
     "rng.state.state is -5; expected an int in [0, 2**128)"),
    ("rng has_uint32 float", set_key("rng", "has_uint32", 0.0), "rng.has_uint32 is 0.0"),
    ("rng missing inc", drop_key("rng", "state", "inc"), "rng.state keys: missing ['inc']"),
]


@pytest.mark.parametrize("change, fragment", [c[1:] for c in META_CASES],
                         ids=[c[0] for c in META_CASES])
def test_metadata_of_wrong_types(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                                 fragment: str) -> None:
    refused(edited(tmp_path, meta=change), fragment)


RAW_META_CASES = [
    ("NaN token", '{"format": "nn-parity/NeuralNetwork/2", "t": NaN}',
     "meta holds the non-JSON number NaN; expected finite numbers"),
    ("Infinity token", '{"history": [Infinity]}', "non-JSON number Infinity"),
    ("not JSON", "format=2", "meta is not valid JSON: JSONDecodeError"),
    ("a JSON list", "[1, 2]", "meta is a JSON list; expected an object"),
    ("repeated key", '{"t": 1, "t": -1}', "meta repeats the key 't'"),
    ("nested too deep", "[" * 100_000, "meta is not valid JSON"),
]


@pytest.mark.parametrize("text, fragment", [c[1:] for c in RAW_META_CASES],
                         ids=[c[0] for c in RAW_META_CASES])
def test_metadata_text(tmp_path: Path, text: str, fragment: str) -> None:
    refused(edited(tmp_path, raw_meta=text), fragment)


def test_meta_of_the_wrong_kind(tmp_path: Path) -> None:
    path = edited(tmp_path, arrays=lambda parts: parts.update(meta=npy(np.zeros(3))))
    refused(path, "meta is a float64 array of shape (3,); expected a 0-d string")


def test_empty_zip(tmp_path: Path) -> None:
    refused(write_zip(tmp_path / "empty.npz", {}), "no 'meta' member; members []")


def test_oversized_meta_refused_from_its_header(tmp_path: Path) -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<U100000000", "fortran_order": False, "shape": ()})
    path = write_zip(tmp_path / "big.npz", {"meta": header.getvalue()})
    refused(path, "meta holds 400000000 bytes, more than 67108864")


# --- sizes: refused before allocating --------------------------------------------------------
def test_huge_layer_dims_refused_before_allocating(tmp_path: Path) -> None:
    path = edited(tmp_path, meta=set_key("config", "layer_dims", [4, 10**10, 1]))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as info:
            ni.NeuralNetwork.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 5 * 2**20, peak  # a few MiB at most, not 298 GiB
    assert ("layer_dims [4, 10000000000, 1] give 60000000001 parameters, more than the limit "
            "of 100000000 (max_parameters" in str(info.value))


def test_max_parameters_is_configurable(tmp_path: Path) -> None:
    path = saved(tmp_path)  # (4, 3, 1): 15 + 4 = 19 parameters
    refused(path, "layer_dims [4, 3, 1] give 19 parameters, more than the limit of 18",
            max_parameters=18)
    assert ni.NeuralNetwork.load(path, max_parameters=19).layer_dims == (4, 3, 1)
    with pytest.raises(ValueError, match="max_parameters must be >= 1, got 0"):
        ni.NeuralNetwork.load(path, max_parameters=0)


def test_huge_array_header_refused_before_reading(tmp_path: Path) -> None:
    """A member whose header claims a huge shape is compared with layer_dims first."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    path = edited(tmp_path, arrays=lambda parts: parts.update({"param/W1": header.getvalue()}))
    refused(path, "param/W1 is a float64 array of shape (1000000, 1000000); expected float64 "
            "of shape (3, 4)")


# --- the arrays ------------------------------------------------------------------------------
ARRAY_CASES = [
    ("NaN weight", set_array("param/W1", poke((0, 0), np.nan)),
     "param/W1 holds 1 NaN or infinite value(s)"),
    ("infinite bias", set_array("param/b2", poke((0, 0), -np.inf)),
     "param/b2 holds 1 NaN or infinite value(s)"),
    ("transposed weight (Keras layout)", set_array("param/W1", lambda a: a.T.copy()),
     "param/W1 is a float64 array of shape (4, 3); expected float64 of shape (3, 4)"),
    ("flat bias", set_array("param/b1", lambda a: a.ravel()),
     "param/b1 is a float64 array of shape (3,); expected float64 of shape (3, 1)"),
    ("float32 weight in a float64 network", set_array("param/W2", lambda a: a.astype("f4")),
     "param/W2 is a float32 array of shape (1, 3); expected float64 of shape (1, 3)"),
    ("integer weight", set_array("param/W2", lambda a: a.astype(np.int64)),
     "param/W2 is a int64 array"),
    ("missing bias", lambda parts: parts.pop("param/b2"), "arrays: missing ['param/b2']"),
    ("extra layer", lambda parts: parts.update({"param/W3": npy(np.zeros((1, 1)))}),
     "arrays: unexpected ['param/W3']"),
    ("missing optimizer state", lambda parts: parts.pop("state/s/dW1"),
     "arrays: missing ['state/s/dW1']"),
    ("state of the wrong shape", set_array("state/v/dW1", lambda a: np.zeros((4, 3))),
     "state/v/dW1 is a float64 array of shape (4, 3); expected float64 of shape (3, 4)"),
    ("NaN velocity", set_array("state/v/db1", poke((1, 0), np.nan)),
     "state/v/db1 holds 1 NaN or infinite value(s)"),
    ("infinite second moment", set_array("state/s/dW2", poke((0, 1), np.inf)),
     "state/s/dW2 holds 1 NaN or infinite value(s)"),
    ("negative second moment", set_array("state/s/dW1", poke((2, 3), -1e-9)),
     "state/s/dW1 holds 1 negative value(s); an average of squared gradients is >= 0"),
]


@pytest.mark.parametrize("change, fragment", [c[1:] for c in ARRAY_CASES],
                         ids=[c[0] for c in ARRAY_CASES])
def test_bad_arrays(tmp_path: Path, change: Callable[[dict[str, bytes]], None],
                    fragment: str) -> None:
    refused(edited(tmp_path, arrays=change), fragment)


def test_negative_velocity_is_fine(tmp_path: Path) -> None:
    """First moments and velocities may be negative: only second moments are >= 0."""
    path = edited(tmp_path, arrays=set_array("state/v/dW1", poke((0, 0), -3.0)))
    assert ni.NeuralNetwork.load(path).opt_state["v"]["dW1"][0, 0] == -3.0


def test_state_of_another_optimizer(tmp_path: Path) -> None:
    """A momentum config with Adam's two moment slots: the "s" arrays are unexpected."""
    path = edited(tmp_path, meta=set_key("config", "optimizer", {"name": "momentum",
                                                                  "beta": 0.9}))
    refused(path, "arrays: unexpected ['state/s/dW1', 'state/s/dW2', 'state/s/db1', "
            "'state/s/db2']")


def test_the_genuine_file_loads_and_compressed_members_are_fine(tmp_path: Path) -> None:
    """The hand-made (deflated) copy of a genuine file loads, equal to the original."""
    original = ni.NeuralNetwork.load(saved(tmp_path))
    copy = ni.NeuralNetwork.load(edited(tmp_path))
    assert copy.config() == original.config() and copy.history == original.history
    for key in original.params:
        np.testing.assert_array_equal(copy.params[key], original.params[key])


# --- an older layout: format 1 ---------------------------------------------------------------
def test_format_1_loads_with_its_history_as_the_schedule_epoch(tmp_path: Path) -> None:
    """Format 1 (before epochs_trained) is read; its history has one cost per epoch, so
    resuming it with decay continues the schedule exactly."""
    X, Y = binary_data(np.random.default_rng(3), 4, 30)

    def make() -> ni.NeuralNetwork:
        return ni.NeuralNetwork((4, 5, 1), optimizer="adam", keep_probs=0.9, seed=4)

    straight = make()
    straight.fit(X, Y, epochs=6, batch_size=8, learning_rate=0.1, decay_rate=0.5)
    first = make()
    first.fit(X, Y, epochs=3, batch_size=8, learning_rate=0.1, decay_rate=0.5)
    first.save(tmp_path / "new.npz")
    parts = members(tmp_path / "new.npz")
    meta = json.loads(str(read_member(parts["meta"])))
    del meta["epochs_trained"]
    meta["format"] = "nn-parity/NeuralNetwork/1"
    parts["meta"] = npy(np.array(json.dumps(meta)))
    old = ni.NeuralNetwork.load(write_zip(tmp_path / "old.npz", parts))
    assert old.epochs_trained == 3
    old.fit(X, Y, epochs=3, batch_size=8, learning_rate=0.1, decay_rate=0.5)
    assert old.history == straight.history
    for key in straight.params:
        np.testing.assert_array_equal(old.params[key], straight.params[key])


# --- saving ----------------------------------------------------------------------------------
def test_save_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "v1.npz"
    link = tmp_path / "latest.npz"
    ni.NeuralNetwork((3, 1), seed=0).save(target)
    link.symlink_to(target)
    net = ni.NeuralNetwork((3, 2, 1), seed=5)
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert ni.NeuralNetwork.load(target).layer_dims == (3, 2, 1)
    assert sorted(os.listdir(tmp_path / "models")) == ["v1.npz"]  # no temporary left


def test_save_through_a_dangling_symlink_creates_the_target(tmp_path: Path) -> None:
    link = tmp_path / "latest.npz"
    link.symlink_to(tmp_path / "fresh.npz")
    ni.NeuralNetwork((3, 1), seed=0).save(link)
    assert link.is_symlink() and (tmp_path / "fresh.npz").is_file()


def test_failed_save_through_a_symlink_leaves_target_and_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "v1.npz"
    ni.NeuralNetwork((3, 1), seed=0).save(target)
    before = target.read_bytes()
    (tmp_path / "latest.npz").symlink_to(target)

    def failing_savez(f: Any, **arrays: Any) -> None:
        f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(modelfile.np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        ni.NeuralNetwork((3, 2, 1), seed=1).save(tmp_path / "latest.npz")
    assert target.read_bytes() == before and (tmp_path / "latest.npz").is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "v1.npz"]


def test_save_refuses_what_load_would_refuse(tmp_path: Path) -> None:
    net = ni.NeuralNetwork((3, 2, 1), seed=0)
    params = net.get_params()
    params["W2"][0, 1] = np.nan
    net.set_params(params)
    with pytest.raises(ValueError, match="cannot save non-finite values: param/W2"):
        net.save(tmp_path / "net.npz")
    other = ni.NeuralNetwork((3, 1), seed=np.random.Generator(np.random.MT19937(0)))
    with pytest.raises(ValueError, match="cannot save a generator built on MT19937"):
        other.save(tmp_path / "net.npz")
    assert not os.listdir(tmp_path)  # nothing written, not even a temporary


# --- divergence ------------------------------------------------------------------------------
def exploding() -> tuple[ni.NeuralNetwork, np.ndarray, np.ndarray]:
    """A float32 net that overflows with learning_rate 1e3 after a few full-batch epochs."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 200)).astype(np.float32)
    Y = (X[0] > 0).astype(np.float32).reshape(1, -1)
    return ni.NeuralNetwork((4, 8, 1), seed=0, dtype="float32"), X, Y


def test_fit_divergence_names_epoch_and_step() -> None:
    net, X, Y = exploding()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not one numpy RuntimeWarning on the way
        with pytest.raises(ni.DivergenceError,
                           match=r"training diverged at epoch (\d+), step \1: ") as info:
            net.fit(X, Y, epochs=50, learning_rate=1e3)
    err = info.value
    assert isinstance(err, FloatingPointError) and err.epoch == err.step > 1
    assert not math.isfinite(err.value)
    # the history holds the completed epochs; the parameters are those before the failing
    # step, exactly those of a twin that trained the completed epochs only
    assert len(net.history) == net.epochs_trained == err.epoch - 1
    twin, _, _ = exploding()
    with pytest.warns(ni.DivergenceWarning):  # it blew up without overflowing yet
        assert twin.fit(X, Y, epochs=err.epoch - 1, learning_rate=1e3) == net.history
    for key in twin.params:
        np.testing.assert_array_equal(net.params[key], twin.params[key])
        assert np.all(np.isfinite(net.params[key]))
    assert net.opt_state["t"] == err.epoch - 1


def test_fit_divergence_with_mini_batches_counts_steps_in_the_call() -> None:
    net, X, Y = exploding()
    with pytest.raises(ni.DivergenceError) as info:
        net.fit(X, Y, epochs=50, batch_size=50, learning_rate=1e3)  # 4 steps per epoch
    err = info.value
    assert (err.step - 1) // 4 + 1 == err.epoch
    assert f"epoch {err.epoch}, step {err.step}" in str(err)


def test_step_divergence_of_the_cost_leaves_the_network_unchanged() -> None:
    net = ni.NeuralNetwork((2, 3, 1), output_activation="linear", seed=0)  # mse
    params = net.get_params()
    params["W2"] = np.full((1, 3), 1e300)
    net.set_params(params)
    X, Y = np.ones((2, 4)), np.zeros((1, 4))
    before = net.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ni.DivergenceError,
                           match=r"^training diverged at step 1: cost is inf \(") as info:
            net.step(X, Y, learning_rate=0.1)
    assert info.value.epoch is None and info.value.quantity == "cost"
    for key in before:
        np.testing.assert_array_equal(net.params[key], before[key])
    assert net.opt_state["t"] == 0


def test_step_divergence_of_an_update_names_the_parameter() -> None:
    net = ni.NeuralNetwork((2, 1), initializer="zeros", seed=0)
    net.step(np.ones((2, 4)), np.zeros((1, 4)), learning_rate=0.01)  # a finite first step
    with pytest.raises(ni.DivergenceError,
                       match=r"^training diverged at step 2: W1 is inf \(") as info:
        # the cost (about 1e8) is finite; W - 1e300 * dW with dW about -1e10 overflows
        net.step(np.full((2, 4), 1e10), np.ones((1, 4)), learning_rate=1e300)
    assert info.value.step == 2 and net.opt_state["t"] == 1


def test_finite_batch_costs_whose_epoch_sum_overflows() -> None:
    """Each batch's squared errors (6e307 each, two per batch) sum to a finite cost; the
    epoch's sum of cost * m_b over two batches (2.4e308) is not."""
    net = ni.NeuralNetwork((1, 1), output_activation="linear", initializer="zeros", seed=0)
    net.set_params({"W1": np.array([[math.sqrt(6e307)]]), "b1": np.zeros((1, 1))})
    X, Y = np.ones((1, 4)), np.zeros((1, 4))
    with pytest.raises(ni.DivergenceError,
                       match=r"^training diverged at epoch 1, step 2: epoch cost is inf"):
        net.fit(X, Y, epochs=3, batch_size=2, learning_rate=1e-300)
    assert net.history == [] and net.epochs_trained == 0


def test_adam_second_moment_overflow_is_divergence() -> None:
    """In float32 a gradient above ~1.8e19 squares to inf: Adam's step would then be 0
    and the parameter frozen while finite. That is reported, naming s."""
    net = ni.NeuralNetwork((2, 1), initializer="zeros", optimizer="adam", seed=0,
                           dtype="float32")
    X, Y = np.full((2, 4), 1e20, dtype=np.float32), np.ones((1, 4), dtype=np.float32)
    with pytest.raises(ni.DivergenceError, match=r"step 1: s\['dW1'\] is inf"):
        net.step(X, Y, learning_rate=0.01)


def test_finite_explosion_warns() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 200))
    Y = (X[0] > 0).astype(float).reshape(1, -1)
    net = ni.NeuralNetwork((4, 8, 8, 1), seed=0)
    with pytest.warns(ni.DivergenceWarning, match=r"the cost grew from 0.7\d+ \(before "
                      r"training\) to [\d.e+]+ \(epoch 50\): training is diverging"):
        costs = net.fit(X, Y, epochs=50, learning_rate=1e6)
    assert all(math.isfinite(c) for c in costs) and costs[-1] > 1e3


def test_a_spike_that_recovers_does_not_warn() -> None:
    """Adam with a large rate: the cost spikes by 5000x, then comes back. No warning."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 200))
    Y = (X[0] > 0).astype(float).reshape(1, -1)
    net = ni.NeuralNetwork((4, 8, 8, 1), optimizer="adam", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        costs = net.fit(X, Y, epochs=50, learning_rate=10.0)
    assert max(costs) > 1e3 * costs[0] and costs[-1] < 1.5 * costs[0]


# --- resuming with learning-rate decay -------------------------------------------------------
def test_resume_with_decay_is_bitwise_the_uninterrupted_run(tmp_path: Path) -> None:
    X, Y = binary_data(np.random.default_rng(7), 5, 90)
    kwargs = dict(batch_size=16, learning_rate=0.05, decay_rate=0.7, time_interval=2)

    def make() -> ni.NeuralNetwork:
        return ni.NeuralNetwork((5, 7, 4, 1), keep_probs=(0.8, 0.9), lambd=0.05,
                                optimizer=ni.Adam(form="keras"), seed=11)

    straight = make()
    costs = straight.fit(X, Y, epochs=10, **kwargs)
    first = make()
    part1 = first.fit(X, Y, epochs=5, **kwargs)
    first.save(tmp_path / "ckpt.npz")
    resumed = ni.NeuralNetwork.load(tmp_path / "ckpt.npz")
    assert resumed.epochs_trained == 5
    part2 = resumed.fit(X, Y, epochs=5, **kwargs)
    assert part1 + part2 == costs == resumed.history == straight.history
    assert resumed.epochs_trained == straight.epochs_trained == 10
    for key in straight.params:
        np.testing.assert_array_equal(resumed.params[key], straight.params[key])
    for slot in ("v", "s"):
        for key in straight.opt_state[slot]:
            np.testing.assert_array_equal(resumed.opt_state[slot][key],
                                          straight.opt_state[slot][key])
    assert resumed.opt_state["t"] == straight.opt_state["t"] == 60
    # the saved schedule epoch is what makes it so: restarting the schedule differs
    restarted = ni.NeuralNetwork.load(tmp_path / "ckpt.npz")
    restarted.epochs_trained = 0
    assert restarted.fit(X, Y, epochs=5, **kwargs) != part2


def test_a_later_fit_continues_the_schedule_with_its_own_rate(
        rng: np.random.Generator) -> None:
    """The epoch is the network's, lr0 / decay_rate / time_interval are the call's."""
    X, Y = binary_data(rng, 3, 12)
    net = ni.NeuralNetwork((3, 4, 1), seed=2)
    manual = ni.NeuralNetwork((3, 4, 1), seed=2)
    net.fit(X, Y, epochs=3, learning_rate=0.1, decay_rate=1.0)
    net.fit(X, Y, epochs=2, learning_rate=0.4, decay_rate=0.5)
    for epoch in range(3):
        manual.step(X, Y, 0.1 / (1 + 1.0 * epoch))
    for epoch in range(3, 5):
        manual.step(X, Y, 0.4 / (1 + 0.5 * epoch))
    for key in net.params:
        np.testing.assert_array_equal(net.params[key], manual.params[key])
    assert net.epochs_trained == 5 and manual.epochs_trained == 0  # step is not an epoch


def test_epochs_trained_is_validated() -> None:
    net = ni.NeuralNetwork((3, 1), seed=0)
    with pytest.raises(ValueError, match="epochs_trained must be >= 0, got -1"):
        net.epochs_trained = -1
    with pytest.raises(TypeError, match="epochs_trained must be an int, got float"):
        net.epochs_trained = 2.0
