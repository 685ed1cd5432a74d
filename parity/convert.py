"""Every layout change between numpy_impl and Keras lives here, with shape checks.

numpy_impl: ``X (n_x, m)``, ``W{l} (n_l, n_{l-1})``, ``b{l} (n_l, 1)``, ``dA0`` per example.
Keras:      ``X (m, n_x)``, ``kernel (n_{l-1}, n_l)``, ``bias (n_l,)``, input gradient of
            the mean cost. So: kernel = W.T, bias = b.ravel(), X_keras = X.T,
            dkernel = dW.T, dinput = dA0.T / m. Transposes are exact: round trips are bitwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np

import keras_impl as ki
from numpy_impl._checks import check_params
from parity.architecture import Architecture


def _check_dims(dims: tuple[int, ...], arch: Architecture | None, what: str) -> None:
    if arch is not None and dims != arch.layer_dims:
        raise ValueError(f"{what} have layer dims {dims}; expected {arch.layer_dims} for "
                         f"architecture {arch.name!r}")


def params_to_keras(params: Mapping[str, np.ndarray],
                    arch: Architecture | None = None) -> list[np.ndarray]:
    """``{"W1", "b1", ...}`` -> ``[kernel1 (n0, n1), bias1 (n1,), ...]`` (new arrays)."""
    dims = check_params(params)
    _check_dims(dims, arch, "params")
    out: list[np.ndarray] = []
    for layer in range(1, len(dims)):
        out += [params[f"W{layer}"].T.copy(), params[f"b{layer}"].reshape(-1).copy()]
    return out


def keras_to_params(weights: Sequence[np.ndarray],
                    arch: Architecture | None = None) -> dict[str, np.ndarray]:
    """``[kernel1, bias1, ...]`` -> ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` (new arrays)."""
    if len(weights) == 0 or len(weights) % 2:
        raise ValueError(f"weights must hold kernel/bias pairs, got {len(weights)} arrays")
    params: dict[str, np.ndarray] = {}
    for i in range(len(weights) // 2):
        kernel, bias = np.asarray(weights[2 * i]), np.asarray(weights[2 * i + 1])
        if kernel.ndim != 2 or bias.shape != (kernel.shape[1],):
            raise ValueError(f"layer {i + 1}: kernel shape {kernel.shape} and bias shape "
                             f"{bias.shape}; expected (n_in, n_out) and (n_out,)")
        params[f"W{i + 1}"] = kernel.T.copy()
        params[f"b{i + 1}"] = bias.reshape(-1, 1).copy()
    _check_dims(check_params(params), arch, "weights")
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
