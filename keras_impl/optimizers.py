"""Keras optimizers mapped exactly onto the textbook's update rules.

- gradient descent: ``SGD(learning_rate=alpha)``;
- momentum ``v = beta v + (1-beta) dW; W -= alpha v``: ``SGD(learning_rate=alpha(1-beta),
  momentum=beta)`` (Keras keeps ``m = -alpha v``);
- Adam, Keras' epsilon-hat form: ``keras.optimizers.Adam`` (epsilon 1e-7);
- Adam, textbook form (bias-corrected moments, epsilon 1e-8): ``TextbookAdam`` below.

Two float32 roundings hide in Keras 3 optimizers applied to a float64 model, and both
are undone here so that float64 parity can be tight:
- a float learning rate is stored as a ``floatx`` (float32) variable, so 0.01 becomes
  0.009999999776; ``ConstantRate`` passes it as a callable returning a float64 scalar;
- ``ops.cast(self.beta_1, variable.dtype)`` of a Python float converts it to a float32
  tensor before casting, so beta = 0.9 becomes 0.8999999762 (in SGD's momentum and in
  Adam's bias correction); the hyperparameters are passed as ``numpy.float64`` scalars,
  which convert exactly. In a float32 model both give the float32 values, as usual.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

OPTIMIZERS = ("gd", "momentum", "adam")


class ConstantRate:
    """A learning rate Keras calls each step: exact in float64, unlike its float32 variable."""

    def __init__(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"learning_rate must be > 0, got {value!r}")
        self.value = float(value)

    def __call__(self) -> np.float64:
        """The rate, as a float64 scalar (exact after ``ops.cast`` to float64)."""
        return np.float64(self.value)

    def __repr__(self) -> str:
        return f"ConstantRate({self.value!r})"


class TextbookAdam(keras.optimizers.Optimizer):
    """Adam as in the course: ``W -= lr * m_hat / (sqrt(v_hat) + epsilon)``."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8,
                 name: str = "textbook_adam", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list: list) -> None:
        """One first- and one second-moment slot per variable."""
        if self.built:
            return
        super().build(var_list)
        self._m = [self.add_variable_from_reference(v, "m") for v in var_list]
        self._v = [self.add_variable_from_reference(v, "v") for v in var_list]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One bias-corrected Adam step for one variable."""
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = ops.cast(self.iterations + 1, dtype)
        b1 = ops.convert_to_tensor(self.beta_1, dtype=dtype)
        b2 = ops.convert_to_tensor(self.beta_2, dtype=dtype)
        i = self._get_variable_index(variable)
        m, v = self._m[i], self._v[i]
        self.assign(m, b1 * m + (1 - b1) * g)
        self.assign(v, b2 * v + (1 - b2) * ops.square(g))
        m_hat = m / (1 - ops.power(b1, t))
        v_hat = v / (1 - ops.power(b2, t))
        eps = ops.convert_to_tensor(self.epsilon, dtype=dtype)
        self.assign_sub(variable, lr * m_hat / (ops.sqrt(v_hat) + eps))

    def get_config(self) -> dict[str, Any]:
        """Config with the betas and epsilon."""
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


def make_optimizer(name: str, learning_rate: float, beta: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999, epsilon: float | None = None,
                   form: str = "keras") -> keras.optimizers.Optimizer:
    """A Keras optimizer taking exactly the textbook optimizer's steps.

    ``name``: "gd", "momentum" (``beta``) or "adam" (``beta1``, ``beta2``, ``epsilon``,
    ``form`` "keras" for Keras' own Adam, "textbook" for ``TextbookAdam``).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    for label, value in (("beta", beta), ("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{label} must be in [0, 1), got {value!r}")
    if name == "gd":
        return keras.optimizers.SGD(learning_rate=ConstantRate(learning_rate))
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate=ConstantRate(learning_rate * (1 - beta)),
                                    momentum=np.float64(beta))
    if form == "keras":
        return keras.optimizers.Adam(ConstantRate(learning_rate), np.float64(beta1),
                                     np.float64(beta2), 1e-7 if epsilon is None else epsilon)
    if form == "textbook":
        return TextbookAdam(ConstantRate(learning_rate), beta1, beta2,
                            1e-8 if epsilon is None else epsilon)
    raise ValueError(f"form must be 'keras' or 'textbook', got {form!r}")
