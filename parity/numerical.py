"""The NumPy half of the parity checks, which needs no TensorFlow: the data of a report
(``make_data``), numpy_impl's forward pass for an architecture (``numpy_forward``), and the
centred-difference gradient check on the examples away from relu kinks
(``numerical_gradient``), which ``parity.compare.numerical_checks`` holds both backends'
gradients against. Being TensorFlow-free, ``numerical_gradient`` can run in a child
process while the parent starts TensorFlow (the main job does: ``parity.cli``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import numpy_impl as ni
from parity.architecture import Architecture, initial_params
from parity.tolerances import GRADIENT_CHECK_EPSILON

Params = dict[str, np.ndarray]
Masks = Mapping[int, np.ndarray] | None


def make_data(arch: Architecture, m: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random ``X (n_x, m)`` and targets that fit ``arch.loss``, in ``arch.dtype``.

    With m >= 2 the first example is all zeros (see ``with_zero_example``).
    ``m``: an int >= 1; ``seed``: an int >= 0 or a ``numpy.random.Generator``.
    """
    if not isinstance(arch, Architecture):
        raise TypeError(f"arch must be an Architecture (e.g. parity.ZOO[name]), got "
                        f"{type(arch).__name__}")
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m must be an int >= 1 (the number of examples), got {m!r}")
    rng = ni.as_generator(seed)
    n_x, n_y = arch.layer_dims[0], arch.layer_dims[-1]
    X = with_zero_example(rng.standard_normal((n_x, m)), axis=1)
    return X.astype(arch.dtype), random_targets(arch.loss, n_y, m, rng).astype(arch.dtype)


def with_zero_example(X: np.ndarray, axis: int) -> np.ndarray:
    """``X`` (a new array of parity data) with its first example along ``axis`` set to
    zeros, when it has at least two: with zero biases every ``Z`` of that example is
    exactly 0, so the derivative of relu at 0 (0, as in Keras) is exercised, not just
    assumed; never the only example (a report on zeros alone compares 0 with 0). Written
    in place; returns ``X``."""
    if X.shape[axis] >= 2:
        np.moveaxis(X, axis, 0)[0] = 0.0
    return X


def random_targets(loss: str, n_out: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Targets ``(n_out, m)`` (float64) that fit ``loss``: 0/1 for "bce", one-hot columns
    for "cce", standard normal for "mse"."""
    if loss == "bce":
        return (rng.random((1, m)) < 0.5).astype(float)
    if loss == "cce":
        return np.eye(n_out)[:, rng.integers(0, n_out, m)]
    return rng.standard_normal((n_out, m))


def numpy_forward(arch: Architecture, X: np.ndarray, params: Params,
                  masks: Masks = None) -> tuple[np.ndarray, list]:
    """numpy_impl's public ``model_forward`` for ``arch``, replaying ``masks`` when given."""
    return ni.model_forward(X, params, hidden_activation=arch.hidden_activation,
                            output_activation=arch.output_activation,
                            keep_probs=arch.keep_probs if masks else None, masks=masks or None)


def away_from_kinks(arch: Architecture, X: np.ndarray, params: Params,
                    margin: float = 1e-5) -> np.ndarray:
    """Boolean ``(m,)``: examples whose hidden pre-activations all stay ``margin`` away from
    a relu kink (centred differences are meaningless at a kink)."""
    keep = np.ones(X.shape[1], dtype=bool)
    if arch.hidden_activation in ("relu", "leaky_relu"):
        _, caches = numpy_forward(arch, X, params, None)
        for cache in caches[:-1]:
            keep &= np.all(np.abs(cache.Z) > margin, axis=0)
    return keep


def fingerprint(arch: Architecture, X: np.ndarray, Y: np.ndarray, params: Params) -> str:
    """A digest of everything a numerical gradient depends on (the architecture, the bytes
    of ``X``, ``Y`` and every parameter), to prove a precomputed one belongs to them."""
    digest = hashlib.sha256(repr(arch).encode())
    for array in (X, Y, *(params[k] for k in sorted(params))):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class NumericalGradient:
    """``numerical_gradient``'s result: the examples kept (``keep``, away from kinks), the
    gradient check on them (None when no example is left) and the ``fingerprint`` of the
    inputs it was computed from."""

    keep: np.ndarray
    result: ni.GradientCheckResult | None
    inputs: str


def numerical_gradient(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                       params: Params) -> NumericalGradient:
    """numpy_impl's centred-difference gradient check (``GRADIENT_CHECK_EPSILON``) of
    ``arch`` holding ``params`` on the examples of ``X``, ``Y`` away from relu kinks."""
    keep = away_from_kinks(arch, X, params)
    result = None
    if keep.any():
        result = ni.gradient_check(params, X[:, keep], Y[:, keep], arch.hidden_activation,
                                   arch.output_activation, arch.loss, arch.lambd,
                                   GRADIENT_CHECK_EPSILON)
    return NumericalGradient(keep, result, fingerprint(arch, X, Y, params))


def report_numerical_gradient(arch: Architecture, m: int, seed: int = 0) -> NumericalGradient:
    """``numerical_gradient`` on the data and parameters ``architecture_report(arch, m,
    seed)`` uses (``make_data``, ``initial_params``)."""
    X, Y = make_data(arch, m, seed)
    return numerical_gradient(arch, X, Y, initial_params(arch, seed))
