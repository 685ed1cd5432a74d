"""Every layout change between numpy_impl and Keras lives here, with shape checks.

numpy_impl: ``X (n_x, m)``, ``W{l} (n_l, n_{l-1})``, ``b{l} (n_l, 1)``, ``dA0`` per example.
Keras:      ``X (m, n_x)``, ``kernel (n_{l-1}, n_l)``, ``bias (n_l,)``, input gradient of
            the mean cost. So: kernel = W.T, bias = b.ravel(), X_keras = X.T,
            dkernel = dW.T, dinput = dA0.T / m. Transposes are exact: round trips are bitwise.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import h5py
import keras
import numpy as np

import keras_impl as ki
import numpy_impl as ni
from parity.architecture import Architecture, build_keras


def _check_dims(dims: tuple[int, ...], arch: Architecture | None, what: str) -> None:
    if arch is not None and dims != arch.layer_dims:
        raise ValueError(f"{what} have layer dims {dims}; expected {arch.layer_dims} for "
                         f"architecture {arch.name!r}")


def params_to_keras(params: Mapping[str, np.ndarray],
                    arch: Architecture | None = None) -> list[np.ndarray]:
    """``{"W1", "b1", ...}`` -> ``[kernel1 (n0, n1), bias1 (n1,), ...]`` (new arrays)."""
    dims = ni.check_params(params)
    _check_dims(dims, arch, "params")
    out: list[np.ndarray] = []
    for layer in range(1, len(dims)):
        out += [params[f"W{layer}"].T.copy(), params[f"b{layer}"].reshape(-1).copy()]
    return out


def keras_to_params(weights: Sequence[np.ndarray],
                    arch: Architecture | None = None) -> dict[str, np.ndarray]:
    """``[kernel1, bias1, ...]`` -> ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` (new arrays).

    Checks the Keras layout (kernel/bias pairs that chain); the values are validated where
    the params are used (``model_forward``, ``NeuralNetwork.set_params``)."""
    if len(weights) == 0 or len(weights) % 2:
        raise ValueError(f"weights must hold kernel/bias pairs, got {len(weights)} arrays")
    params: dict[str, np.ndarray] = {}
    dims: list[int] = []
    for i in range(len(weights) // 2):
        kernel, bias = np.asarray(weights[2 * i]), np.asarray(weights[2 * i + 1])
        if kernel.ndim != 2 or bias.shape != (kernel.shape[1],):
            raise ValueError(f"layer {i + 1}: kernel shape {kernel.shape} and bias shape "
                             f"{bias.shape}; expected (n_in, n_out) and (n_out,)")
        first = np.asarray(weights[0]).dtype
        for what, arr in (("kernel", kernel), ("bias", bias)):
            if arr.dtype.kind != "f" or arr.dtype != first or first.name not in (
                    "float32", "float64"):
                raise TypeError(f"layer {i + 1}: {what} has dtype {arr.dtype}; expected "
                                f"float32 or float64, the same for every weight")
        if dims and kernel.shape[0] != dims[-1]:
            raise ValueError(f"layer {i + 1}: kernel shape {kernel.shape}; expected "
                             f"({dims[-1]}, n_out) to take layer {i}'s {dims[-1]} outputs")
        dims = dims or [kernel.shape[0]]
        dims.append(kernel.shape[1])
        params[f"W{i + 1}"] = kernel.T.copy()
        params[f"b{i + 1}"] = bias.reshape(-1, 1).copy()
    _check_dims(tuple(dims), arch, "weights")
    return params


def copy_to_keras(params: Mapping[str, np.ndarray], model: keras.Model) -> None:
    """Assign numpy_impl params to the model's Dense layers (shapes checked per layer)."""
    ki.set_weights(model, params_to_keras(params))


def params_from_keras(model: keras.Model) -> dict[str, np.ndarray]:
    """The model's weights as numpy_impl params."""
    return keras_to_params(ki.get_weights(model))


def to_keras_data(X: np.ndarray) -> np.ndarray:
    """``(features, m)`` -> ``(m, features)`` (X, Y or a dropout mask)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D array (features, m), got shape {X.shape}")
    return X.T.copy()


def masks_to_keras(masks: Mapping[int, np.ndarray]) -> dict[int, np.ndarray]:
    """``{l: D_l (n_l, m)}`` -> ``{l: keep_mask (m, n_l)}``."""
    return {layer: to_keras_data(D) for layer, D in masks.items()}


def keras_grads_to_numpy(grads: Mapping[str, np.ndarray], m: int) -> dict[str, np.ndarray]:
    """``keras_impl.gradients`` output -> ``{"dW1", "db1", ..., "dA0"}`` in the course layout
    (``dA0`` per example, as ``model_backward`` returns it: the input gradient times m)."""
    L = sum(1 for k in grads if k.startswith("kernel"))
    out = {}
    for layer in range(1, L + 1):
        out[f"dW{layer}"] = grads[f"kernel{layer}"].T.copy()
        out[f"db{layer}"] = grads[f"bias{layer}"].reshape(-1, 1).copy()
    if "input" in grads:
        out["dA0"] = grads["input"].T * m
    return out


# --- Keras weights files ----------------------------------------------------------------------
def _weights_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path {str(path)!r} must end with '.weights.h5' (Keras' weights "
                         "file format)")
    if not path.parent.is_dir():
        raise ValueError(f"path {str(path)!r}: directory {str(path.parent)!r} does not exist")
    return path


def _arch_of(source: ni.NeuralNetwork | Mapping[str, np.ndarray],
             arch: Architecture | None) -> tuple[Architecture, dict[str, np.ndarray]]:
    if isinstance(source, ni.NeuralNetwork):
        _check_dims(source.layer_dims, arch, "params")
        return arch or Architecture.from_network(source), source.get_params()
    dims = ni.check_params(source)
    arch = arch or Architecture(layer_dims=dims, dtype=np.asarray(source["W1"]).dtype.name)
    _check_dims(dims, arch, "params")
    return arch, dict(source)


def save_keras_weights(source: ni.NeuralNetwork | Mapping[str, np.ndarray],
                       path: str | os.PathLike, arch: Architecture | None = None) -> Path:
    """Write a NeuralNetwork's (or a params dict's) parameters as a Keras ``.weights.h5``
    file that ``build_keras(arch).load_weights(path)`` reads back bitwise. Atomic: written
    beside ``path`` under a temporary name, then renamed."""
    path = _weights_path(path)
    arch, params = _arch_of(source, arch)
    model = build_keras(arch)
    copy_to_keras(params, model)
    tmp = path.with_name(f".{path.name[:-len('.weights.h5')]}.{os.getpid()}.tmp.weights.h5")
    try:
        model.save_weights(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_keras_weights(path: str | os.PathLike, arch: Architecture) -> dict[str, np.ndarray]:
    """Read a Keras ``.weights.h5`` file of a model built like ``arch`` into numpy_impl params
    (bitwise); a file of another architecture or a corrupt file gives a ValueError."""
    path = _weights_path(path)
    if not path.is_file():
        raise ValueError(f"weights file {str(path)!r} does not exist")
    model = build_keras(arch)
    try:
        found = _h5_inventory(path)
    except Exception as exc:  # h5py raises many kinds
        raise ValueError(f"cannot load {str(path)!r} into {arch.label()}: "
                         f"{type(exc).__name__}: {exc}") from exc
    # Keras loads a file's leading layers and ignores the rest (a deeper net, a
    # BatchNormalization) and casts float64 to float32: the file must hold exactly what a
    # model of arch writes, array for array, or it is refused.
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "arch.weights.h5"
        model.save_weights(own)
        expected = _h5_inventory(own)
    if found != expected:
        raise ValueError(f"{str(path)!r} is not a weights file of {arch.label()}: "
                         f"{_inventory_difference(found, expected)}")
    try:
        model.load_weights(path)
    except Exception as exc:  # h5py and Keras raise many kinds
        raise ValueError(f"cannot load {str(path)!r} into {arch.label()}: "
                         f"{type(exc).__name__}: {exc}") from exc
    return params_from_keras(model)


def _h5_inventory(path: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    """Every array of an HDF5 file: its path -> (shape, dtype name)."""
    out: dict[str, tuple[tuple[int, ...], str]] = {}

    def visit(name: str, obj: object) -> None:
        if isinstance(obj, h5py.Dataset):
            out[name] = (tuple(obj.shape), obj.dtype.name)

    with h5py.File(path, "r") as file:
        file.visititems(visit)
    return out


def _inventory_difference(found: Mapping[str, tuple], expected: Mapping[str, tuple]) -> str:
    """The first few differences between two ``_h5_inventory`` results, in words."""
    def show(name: str, entry: tuple) -> str:
        return f"{name} {entry[0]} {entry[1]}"

    parts = [f"it has {show(k, found[k])}, which the architecture has not"
             for k in sorted(set(found) - set(expected))]
    parts += [f"it lacks {show(k, expected[k])}" for k in sorted(set(expected) - set(found))]
    parts += [f"{k} is {found[k][0]} {found[k][1]}, expected {expected[k][0]} "
              f"{expected[k][1]}" for k in sorted(set(found) & set(expected))
              if found[k] != expected[k]]
    more = f" (and {len(parts) - 3} more)" if len(parts) > 3 else ""
    return "; ".join(parts[:3]) + more


# --- networks of layers ---------------------------------------------------------------------
def layered_params_to_keras(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """numpy_impl ``LayeredNetwork`` params and moving statistics -> Keras weights keyed by
    position (new arrays): dense ``W{i} (n, n_in)`` -> ``kernel{i} = W.T``; conv ``W{i}``
    is already Keras' ``(f, f, c_in, c_out)``; biases, gammas, betas and moving
    statistics (``(n, 1)`` or ``(1, 1, 1, C)``) -> ``(n,)``; ``moving_var{i}`` ->
    ``moving_variance{i}``."""
    out: dict[str, np.ndarray] = {}
    for key, value in params.items():
        value = np.asarray(value)
        prefix = key.rstrip("0123456789")
        position = key[len(prefix):]
        if prefix == "W":
            out["kernel" + position] = (value.T if value.ndim == 2 else value).copy()
        elif prefix == "b":
            out["bias" + position] = value.reshape(-1).copy()
        elif prefix == "moving_var":
            out["moving_variance" + position] = value.reshape(-1).copy()
        elif prefix in ("gamma", "beta", "moving_mean"):
            out[key] = value.reshape(-1).copy()
        else:
            raise ValueError(f"params has an unknown key {key!r}; expected W, b, gamma, beta, "
                             "moving_mean, moving_var followed by a layer position")
    return out


def layered_params_from_keras(weights: Mapping[str, np.ndarray],
                              shapes: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """The inverse of ``layered_params_to_keras``: ``shapes`` gives each numpy_impl name's
    shape (``LayerNetworkConfig.param_shapes()`` and ``state_shapes()``); a missing or
    extra key, or a size that does not fit, is a ValueError."""
    names = {"kernel": "W", "bias": "b", "moving_variance": "moving_var"}
    out: dict[str, np.ndarray] = {}
    for key, value in weights.items():
        prefix = key.rstrip("0123456789")
        if prefix in ("loss", "input"):
            continue
        name = names.get(prefix, prefix) + key[len(prefix):]
        if name not in shapes:
            raise ValueError(f"weights has {key!r}, which the architecture does not have "
                             f"(expected the Keras names of {sorted(shapes)})")
        value = np.asarray(value)
        shape = shapes[name]
        if name.startswith("W") and len(shape) == 2:
            value = value.T
        if value.size != int(np.prod(shape)) or (name.startswith("W") and value.shape != shape):
            raise ValueError(f"weights[{key!r}] has shape {np.shape(weights[key])}; expected "
                             f"the Keras layout of {name} {shape}")
        out[name] = value.reshape(shape).copy()
    missing = sorted(set(shapes) - set(out))
    if missing:
        raise ValueError(f"weights lack the Keras names of {missing}")
    return out
