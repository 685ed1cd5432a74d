"""Optimizers with explicit state; nothing mutates the caller's arrays.

Each optimizer is a small frozen config with ``init_state(params)`` and
``update(params, grads, state, learning_rate) -> (new_params, new_state)``; the state
is a plain dict ``{"t": steps taken, "v": {"dW1": ...}, "s": {...}}``; ``slots`` names the
per-parameter arrays an optimizer keeps ("v": first moments or velocities, "s": averages of
squared gradients, never negative). The course's
function names are kept too (``update_parameters``, ``update_parameters_with_momentum``,
``update_parameters_with_adam``, ...).

Adam has two forms (docs/design.md):
- ``form="textbook"``: ``W -= lr * v_hat / (sqrt(s_hat) + eps)``, eps = 1e-8;
- ``form="keras"``: ``alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t)``,
  ``W -= alpha_t * v / (sqrt(s) + eps_hat)``, eps_hat = 1e-7 (Keras' "epsilon hat").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from numpy_impl._validate import check_finite, check_positive, num_layers

Params = dict[str, np.ndarray]
State = dict[str, Any]


def _check_grads(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
    L = num_layers(params)
    for layer in range(1, L + 1):
        for p in ("W", "b"):
            key = f"d{p}{layer}"
            if key not in grads:
                raise ValueError(f"grads is missing {key!r}; expected dW1, db1, ..., dW{L}, db{L}")
            if np.shape(grads[key]) != params[f"{p}{layer}"].shape:
                raise ValueError(f"grads[{key!r}] has shape {np.shape(grads[key])}; expected "
                                 f"{params[f'{p}{layer}'].shape} like params['{p}{layer}']")
            check_finite(np.asarray(grads[key]), f"grads[{key!r}]")


def _check_beta(value: float, name: str) -> float:
    value = check_positive(value, name, allow_zero=True)
    if value >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def _zeros_like_grads(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"d{k}": np.zeros_like(v) for k, v in params.items()}


@dataclass(frozen=True)
class GradientDescent:
    """W -= lr * dW."""

    name = "gd"
    slots: ClassVar[tuple[str, ...]] = ()

    def init_state(self, params: Mapping[str, np.ndarray]) -> State:
        """Only a step counter."""
        return {"t": 0}

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
               state: State, learning_rate: float) -> tuple[Params, State]:
        """One step: validates ``grads`` against ``params`` and the learning rate, then
        applies ``step``; returns new params and state."""
        _check_grads(params, grads)
        return self.step(params, grads, state, check_positive(learning_rate, "learning_rate"))

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             state: State, lr: float) -> tuple[Params, State]:
        """The update rule on validated arguments; returns new params and state."""
        new = {}
        for k, W in params.items():
            change = grads["d" + k] * W.dtype.type(lr)
            # W - change, into the temporary when it is laid out like W (one array fewer)
            same = change.flags.c_contiguous == W.flags.c_contiguous
            new[k] = np.subtract(W, change, out=change if same else None)
        return new, {"t": state["t"] + 1}

    def to_dict(self) -> dict[str, Any]:
        """Config as a plain dict (round-trips through ``optimizer_from_dict``)."""
        return {"name": self.name, **asdict(self)}


@dataclass(frozen=True)
class Momentum(GradientDescent):
    """v = beta v + (1 - beta) dW; W -= lr v (Keras SGD with momentum=beta,
    learning_rate=lr (1 - beta) takes the same steps)."""

    beta: float = 0.9
    name = "momentum"
    slots: ClassVar[tuple[str, ...]] = ("v",)

    def __post_init__(self) -> None:
        _check_beta(self.beta, "beta")

    def init_state(self, params: Mapping[str, np.ndarray]) -> State:
        """Zero velocities."""
        return {"t": 0, "v": _zeros_like_grads(params)}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             state: State, lr: float) -> tuple[Params, State]:
        """The update rule on validated arguments; returns new params and state."""
        b = self.beta
        v = {k: b * state["v"][k] + (1 - b) * grads[k] for k in state["v"]}
        new = {k: W - W.dtype.type(lr) * v[f"d{k}"] for k, W in params.items()}
        return new, {"t": state["t"] + 1, "v": v}


@dataclass(frozen=True)
class RMSprop(GradientDescent):
    """s = beta s + (1 - beta) dW^2; W -= lr dW / (sqrt(s) + epsilon)."""

    beta: float = 0.9
    epsilon: float = 1e-8
    name = "rmsprop"
    slots: ClassVar[tuple[str, ...]] = ("s",)

    def __post_init__(self) -> None:
        _check_beta(self.beta, "beta")
        check_positive(self.epsilon, "epsilon")

    def init_state(self, params: Mapping[str, np.ndarray]) -> State:
        """Zero squared-gradient averages."""
        return {"t": 0, "s": _zeros_like_grads(params)}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             state: State, lr: float) -> tuple[Params, State]:
        """The update rule on validated arguments; returns new params and state."""
        b = self.beta
        s = {k: b * state["s"][k] + (1 - b) * grads[k] ** 2 for k in state["s"]}
        new = {k: W - lr * grads[f"d{k}"] / (np.sqrt(s[f"d{k}"]) + self.epsilon)
               for k, W in params.items()}
        return new, {"t": state["t"] + 1, "s": s}


@dataclass(frozen=True)
class Adam(GradientDescent):
    """Adam, in the textbook form or Keras' epsilon-hat form (see the module doc).

    ``epsilon=None`` takes the form's default: 1e-8 (textbook) or 1e-7 (keras).
    """

    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float | None = None
    form: str = "textbook"
    name = "adam"
    slots: ClassVar[tuple[str, ...]] = ("v", "s")

    def __post_init__(self) -> None:
        _check_beta(self.beta1, "beta1")
        _check_beta(self.beta2, "beta2")
        if self.form not in ("textbook", "keras"):
            raise ValueError(f"form must be 'textbook' or 'keras', got {self.form!r}")
        if self.epsilon is None:
            object.__setattr__(self, "epsilon", 1e-8 if self.form == "textbook" else 1e-7)
        check_positive(self.epsilon, "epsilon")

    def init_state(self, params: Mapping[str, np.ndarray]) -> State:
        """Zero first and second moments, t = 0."""
        return {"t": 0, "v": _zeros_like_grads(params), "s": _zeros_like_grads(params)}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             state: State, lr: float) -> tuple[Params, State]:
        """The update rule (t increases first, as in the course and Keras)."""
        b1, b2, eps, t = self.beta1, self.beta2, self.epsilon, state["t"] + 1
        v = {k: b1 * state["v"][k] + (1 - b1) * grads[k] for k in state["v"]}
        s = {k: b2 * state["s"][k] + (1 - b2) * grads[k] ** 2 for k in state["s"]}
        new = {}
        for k, W in params.items():
            dk = f"d{k}"
            if self.form == "textbook":
                v_hat, s_hat = v[dk] / (1 - b1**t), s[dk] / (1 - b2**t)
                new[k] = W - lr * v_hat / (np.sqrt(s_hat) + eps)
            else:
                alpha_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
                new[k] = W - alpha_t * v[dk] / (np.sqrt(s[dk]) + eps)
        return new, {"t": t, "v": v, "s": s}


OPTIMIZERS: dict[str, type[GradientDescent]] = {
    "gd": GradientDescent, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam,
}


def optimizer_from_dict(config: Mapping[str, Any]) -> GradientDescent:
    """Rebuild an optimizer from ``to_dict()`` output."""
    config = dict(config)
    name = config.pop("name", None)
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer name must be one of {tuple(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](**config)


def get_optimizer(optimizer: str | GradientDescent) -> GradientDescent:
    """An optimizer from its name (default settings) or an instance (returned as is)."""
    if isinstance(optimizer, GradientDescent):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)} or an optimizer "
                         f"instance, got {optimizer!r}")
    return OPTIMIZERS[optimizer]()


# --- the course's function names -----------------------------------------
def update_parameters(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
                      learning_rate: float) -> Params:
    """Gradient descent: returns new params ``W - lr dW``, ``b - lr db``."""
    opt = GradientDescent()
    return opt.update(params, grads, opt.init_state(params), learning_rate)[0]


def initialize_velocity(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Zero velocities ``{"dW1": zeros like W1, "db1": ..., ...}``."""
    return _zeros_like_grads(params)


def update_parameters_with_momentum(params: Mapping[str, np.ndarray],
                                    grads: Mapping[str, np.ndarray],
                                    v: Mapping[str, np.ndarray], beta: float,
                                    learning_rate: float) -> tuple[Params, dict]:
    """One momentum step; returns ``(new_params, new_v)``."""
    opt = Momentum(beta)
    new, state = opt.update(params, grads, {**opt.init_state(params), "v": v}, learning_rate)
    return new, state["v"]


def initialize_adam(params: Mapping[str, np.ndarray]) -> tuple[dict, dict]:
    """Zero first and second moments ``(v, s)``."""
    return _zeros_like_grads(params), _zeros_like_grads(params)


def update_parameters_with_adam(params: Mapping[str, np.ndarray],
                                grads: Mapping[str, np.ndarray], v: Mapping[str, np.ndarray],
                                s: Mapping[str, np.ndarray], t: int, learning_rate: float = 0.01,
                                beta1: float = 0.9, beta2: float = 0.999,
                                epsilon: float | None = None,
                                form: str = "textbook") -> tuple[Params, dict, dict]:
    """One Adam step as step number ``t`` (1 for the first); returns ``(params, v, s)``."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t must be an int >= 1 (the step number), got {t!r}")
    opt = Adam(beta1, beta2, epsilon, form)
    new, state = opt.update(params, grads, {"t": int(t) - 1, "v": v, "s": s}, learning_rate)
    return new, state["v"], state["s"]


def update_parameters_with_rmsprop(params: Mapping[str, np.ndarray],
                                   grads: Mapping[str, np.ndarray], s: Mapping[str, np.ndarray],
                                   beta: float, learning_rate: float,
                                   epsilon: float = 1e-8) -> tuple[Params, dict]:
    """One RMSprop step; returns ``(new_params, new_s)``."""
    opt = RMSprop(beta, epsilon)
    new, state = opt.update(params, grads, {**opt.init_state(params), "s": s}, learning_rate)
    return new, state["s"]


# --- learning-rate decay (the course's two schedules) ----------------------
def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """Inverse-time decay: lr0 / (1 + decay_rate * epoch)."""
    return learning_rate0 / (1.0 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float,
                      time_interval: int = 1000) -> float:
    """Stepped inverse-time decay: lr0 / (1 + decay_rate * floor(epoch / time_interval))."""
    return learning_rate0 / (1.0 + decay_rate * (epoch_num // time_interval))
