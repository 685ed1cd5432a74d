"""The error raised when training stops producing finite numbers, and its helpers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# a run whose last epoch's cost exceeds this many times max(first epoch's cost, 1) has blown
# up, though every number is still finite
EXPLOSION_FACTOR = 1e3


def blow_up(costs: Sequence[float], name: str = "cost", start: float | None = None,
            ) -> str | None:
    """Why a finite run with these epoch ``costs`` has blown up (the last above
    ``EXPLOSION_FACTOR`` times max(first, 1)), in words ("the {name} grew from ..."), or
    None when it has not. ``start``: the cost before the first update (the first batch's),
    the baseline instead of the first epoch's mean when given: a rate so large that the
    first epoch already blew up is seen too."""
    if not len(costs):
        return None
    base, when = (costs[0], "epoch 1") if start is None else (start, "before training")
    if costs[-1] > EXPLOSION_FACTOR * max(base, 1.0):
        return (f"the {name} grew from {base:.4g} ({when}) to {costs[-1]:.4g} "
                f"(epoch {len(costs)}): training is diverging; try a smaller learning_rate")
    return None


class DivergenceError(FloatingPointError):
    """Training produced a non-finite cost or parameter.

    ``epoch`` and ``step`` are 1-based (``step`` counts updates from the start of the
    call, ``None`` when unknown; ``NeuralNetwork.step`` gives the network's update number,
    ``opt_state["t"] + 1``, and no epoch); ``quantity`` names what went non-finite (e.g.
    ``"cost"``, ``"W2"``, ``"keras cost"``); ``value`` is the offending value.
    """

    def __init__(self, quantity: str, value: float, epoch: int | None = None,
                 step: int | None = None, hint: str = "try a smaller learning rate or "
                 "lambd") -> None:
        self.quantity, self.value, self.epoch, self.step = quantity, value, epoch, step
        where = ", ".join(f"{name} {n}" for name, n in (("epoch", epoch), ("step", step))
                          if n is not None)
        super().__init__(f"training diverged{' at ' + where if where else ''}: "
                         f"{quantity} is {value} ({hint})")


class DivergenceWarning(UserWarning):
    """The cost stayed finite but grew by orders of magnitude over a ``fit`` call."""


def first_non_finite(arrays: Mapping[str, np.ndarray]) -> tuple[str, float] | None:
    """``(name, value)`` of the first NaN or infinite element of the first array of
    ``arrays`` that holds one, or None when all are finite.

    One summation per array: a finite sum proves every element finite (NaN and infinity
    propagate); only a non-finite sum, e.g. an overflow of finite values, is looked at
    element by element. Call it under ``np.errstate(over="ignore", invalid="ignore")``.
    """
    for name, array in arrays.items():
        if not math.isfinite(np.add.reduce(array, axis=None)):  # = array.sum(), less overhead
            bad = array[~np.isfinite(array)]
            if bad.size:
                return name, float(bad[0])
    return None
