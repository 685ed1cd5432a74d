"""Parity of networks of layers (conv, pooling, flatten, batchnorm, dense, dropout,
activation): numpy_impl's ``LayeredNetwork`` against keras_impl's layered models.

Both sides start from the same parameters and moving statistics (numpy_impl's
initialiser, copied into Keras through ``parity.convert``) and, where dropout is on, the
same masks. Compared: every layer's output (inference mode on the moving statistics, and
training mode on batch statistics with replayed masks), the cost, the gradient of every
kernel, bias, gamma and beta and of the input (three-way with centred differences in
float64), and training trajectories with the moving statistics after every step.
``LayeredLockstep`` and ``train_layered_side_by_side`` train both sides side by side on
real data (the command line's ``train`` with a layer specification).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import keras
import numpy as np

import keras_impl as ki
import numpy_impl as ni
from numpy_impl.layered import backward_layers, forward_layers, layered_cost
from parity.architecture import (  # noqa: F401 (LAYERED_ZOO, LayerArchitecture re-exported)
    LAYERED_ZOO,
    LayerArchitecture,
    keras_reuse,
    leased_model,
)
from parity.convert import layered_params_from_keras, layered_params_to_keras
from parity.numerical import random_targets, with_zero_example
from parity.report import (
    ONE_EXAMPLE,
    Comparison,
    ParityReport,
    compare_arrays,
    compare_to_numerical,
)
from parity.tolerances import Tolerance, adaptive_epsilon, operations, tolerance
from parity.train import (
    BACKENDS,
    LockstepBase,
    SideBySide,
    keras_form,
    keras_optimizer_for,
    train_in_lockstep,
)

Params = dict[str, np.ndarray]
Masks = Mapping[int, np.ndarray] | None


def error_dims(arch: ni.LayerNetworkConfig) -> tuple[int, ...]:
    """The lengths of the sums each layer rounds, as ``parity.tolerances``' layer sizes:
    a dense layer's fan-in, a conv layer's ``f * f * c_in`` plus its output positions (its
    kernel gradient sums over them), an average pool's window, a batchnorm's positions per
    channel; then the outputs."""
    dims: list[int] = []
    for i, spec in enumerate(arch.layers, start=1):
        inp, out = arch.input_shape_of(i), arch.shapes[i - 1]
        if spec.kind == "dense":
            dims.append(inp[0])
        elif spec.kind == "conv":
            dims.append(spec.kernel_size ** 2 * inp[2] + out[0] * out[1])
        elif spec.kind == "avgpool":
            dims.append(spec.pool_size ** 2)
        elif spec.kind == "batchnorm":
            dims.append(inp[0] * inp[1] if len(inp) == 3 else 1)
    return (*dims, arch.n_out)


def build_layered_numpy(arch: ni.LayerNetworkConfig, seed: ni.SeedLike = 0,
                        optimizer: str | ni.GradientDescent = "gd") -> ni.LayeredNetwork:
    """A ``numpy_impl.LayeredNetwork`` for ``arch``."""
    return ni.LayeredNetwork(arch, optimizer, seed)


def build_layered_keras(arch: ni.LayerNetworkConfig, seed: int | None = 0,
                        l2_batch_size: int | None = None) -> keras.Sequential:
    """A keras_impl layered model for ``arch`` (mask dropout)."""
    return ki.build_layered_model(arch.input_shape, [s.to_dict() for s in arch.layers],
                                  arch.initializer, arch.dtype, seed, "mask", l2_batch_size,
                                  arch.lambd if l2_batch_size else 0.0)


def layered_data(arch: ni.LayerNetworkConfig, m: int = 16, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Random ``X`` (``(m, H, W, C)`` or ``(n_x, m)``) and targets ``Y (n_out, m)`` that fit
    ``arch.loss``; with m >= 2 the first example is all zeros (``with_zero_example``)."""
    rng = np.random.default_rng(seed)
    shape = arch.input_shape
    images = len(shape) == 3
    X = with_zero_example(rng.standard_normal((m, *shape) if images else (shape[0], m)),
                          axis=0 if images else 1)
    Y = random_targets(arch.loss, arch.n_out, m, rng)
    return X.astype(arch.dtype), Y.astype(arch.dtype)


def to_keras(arch: ni.LayerNetworkConfig, X: np.ndarray) -> np.ndarray:
    """Network layout -> Keras layout: images unchanged, features ``(n, m)`` -> ``(m, n)``."""
    return X.copy() if np.ndim(X) == 4 else np.asarray(X).T.copy()


def paired_layered(arch: ni.LayerNetworkConfig, seed: int = 0,
                   params: Mapping[str, np.ndarray] | None = None,
                   l2_batch_size: int | None = None,
                   model: keras.Model | None = None) -> tuple[ni.LayeredNetwork, keras.Model]:
    """A numpy network and a Keras model holding the very same parameters and moving
    statistics (``params`` as ``get_params`` returns them, or numpy's initialisation): the
    Keras model is ``model`` (built for ``arch``, e.g. leased: ``leased_layered_keras``)
    or a new one."""
    net = build_layered_numpy(arch, seed)
    if params is not None:
        net.set_params(params)
    model = build_layered_keras(arch, seed, l2_batch_size) if model is None else model
    ki.set_layered_weights(model, layered_params_to_keras(net.get_params()))
    return net, model


def leased_layered_keras(arch: ni.LayerNetworkConfig, seed: int = 0) -> Any:
    """``build_layered_keras(arch, seed)`` (no L2 regularizers) as a
    ``parity.architecture.leased_model``: ``with leased_layered_keras(arch) as model:``."""
    return leased_model(lambda: build_layered_keras(arch, seed), ("layered", arch, seed))


@contextmanager
def _paired(arch: ni.LayerNetworkConfig, seed: int, params: Mapping[str, np.ndarray] | None
            ) -> Iterator[tuple[ni.LayeredNetwork, keras.Model]]:
    """``paired_layered`` on a leased Keras model, for the duration of the block."""
    with leased_layered_keras(arch, seed) as model:
        yield paired_layered(arch, seed, params, model=model)


def _masks_to_keras(arch: ni.LayerNetworkConfig, masks: Masks) -> dict[int, np.ndarray]:
    return {i: to_keras(arch, D) for i, D in (masks or {}).items()}


def _tol(arch: ni.LayerNetworkConfig, quantity: str, m: int, **kwargs: Any) -> Tolerance:
    return tolerance(arch.dtype, quantity, error_dims(arch), m, **kwargs)


def _m(arch: ni.LayerNetworkConfig, X: np.ndarray) -> int:
    return X.shape[0] if len(arch.input_shape) == 3 else X.shape[1]


def compare_layered_forward(arch: ni.LayerNetworkConfig, X: np.ndarray,
                            params: Mapping[str, np.ndarray] | None = None,
                            masks: Masks = None, training: bool = False,
                            seed: int = 0) -> ParityReport:
    """Every layer's output, in inference mode (moving statistics, no dropout) or in
    training mode (batch statistics, ``masks`` replayed)."""
    with _paired(arch, seed, params) as (net, model):
        theirs = ki.layered_forward(model, to_keras(arch, X),
                                    _masks_to_keras(arch, masks) if training else None,
                                    training)
    AL, steps, _ = forward_layers(arch, X, net.params, net.state, training, masks)
    ours = [s.A_prev for s in steps[1:]] + [AL]
    mode = "training" if training else "inference"
    report = ParityReport(f"forward ({mode}): {arch.label()}")
    tol = _tol(arch, "forward", _m(arch, X))
    for i, (a, k) in enumerate(zip(ours, theirs, strict=True), start=1):
        report.add(compare_arrays(f"forward {mode} {arch.layers[i - 1].label()}", i,
                                  to_keras(arch, a), k.numpy(), tol, group="forward"))
    return report


def compare_layered_gradients(arch: ni.LayerNetworkConfig, X: np.ndarray, Y: np.ndarray,
                              params: Mapping[str, np.ndarray] | None = None,
                              masks: Masks = None, seed: int = 0, numerical: bool = True,
                              samples: int = 24) -> ParityReport:
    """The cost and the gradient of every kernel, bias, gamma and beta and of the input:
    numpy against Keras autodiff (training mode), and in float64 without dropout both
    against centred differences on up to ``samples`` elements of each parameter."""
    with _paired(arch, seed, params) as (net, model):
        m = Y.shape[1]
        cost, ours = net.gradients(X, Y, masks)
        AL, steps, _ = forward_layers(arch, X, net.params, net.state, True, masks)
        ours["dA0"] = backward_layers(arch, AL, Y, steps, net.params)["dA0"]
        raw = ki.layered_gradients(model, to_keras(arch, X), Y.T.copy(), arch.loss,
                                   keras_form(arch), arch.lambd, _masks_to_keras(arch, masks))
        shapes = arch.param_shapes()
        theirs = layered_params_from_keras({k: v for k, v in raw.items()
                                            if k not in ("loss", "input")}, shapes)
        report = ParityReport(f"gradients: {arch.label()}")
        report.add(compare_arrays("cost", "-", np.asarray(cost, arch.dtype), raw["loss"],
                                  _tol(arch, "cost", m), group="cost"))
        # norm-wise over the whole gradient: a sum that cancels to ~0 (the bias before a
        # batch normalisation has a zero gradient) carries the rounding of the terms it summed
        tol = _tol(arch, "gradient", m).absolute(*(ours["d" + n] for n in shapes),
                                                 *(theirs[n] for n in shapes))
        for name in shapes:
            report.add(compare_arrays(f"d{_split(name)[0]}", _split(name)[1],
                                      ours["d" + name], theirs[name], tol, group="gradients"))
        report.add(compare_arrays("dA0 (input)", 0, to_keras(arch, ours["dA0"]),
                                  raw["input"] * m, tol, note="per example: keras input "
                                  "gradient * m", group="gradients"))
        if numerical and arch.dtype == "float64" and not masks:
            report.add(_numerical(arch, net, model, X, Y, samples, seed))
    return report


def away_from_kinks(arch: ni.LayerNetworkConfig, net: ni.LayeredNetwork, X: np.ndarray,
                    margin: float = 1e-5) -> np.ndarray:
    """Boolean ``(m,)``: examples whose relu-like pre-activations all stay ``margin`` away
    from the kink (centred differences are meaningless at a kink)."""
    _, steps, _ = forward_layers(arch, X, net.params, net.state, True)
    keep = np.ones(_m(arch, X), dtype=bool)
    for spec, step in zip(arch.layers, steps, strict=True):
        if spec.activation in ("relu", "leaky_relu") and step.Z is not None:
            Z = np.abs(step.Z)
            per_example = Z.reshape(Z.shape[0], -1).min(axis=1) if Z.ndim == 4 else Z.min(axis=0)
            keep &= per_example > margin
    return keep


def _numerical(arch: ni.LayerNetworkConfig, net: ni.LayeredNetwork, model: keras.Model,
               X: np.ndarray, Y: np.ndarray, samples: int, seed: int) -> list[Comparison]:
    """Centred differences of the numpy cost (training mode) on sampled elements of every
    parameter, against both backends' gradients, on the examples away from relu kinks."""
    keep = away_from_kinks(arch, net, X)
    if not np.any(keep):
        return []
    X = X[keep] if len(arch.input_shape) == 3 else X[:, keep]
    Y = Y[:, keep]
    _, ours = net.gradients(X, Y)
    raw = ki.layered_gradients(model, to_keras(arch, X), Y.T.copy(), arch.loss,
                               keras_form(arch), arch.lambd)
    theirs = layered_params_from_keras({k: v for k, v in raw.items()
                                        if k not in ("loss", "input")}, arch.param_shapes())
    dropped = int(np.sum(~keep))
    rng = np.random.default_rng(seed)
    eps = 1e-6
    checks = []
    for name, value in net.params.items():
        flat = rng.choice(value.size, min(samples, value.size), replace=False)
        approx = np.empty(flat.size)
        for j, k in enumerate(flat):
            idx = np.unravel_index(k, value.shape)
            costs = []
            for delta in (eps, -eps):
                changed = value.copy()
                changed[idx] += delta
                probe = {**net.params, name: changed}
                AL, steps, _ = forward_layers(arch, X, probe, net.state, True)
                costs.append(layered_cost(arch, probe, AL, steps, Y))
            approx[j] = (costs[0] - costs[1]) / (2 * eps)
        floor = 10 * np.finfo(np.float64).eps * max(1.0, abs(costs[0])) / eps
        for side, grads in (("numpy", ours["d" + name]), ("keras", theirs[name])):
            checks.append(compare_to_numerical(
                f"d{_split(name)[0]}", _split(name)[1], grads.reshape(-1)[flat], approx, floor,
                side, f"{flat.size} sampled elements" + (
                    f"; {dropped} example(s) at a kink left out" if dropped else ""),
                lambda k, flat=flat: (int(flat[k]),)))
    return checks


def _step_cost_tol(arch: ni.LayerNetworkConfig, m: int, step: int, learning_rate: float,
                   adaptive: float | None) -> Tolerance:
    """The batch cost before update ``step``: its own rounding plus the parameters'
    difference after ``step - 1`` updates carried through the forward pass (as
    ``parity.training_tolerance``)."""
    own = _tol(arch, "cost", m)
    if step == 1:
        return own
    before = _tol(arch, "trajectory", m, steps=step - 1, learning_rate=learning_rate,
                  adaptive_epsilon=adaptive)
    carried = before.atol * operations(error_dims(arch), "forward")
    return Tolerance(own.rtol + carried, own.atol + carried)


def compare_layered_training(arch: ni.LayerNetworkConfig, X: np.ndarray, Y: np.ndarray,
                             optimizer: ni.GradientDescent | str = "gd", steps: int = 3,
                             batch_size: int | None = None, learning_rate: float = 0.01,
                             params: Mapping[str, np.ndarray] | None = None,
                             seed: int = 0) -> ParityReport:
    """``steps`` training steps on both sides in lockstep (``LayeredLockstep``: the numpy
    network's mini-batches and dropout masks, replayed in Keras); parameters, moving
    statistics and batch costs compared after every step, the worst step reported."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    optimizer = ni.get_optimizer(optimizer)
    m = _m(arch, X) if batch_size is None else min(batch_size, _m(arch, X))
    adaptive = adaptive_epsilon(optimizer)
    worst: dict[str, tuple[Comparison, int]] = {}

    def badness(check: Comparison) -> float:
        return float("inf") if not check.passed else check.max_rel

    def keep(check: Comparison, step: int) -> None:
        key = f"{check.quantity}{check.layer}"
        if key not in worst or badness(check) > badness(worst[key][0]):
            worst[key] = (check, step)

    def endless() -> Any:
        while True:
            yield from run.batches(X, Y, batch_size)

    with leased_layered_keras(arch, seed) as model:
        run = LayeredLockstep(arch, optimizer, learning_rate, params, seed, model=model)
        for step, (Xb, Yb) in enumerate(islice(endless(), steps), start=1):
            costs = run.step(Xb, Yb, run.draw_masks(Yb.shape[1]))
            keep(compare_arrays("step cost", "-", np.asarray(costs["numpy"], arch.dtype),
                                np.asarray(costs["keras"], arch.dtype),
                                _step_cost_tol(arch, m, step, learning_rate, adaptive),
                                group="training"), step)
            tol_p = _tol(arch, "trajectory", m, steps=step, learning_rate=learning_rate,
                         adaptive_epsilon=adaptive)
            finals = run.final_params()
            for name, value in finals["numpy"].items():
                keep(compare_arrays(_split(name)[0], _split(name)[1], value,
                                    finals["keras"][name], tol_p, group="training"), step)
    label = optimizer.name + (f"/{optimizer.form}" if getattr(optimizer, "form", None) else "")
    report = ParityReport(f"training ({label}, {steps} steps, batch {batch_size or 'full'}): "
                          f"{arch.label()}")
    for check, step in worst.values():
        report.add(Comparison(**{**check.__dict__, "quantity": f"{check.quantity} [{label}]",
                                 "note": f"worst at step {step}/{steps}"}))
    return report

def _split(name: str) -> tuple[str, str]:
    """``"gamma3"`` -> ``("gamma", "3")``."""
    match = re.fullmatch(r"([A-Za-z_]+?)(\d+)", name)
    return (match.group(1), match.group(2)) if match else (name, "-")


def layered_report(arch: ni.LayerNetworkConfig, m: int = 12, seed: int = 0, steps: int = 3,
                   numerical: bool = True) -> ParityReport:
    """Forward (inference and training), cost and gradients (three-way), and training
    with every optimizer of the suite, for one network of layers."""
    from parity.compare import OPTIMIZER_SUITE

    X, Y = layered_data(arch, m, seed)
    net = build_layered_numpy(arch, seed)
    masks = net.draw_masks(m) or None
    params = net.get_params()
    report = ParityReport(f"parity: {arch.label()}", notes=[ONE_EXAMPLE] if m == 1 else [])
    with keras_reuse():  # one Keras model for every comparison below (leased_layered_keras)
        report.add(compare_layered_forward(arch, X, params, seed=seed))
        report.add(compare_layered_forward(arch, X, params, masks, training=True, seed=seed))
        report.add(compare_layered_gradients(arch, X, Y, params, None, seed, numerical))
        if masks:
            report.add(compare_layered_gradients(arch, X, Y, params, masks, seed, False))
        batch = m // 3 + 1
        for opt in OPTIMIZER_SUITE:
            report.add(compare_layered_training(arch, X, Y, opt, steps, batch, 0.05, params,
                                                seed))
    return report


# --- side-by-side training (the command line's ``train`` with a layer specification) ----
class LayeredLockstep(LockstepBase):
    """A ``numpy_impl.LayeredNetwork`` and a keras_impl layered model that take the same
    steps, as ``parity.train.Lockstep`` does for dense networks: the same initial
    parameters and moving statistics (``paired_layered``, or ``params``), the network's
    mini-batches and dropout masks replayed in Keras, the Keras side
    ``keras_impl.make_layered_train_step`` (moving statistics updated as ``model.fit``
    does). Data ``X (m, H, W, C)`` or ``(n_x, m)``, ``Y (n_out, m)``; the final
    parameters include the moving statistics. ``model``: the Keras model to train (built
    for ``arch`` without L2 regularizers, e.g. leased: ``leased_layered_keras``), default a
    new one."""

    def __init__(self, arch: ni.LayerNetworkConfig, optimizer: ni.GradientDescent,
                 learning_rate: float, params: Mapping[str, np.ndarray] | None = None,
                 seed: int = 0, backends: Sequence[str] = BACKENDS,
                 compiled: bool = False, model: keras.Model | None = None) -> None:
        self.start(arch, learning_rate, backends)
        if "keras" in self.backends:
            self.net, self.model = paired_layered(arch, seed, params, model=model)
            self.keras_step = ki.make_layered_train_step(
                self.model, keras_optimizer_for(optimizer, learning_rate), arch.loss,
                keras_form(arch), arch.lambd, compiled=compiled)
        else:
            self.net = build_layered_numpy(arch, seed)
            if params is not None:
                self.net.set_params(params)
        self.net.optimizer, self.net.opt_state = optimizer, optimizer.init_state(self.net.params)

    @property
    def dropout_layers(self) -> list[int]:
        """Positions of the dropout layers with keep probability < 1 (1-based)."""
        return [i for i, s in enumerate(self.arch.layers, start=1)
                if s.kind == "dropout" and s.keep_prob < 1.0]

    def keras_inputs(self, X: np.ndarray, Y: np.ndarray, masks: dict) -> tuple[Any, ...]:
        """Images unchanged, features and ``Y`` transposed, masks in Keras' layout."""
        return to_keras(self.arch, X), Y.T.copy(), _masks_to_keras(self.arch, masks)

    def keras_params(self) -> Params:
        """Kernels, biases, gammas, betas and moving statistics in the numpy layout."""
        shapes = {**self.arch.param_shapes(), **self.arch.state_shapes()}
        return layered_params_from_keras(ki.get_layered_weights(self.model), shapes)

    def evaluate(self, backend: str, params: Params, X: np.ndarray,
                 Y: np.ndarray) -> tuple[float, float | None]:
        """``(cost, accuracy)`` in inference mode (moving statistics, no dropout, L2
        included): a ``LayeredNetwork`` holding ``params``, or the Keras model; the
        accuracy is None for an "mse" loss."""
        arch = self.arch
        if backend == "numpy":
            net = build_layered_numpy(arch)
            net.set_params(params)
            return net.cost(X, Y), (None if arch.loss == "mse" else net.evaluate(X, Y))
        Xk, Yk = ki.check_xy(self.model, to_keras(arch, X), Y.T, arch.loss)
        cost = float(ki.layered_loss(self.model, Xk, Yk, arch.loss, keras_form(arch),
                                     arch.lambd, training=False))
        return cost, (None if arch.loss == "mse" else
                      ki.accuracy(self.model, Xk, Yk, arch.loss, keras_form(arch)))


def train_layered_side_by_side(arch: ni.LayerNetworkConfig, X: np.ndarray, Y: np.ndarray,
                               X_test: np.ndarray | None = None,
                               Y_test: np.ndarray | None = None,
                               optimizer: ni.GradientDescent | str = "adam",
                               learning_rate: float = 0.001, epochs: int = 10,
                               batch_size: int | None = 32, seed: int = 0,
                               backends: Sequence[str] = BACKENDS, title: str = "",
                               on_epoch: Callable[[int, int, dict[str, float]], None] | None
                               = None) -> SideBySide:
    """``parity.train.train_side_by_side`` for a network of layers (``LayeredLockstep``,
    compiled Keras step; the same epoch loop, ``train_in_lockstep``): per-epoch costs of
    both backends, final cost, train/test accuracy in inference mode, times, the largest
    difference of parameters and moving statistics; ``DivergenceError`` with ``partial``."""
    optimizer = ni.get_optimizer(optimizer)
    run = LayeredLockstep(arch, optimizer, learning_rate, None, seed, backends, compiled=True)
    return train_in_lockstep(run, optimizer, X, Y, X_test, Y_test, epochs, batch_size, seed,
                             title, on_epoch)
