"""Costs and the gradient of each cost with respect to the output layer's ``Z``.

Layout: ``AL, Y (n_out, m)``; binary costs take ``Y (1, m)`` of 0/1, categorical costs a
one-hot (or probability) ``Y (C, m)``. Every cost is the mean over the ``m`` examples.

Two forms of binary cross-entropy (docs/design.md, "Where the textbook and Keras differ"):
- from probabilities (the textbook form), optionally clipped to ``[clip, 1 - clip]`` in
  AL's dtype, as Keras does with ``clip = 1e-7`` (``KERAS_EPSILON``); unclipped, a
  saturated wrong prediction costs ``inf``, honestly;
- from logits, ``max(z, 0) - z y + log(1 + exp(-|z|))``: exact and finite for any ``z``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl._validate import (
    as_float_array,
    as_label_array,
    check_binary,
    check_finite,
    check_positive,
    check_same_shape,
)
from numpy_impl.activations import get_activation, sigmoid, softmax
from numpy_impl.regularization import l2_cost

KERAS_EPSILON = 1e-7
LOSSES = ("bce", "cce", "mse")
DEFAULT_LOSS = {"sigmoid": "bce", "softmax": "cce", "linear": "mse"}
# Which output activations each loss accepts; "linear" with a cross-entropy means the
# network outputs logits.
_COMPATIBLE = {"bce": ("sigmoid", "linear"), "cce": ("softmax", "linear"),
               "mse": ("sigmoid", "softmax", "linear")}


def resolve_loss(output_activation: str, loss: str | None) -> str:
    """Return the loss for an output activation (its default when ``loss`` is None)."""
    get_activation(output_activation, ("sigmoid", "softmax", "linear"), "output_activation")
    if loss is None:
        return DEFAULT_LOSS[output_activation]
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if output_activation not in _COMPATIBLE[loss]:
        raise ValueError(
            f"loss {loss!r} does not go with output_activation {output_activation!r}; "
            f"expected one of {_COMPATIBLE[loss]}"
        )
    return loss


def check_targets(AL: np.ndarray, Y: object, loss: str,
                  name: str = "AL") -> tuple[np.ndarray, np.ndarray]:
    """Validate an output ``AL (n_out, m)`` and its targets ``Y`` for ``loss``: equal
    shapes, m >= 1, ``(1, m)`` of 0/1 for "bce", one-hot columns for "cce"; returns both
    as arrays of AL's dtype."""
    AL = as_float_array(AL, name, ndim=2)
    Y = as_label_array(Y, "Y", AL)
    if loss == "bce" and (Y.ndim != 2 or Y.shape[0] != 1):
        raise ValueError(f"Y must have shape (1, m) for a binary cost, got {Y.shape}")
    if Y.shape != AL.shape:
        raise ValueError(f"{name} has shape {AL.shape} but Y has shape {Y.shape}; expected equal")
    if AL.shape[1] == 0:
        raise ValueError(f"{name} has shape {AL.shape}; expected at least one example (m >= 1)")
    check_labels(Y, loss)
    return AL, Y


def check_labels(Y: np.ndarray, loss: str) -> None:
    """Raise ValueError unless ``Y`` holds 0/1 for "bce" or one-hot columns for "cce"."""
    if loss == "bce":
        check_binary(Y)
    elif loss == "cce" and (np.any(Y < 0) or not np.allclose(Y.sum(axis=0), 1.0, atol=1e-6)):
        raise ValueError("Y must be one-hot (non-negative columns summing to 1) for "
                         "categorical cross-entropy")


def _clip(AL: np.ndarray, clip: float | None) -> np.ndarray:
    if clip is None:
        return AL
    eps = AL.dtype.type(check_positive(clip, "clip"))
    return np.clip(AL, eps, AL.dtype.type(1) - eps)


def _bce_probabilities(AL: np.ndarray, Y: np.ndarray, clip: float | None) -> float:
    AL = _clip(AL, clip)
    # Y is 0/1, so y log a + (1 - y) log(1 - a) is log of the probability of the true class;
    # this avoids 0 * log(0) = nan while giving inf for a saturated wrong prediction.
    p_true = np.where(Y == 1, AL, 1 - AL)
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(p_true)))


def _bce_logits(Z: np.ndarray, Y: np.ndarray) -> float:
    """mean(max(Z, 0) - Z Y + log1p(exp(-|Z|))), with in-place passes: the value of
    np.mean of that expression, bitwise (the sum in Z's dtype, then / size)."""
    softplus = np.abs(Z)
    np.negative(softplus, out=softplus)
    np.exp(softplus, out=softplus)
    np.log1p(softplus, out=softplus)  # log1p(exp(-|Z|))
    terms = np.maximum(Z, 0)
    terms -= Z * Y
    terms += softplus
    total = np.add.reduce(terms, axis=None)
    return float(total.dtype.type(total / terms.size))


def _cce_probabilities(AL: np.ndarray, Y: np.ndarray, clip: float | None) -> float:
    AL = _clip(AL, clip)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(Y > 0, Y * np.log(AL), 0)
    return float(-np.sum(terms) / AL.shape[1])


def _cce_logits(Z: np.ndarray, Y: np.ndarray) -> float:
    zmax = np.max(Z, axis=0, keepdims=True)
    log_sum = np.log(np.sum(np.exp(Z - zmax), axis=0, keepdims=True)) + zmax
    return float(np.sum(Y * (log_sum - Z)) / Z.shape[1])


def _mse(AL: np.ndarray, Y: np.ndarray) -> float:
    return float(np.mean((AL - Y) ** 2))


def compute_cost(AL: np.ndarray, Y: np.ndarray, loss: str = "bce", from_logits: bool = False,
                 clip: float | None = None, params: Mapping[str, np.ndarray] | None = None,
                 lambd: float = 0.0) -> float:
    """Mean cost of ``AL (n_out, m)`` against ``Y``, plus ``lambd/(2m) sum ||W||^2``.

    ``loss``: "bce" (binary cross-entropy, Y (1, m)), "cce" (categorical, Y one-hot
    (C, m)) or "mse" (mean over outputs and examples, as Keras). ``from_logits=True``
    reads ``AL`` as the output layer's ``Z`` and uses the stable form. ``clip`` clips
    probabilities to ``[clip, 1 - clip]`` (Keras uses ``KERAS_EPSILON``); None: no clip.
    """
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(f"from_logits must be a bool, got {type(from_logits).__name__}")
    AL, Y = check_targets(AL, Y, loss, "ZL" if from_logits else "AL")
    check_finite(AL, "ZL" if from_logits else "AL")
    if from_logits and loss == "mse":
        raise ValueError("from_logits=True applies to 'bce' and 'cce', not 'mse'")
    if from_logits:
        cost = _bce_logits(AL, Y) if loss == "bce" else _cce_logits(AL, Y)
    elif loss == "bce":
        cost = _bce_probabilities(AL, Y, clip)
    elif loss == "cce":
        cost = _cce_probabilities(AL, Y, clip)
    else:
        cost = _mse(AL, Y)
    if lambd:
        if params is None:
            raise ValueError("params are required to add the L2 term when lambd > 0")
        cost += l2_cost(params, lambd, AL.shape[1])
    return cost


def output_cost(AL: np.ndarray, ZL: np.ndarray, Y: np.ndarray, loss: str) -> float:
    """The cost of a network's output, from logits wherever the loss allows (stable).

    The core that training and gradient checking share: inputs are already validated.
    """
    if loss == "mse":
        return _mse(AL, Y)
    logits_form = _bce_logits if loss == "bce" else _cce_logits
    return logits_form(ZL, Y)


def output_delta(AL: np.ndarray, ZL: np.ndarray, Y: np.ndarray, output_activation: str,
                 loss: str) -> np.ndarray:
    """dZ of the output layer, per example (no 1/m): the gradient of m * cost w.r.t. ZL.

    ``AL``, ``ZL`` and ``Y`` are ``(n_out, m)``. Sigmoid/BCE and softmax/CCE give
    ``AL - Y`` (the same as the logits form's gradient, so the textbook's unstable
    ``dAL = -(Y/AL - (1-Y)/(1-AL))`` is never formed).
    """
    if resolve_loss(output_activation, loss) != loss:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    AL, Y = check_targets(AL, Y, loss)
    ZL = as_float_array(ZL, "ZL", ndim=2)
    check_same_shape(ZL, "ZL", AL, "AL")
    return output_gradient(AL, ZL, Y, output_activation, loss)


def output_gradient(AL: np.ndarray, ZL: np.ndarray, Y: np.ndarray, output_activation: str,
                    loss: str) -> np.ndarray:
    """``output_delta`` on validated inputs (the training loop's core)."""
    if loss == "mse":
        dA = (2.0 / AL.shape[0]) * (AL - Y)
        return get_activation(output_activation).backward(dA, ZL)
    if output_activation == "linear":  # the network outputs logits
        AL = sigmoid(ZL) if loss == "bce" else softmax(ZL)
    return AL - Y
