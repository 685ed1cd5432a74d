"""Argument validation shared by numpy_impl's public entry points (private to the package).

Every check runs before any work and raises a ``ValueError`` or ``TypeError``
that names the argument, what was received and what was expected.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def refuse_matrix(value: object, name: str) -> None:
    """Raise TypeError for ``np.matrix`` and masked arrays: their ``*`` and reductions
    differ from a plain ndarray's, so they are refused everywhere, never converted."""
    if isinstance(value, np.matrix):
        raise TypeError(f"{name} is a numpy.matrix; expected a plain numpy.ndarray: "
                        f"pass np.asarray({name})")
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} is a numpy masked array; expected a plain numpy.ndarray: "
                        f"fill or drop the masked values, then pass np.asarray({name})")


def as_float_array(value: object, name: str, ndim: int | None = None,
                   accept_int: bool = False) -> np.ndarray:
    """Return ``value`` as a float32/float64 ndarray, or raise.

    float32 and float64 arrays come back as they are (no copy). Lists and scalars are
    read with ``np.asarray``. With ``accept_int`` (the course's elementwise functions)
    bool, integer and other real float arrays become a new float64 array; without it
    they are refused with a TypeError (a model's inputs and parameters must already be
    float32/float64). Complex, object and string arrays, ``np.matrix`` and masked arrays
    are always refused.
    """
    if is_float_array(value, ndim):  # the common case, at the cost of three attribute reads
        return value
    if not isinstance(value, np.ndarray):
        if isinstance(value, (list, tuple)) or np.isscalar(value):
            value = np.asarray(value)
        else:
            raise TypeError(f"{name} must be a numpy array, got {type(value).__name__}")
    refuse_matrix(value, name)
    if value.dtype.type not in FLOAT_DTYPES:
        if accept_int and value.dtype.kind in "biuf":
            return value.astype(np.float64)
        expected = ("a real numeric dtype (bool, integer or float)" if accept_int
                    else "dtype float32 or float64")
        raise TypeError(
            f"{name} must have {expected}, got {value.dtype}; "
            f"convert it first, e.g. {name}.astype(np.float64)"
        )
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {value.shape}")
    return value


def is_float_array(value: object, ndim: int | None = None) -> bool:
    """True when ``as_float_array(value, name, ndim)`` would return ``value`` itself: a plain
    float32/float64 ndarray (not a subclass) of ``ndim`` dimensions (any when None). The
    cheap test before a call whose error message has to be built."""
    return (type(value) is np.ndarray and value.dtype.type in FLOAT_DTYPES
            and (ndim is None or value.ndim == ndim))


def check_float_dtype(dtype: object, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a numpy dtype if it names float32 or float64, else raise."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from None
    if resolved.type not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got {resolved}")
    return resolved


def check_same_shape(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    """Raise ValueError unless ``a`` and ``b`` have one shape (nothing is broadcast)."""
    if a.shape != b.shape:
        raise ValueError(f"{a_name} has shape {a.shape} but {b_name} has shape {b.shape}; "
                         "expected equal shapes (nothing is broadcast)")


def check_finite(value: np.ndarray, name: str) -> None:
    """Raise ValueError if ``value`` holds NaN or infinity."""
    if not np.isfinite(value).all():
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")


def as_label_array(value: object, name: str, like: np.ndarray,
                   scan: bool = True) -> np.ndarray:
    """Return labels as an array of ``like``'s float dtype (ints and bools allowed).
    ``scan=False`` leaves the finiteness check to the caller (one whose label check, e.g.
    ``check_labels``, refuses NaN and infinity anyway, and then reports them first)."""
    refuse_matrix(value, name)
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if scan:
        check_finite(arr, name)
    return arr.astype(like.dtype, copy=False)


def check_binary(Y: np.ndarray, name: str = "Y") -> None:
    """Raise ValueError unless every value of ``Y`` is 0 or 1."""
    if not ((Y == 0) | (Y == 1)).all():
        bad = np.unique(Y[(Y != 0) & (Y != 1)])[:5]
        raise ValueError(f"{name} must hold only 0 and 1 for a binary cost, got values {bad}")


def check_positive(value: float, name: str, allow_zero: bool = False) -> float:
    """Return ``value`` as float if it is a finite number > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    ok = value >= 0 if allow_zero else value > 0
    finite = math.isfinite(value) if isinstance(value, float) else np.isfinite(value)
    if not finite or not ok:
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {expected}, got {value!r}")
    return float(value)


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_probability(value: object, name: str) -> float:
    """Return ``value`` if it lies in (0, 1] (a keep probability)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in (0, 1], got {type(value).__name__}")
    if not 0.0 < float(value) <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return float(value)


def check_layer_dims(layer_dims: Sequence[int], name: str = "layer_dims") -> tuple[int, ...]:
    """Return ``layer_dims`` as a tuple of at least two positive ints."""
    if isinstance(layer_dims, (str, bytes)) or not isinstance(layer_dims, Sequence):
        raise TypeError(f"{name} must be a sequence of ints, got {type(layer_dims).__name__}")
    dims = tuple(check_positive_int(d, f"{name}[{i}]") for i, d in enumerate(layer_dims))
    if len(dims) < 2:
        raise ValueError(f"{name} needs at least 2 entries (input and output), got {dims}")
    return dims


@functools.lru_cache(maxsize=32)
def _layer_keys(L: int) -> frozenset[str]:
    """``{"W1", "b1", ..., "WL", "bL"}``."""
    return frozenset(f"{p}{layer}" for layer in range(1, L + 1) for p in ("W", "b"))


def num_layers(params: Mapping[str, np.ndarray], name: str = "params") -> int:
    """Return L for a params dict holding exactly W1, b1, ..., WL, bL."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    L = len(params) // 2
    if L >= 1 and set(params) == _layer_keys(L):  # the valid case, without parsing keys
        return L
    numbers = [int(k[1:]) for k in params
               if isinstance(k, str) and k[:1] in ("W", "b") and k[1:].isdigit()]
    L = max(numbers, default=0)
    expected = {f"{p}{layer}" for layer in range(1, L + 1) for p in ("W", "b")}
    keys = set(params)
    if L < 1 or keys != expected:
        expected = expected or {"W1", "b1"}
        missing = sorted(expected - keys)
        extra = sorted(keys - expected)
        raise ValueError(
            f"{name} must hold exactly W1, b1, ..., WL, bL; missing {missing}, extra {extra}"
        )
    return L


def check_params(params: Mapping[str, np.ndarray], n_x: int | None = None,
                 name: str = "params") -> tuple[int, ...]:
    """Validate a params dict and return its layer dims ``(n_0, ..., n_L)``.

    ``W{l}`` must be ``(n_l, n_{l-1})`` and ``b{l}`` ``(n_l, 1)``, all of one float dtype.
    """
    L = num_layers(params, name)
    W1 = as_float_array(params["W1"], f"{name}['W1']", ndim=2)
    dims = [W1.shape[1]] if n_x is None else [n_x]
    dtype = W1.dtype
    for layer in range(1, L + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        if not is_float_array(W, 2):
            W = as_float_array(W, f"{name}['W{layer}']", ndim=2)
        if not is_float_array(b, 2):
            b = as_float_array(b, f"{name}['b{layer}']", ndim=2)
        if W.shape[1] != dims[-1]:
            raise ValueError(
                f"{name}['W{layer}'] has shape {W.shape}; expected ({W.shape[0]}, {dims[-1]}) "
                f"to take {dims[-1]} inputs from "
                + ("X" if layer == 1 else f"layer {layer - 1}")
            )
        if b.shape != (W.shape[0], 1):
            raise ValueError(
                f"{name}['b{layer}'] has shape {b.shape}; expected ({W.shape[0]}, 1)"
            )
        for key, arr in ((f"W{layer}", W), (f"b{layer}", b)):
            if arr.dtype != dtype:
                raise TypeError(
                    f"{name}['{key}'] has dtype {arr.dtype}; expected {dtype} like W1"
                )
        dims.append(W.shape[0])
    return tuple(dims)


def check_masks(masks: Mapping[int, np.ndarray] | None, n_hidden: int) -> None:
    """Raise unless ``masks`` is None or a dict keyed by hidden-layer numbers 1..n_hidden."""
    if masks is None:
        return
    if not isinstance(masks, Mapping):
        raise TypeError(f"masks must be a dict {{layer: D}}, got {type(masks).__name__}")
    bad = [k for k in masks if not (isinstance(k, int) and 1 <= k <= n_hidden)]
    if bad:
        raise ValueError(f"masks keys must be hidden-layer numbers 1..{n_hidden}, got {bad}")


def check_softmax_units(output_activation: str, n_out: int) -> None:
    """Raise ValueError for a softmax output of fewer than 2 units (its output would be
    1 whatever the input: use sigmoid for two classes)."""
    if output_activation == "softmax" and n_out < 2:
        raise ValueError(f"a softmax output needs >= 2 units, got {n_out}; use a sigmoid "
                         "output with 1 unit for two classes")


def check_bce_units(loss: str, n_out: int) -> None:
    """Raise ValueError for a binary cross-entropy output of more than 1 unit: its targets
    are ``Y (1, m)``, and a cost averaged over several units would need a gradient that
    the course's ``dZ = AL - Y`` is not (use softmax and one-hot labels for classes)."""
    if loss == "bce" and n_out != 1:
        raise ValueError(f"a binary cross-entropy output (sigmoid, loss 'bce') has 1 unit, "
                         f"got {n_out}; for {n_out} classes use a softmax output with "
                         "one-hot labels (loss 'cce')")


def check_pair(value: object, name: str) -> tuple[int, int]:
    """An int ``n`` as ``(n, n)`` or a pair of ints, each >= 1 (window sizes, strides)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return (check_positive_int(value[0], f"{name}[0]"),
                check_positive_int(value[1], f"{name}[1]"))
    v = check_positive_int(value, name)
    return v, v


def check_dtype_name(dtype: object, name: str = "dtype") -> str:
    """``"float32"`` or ``"float64"`` for anything numpy reads as one of them; ValueError
    naming ``name`` otherwise (a configuration's dtype field)."""
    try:
        resolved = np.dtype(dtype).name
    except TypeError:
        resolved = repr(dtype)
    if resolved not in ("float32", "float64"):
        raise ValueError(f"{name} must be 'float32' or 'float64', got {dtype!r}")
    return resolved
