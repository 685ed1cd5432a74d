"""Both backends trained in lockstep: same initial weights, same mini-batches, same
dropout masks, one optimizer step each per batch; used by ``compare_training`` and by
the command line's side-by-side training. ``Lockstep`` drives dense networks
(``NeuralNetwork``); ``parity.layered.LayeredLockstep`` networks of layers, on the same
``LockstepBase``; ``train_in_lockstep`` is the one epoch loop both train with."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import keras_impl as ki
import numpy_impl as ni
from parity.architecture import Architecture, build_keras, build_numpy, initial_params
from parity.convert import copy_to_keras, masks_to_keras, params_from_keras, to_keras_data

BACKENDS = ("numpy", "keras")
Params = dict[str, np.ndarray]


def keras_form(arch: Architecture) -> str:
    """The loss form Keras uses for ``arch`` (logits for a linear output with a
    cross-entropy, else probabilities, which TF computes from the tracked logits)."""
    if arch.output_activation == "linear" and arch.loss != "mse":
        return "logits"
    return "probabilities"


def keras_optimizer_for(optimizer: ni.GradientDescent, learning_rate: float) -> Any:
    """The Keras optimizer that takes the same steps as a numpy_impl optimizer."""
    cfg = optimizer.to_dict()
    name = cfg.pop("name")
    if name not in ki.OPTIMIZERS:
        raise ValueError(f"optimizer {name!r} has no exact Keras mapping; "
                         f"expected one of {ki.OPTIMIZERS}")
    return ki.make_optimizer(name, learning_rate, **cfg)


def draw_masks(arch: Architecture, m: int, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """numpy_impl dropout masks ``{l: D_l (n_l, m)}`` for hidden layers with keep < 1."""
    return ni.dropout_masks(arch.layer_dims, arch.keep_probs, m, rng, arch.dtype)


class LockstepBase:
    """What every lockstep kind shares: the chosen backends, the network's batches and
    dropout masks, one step on each side with its time, the final parameters. A kind
    (``Lockstep`` here for dense networks, ``parity.layered.LayeredLockstep`` for networks
    of layers) calls ``start`` and sets ``net`` (a numpy network with ``step``,
    ``batches``, ``draw_masks``, ``get_params``) and, for Keras, ``model`` and
    ``keras_step``; it says which layers take dropout masks, how data and masks reach
    Keras, how Keras' weights come back in the numpy layout, and how each backend
    evaluates."""

    arch: Any
    net: Any
    model: Any
    keras_step: Callable[..., Any]

    def start(self, arch: Any, learning_rate: float, backends: Sequence[str]) -> None:
        """Check ``backends`` and set ``arch``, ``learning_rate``, ``backends`` (in
        ``BACKENDS`` order), ``seconds`` and ``model`` (None until Keras is built)."""
        unknown = set(backends) - set(BACKENDS)
        if unknown or not backends:
            raise ValueError(f"backends must be a non-empty subset of {BACKENDS}, "
                             f"got {tuple(backends)}")
        self.arch, self.learning_rate = arch, learning_rate
        self.backends = tuple(b for b in BACKENDS if b in backends)
        self.seconds = dict.fromkeys(self.backends, 0.0)
        self.model = None

    @property
    def dropout_layers(self) -> list[int]:
        """Positions of the layers that take a dropout mask (keep probability < 1)."""
        raise NotImplementedError

    def keras_inputs(self, X: np.ndarray, Y: np.ndarray, masks: dict) -> tuple[Any, ...]:
        """``keras_step``'s arguments for a numpy batch and its masks."""
        raise NotImplementedError

    def keras_params(self) -> Params:
        """Keras' parameters in the numpy layout, keyed as ``net.get_params()``."""
        raise NotImplementedError

    def evaluate(self, backend: str, params: Params, X: np.ndarray,
                 Y: np.ndarray) -> tuple[float, float | None]:
        """``(cost, accuracy)`` of ``backend`` holding ``params``, in inference mode."""
        raise NotImplementedError

    def batches(self, X: np.ndarray, Y: np.ndarray,
                batch_size: int | None) -> list[tuple[np.ndarray, np.ndarray]]:
        """One epoch of the network's mini-batches (see the network's ``batches``)."""
        return self.net.batches(X, Y, batch_size)

    def draw_masks(self, m: int) -> dict[int, np.ndarray]:
        """The network's dropout masks for a batch of ``m`` examples."""
        return self.net.draw_masks(m)

    def step(self, X: np.ndarray, Y: np.ndarray, masks: dict | None = None) -> dict[str, float]:
        """One step on each backend with batch ``X`` (the network's layout), ``Y (n_y, m)``
        and shared masks, one per dropout layer (None: the network draws them, and Keras
        gets the same). ``numpy_impl.DivergenceError`` when either side's cost is not
        finite."""
        dropout_layers = self.dropout_layers
        if masks is None:
            masks = self.draw_masks(np.shape(Y)[1]) if dropout_layers else {}
        elif sorted(masks) != dropout_layers:
            raise ValueError(f"masks must hold one mask for each dropout layer "
                             f"{dropout_layers}, got layers {sorted(masks)}")
        costs: dict[str, float] = {}
        if "numpy" in self.backends:
            start = time.perf_counter()
            costs["numpy"] = self.net.step(X, Y, self.learning_rate, masks=masks)
            self.seconds["numpy"] += time.perf_counter() - start
        if "keras" in self.backends:
            inputs = self.keras_inputs(X, Y, masks)
            start = time.perf_counter()
            costs["keras"] = float(self.keras_step(*inputs))
            self.seconds["keras"] += time.perf_counter() - start
            if not math.isfinite(costs["keras"]):
                raise ni.DivergenceError("the keras cost", costs["keras"])
        return costs

    def final_params(self) -> dict[str, Params]:
        """Each backend's parameters (and moving statistics) in the numpy layout."""
        out = {}
        if "numpy" in self.backends:
            out["numpy"] = self.net.get_params()
        if "keras" in self.backends:
            out["keras"] = self.keras_params()
        return out


class Lockstep(LockstepBase):
    """A ``numpy_impl.NeuralNetwork`` and a Keras model that take the same steps.

    The network is the one users train (``net``): its ``batches`` and ``draw_masks`` make
    the mini-batches and dropout masks, which Keras receives too, and its ``step`` trains
    the NumPy side. ``step(X, Y, masks)`` returns ``{"numpy": cost, "keras": cost}`` (costs
    before the update) for the chosen ``backends``; ``seconds`` accumulates each backend's
    time. ``model``: the Keras model to train (built for ``arch`` without L2 regularizers,
    e.g. leased: ``parity.architecture.leased_keras``; its weights are overwritten with
    ``params``), default a new one.
    """

    def __init__(self, arch: Architecture, optimizer: ni.GradientDescent,
                 learning_rate: float, params: Params, seed: int = 0,
                 backends: Sequence[str] = BACKENDS, compiled: bool = False,
                 model: Any = None) -> None:
        self.start(arch, learning_rate, backends)
        self.net = build_numpy(arch, seed, optimizer)
        self.net.set_params(params)
        if "keras" in self.backends:
            self.model = build_keras(arch, seed) if model is None else model
            copy_to_keras(params, self.model)
            self.keras_step = ki.make_train_step(
                self.model, keras_optimizer_for(self.net.optimizer, learning_rate),
                loss=arch.loss, form=keras_form(arch), lambd=arch.lambd, compiled=compiled)

    @property
    def dropout_layers(self) -> list[int]:
        """Hidden layers with keep probability < 1 (1-based)."""
        return [i for i, p in enumerate(self.arch.keep_probs, start=1) if p < 1.0]

    def keras_inputs(self, X: np.ndarray, Y: np.ndarray, masks: dict) -> tuple[Any, ...]:
        """``(m, features)`` arrays and masks (``parity.convert``)."""
        return to_keras_data(X), to_keras_data(Y), masks_to_keras(masks)

    def keras_params(self) -> Params:
        """The course layout (``params_from_keras``)."""
        return params_from_keras(self.model)

    def evaluate(self, backend: str, params: Params, X: np.ndarray,
                 Y: np.ndarray) -> tuple[float, float | None]:
        """``(cost, accuracy)`` of ``backend`` holding ``params`` (module ``evaluate``)."""
        return evaluate(self.arch, params, X, Y, self.model if backend == "keras" else None)


@dataclass
class BackendRun:
    """One backend's training: per-epoch cost, final cost and accuracies, time."""

    backend: str
    costs: list[float]
    final_cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    seconds: float


@dataclass
class SideBySide:
    """Both backends trained in lockstep on one dataset. ``diverged``: why training
    stopped early (the runs then hold the completed epochs, no final evaluation), or why
    a run that ended finite has blown up (``numpy_impl.blow_up``; runs complete)."""

    title: str
    settings: dict[str, Any]
    runs: dict[str, BackendRun] = field(default_factory=dict)
    max_param_diff: float | None = None
    diverged: str | None = None

    def table(self) -> str:
        """An aligned table, one row per backend, and the parameter difference."""
        head = ("backend", "final cost", "train acc", "test acc", "time (s)")
        def acc(value: float | None) -> str:
            return "-" if value is None else f"{value:.4f}"

        rows = [head] + [(r.backend, "-" if r.final_cost is None else _number(r.final_cost),
                          acc(r.train_accuracy),
                          acc(r.test_accuracy), f"{r.seconds:.2f}") for r in self.runs.values()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [self.title] + ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                                for r in rows]
        if self.max_param_diff is not None:
            lines.append(f"largest parameter difference, numpy vs keras: "
                         f"{self.max_param_diff:.3e}")
        if self.diverged:
            ended = all(r.final_cost is not None for r in self.runs.values())
            lines.append(f"{'diverging' if ended else 'stopped'}: {self.diverged}")
        return "\n".join(line.rstrip() for line in lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"title": self.title, "settings": self.settings,
                "max_param_diff": self.max_param_diff, "diverged": self.diverged,
                "runs": {k: vars(v) for k, v in self.runs.items()}}


def _number(value: float) -> str:
    """A cost for the table: 6 decimals, or 4 significant digits beyond 1e6."""
    return f"{value:.6f}" if abs(value) < 1e6 else f"{value:.4e}"


def evaluate(arch: Architecture, params: Params, X: np.ndarray, Y: np.ndarray,
             model: Any = None) -> tuple[float, float | None]:
    """``(cost, accuracy)`` on ``X``, ``Y`` (no dropout, L2 included), computed by a
    ``NeuralNetwork`` holding ``params`` or, given a Keras ``model``, by Keras; the
    accuracy is None for an "mse" loss."""
    if model is None:
        net = build_numpy(arch)
        net.set_params(params)
        return net.cost(X, Y), (None if arch.loss == "mse" else net.evaluate(X, Y))
    Xk, Yk = to_keras_data(X), to_keras_data(Y)
    cost = float(ki.batch_loss(model, Xk, Yk, loss=arch.loss, form=keras_form(arch),
                               lambd=arch.lambd))
    return cost, (None if arch.loss == "mse" else
                  ki.accuracy(model, Xk, Yk, loss=arch.loss, form=keras_form(arch)))


def _check_finite(finals: dict[str, Params], epoch: int, step: int) -> None:
    """``DivergenceError`` for the first non-finite parameter of either backend."""
    for backend, params in finals.items():
        for key, value in params.items():
            if not np.all(np.isfinite(value)):
                bad = value[~np.isfinite(value)].flat[0]
                raise ni.DivergenceError(f"the {backend} {key}", float(bad), epoch, step)


def train_side_by_side(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                       X_test: np.ndarray | None = None, Y_test: np.ndarray | None = None,
                       optimizer: ni.GradientDescent | str = "adam", learning_rate: float = 0.001,
                       epochs: int = 10, batch_size: int | None = 32, seed: int = 0,
                       backends: Sequence[str] = BACKENDS, title: str = "",
                       on_epoch: Callable[[int, int, dict[str, float]], None] | None = None,
                       ) -> SideBySide:
    """Train ``arch`` on both backends from the same initial weights, in lockstep
    (``Lockstep``, ``train_in_lockstep``; networks of layers:
    ``parity.layered.train_layered_side_by_side``).

    ``numpy_impl.DivergenceError`` (epoch and step named) when a cost or parameter of
    either backend stops being finite; its ``partial`` attribute is the ``SideBySide`` of
    the completed epochs (``diverged`` set), for the caller to save."""
    optimizer = ni.get_optimizer(optimizer)
    run = Lockstep(arch, optimizer, learning_rate, initial_params(arch, seed), seed, backends,
                   compiled=True)
    return train_in_lockstep(run, optimizer, X, Y, X_test, Y_test, epochs, batch_size, seed,
                             title, on_epoch)


def train_in_lockstep(run: LockstepBase, optimizer: ni.GradientDescent, X: np.ndarray,
                      Y: np.ndarray, X_test: np.ndarray | None, Y_test: np.ndarray | None,
                      epochs: int, batch_size: int | None, seed: int, title: str = "",
                      on_epoch: Callable[[int, int, dict[str, float]], None] | None = None,
                      ) -> SideBySide:
    """The epoch loop and its result, for any lockstep kind: ``X`` in the network's layout,
    ``Y (n_y, m)``. Per epoch, each backend's cost (example-weighted mean of the batch
    costs before each update, ``on_epoch(epoch, epochs, costs)`` told); then the final
    cost and train/test accuracy in inference mode, the times and the largest parameter
    difference (whatever ``final_params`` holds: moving statistics too).
    ``numpy_impl.DivergenceError`` with ``partial`` as for ``train_side_by_side``."""
    arch = run.arch
    X, Y = X.astype(arch.dtype), Y.astype(arch.dtype)
    result = SideBySide(title or f"training {arch.label()}", {
        "architecture": arch.to_dict(), "optimizer": optimizer.to_dict(),
        "learning_rate": run.learning_rate, "epochs": epochs, "batch_size": batch_size,
        "seed": seed})
    history: dict[str, list[float]] = {b: [] for b in run.backends}
    start: dict[str, float] = {}  # each backend's cost before the first update
    step = 0
    try:
        for epoch in range(1, epochs + 1):
            totals = dict.fromkeys(run.backends, 0.0)
            for Xb, Yb in run.batches(X, Y, batch_size):
                step += 1
                for backend, cost in run.step(Xb, Yb, run.draw_masks(Yb.shape[1])).items():
                    start.setdefault(backend, cost)
                    totals[backend] += cost * Yb.shape[1]
            for backend in run.backends:
                history[backend].append(totals[backend] / Y.shape[1])
            if on_epoch:
                on_epoch(epoch, epochs, {b: h[-1] for b, h in history.items()})
        finals = run.final_params()
        _check_finite(finals, epochs, step)
    except ni.DivergenceError as exc:
        quantity = exc.quantity if exc.quantity.startswith("the ") else (
            f"the numpy {exc.quantity}")
        error = ni.DivergenceError(quantity, exc.value, epoch, step)
        result.diverged = str(error)
        result.runs = {b: BackendRun(b, history[b], None, None, None, run.seconds[b])
                       for b in run.backends}
        error.partial = result  # type: ignore[attr-defined]
        raise error from exc
    for backend in run.backends:
        cost, train_acc = run.evaluate(backend, finals[backend], X, Y)
        test_acc = None if X_test is None else run.evaluate(
            backend, finals[backend], X_test.astype(arch.dtype), Y_test.astype(arch.dtype))[1]
        result.runs[backend] = BackendRun(backend, history[backend], cost, train_acc, test_acc,
                                          run.seconds[backend])
    if len(finals) == 2:
        result.max_param_diff = max(float(np.max(np.abs(finals["numpy"][k] - finals["keras"][k])))
                                    for k in finals["numpy"])
    # finite, but blown up (NeuralNetwork.fit's DivergenceWarning): said, not raised
    blown = [m for b in run.backends
             if (m := ni.blow_up(history[b], f"{b} cost", start.get(b))) is not None]
    if blown:
        result.diverged = blown[0]
    return result
