"""``python -m parity check``: verify a learner's from-scratch implementation against Keras.

The learner's module is expected to follow the course's names and cache conventions:
``sigmoid(Z) -> (A, Z)``, ``relu(Z) -> (A, Z)``, ``linear_forward(A, W, b) -> (Z, (A, W, b))``,
``linear_activation_forward(A_prev, W, b, activation) -> (A, (linear_cache, Z))``,
``L_model_forward(X, parameters) -> (AL, caches)`` (relu hidden layers, sigmoid output),
``compute_cost(AL, Y) -> cost``, ``sigmoid_backward(dA, Z)``, ``relu_backward(dA, Z)``,
``linear_backward(dZ, (A_prev, W, b)) -> (dA_prev, dW, db)``,
``linear_activation_backward(dA, cache, activation) -> (dA_prev, dW, db)``,
``L_model_backward(AL, Y, caches) -> {"dA0", ..., "dW1", "db1", ...}``,
``update_parameters(parameters, grads, learning_rate) -> parameters``,
``initialize_parameters_deep(layer_dims) -> parameters``.

Every reference value is computed by Keras/TensorFlow (autodiff for the gradients), never
by numpy_impl. Functions are checked leaves first, so the first divergence points at the
function where the mistake is, not at everything that calls it.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import keras
import numpy as np
import tensorflow as tf

import keras_impl as ki
from parity.convert import copy_to_keras
from parity.report import Comparison, compare_arrays
from parity.tolerances import Tolerance

REQUIRED = ("initialize_parameters_deep", "L_model_forward", "compute_cost",
            "L_model_backward", "update_parameters")
OPTIONAL = ("linear_forward", "linear_activation_forward", "linear_backward",
            "linear_activation_backward", "sigmoid", "relu", "sigmoid_backward",
            "relu_backward")
ORDER = ("sigmoid", "relu", "linear_forward", "linear_activation_forward",
         "initialize_parameters_deep", "L_model_forward", "compute_cost", "sigmoid_backward",
         "relu_backward", "linear_backward", "linear_activation_backward", "L_model_backward",
         "update_parameters")
ARCHITECTURES = ((5, 1), (5, 4, 1), (6, 5, 3, 1), (7, 6, 5, 4, 1))
M = 6
TOL = Tolerance(1e-6, 1e-9)  # a learner's op order differs; real mistakes are far larger
SIDES = ("yours", "keras")


class DivergenceError(Exception):
    """A learner's function did not match; carries the status and the failed check."""

    def __init__(self, status: str, detail: str, check: Comparison | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.check = status, detail, check


@dataclass
class FunctionResult:
    """How one function fared: "match", "mismatch", "wrong shape", "raised",
    "changed its input", "bad return", or "missing"."""

    name: str
    status: str
    detail: str = ""
    check: Comparison | None = None


@dataclass
class CheckResult:
    """All functions' results, in the order they were checked."""

    target: str
    results: list[FunctionResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every required function exists and every present one matched."""
        return bool(self.results) and all(
            r.status == "match" or (r.status == "missing" and r.name in OPTIONAL)
            for r in self.results)

    def first_divergence(self) -> FunctionResult | None:
        """The first function that did not match (missing optional ones aside)."""
        return next((r for r in self.results if r.status not in ("match", "missing")
                     or r.name in REQUIRED and r.status == "missing"), None)

    def text(self) -> str:
        """Function by function, then the first divergence in detail."""
        lines = [f"checking {self.target} against Keras on {len(ARCHITECTURES)} random "
                 f"architectures ({', '.join('-'.join(map(str, a)) for a in ARCHITECTURES)}),"
                 f" m = {M}"]
        width = max(len(r.name) for r in self.results) if self.results else 0
        for r in self.results:
            note = "" if r.status == "match" else f"  {r.detail}"
            if r.status == "missing" and r.name in OPTIONAL:
                note = "  (optional, not checked)"
            lines.append(f"  {r.name.ljust(width)}  {r.status}{note}")
        first = self.first_divergence()
        if first is None:
            lines.append("everything matches Keras")
        else:
            lines.append(f"first divergence: {first.name}: {first.status}: {first.detail}")
            c = first.check
            if c is not None and c.index:
                lines.append(f"  {c.quantity} (layer {c.layer}) worst element {c.index}: "
                             f"yours {c.left!r}, keras {c.right!r}, max abs error "
                             f"{c.max_abs:.3g}, max rel error {c.max_rel:.3g}")
        return "\n".join(lines)


# --- loading --------------------------------------------------------------------------------
def load_learner(target: str) -> ModuleType:
    """Import a learner's module from a file path or a module name (ValueError if not)."""
    path = Path(target)
    try:
        if target.endswith(".py") or path.exists():
            if not path.is_file():
                raise ValueError(f"{target!r} is not a file")
            name = f"_nn_parity_learner_{abs(hash(path.resolve()))}"
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
        return importlib.import_module(target)
    except ValueError:
        raise
    except Exception as exc:  # the learner's module may raise anything on import
        raise ValueError(f"cannot import {target!r}: {type(exc).__name__}: {exc}") from exc


# --- helpers ----------------------------------------------------------------------------------
def _problem(dims: tuple[int, ...], rng: np.random.Generator):
    params = {}
    for layer in range(1, len(dims)):
        params[f"W{layer}"] = rng.standard_normal((dims[layer], dims[layer - 1])) / np.sqrt(
            dims[layer - 1])
        params[f"b{layer}"] = 0.1 * rng.standard_normal((dims[layer], 1))
    X = rng.standard_normal((dims[0], M))
    Y = (rng.random((1, M)) < 0.5).astype(np.float64)
    Y[0, :2] = (0.0, 1.0)  # both classes present
    return params, X, Y


def _call(name: str, fn: Callable, *args: Any) -> Any:
    """Call the learner's function on copies-checked arguments."""
    before = copy.deepcopy(args)
    try:
        out = fn(*args)
    except Exception as exc:  # anything the learner's code raises is a finding
        raise DivergenceError("raised", f"{type(exc).__name__}: {exc}") from exc
    for i, (old, new) in enumerate(zip(before, args, strict=True)):
        if not _same(old, new):
            raise DivergenceError("changed its input", f"argument {i + 1} of {name} was modified "
                             "in place")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(
            a, b, equal_nan=True)
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(
            _same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b if not isinstance(a, float) else (a == b or (a != a and b != b))


def _pair(name: str, out: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise DivergenceError("bad return", f"{name} returned {type(out).__name__}; expected "
                         f"{what}")
    return out[0], out[1]


def _triple(name: str, out: Any) -> tuple[Any, Any, Any]:
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise DivergenceError("bad return", f"{name} returned {type(out).__name__}; expected "
                         "(dA_prev, dW, db)")
    return out[0], out[1], out[2]


def _expect(name: str, quantity: str, layer: int | str, yours: Any, keras_value: Any) -> None:
    yours = np.asarray(yours, dtype=np.float64) if _numeric(yours) else yours
    if not isinstance(yours, np.ndarray):
        raise DivergenceError("bad return", f"{quantity} from {name} is a {type(yours).__name__}, "
                         "not an array")
    check = compare_arrays(quantity, layer, yours, np.asarray(keras_value, np.float64), TOL,
                           SIDES, group="learner")
    if not check.passed:
        status = "wrong shape" if check.note.startswith("shape") else "mismatch"
        detail = check.note if check.note else (
            f"{quantity} of layer {layer} differs (max rel error {check.max_rel:.3g})")
        raise DivergenceError(status, detail, check)


def _numeric(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:  # ragged or odd objects
        return False


def _tensor(x: np.ndarray) -> tf.Tensor:
    return tf.convert_to_tensor(x, dtype=tf.float64)


def _act(name: str, z: tf.Tensor) -> tf.Tensor:
    return keras.activations.sigmoid(z) if name == "sigmoid" else keras.activations.relu(z)


def _keras_model(params: Mapping[str, np.ndarray], dims: tuple[int, ...]) -> keras.Model:
    model = ki.build_model(layer_dims=dims, hidden_activation="relu",
                           output_activation="sigmoid", dtype="float64")
    copy_to_keras(params, model)
    return model


def _course_caches(params: Mapping[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list]:
    """Caches in the course's format, ``((A_prev, W, b), Z)``, built with TensorFlow."""
    L = len(params) // 2
    A, caches = X, []
    for layer in range(1, L + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = (tf.matmul(_tensor(W), _tensor(A)) + _tensor(b)).numpy()
        caches.append(((A.copy(), W.copy(), b.copy()), Z))
        A = _act("sigmoid" if layer == L else "relu", _tensor(Z)).numpy()
    return A, caches


def _keras_cost_grads(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray):
    """Keras' mean BCE and its gradients: dW, db per layer and dA_l per example."""
    L = len(params) // 2
    dims = tuple([X.shape[0]] + [params[f"W{layer}"].shape[0] for layer in range(1, L + 1)])
    model = _keras_model(params, dims)
    layers = ki.dense_layers(model)
    grads = {}
    inputs = [cache[0][0] for cache in _course_caches(params, X)[1]]  # A_prev per layer
    for start in range(L):  # gradient w.r.t. the input of layer start+1
        A = _tensor(inputs[start].T)
        with tf.GradientTape() as tape:
            tape.watch(A)
            out = A
            for layer in layers[start:]:
                out = layer(out)
            cost = tf.reduce_mean(keras.losses.binary_crossentropy(_tensor(Y.T), out))
        variables = [v for layer in layers[start:] for v in (layer.kernel, layer.bias)]
        g = tape.gradient(cost, [A] + variables)
        grads[f"dA{start}"] = g[0].numpy().T * X.shape[1]
        if start == 0:
            for i in range(L):
                grads[f"dW{i + 1}"] = g[1 + 2 * i].numpy().T
                grads[f"db{i + 1}"] = g[2 + 2 * i].numpy().reshape(-1, 1)
            total = float(cost)
    return total, grads


# --- one check per function -------------------------------------------------------------------
def _check_activation(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    Z = np.linspace(-4, 4, 5 * M).reshape(5, M)
    A, cache = _pair(name, _call(name, getattr(mod, name), Z), "(A, cache)")
    _expect(name, "A", "-", A, _act(name, _tensor(Z)).numpy())
    _expect(name, "cache (Z)", "-", cache, Z)


def _check_activation_backward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    act = name.replace("_backward", "")
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((5, M))
    Z[0, 0] = 0.0
    dA = rng.standard_normal((5, M))
    z = _tensor(Z)
    with tf.GradientTape() as tape:
        tape.watch(z)
        out = tf.reduce_sum(_tensor(dA) * _act(act, z))
    _expect(name, "dZ", "-", _call(name, getattr(mod, name), dA, Z), tape.gradient(out, z))


def _check_linear_forward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    W, b = params["W1"], params["b1"]
    Z, cache = _pair(name, _call(name, mod.linear_forward, X, W, b), "(Z, (A, W, b))")
    dense = keras.layers.Dense(W.shape[0], dtype="float64")
    dense.build((None, W.shape[1]))
    dense.set_weights([W.T, b.ravel()])
    _expect(name, "Z", 1, Z, dense(_tensor(X.T)).numpy().T)
    if not isinstance(cache, (tuple, list)) or len(cache) != 3:
        raise DivergenceError("bad return", "cache must be (A_prev, W, b)")


def _check_linear_activation_forward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    for activation in ("relu", "sigmoid"):
        W, b = params["W1"], params["b1"]
        A, cache = _pair(name, _call(name, mod.linear_activation_forward, X, W, b, activation),
                         "(A, (linear_cache, Z))")
        dense = keras.layers.Dense(W.shape[0], activation=activation, dtype="float64")
        dense.build((None, W.shape[1]))
        dense.set_weights([W.T, b.ravel()])
        _expect(name, f"A ({activation})", 1, A, dense(_tensor(X.T)).numpy().T)


def _check_init(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    got = _call(name, mod.initialize_parameters_deep, list(dims))
    if not isinstance(got, Mapping):
        raise DivergenceError("bad return", f"returned {type(got).__name__}; expected a dict")
    model = _keras_model(params, dims)
    for layer, dense in enumerate(ki.dense_layers(model), start=1):
        for key, ref in ((f"W{layer}", dense.kernel.numpy().T),
                         (f"b{layer}", dense.bias.numpy().reshape(-1, 1))):
            if key not in got:
                raise DivergenceError("mismatch", f"parameters has no {key!r}")
            value = np.asarray(got[key])
            if value.shape != ref.shape:
                raise DivergenceError("wrong shape", f"{key} has shape {value.shape}; Keras' "
                                 f"layer {layer} needs {ref.shape}")
        if np.any(np.asarray(got[f"b{layer}"]) != 0):
            raise DivergenceError("mismatch", f"b{layer} should start at zero")
        W = np.asarray(got[f"W{layer}"])
        if W.size > 1 and np.all(W.flat[0] == W):
            raise DivergenceError("mismatch", f"W{layer} is constant: symmetry is never broken")


def _check_L_model_forward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    AL, caches = _pair(name, _call(name, mod.L_model_forward, X, params), "(AL, caches)")
    _expect(name, "AL", len(dims) - 1, AL, ki.forward(_keras_model(params, dims), X.T)[-1]
            .numpy().T)
    if not isinstance(caches, (list, tuple)) or len(caches) != len(dims) - 1:
        raise DivergenceError("bad return", f"caches should hold {len(dims) - 1} entries, one per "
                         "layer")


def _check_cost(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    AL = _course_caches(params, X)[0]
    cost = _call(name, mod.compute_cost, AL, Y)
    value = np.squeeze(np.asarray(cost, dtype=np.float64)) if _numeric(cost) else cost
    ref = tf.reduce_mean(keras.losses.binary_crossentropy(_tensor(Y.T), _tensor(AL.T)))
    _expect(name, "cost", "-", value, ref.numpy())


def _check_linear_backward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    rng = np.random.default_rng(2)
    W, b = params["W1"], params["b1"]
    dZ = rng.standard_normal((W.shape[0], M))
    dA_prev, dW, db = _triple(name, _call(name, mod.linear_backward, dZ, (X, W, b)))
    ref = _linear_reference(X, W, b, dZ, None)
    for q, yours in (("dW", dW), ("db", db), ("dA_prev", dA_prev)):
        _expect(name, q, 1, yours, ref[q])


def _linear_reference(A_prev, W, b, dA, activation):
    """Keras gradients of sum(dA * g(x @ kernel + bias)) / m, in the course layout."""
    dense = keras.layers.Dense(W.shape[0], activation=activation, dtype="float64")
    dense.build((None, W.shape[1]))
    dense.set_weights([W.T, b.ravel()])
    x = _tensor(A_prev.T)
    m = A_prev.shape[1]
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = tf.reduce_sum(_tensor(dA.T) * dense(x)) / m
    gk, gb, gx = tape.gradient(out, [dense.kernel, dense.bias, x])
    return {"dW": gk.numpy().T, "db": gb.numpy().reshape(-1, 1), "dA_prev": gx.numpy().T * m}


def _check_linear_activation_backward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    rng = np.random.default_rng(3)
    W, b = params["W1"], params["b1"]
    for activation in ("relu", "sigmoid"):
        dA = rng.standard_normal((W.shape[0], M))
        Z = W @ X + b
        out = _call(name, mod.linear_activation_backward, dA, ((X, W, b), Z), activation)
        dA_prev, dW, db = _triple(name, out)
        ref = _linear_reference(X, W, b, dA, activation)
        for q, yours in (("dW", dW), ("db", db), ("dA_prev", dA_prev)):
            _expect(name, f"{q} ({activation})", 1, yours, ref[q])


def _check_L_model_backward(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    AL, caches = _course_caches(params, X)
    grads = _call(name, mod.L_model_backward, AL, Y, caches)
    if not isinstance(grads, Mapping):
        raise DivergenceError("bad return", f"returned {type(grads).__name__}; expected a dict")
    _, ref = _keras_cost_grads(params, X, Y)
    L = len(dims) - 1
    for layer in range(L, 0, -1):
        for key in (f"dW{layer}", f"db{layer}", f"dA{layer - 1}"):
            if key not in grads:
                raise DivergenceError("mismatch", f"grads has no {key!r} (keys: {sorted(grads)})")
            _expect(name, key[:2], layer if key[1] != "A" else layer - 1, grads[key], ref[key])


def _check_update(mod: ModuleType, name: str, dims, params, X, Y) -> None:
    _, grads = _keras_cost_grads(params, X, Y)
    grads = {k: v for k, v in grads.items() if not k.startswith("dA")}
    new = _call(name, mod.update_parameters, params, grads, 0.1)
    if not isinstance(new, Mapping):
        raise DivergenceError("bad return", f"returned {type(new).__name__}; expected a dict")
    model = _keras_model(params, dims)
    layers = ki.dense_layers(model)
    variables = [v for d in layers for v in (d.kernel, d.bias)]
    keras_grads = [g for i in range(1, len(layers) + 1)
                   for g in (grads[f"dW{i}"].T, grads[f"db{i}"].ravel())]
    ki.make_optimizer("gd", 0.1).apply_gradients(zip(keras_grads, variables, strict=True))
    for i, dense in enumerate(layers, start=1):
        _expect(name, "W", i, new.get(f"W{i}", np.empty(0)), dense.kernel.numpy().T)
        _expect(name, "b", i, new.get(f"b{i}", np.empty(0)), dense.bias.numpy().reshape(-1, 1))


CHECKS: dict[str, Callable] = {
    "sigmoid": _check_activation, "relu": _check_activation,
    "linear_forward": _check_linear_forward,
    "linear_activation_forward": _check_linear_activation_forward,
    "initialize_parameters_deep": _check_init, "L_model_forward": _check_L_model_forward,
    "compute_cost": _check_cost, "sigmoid_backward": _check_activation_backward,
    "relu_backward": _check_activation_backward, "linear_backward": _check_linear_backward,
    "linear_activation_backward": _check_linear_activation_backward,
    "L_model_backward": _check_L_model_backward, "update_parameters": _check_update,
}


def check_learner(target: str | ModuleType, seed: int = 0) -> CheckResult:
    """Check every course function ``target`` defines, on several random architectures."""
    module = target if isinstance(target, ModuleType) else load_learner(target)
    result = CheckResult(getattr(module, "__file__", None) or str(target))
    rng = np.random.default_rng(seed)
    problems = [(dims, *_problem(dims, rng)) for dims in ARCHITECTURES]
    for name in ORDER:
        if not callable(getattr(module, name, None)):
            result.results.append(FunctionResult(name, "missing", "not defined"
                                                 + (" (required)" if name in REQUIRED else "")))
            continue
        outcome = FunctionResult(name, "match")
        for dims, params, X, Y in problems:
            try:
                CHECKS[name](module, name, dims, params, X, Y)
            except DivergenceError as d:
                arch = "-".join(map(str, dims))
                outcome = FunctionResult(name, d.status, f"{d.detail} [architecture {arch}]",
                                         d.check)
                break
        result.results.append(outcome)
    return result
