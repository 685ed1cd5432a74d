"""The ``NeuralNetwork`` file: written atomically, and validated before anything is used.

An ``.npz`` (a zip of ``.npy`` members, uncompressed) holding, for format
``nn-parity/NeuralNetwork/2``:

- ``meta``: a 0-d unicode array, JSON ``{"format", "config", "t", "epochs_trained",
  "history", "rng"}`` (``config`` is ``NeuralNetwork.config()``, ``t`` the optimizer's
  step counter, ``epochs_trained`` the epoch of the learning-rate schedule, ``history``
  the cost per epoch, ``rng`` the generator's ``bit_generator.state``);
- ``param/W{l}`` ``(n_l, n_{l-1})`` and ``param/b{l}`` ``(n_l, 1)`` in the config's dtype;
- ``state/{slot}/dW{l}``, ``state/{slot}/db{l}`` for each of the optimizer's ``slots``
  ("v", "s"), shaped like the parameters.

Format 1 (no ``epochs_trained``) is read too: its ``history`` has one cost per epoch
trained, so its length is the schedule's epoch. A ``LayeredNetwork`` is saved as
``nn-parity/LayeredNetwork/1``: its ``config`` is ``LayerNetworkConfig.to_dict()`` plus the
optimizer (every layer's fields type-checked, the parameter count bounded before anything
is built), ``param/{name}`` in ``param_shapes()``, ``moving/{name}`` the batchnorm
statistics (variances >= 0) and ``state/{slot}/d{name}``.

``read_model_file`` checks, in this order and before reading what depends on it: a zip of
``.npy`` members; the metadata's size, JSON and types; the parameter count implied by
``layer_dims`` (``max_parameters``); the set of members; each array's header (shape,
dtype: object arrays are refused before any unpickling) and then its values (finite,
second moments >= 0). Every refusal is a ``ValueError: '<path>' is not a readable
NeuralNetwork file (<reason>)``.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, BinaryIO

import numpy as np

from numpy_impl.config import NetworkConfig
from numpy_impl.io import atomic_write
from numpy_impl.layered_config import LayerNetworkConfig
from numpy_impl.layerspec import LAYER_KINDS
from numpy_impl.optimizers import OPTIMIZERS, GradientDescent, optimizer_from_dict

FORMAT = "nn-parity/NeuralNetwork/2"
FORMAT_1 = "nn-parity/NeuralNetwork/1"
LAYERED_FORMAT = "nn-parity/LayeredNetwork/1"
META_KEYS = frozenset({"format", "config", "t", "epochs_trained", "history", "rng"})
MAX_PARAMETERS = 10**8
MAX_META_BYTES = 64 * 2**20
MAX_COUNTER = 2**53  # step and epoch counters: exact in a float, beyond any real training
BIT_GENERATORS = ("PCG64", "PCG64DXSM")  # states of plain ints: JSON-ready
SECOND_MOMENTS = ("s",)  # optimizer slots holding averages of squared gradients
NPY_MAGIC = b"\x93NUMPY"


class _FileError(Exception):
                 """A reason why a file is not a readable NeuralNetwork file (internal)."""


@dataclass(frozen=True)
class ModelFile:
    """What a valid file holds: the architecture, the optimizer, parameters
    ``{"W1": (n1, n0), ...}``, optimizer state ``{"t", "v", "s"}``, the cost history,
    the schedule's epoch and the generator (its saved state restored)."""

    network: NetworkConfig | LayerNetworkConfig
    optimizer: GradientDescent
    params: dict[str, np.ndarray]
    opt_state: dict[str, Any]
    history: list[float]
    epochs_trained: int
    rng: np.random.Generator
    moving: dict[str, np.ndarray] = field(default_factory=dict)


def parameter_count(layer_dims: tuple[int, ...] | list[int]) -> int:
    """Weights and biases of a dense network: ``sum(n_l * (n_{l-1} + 1))``."""
    return sum(n * (n_prev + 1) for n_prev, n in zip(layer_dims[:-1], layer_dims[1:], strict=True))


# --- writing ------------------------------------------------------------------------------
def write_model_file(path: str | os.PathLike, config: Mapping[str, Any],
                     params: Mapping[str, np.ndarray], opt_state: Mapping[str, Any],
                     history: list[float], epochs_trained: int,
                     rng: np.random.Generator,
                     moving: Mapping[str, np.ndarray] | None = None,
                     fmt: str = FORMAT) -> None:
    """Write a network atomically (through a symlink: to its target). Refuses, before
    writing anything, what ``read_model_file`` would refuse: non-finite parameters or
    state, a non-finite history, a generator that is not PCG64 or PCG64DXSM. A
    ``LayeredNetwork`` passes ``moving`` (its batchnorm statistics) and
    ``fmt=LAYERED_FORMAT``."""
    if fmt not in (FORMAT, LAYERED_FORMAT):
        raise ValueError(f"fmt must be {FORMAT!r} or {LAYERED_FORMAT!r}, got {fmt!r}")
    rng_state = rng.bit_generator.state
    if rng_state.get("bit_generator") not in BIT_GENERATORS:
        raise ValueError(f"cannot save a generator built on {rng_state.get('bit_generator')}; "
                         f"expected one of {BIT_GENERATORS} (np.random.default_rng's is PCG64)")
    history = [float(c) for c in history]
    if not all(math.isfinite(c) for c in history):
        raise ValueError("cannot save a history holding NaN or infinite costs")
    arrays = {f"param/{k}": v for k, v in params.items()}
    arrays.update({f"moving/{k}": v for k, v in (moving or {}).items()})
    for slot in ("v", "s"):
        for k, v in opt_state.get(slot, {}).items():
            arrays[f"state/{slot}/{k}"] = v
    for key, value in arrays.items():
        if not np.all(np.isfinite(value)):
            raise ValueError(f"cannot save non-finite values: {key} holds NaN or infinity")
    meta = {"format": fmt, "config": dict(config), "t": int(opt_state["t"]),
            "epochs_trained": int(epochs_trained), "history": history, "rng": rng_state}
    arrays["meta"] = np.array(json.dumps(meta, allow_nan=False))
    atomic_write(path, lambda f: np.savez(f, **arrays))


# --- reading ------------------------------------------------------------------------------
def read_model_file(path: str | os.PathLike, max_parameters: int = MAX_PARAMETERS,
                    kind: str = "NeuralNetwork") -> ModelFile:
    """Read and validate a file written by ``write_model_file`` (see the module doc).

    Raises ValueError ``'<path>' is not a readable {kind} file (<reason>)``; a path
    that is not an existing file gives ValueError "does not exist or is not a file".
    """
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise ValueError(f"path {name!r} does not exist or is not a file")
    try:
        return _read(name, max_parameters)
    except _FileError as exc:
        raise ValueError(f"{name!r} is not a readable {kind} file ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, ValueError, RuntimeError,
            NotImplementedError) as exc:  # a damaged, encrypted or oddly compressed member
        raise ValueError(f"{name!r} is not a readable {kind} file "
                         f"({type(exc).__name__}: {exc})") from exc


def _read(name: str, max_parameters: int) -> ModelFile:
    with open(name, "rb") as fh:
        head = fh.read(len(NPY_MAGIC))
    if not head:
        raise _FileError("the file is empty")
    if head == NPY_MAGIC:
        raise _FileError("it is a single .npy array, not an .npz archive")
    if not zipfile.is_zipfile(name):
        raise _FileError("not a zip archive: an .npz file is one; truncated, or another kind "
                         "of file")
    with zipfile.ZipFile(name) as archive:
        members = _members(archive)
        if "meta" not in members:
            raise _FileError(f"no 'meta' member; members {_some(members)} "
                             "(an .npz written by something else?)")
        meta = _read_meta(archive, members.pop("meta"))
        if meta.get("format") == LAYERED_FORMAT:
            network, optimizer, counters = _check_layered_meta(meta, max_parameters)
            expected = _expected_layered(network, optimizer.slots)
        else:
            network, optimizer, counters = _check_meta(meta, max_parameters)
            expected = _expected_arrays(network.layer_dims, optimizer.slots)
        _same_names(set(members), set(expected), "arrays")
        dtype = np.dtype(network.dtype)
        arrays = {key: _read_array(archive, members[key], key, shape, dtype)
                  for key, shape in expected.items()}
    params = {k[len("param/"):]: v for k, v in arrays.items() if k.startswith("param/")}
    moving = {k[len("moving/"):]: v for k, v in arrays.items() if k.startswith("moving/")}
    opt_state: dict[str, Any] = {"t": counters["t"]}
    for slot in optimizer.slots:
        prefix = f"state/{slot}/"
        opt_state[slot] = {k[len(prefix):]: v for k, v in arrays.items()
                           if k.startswith(prefix)}
    rng = getattr(np.random, meta["rng"]["bit_generator"])()
    rng.state = meta["rng"]
    return ModelFile(network, optimizer, params, opt_state, counters["history"],
                     counters["epochs_trained"], np.random.Generator(rng), moving)


def _some(names: list[str] | dict[str, Any]) -> str:
    names = sorted(names)
    return str(names[:6])[:-1] + (f", ... ({len(names)} in all)]" if len(names) > 6 else "]")


def _same_names(got: set[str], expected: set[str], what: str) -> None:
    missing, extra = sorted(expected - got), sorted(got - expected)
    if missing or extra:
        parts = ([f"missing {_some(missing)}"] if missing else []) + (
            [f"unexpected {_some(extra)}"] if extra else [])
        raise _FileError(f"{what}: {', '.join(parts)}")


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """``{array name: ZipInfo}``; every member must be a ``.npy`` file, named once."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise _FileError(f"member {info.filename!r} is not an .npy array")
        key = info.filename[:-len(".npy")]
        if key in members:
            raise _FileError(f"member {info.filename!r} appears twice")
        members[key] = info
    return members


def _header(fp: BinaryIO, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """An ``.npy`` member's shape and dtype, from its header alone."""
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise _FileError(f"{key}: .npy format version {version} is not supported")
    except ValueError as exc:
        raise _FileError(f"{key}: not a valid .npy header ({exc})") from None
    return shape, dtype


def _read_meta(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any]:
    with archive.open(info) as fp:
        shape, dtype = _header(fp, "meta")
    if dtype.hasobject:
        raise _FileError("meta holds pickled Python objects; refused (allow_pickle=False)")
    if shape != () or dtype.kind != "U":
        raise _FileError(f"meta is a {dtype} array of shape {shape}; expected a 0-d string")
    if dtype.itemsize > MAX_META_BYTES:
        raise _FileError(f"meta holds {dtype.itemsize} bytes, more than {MAX_META_BYTES}")
    with archive.open(info) as fp:
        text = str(np.lib.format.read_array(fp, allow_pickle=False))
    try:
        meta = json.loads(text, parse_constant=_refuse_constant,
                          object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _FileError(f"meta is not valid JSON: {type(exc).__name__}: {exc}") from None
    if not isinstance(meta, dict):
        raise _FileError(f"meta is a JSON {type(meta).__name__}; expected an object")
    return meta


def _refuse_constant(name: str) -> None:
    raise _FileError(f"meta holds the non-JSON number {name}; expected finite numbers")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _FileError(f"meta repeats the key {key!r}")
        out[key] = value
    return out


# --- the metadata's types ---------------------------------------------------------------
def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counter(value: object, where: str) -> int:
    if not _is_int(value) or not 0 <= value <= MAX_COUNTER:
        raise _FileError(f"{where} is {value!r:.60}; expected an int in [0, 2**53]")
    return value


def _number(value: object, where: str) -> float:
    if _is_int(value) and abs(value) <= 2**1023 or isinstance(value, float):
        return float(value)  # JSON floats are finite: NaN and Infinity are refused on parsing
    raise _FileError(f"{where} is {value!r:.60}; expected a finite number")


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _FileError(f"{where} is {value!r:.60}; expected a string")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _FileError(f"{where} is {type(value).__name__} {value!r:.60}; expected a list")
    return value


def _keys(value: object, expected: frozenset[str] | set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _FileError(f"{where} is {type(value).__name__}; expected an object")
    _same_names(set(value), set(expected), f"{where} keys")
    return value


def _check_meta(meta: dict[str, Any], max_parameters: int
                ) -> tuple[NetworkConfig, GradientDescent, dict[str, Any]]:
    """The architecture, the optimizer and the counters, or _FileError saying why not."""
    fmt = meta.get("format")
    if fmt not in (FORMAT, FORMAT_1):
        raise _FileError(f"format {fmt!r}; this version reads {FORMAT!r}, {FORMAT_1!r} "
                         f"(NeuralNetwork) and {LAYERED_FORMAT!r} (LayeredNetwork)")
    _keys(meta, META_KEYS if fmt == FORMAT else META_KEYS - {"epochs_trained"}, "meta")
    network_fields = {f.name for f in fields(NetworkConfig)}
    cfg = _keys(meta["config"], network_fields | {"optimizer"}, "config")
    dims = _list(cfg["layer_dims"], "config.layer_dims")
    if len(dims) < 2 or not all(_is_int(n) and n >= 1 for n in dims):
        raise _FileError(f"config.layer_dims is {dims!r:.200}; expected at least 2 ints >= 1")
    count = parameter_count(dims)
    if count > max_parameters:
        raise _FileError(f"layer_dims {dims!r:.200} give {count} parameters, more than the "
                         f"limit of {max_parameters} (max_parameters; raise it for a file you "
                         "trust)")
    for key in ("hidden_activation", "output_activation", "initializer", "dtype", "loss"):
        _string(cfg[key], f"config.{key}")
    _number(cfg["lambd"], "config.lambd")
    probs = _list(cfg["keep_probs"], "config.keep_probs")
    for i, p in enumerate(probs):
        _number(p, f"config.keep_probs[{i}]")
    try:
        network = NetworkConfig.from_dict({k: cfg[k] for k in network_fields})
    except (TypeError, ValueError) as exc:
        raise _FileError(f"config: {exc}") from None
    optimizer, counters = _check_training(meta, cfg["optimizer"])
    if fmt == FORMAT_1:  # one history entry per epoch trained: the schedule's epoch
        counters["epochs_trained"] = len(counters["history"])
    return network, optimizer, counters


def _check_training(meta: dict[str, Any], opt: object
                    ) -> tuple[GradientDescent, dict[str, Any]]:
    """The optimizer, the counters and the generator's state, or _FileError."""
    if not isinstance(opt, dict) or opt.get("name") not in OPTIMIZERS:
        raise _FileError(f"config.optimizer is {opt!r:.100}; expected an object with a name in "
                         f"{tuple(OPTIMIZERS)}")
    defaults = OPTIMIZERS[opt["name"]]().to_dict()
    _keys(opt, set(defaults), "config.optimizer")
    for key, default in defaults.items():
        check = _string if isinstance(default, str) else _number
        check(opt[key], f"config.optimizer.{key}")
    try:
        optimizer = optimizer_from_dict(opt)
    except (TypeError, ValueError) as exc:
        raise _FileError(f"config.optimizer: {exc}") from None
    counters = {"t": _counter(meta["t"], "t"),
                "epochs_trained": _counter(meta.get("epochs_trained", 0), "epochs_trained"),
                "history": [_number(c, f"history[{i}]")
                            for i, c in enumerate(_list(meta["history"], "history"))]}
    _check_rng(meta["rng"])
    return optimizer, counters


LAYER_FIELDS = {"kind": str, "units": int, "activation": str, "keep_prob": float,
                "filters": int, "kernel_size": int, "stride": int, "padding": str,
                "pool_size": int, "momentum": float, "epsilon": float}


def _check_layered_meta(meta: dict[str, Any], max_parameters: int
                        ) -> tuple[LayerNetworkConfig, GradientDescent, dict[str, Any]]:
    """A LayeredNetwork's metadata: every type checked, the parameter count bounded
    before the configuration is built (its shapes are inferred without allocating)."""
    _keys(meta, META_KEYS, "meta")
    cfg = _keys(meta["config"], {"input_shape", "layers", "initializer", "lambd", "dtype",
                                 "loss", "optimizer"}, "config")
    shape = _list(cfg["input_shape"], "config.input_shape")
    if len(shape) not in (1, 3) or not all(_is_int(n) and 1 <= n <= MAX_COUNTER for n in shape):
        raise _FileError(f"config.input_shape is {shape!r:.200}; expected 1 or 3 ints >= 1")
    layers = _list(cfg["layers"], "config.layers")
    if not layers or len(layers) > 10_000:
        raise _FileError(f"config.layers holds {len(layers)} layers; expected 1 to 10000")
    for i, layer in enumerate(layers):
        where = f"config.layers[{i}]"
        if not isinstance(layer, dict) or layer.get("kind") not in LAYER_KINDS:
            raise _FileError(f"{where} is {layer!r:.100}; expected an object with a kind in "
                             f"{LAYER_KINDS}")
        for key, value in layer.items():
            if key not in LAYER_FIELDS:
                raise _FileError(f"{where} has an unknown field {key!r:.60}")
            if value is None:
                continue
            if LAYER_FIELDS[key] is str:
                _string(value, f"{where}.{key}")
            elif LAYER_FIELDS[key] is int:
                if not _is_int(value) or not 1 <= value <= MAX_COUNTER:
                    raise _FileError(f"{where}.{key} is {value!r:.60}; expected an int >= 1")
            else:
                _number(value, f"{where}.{key}")
    for key in ("initializer", "dtype", "loss"):
        _string(cfg[key], f"config.{key}")
    _number(cfg["lambd"], "config.lambd")
    try:
        network = LayerNetworkConfig.from_dict({k: v for k, v in cfg.items()
                                                if k != "optimizer"})
    except (TypeError, ValueError, OverflowError) as exc:
        raise _FileError(f"config: {exc}") from None
    count = sum(math.prod(s) for s in network.param_shapes().values())
    if count > max_parameters:
        raise _FileError(f"the layers give {count} parameters, more than the limit of "
                         f"{max_parameters} (max_parameters; raise it for a file you trust)")
    optimizer, counters = _check_training(meta, cfg["optimizer"])
    return network, optimizer, counters


def _expected_layered(network: LayerNetworkConfig, slots: tuple[str, ...]
                      ) -> dict[str, tuple[int, ...]]:
    """``{member name: shape}`` for a LayeredNetwork and an optimizer with ``slots``."""
    shapes = network.param_shapes()
    out = {f"param/{k}": s for k, s in shapes.items()}
    out.update({f"moving/{k}": s for k, s in network.state_shapes().items()})
    for slot in slots:
        out.update({f"state/{slot}/d{k}": s for k, s in shapes.items()})
    return out


def _check_rng(state: object) -> None:
    state = _keys(state, {"bit_generator", "state", "has_uint32", "uinteger"}, "rng")
    if state["bit_generator"] not in BIT_GENERATORS:
        raise _FileError(f"rng.bit_generator is {state['bit_generator']!r:.60}; expected one of "
                         f"{BIT_GENERATORS}")
    inner = _keys(state["state"], {"state", "inc"}, "rng.state")
    for key in ("state", "inc"):
        if not _is_int(inner[key]) or not 0 <= inner[key] < 2**128:
            raise _FileError(f"rng.state.{key} is {inner[key]!r:.60}; expected an int in "
                             "[0, 2**128)")
    if state["has_uint32"] not in (0, 1) or not _is_int(state["has_uint32"]):
        raise _FileError(f"rng.has_uint32 is {state['has_uint32']!r:.60}; expected 0 or 1")
    if not _is_int(state["uinteger"]) or not 0 <= state["uinteger"] < 2**32:
        raise _FileError(f"rng.uinteger is {state['uinteger']!r:.60}; expected an int in "
                         "[0, 2**32)")


# --- the arrays -----------------------------------------------------------------------------
def _expected_arrays(dims: tuple[int, ...], slots: tuple[str, ...]
                     ) -> dict[str, tuple[int, int]]:
    """``{member name: shape}`` for a network of ``dims`` and an optimizer with ``slots``."""
    shapes = {}
    for layer in range(1, len(dims)):
        shapes[f"W{layer}"] = (dims[layer], dims[layer - 1])
        shapes[f"b{layer}"] = (dims[layer], 1)
    out = {f"param/{k}": s for k, s in shapes.items()}
    for slot in slots:
        out.update({f"state/{slot}/d{k}": s for k, s in shapes.items()})
    return out


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str,
                shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """One array, its header checked before its data is read."""
    with archive.open(info) as fp:
        got_shape, got_dtype = _header(fp, key)
        if got_dtype.hasobject:
            raise _FileError(f"{key} holds pickled Python objects; refused (allow_pickle=False)")
        if got_dtype != dtype or got_shape != shape:
            raise _FileError(f"{key} is a {got_dtype} array of shape {got_shape}; expected "
                             f"{dtype} of shape {shape}")
    with archive.open(info) as fp:
        array = np.lib.format.read_array(fp, allow_pickle=False)
    finite = np.isfinite(array)
    if not finite.all():
        raise _FileError(f"{key} holds {array.size - np.count_nonzero(finite)} NaN or "
                         "infinite value(s)")
    slot = key.split("/")[1] if key.startswith("state/") else None
    if key.startswith("moving/moving_var") and (array < 0).any():
        raise _FileError(f"{key} holds {np.count_nonzero(array < 0)} negative value(s); a "
                         "variance is >= 0")
    if slot in SECOND_MOMENTS and (array < 0).any():
        raise _FileError(f"{key} holds {np.count_nonzero(array < 0)} negative value(s); "
                         "an average of squared gradients is >= 0")
    return array
