"""Every tolerance of the parity checks, derived from an error model of the computation.

An element passes when ``|numpy - keras| <= atol + rtol * max(|numpy|, |keras|)``.

The model (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., ch. 3;
Higham and Mary, "A new approach to probabilistic rounding error analysis", 2019):

- ``u``, the unit roundoff of the dtype (``eps / 2``: 2**-24 in float32, 2**-53 in
  float64), is the relative error of one rounded operation.
- A dot product of length ``n`` computed in any order has an error of at most
  ``gamma_n * sum |x_i y_i|`` with ``gamma_n = n u / (1 - n u)``; with independent
  rounding errors it is ``lambda * sqrt(n) * u * sum |x_i y_i|`` except with probability
  ``2 n exp(-lambda**2 / 2)`` (``LAMBDA`` below: 1e-12 for every n here).
- The initialisers give weights of variance ~1/n and the data are standardised, so
  ``sum |x_i y_i|`` is ``O(sqrt(n))`` times the size of one pre-activation: the error of a
  pre-activation is ``O(lambda * n * u)`` in units of the layer's typical value: the
  same bound serves as ``rtol`` and as ``atol`` relative to the largest magnitude of the
  compared array (Higham's norm-wise bound: an element near zero after cancellation
  carries the error of the large terms it came from). Activations have derivatives <= 1 and are
  themselves evaluated to a few ulps (``ULPS_PER_LAYER``).
- A gradient sums terms that may cancel (a ``db`` of a deep, narrow relu net is a
  difference of terms thousands of times its size): its atol is relative to the largest
  magnitude of those terms (``parity.magnitudes``: the backward pass on absolute values),
  not of the gradient itself.
- Errors add along the dependency chain. ``forward`` at layer l: ``sum_{k<=l} (n_{k-1} +
  1 + ULPS_PER_LAYER)`` operations' worth. The ``cost`` adds the mean over ``m`` examples
  (``m``); a ``gradient`` adds, on top of the cost, the backward products (fan-outs
  ``n_k``) and the sums over the batch (``m``).
- Underflow is outside the relative model: below the smallest normal number (``tiny``)
  each operation may lose everything, so no ``atol`` is below ``2 * n * tiny``.
- Each backend makes its own errors, and the two differ by at most the sum: factor 2.
- ``trajectory`` after ``s`` steps: each update adds ``lr`` times a gradient error and
  one rounding of the parameter; ``s`` steps add ``s`` of them (absolute: the parameters
  and gradients of the initialisers are O(1) at most). An adaptive optimiser
  (Adam, RMSprop) divides by ``sqrt(v) + eps``: where a gradient element is as small as
  its own error, the update ``lr * g / (|g| + eps)`` is sensitive to ``g`` by up to
  ``lr / eps``, so each step may add ``lr * min(2, delta_g / eps)``. In float64 that term
  is ``lr`` times the gradient bound over eps (~1e-5 lr for 400-25-15-1 with Keras' eps
  1e-7, ten times that with the textbook's 1e-8); in float32 it reaches ``2 lr`` per step:
  Adam's float32 trajectories are checked only to that (a real, not a tuned, limit; a
  float32 report also runs them in float64, the tight check).

The numerical gradient check has its own metric, ``||g - g~|| / (||g|| + ||g~||) < 1e-7``
(centred differences with ``eps = 1e-7`` are accurate to ~eps**2 plus round-off/eps),
or, when the gradient is so small that round-off dominates, within the round-off floor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import numpy_impl as ni


@dataclass(frozen=True)
class Tolerance:
    """Relative and absolute tolerance. ``of_max``: ``atol`` is relative to the largest
    magnitude of the compared arrays (a norm-wise bound, ``|x - y| <= atol * max|x|``),
    made absolute by ``absolute``."""

    rtol: float
    atol: float
    of_max: bool = False
    floor: float = 0.0

    def absolute(self, *arrays: np.ndarray) -> Tolerance:
        """The same tolerance with ``atol`` in absolute terms for these arrays (never
        below ``floor``, the underflow allowance)."""
        if not self.of_max:
            return self
        scale = max((float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0)) for a in arrays),
                    default=0.0)
        return Tolerance(self.rtol, max(self.atol * scale, self.floor))

    def __str__(self) -> str:
        return f"{self.rtol:.0e}/{self.atol:.0e}" + ("*max" if self.of_max else "")


QUANTITIES = ("forward", "cost", "gradient", "trajectory")
DTYPES = ("float32", "float64")

LAMBDA = 8.0
"""Probabilistic bound constant: failure probability 2 n exp(-LAMBDA**2 / 2) < 1e-11
for n <= 10**3 terms per dot product."""

BACKENDS = 2.0
"""Both backends round independently: their difference is bounded by the sum."""

ULPS_PER_LAYER = 8
"""Rounding of the elementwise work of a layer: the bias add, the activation (exp, log1p,
tanh are accurate to a few ulps in NumPy and TensorFlow), dropout's scaling."""

NUMERICAL_GRADIENT = Tolerance(1e-7, 0.0)
"""Threshold of the relative difference between backprop and centred differences."""

GRADIENT_CHECK_EPSILON = 1e-7


def adaptive_epsilon(optimizer: object) -> float | None:
    """The ``eps`` of an adaptive optimizer (Adam, RMSprop: the ``adaptive_epsilon`` of
    ``tolerance``), None for one that divides by nothing."""
    return getattr(optimizer, "epsilon", None) if isinstance(
        optimizer, (ni.Adam, ni.RMSprop)) else None


def unit_roundoff(dtype: str | np.dtype) -> float:
    """``eps / 2`` of a float dtype (float32 or float64)."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    return float(np.finfo(name).eps) / 2.0


def _check_dims(layer_dims: Sequence[int]) -> tuple[int, ...]:
    dims = tuple(layer_dims)
    if len(dims) < 2 or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                and d >= 1 for d in dims):
        raise ValueError(f"layer_dims must be >= 2 positive ints, got {layer_dims!r}")
    return tuple(int(d) for d in dims)


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def operations(layer_dims: Sequence[int], quantity: str, m: int = 1,
               layer: int | None = None) -> int:
    """The error model's count of roundings along the longest dependency chain of
    ``quantity`` (see the module docstring); ``layer`` limits ``forward`` to layers
    1..layer (default: all)."""
    dims = _check_dims(layer_dims)
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    m = _positive_int(m, "m")
    L = len(dims) - 1
    upto = L if layer is None or quantity != "forward" else layer
    if not 1 <= upto <= L:
        raise ValueError(f"layer must be in 1..{L}, got {layer!r}")
    forward = sum(dims[k - 1] + 1 + ULPS_PER_LAYER for k in range(1, upto + 1))
    if quantity == "forward":
        return forward
    cost = forward + m
    if quantity == "cost":
        return cost
    return cost + sum(dims[1:]) + m + ULPS_PER_LAYER * L


def tolerance(dtype: str, quantity: str, layer_dims: Sequence[int], m: int = 1, *,
              layer: int | None = None, steps: int = 1, learning_rate: float = 0.0,
              adaptive_epsilon: float | None = None) -> Tolerance:
    """The tolerance of ``quantity`` (one of ``QUANTITIES``) for a network of
    ``layer_dims`` in ``dtype``, over batches of ``m`` examples.

    ``trajectory`` (parameters after ``steps`` updates with ``learning_rate``) adds,
    for an adaptive optimiser, its ``adaptive_epsilon`` term (module docstring).
    """
    u = unit_roundoff(dtype)
    if quantity == "trajectory":
        steps = _positive_int(steps, "steps")
        if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate)
                and learning_rate >= 0):
            raise ValueError(f"learning_rate must be a finite number >= 0, "
                             f"got {learning_rate!r}")
        gradient = BACKENDS * LAMBDA * u * operations(layer_dims, "gradient", m)
        per_step = learning_rate * gradient + BACKENDS * u * (ULPS_PER_LAYER + 1)
        if adaptive_epsilon is not None:
            if not (isinstance(adaptive_epsilon, (int, float)) and adaptive_epsilon > 0):
                raise ValueError(f"adaptive_epsilon must be a number > 0, "
                                 f"got {adaptive_epsilon!r}")
            per_step += learning_rate * min(2.0, gradient / adaptive_epsilon)
        bound = steps * per_step
        return Tolerance(bound, bound)
    n = operations(layer_dims, quantity, m, layer=layer)
    bound = BACKENDS * LAMBDA * u * n
    return Tolerance(bound, bound, of_max=True,
                     floor=BACKENDS * n * float(np.finfo(dtype).tiny))
