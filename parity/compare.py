"""Comparisons of numpy_impl against Keras, each returning a ``ParityReport``.

Data are in the course layout (``X (n_x, m)``, ``Y (n_y, m)``); every conversion to the
Keras layout goes through ``parity.convert``. Both sides start from the same parameters
(numpy_impl's initialiser, copied into Keras) and, where dropout is on, the same masks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from typing import Any

import keras
import numpy as np

import keras_impl as ki
import numpy_impl as ni
from parity.architecture import (
    Architecture,
    build_keras,
    build_numpy,
    initial_params,
    keras_reuse,
    leased_keras,
)
from parity.convert import (
    copy_to_keras,
    keras_grads_to_numpy,
    masks_to_keras,
    params_from_keras,
    to_keras_data,
)
from parity.inference import compare_inference
from parity.magnitudes import gradient_magnitudes
from parity.numerical import (  # noqa: F401 (make_data, away_from_kinks re-exported)
    NumericalGradient,
    away_from_kinks,
    fingerprint,
    make_data,
    numerical_gradient,
    numpy_forward,
)
from parity.report import (
    ONE_EXAMPLE,
    Comparison,
    ParityReport,
    compare_arrays,
    compare_scalar_below,
    compare_to_numerical,
)
from parity.tolerances import (
    Tolerance,
    adaptive_epsilon,
    operations,
    tolerance,
)
from parity.train import Lockstep, draw_masks, keras_form, keras_optimizer_for

Params = dict[str, np.ndarray]
Masks = Mapping[int, np.ndarray] | None


# --- set-up -------------------------------------------------------------------------
def paired_models(arch: Architecture, params: Params | None = None, seed: int = 0,
                  l2_batch_size: int | None = None,
                  model: keras.Model | None = None) -> tuple[Params, keras.Model]:
    """numpy_impl params (``params`` or freshly initialised) and a Keras model holding the
    very same values: ``model`` (built for ``arch``, e.g. leased: ``leased_keras``) or a
    new one."""
    params = initial_params(arch, seed) if params is None else params
    model = build_keras(arch, seed, l2_batch_size=l2_batch_size) if model is None else model
    copy_to_keras(params, model)
    return params, model


@contextmanager
def _paired(arch: Architecture, params: Params | None,
            seed: int) -> Iterator[tuple[Params, keras.Model]]:
    """``paired_models`` on a leased Keras model, for the duration of the block."""
    with leased_keras(arch, seed) as model:
        yield paired_models(arch, params, seed, model=model)


# --- forward and cost -------------------------------------------------------------------
def compare_forward(arch: Architecture, X: np.ndarray, params: Params | None = None,
                    masks: Masks = None, seed: int = 0) -> ParityReport:
    """Each layer's activations ``A{l}`` (after dropout where masks are given)."""
    with _paired(arch, params, seed) as (params, model):
        AL, caches = numpy_forward(arch, X, params, masks)  # validates X first
        theirs = ki.forward(model, to_keras_data(X), masks_to_keras(masks or {}))
    ours = [c.A_prev for c in caches[1:]] + [AL]
    report = ParityReport(f"forward: {arch.label()}")
    for layer, (a, k) in enumerate(zip(ours, theirs, strict=True), start=1):
        tol = tolerance(arch.dtype, "forward", arch.layer_dims, layer=layer)
        report.add(compare_arrays("forward A", layer, to_keras_data(a), k.numpy(), tol,
                                  group="forward"))
    return report


def cost_forms(arch: Architecture) -> list[tuple[str, str, dict[str, Any]]]:
    """``(keras form, note, numpy compute_cost options)`` for each way to compute the cost."""
    if arch.loss == "mse":
        return [("probabilities", "mse both sides", {})]
    if arch.output_activation == "linear":
        return [("logits", "both from logits", {"from_logits": True})]
    return [
        ("probabilities", "numpy: logits form; keras: probabilities, computed by TF from the "
         "tracked logits", {"from_logits": True}),
        ("clipped", "both clip probabilities to [1e-7, 1-1e-7]", {"clip": ni.KERAS_EPSILON}),
    ]


def compare_cost(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                 params: Params | None = None, masks: Masks = None,
                 seed: int = 0) -> ParityReport:
    """The cost (L2 included) in every form that applies: tracked logits, clipped
    probabilities, logits; saturated outputs are fine."""
    with _paired(arch, params, seed) as (params, model):
        AL, caches = numpy_forward(arch, X, params, masks)  # validates X first
        theirs = [ki.batch_loss(model, to_keras_data(X), to_keras_data(Y), loss=arch.loss,
                                form=form, lambd=arch.lambd,
                                masks=masks_to_keras(masks or {})).numpy()
                  for form, _, _ in cost_forms(arch)]
    report = ParityReport(f"cost: {arch.label()}")
    cost_tol = tolerance(arch.dtype, "cost", arch.layer_dims, X.shape[1])
    for (form, note, options), keras_cost in zip(cost_forms(arch), theirs, strict=True):
        value = caches[-1].Z if options.get("from_logits") else AL
        ours = ni.compute_cost(value, Y, arch.loss, params=params, lambd=arch.lambd, **options)
        report.add(compare_arrays(f"cost[{form}]", "-", np.asarray(ours, arch.dtype),
                                  keras_cost, cost_tol, note=note, group="cost"))
    return report


# --- gradients --------------------------------------------------------------------------
def compare_gradients(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                      params: Params | None = None, masks: Masks = None, seed: int = 0,
                      numerical: bool | NumericalGradient = True) -> ParityReport:
    """Every ``dW{l}``, ``db{l}`` and ``dA0``: numpy_impl's backward against Keras autodiff,
    and (float64, no dropout) both against centred differences: three-way agreement
    (``numerical``: False to leave them out, or their NumPy half computed beforehand,
    see ``numerical_checks``)."""
    with _paired(arch, params, seed) as (params, model):
        AL, caches = numpy_forward(arch, X, params, masks)
        ours = ni.model_backward(AL, Y, caches, arch.hidden_activation,
                                 arch.output_activation, arch.loss, arch.lambd)
        raw = ki.gradients(model, to_keras_data(X), to_keras_data(Y), loss=arch.loss,
                           form=keras_form(arch), lambd=arch.lambd,
                           masks=masks_to_keras(masks or {}))
        theirs = keras_grads_to_numpy(raw, X.shape[1])
        # norm-wise, relative to the magnitudes of the terms each gradient sums (a db that
        # is a small difference of large terms carries their error: parity.magnitudes)
        tol = tolerance(arch.dtype, "gradient", arch.layer_dims, X.shape[1])
        terms = gradient_magnitudes(AL, Y, caches, arch.hidden_activation,
                                    arch.output_activation, arch.loss, arch.lambd)
        report = ParityReport(f"gradients: {arch.label()}")
        for layer in range(1, arch.L + 1):
            for p in ("W", "b"):
                key = f"d{p}{layer}"
                report.add(compare_arrays(f"d{p}", layer, ours[key], theirs[key],
                                          tol.absolute(terms[key]), group="gradients"))
        report.add(compare_arrays("dA0 (input)", 0, ours["dA0"], theirs["dA0"],
                                  tol.absolute(terms["dA0"]),
                                  note="per example, as the course: keras input gradient * m",
                                  group="gradients"))
        if numerical and arch.dtype == "float64" and not masks:
            checks = numerical_checks(arch, X, Y, params, model, None if isinstance(
                numerical, bool) else numerical)
            report.add(checks)
            if not checks:  # said, not silently left out (found by review)
                report.notes.append(f"no numerical gradient check: every one of the "
                                    f"{X.shape[1]} examples sits at a relu kink (a "
                                    "pre-activation near 0), where centred differences are "
                                    "not a derivative; numpy and keras are compared")
    return report


def numerical_checks(arch: Architecture, X: np.ndarray, Y: np.ndarray, params: Params,
                     model: keras.Model,
                     numerical: NumericalGradient | None = None) -> list[Comparison]:
    """Centred differences against numpy_impl's and Keras' gradients, per parameter, on
    the examples away from relu kinks. ``numerical``: ``numerical_gradient(arch, X, Y,
    params)`` computed beforehand (elsewhere: a ValueError unless it was computed from
    these very inputs), else computed here."""
    if numerical is None:
        numerical = numerical_gradient(arch, X, Y, params)
    elif numerical.inputs != fingerprint(arch, X, Y, params):
        raise ValueError("numerical was computed from other inputs than arch, X, Y, params")
    keep, result = numerical.keep, numerical.result
    X, Y = X[:, keep], Y[:, keep]
    if result is None:
        return []
    raw = ki.gradients(model, to_keras_data(X), to_keras_data(Y), loss=arch.loss,
                       form=keras_form(arch), lambd=arch.lambd)
    _, layout = ni.params_to_vector(params)
    g_keras = ni.grads_to_vector(keras_grads_to_numpy(raw, X.shape[1]), layout)
    floor = result.roundoff_floor()
    dropped = int(np.sum(~keep))
    note = (f"rel = ||g-g~||/(||g||+||g~||); or max|g-g~| <= round-off {floor:.1e}"
            + (f"; {dropped} example(s) at a kink left out" if dropped else ""))
    checks, start = [], 0
    for key, shape in layout:
        size = int(np.prod(shape))
        part = slice(start, start + size)
        start += size
        approx = result.grad_approx[part]
        for side, g in (("numpy", result.grad[part]), ("keras", g_keras[part])):
            checks.append(compare_to_numerical(
                f"d{key[0]}", key[1:], g, approx, floor, side, note,
                lambda k, shape=shape: tuple(int(i) for i in np.unravel_index(k, shape))))
    return checks


# --- training ---------------------------------------------------------------------------
def optimizer_label(optimizer: ni.GradientDescent) -> str:
    """e.g. "adam/keras", "momentum"."""
    form = getattr(optimizer, "form", None)
    return optimizer.name + (f"/{form}" if form else "")


def training_tolerance(arch: Architecture, optimizer: ni.GradientDescent, m: int,
                       steps: int, learning_rate: float,
                       quantity: str = "trajectory") -> Tolerance:
    """The tolerance of the parameters (``quantity="trajectory"``) or of the batch cost
    (``"cost"``) after ``steps`` updates on batches of ``m`` (see ``parity.tolerances``):
    the cost's own rounding plus the parameters' difference carried through the forward
    pass (each pre-activation sums ``n_{l-1} + 1`` of them)."""
    adaptive = adaptive_epsilon(optimizer)
    params = tolerance(arch.dtype, "trajectory", arch.layer_dims, m, steps=steps,
                       learning_rate=learning_rate, adaptive_epsilon=adaptive)
    if quantity == "trajectory":
        return params
    # the cost is taken before the update: it sees the parameters of ``steps - 1`` updates
    before = tolerance(arch.dtype, "trajectory", arch.layer_dims, m, steps=max(1, steps - 1),
                       learning_rate=learning_rate, adaptive_epsilon=adaptive)
    carried = (before.atol if steps > 1 else 0.0) * operations(arch.layer_dims, "forward")
    own = tolerance(arch.dtype, "cost", arch.layer_dims, m)
    return Tolerance(own.rtol + carried, own.atol + carried)


def _endless(run: Lockstep, X: np.ndarray, Y: np.ndarray,
             batch_size: int | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Epoch after epoch of the network's mini-batches, reshuffled when each epoch starts."""
    while True:
        yield from run.batches(X, Y, batch_size)


def _keep_worst(worst: dict[str, tuple[Comparison, int]], check: Comparison, step: int) -> None:
    def badness(c: Comparison) -> float:
        return float("inf") if not c.passed else c.max_rel

    key = f"{check.quantity}{check.layer}"
    if key not in worst or badness(check) > badness(worst[key][0]):
        worst[key] = (check, step)


def compare_training(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                     optimizer: ni.GradientDescent | str = "gd", steps: int = 5,
                     batch_size: int | None = None, learning_rate: float = 0.01,
                     params: Params | None = None, seed: int = 0) -> ParityReport:
    """``steps`` training steps on both sides from the same parameters, the same
    mini-batches (shuffled, ragged last batch) and the same dropout masks; parameters
    and batch costs are compared after every step, and the worst step is reported."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive int (a comparison of 0 steps compares "
                         f"nothing), got {steps!r}")
    optimizer = ni.get_optimizer(optimizer)
    params = initial_params(arch, seed) if params is None else params
    worst: dict[str, tuple[Comparison, int]] = {}
    m = X.shape[1] if batch_size is None else min(batch_size, X.shape[1])
    with leased_keras(arch, seed) as model:
        run = Lockstep(arch, optimizer, learning_rate, params, seed, model=model)
        for step, (Xb, Yb) in enumerate(islice(_endless(run, X, Y, batch_size), steps),
                                        start=1):
            tol_c = training_tolerance(arch, optimizer, m, step, learning_rate, "cost")
            tol_p = training_tolerance(arch, optimizer, m, step, learning_rate)
            costs = run.step(Xb, Yb, run.draw_masks(Xb.shape[1]))
            _keep_worst(worst, compare_arrays(
                "step cost", "-", np.asarray(costs["numpy"], arch.dtype),
                np.asarray(costs["keras"], arch.dtype), tol_c, group="training"), step)
            finals = run.final_params()
            for key in finals["numpy"]:
                _keep_worst(worst, compare_arrays(key[0], key[1:], finals["numpy"][key],
                                                  finals["keras"][key], tol_p,
                                                  group="training"), step)
    label = optimizer_label(optimizer)
    report = ParityReport(f"training ({label}, {steps} steps, batch "
                          f"{batch_size or 'full'}): {arch.label()}")
    for check, step in worst.values():
        report.add(Comparison(**{**check.__dict__, "quantity": f"{check.quantity} [{label}]",
                            "note": f"worst at step {step}/{steps}"}))
    return report


def compare_fit(arch: Architecture, X: np.ndarray, Y: np.ndarray,
                optimizer: ni.GradientDescent | str = "gd", epochs: int = 3,
                batch_size: int | None = None, learning_rate: float = 0.01,
                seed: int = 0) -> ParityReport:
    """``NeuralNetwork.fit`` against the custom Keras loop against ``model.fit`` (all
    unshuffled, same batches); final parameters and per-epoch costs.

    ``model.fit`` gets L2 as ``L2(lambd / (2 * batch_size))`` on the kernels: exact only
    when every batch has ``batch_size`` examples (the report notes a ragged last batch).
    """
    if arch.uses_dropout:
        raise ValueError("compare_fit needs an architecture without dropout (model.fit "
                         "cannot replay masks); use compare_training for dropout")
    optimizer = ni.get_optimizer(optimizer)
    m = X.shape[1]
    bs = m if batch_size is None else batch_size
    params = initial_params(arch, seed)
    net = build_numpy(arch, seed, optimizer)
    net.set_params(params)
    costs_np = net.fit(X, Y, epochs, batch_size, learning_rate, shuffle=False)
    runs = {}
    for method in ("loop", "keras"):
        _, model = paired_models(arch, params, seed, l2_batch_size=bs)
        costs = ki.fit(model, keras_optimizer_for(optimizer, learning_rate), to_keras_data(X),
                       to_keras_data(Y), epochs=epochs, batch_size=bs, loss=arch.loss,
                       form=keras_form(arch), method=method,
                       lambd=arch.lambd if method == "loop" else 0.0)
        runs[method] = (costs, params_from_keras(model))
    label = optimizer_label(optimizer)
    report = ParityReport(f"fit ({label}, {epochs} epochs, batch {bs}, unshuffled): "
                          f"{arch.label()}")
    ragged = "; ragged last batch: model.fit's fixed L2 is inexact" if (
        arch.lambd and m % bs) else ""
    n_steps = epochs * -(-m // bs)
    tol_p = training_tolerance(arch, optimizer, bs, n_steps, learning_rate)
    for method, side in (("loop", "keras loop"), ("keras", "model.fit")):
        costs, theirs = runs[method]
        for key in params:
            report.add(compare_arrays(f"{key[0]} after fit", key[1:], net.params[key],
                                      theirs[key], tol_p, ("numpy fit", side),
                                      ragged if method == "keras" else "", group="fit"))
        # model.fit reports its running mean loss in float32, whatever the model's dtype
        cost_tol = training_tolerance(arch.replace(dtype="float32") if method == "keras"
                                      else arch, optimizer, bs, n_steps, learning_rate,
                                      "cost")
        report.add(compare_arrays("epoch costs", "-", np.asarray(costs_np, np.float64),
                                  np.asarray(costs, np.float64), cost_tol, ("numpy fit", side),
                                  "model.fit logs float32" if method == "keras" else "",
                                  group="fit"))
    return report


# --- initialisers ------------------------------------------------------------------------
def compare_initializers(method: str, fan_in: int = 400, fan_out: int = 300,
                         seed: int = 0) -> ParityReport:
    """numpy_impl and Keras initialisers compared by statistics (the streams differ):
    mean (within 5 standard errors of 0 on both sides), variance (within 5%), and the
    largest magnitude, which shows truncation (Keras' HeNormal) where there is one."""
    ours = ni.initialize_parameters([fan_in, fan_out], method, seed)["W1"].T
    init = ki.make_initializer(method, seed)
    theirs = np.asarray(init((fan_in, fan_out), dtype="float64"))
    n = ours.size
    report = ParityReport(f"initializer statistics: {method} ({fan_in}x{fan_out})")
    var_o, var_k = float(ours.var()), float(theirs.var())
    se = max(np.sqrt(max(var_o, var_k) / n), 1e-300)
    for side, w in (("numpy", ours), ("keras", theirs)):
        report.add(compare_scalar_below("init mean/se", "-", abs(float(w.mean())) / se,
                                        _tol(5.0), (side, "0"), "|mean| in standard errors",
                                        group="initializer"))
    if max(var_o, var_k) > 0:
        report.add(compare_scalar_below("init variance", "-", abs(var_o - var_k) / var_k,
                                        _tol(0.05), ("numpy", "keras"),
                                        f"numpy {var_o:.4g}, keras {var_k:.4g}",
                                        group="initializer"))
    report.add(Comparison(
        quantity="init max |w|", layer="-",
        max_abs=abs(np.abs(ours).max() - np.abs(theirs).max()), max_rel=float("nan"),
        index=(), left=float(np.abs(ours).max()), right=float(np.abs(theirs).max()),
        tolerance=_tol(float("inf")), passed=True, note="information only",
        group="initializer"))
    return report


def _tol(rtol: float) -> Tolerance:
    return Tolerance(rtol, 0.0)


# --- whole architectures --------------------------------------------------------------------
OPTIMIZER_SUITE = (ni.GradientDescent(), ni.Momentum(0.9), ni.Adam(form="keras"),
                   ni.Adam(form="textbook"))


def architecture_report(arch: Architecture, m: int = 32, seed: int = 0, steps: int = 3,
                        numerical: bool | NumericalGradient = True) -> ParityReport:
    """Forward, cost, gradients (three-way), inference (``compare_inference``), the
    initialiser's statistics (``compare_initializers``) and training with every mapped
    optimizer
    (mini-batches of m // 3 with a ragged last batch) for one architecture.
    ``numerical``: as ``compare_gradients`` (computed beforehand:
    ``parity.numerical.report_numerical_gradient(arch, m, seed)``)."""
    X, Y = make_data(arch, m, seed)
    masks = draw_masks(arch, m, np.random.default_rng(seed + 1)) or None
    params = initial_params(arch, seed)
    report = ParityReport(f"parity: {arch.label()}", notes=[ONE_EXAMPLE] if m == 1 else [])
    with keras_reuse():  # one Keras model for every comparison below (leased_keras)
        report.add(compare_forward(arch, X, params, masks, seed))
        report.add(compare_cost(arch, X, Y, params, masks, seed))
        report.add(compare_gradients(arch, X, Y, params, None, seed, numerical))
        report.add(compare_inference(arch, X, Y, params, seed))
        report.add(compare_initializers(arch.initializer, seed=seed))
        if masks:
            report.add(compare_gradients(arch, X, Y, params, masks, seed, numerical=False))
        batch = max(1, m // 3 + 1) if m > 3 else None
        for opt in OPTIMIZER_SUITE:
            report.add(compare_training(arch, X, Y, opt, steps, batch, 0.05, params, seed))
        if arch.dtype == "float32":
            report.add(adaptive_in_float64(arch, X, Y, steps, batch, params, seed))
    return report


def adaptive_in_float64(arch: Architecture, X: np.ndarray, Y: np.ndarray, steps: int,
                        batch_size: int | None, params: Params, seed: int) -> ParityReport:
    """The adaptive optimizers of ``OPTIMIZER_SUITE`` trained again in float64, from the
    same (float32) data and parameters: float32 trajectories of Adam can only be checked
    to 2 lr per step (``parity.tolerances``), which a mistake in its update (a sign, a
    bias correction, epsilon) fits within; in float64 the check is tight. Rows are
    labelled ``[adam/keras, float64]``; a note says why."""
    wide = arch.replace(dtype="float64")
    wide_params = {k: v.astype(np.float64) for k, v in params.items()}
    report = ParityReport("adaptive optimizers in float64")
    for opt in OPTIMIZER_SUITE:
        if adaptive_epsilon(opt) is not None:
            run = compare_training(wide, X.astype(np.float64), Y.astype(np.float64), opt,
                                   steps, batch_size, 0.05, wide_params, seed)
            report.add(dataclasses.replace(c, quantity=c.quantity.replace("]", ", float64]"))
                       for c in run.checks)
    if report.checks:
        report.notes.append("float32 trajectories of Adam are checked only to 2 lr per step "
                            "(an update's sensitivity to rounding where a gradient is as small "
                            "as its error); the rows marked float64 train the same network "
                            "from the same values in float64, where the check is tight")
    return report
