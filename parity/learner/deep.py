"""Course 1 week 4: "Building your Deep Neural Network: Step by Step" and the application
(``two_layer_model``, ``L_layer_model``). Relu hidden layers, a sigmoid output, BCE.

Conventions accepted because the course used each of them: ``dA`` keys numbered
``dA0..dA(L-1)`` or ``dA1..dAL``; parameters updated in place (a note); caches in the
course's ``((A_prev, W, b), Z)`` or any other form the learner's own forward and backward
use consistently (checked through their pipeline); ``np.dot`` or ``@``; a cost as a
number or 0-d array. Checks that feed the course's caches to a backward function run only
when the learner's forward produces them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from parity.learner.assignment import Assignment
from parity.learner.common import (
    Checks,
    Context,
    DivergenceError,
    activation,
    bce,
    call,
    close,
    count,
    expect,
    gradients,
    items,
    mapping,
    pair,
    same_values,
    scalar,
    standing_in,
    t,
)

ARCHITECTURES = ((5, 1), (5, 4, 1), (6, 5, 3, 1), (7, 6, 5, 4, 1))
M = 6
LR = 0.0731
"""A learning rate no learner hard-codes (0.1, 0.0075, 1.2 and 0.05 all occur)."""
Problem = tuple[tuple[int, ...], dict[str, np.ndarray], np.ndarray, np.ndarray]


def problems(seed: int) -> list[Problem]:
    """Parameters, X and 0/1 labels (both classes present) for each architecture."""
    rng = np.random.default_rng(seed)
    out = []
    for dims in ARCHITECTURES:
        params = {}
        for layer in range(1, len(dims)):
            params[f"W{layer}"] = rng.standard_normal((dims[layer], dims[layer - 1])) / (
                np.sqrt(dims[layer - 1]))
            params[f"b{layer}"] = 0.1 * rng.standard_normal((dims[layer], 1))
        X = rng.standard_normal((dims[0], M))
        Y = (rng.random((1, M)) < 0.5).astype(np.float64)
        Y[0, :2] = (0.0, 1.0)
        out.append((dims, params, X, Y))
    return out


# --- references (TensorFlow) ---------------------------------------------------------------
def forward_reference(params: Mapping[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list]:
    """AL and the course's caches ``((A_prev, W, b), Z)``, computed by TensorFlow."""
    L = len(params) // 2
    A, caches = X, []
    for layer in range(1, L + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = (tf.matmul(t(W), t(A)) + t(b)).numpy()
        caches.append(((A.copy(), W.copy(), b.copy()), Z))
        A = activation("sigmoid" if layer == L else "relu", t(Z)).numpy()
    return A, caches


def cost_and_gradients(params: Mapping[str, np.ndarray], X: np.ndarray,
                       Y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Keras' mean BCE and its autodiff gradients: ``dW{l}``, ``db{l}`` of the mean cost
    and ``dA{l}`` per example (the gradient of m * cost), in the course layout."""
    L = len(params) // 2
    _, caches = forward_reference(params, X)
    grads: dict[str, np.ndarray] = {}
    for start in range(L):
        names = [f"{p}{layer}" for layer in range(start + 1, L + 1) for p in ("W", "b")]

        def cost_from(A, *weights, start=start):
            for i, layer in enumerate(range(start + 1, L + 1)):
                Z = tf.matmul(weights[2 * i], A) + weights[2 * i + 1]
                A = activation("sigmoid" if layer == L else "relu", Z)
            return bce(A, Y)

        tensors = [t(caches[start][0][0])] + [t(params[n]) for n in names]
        with tf.GradientTape() as tape:
            for x in tensors:
                tape.watch(x)
            cost = cost_from(*tensors)
        g = tape.gradient(cost, tensors)
        grads[f"dA{start}"] = g[0].numpy() * X.shape[1]
        if start == 0:
            total = float(cost)
            for name, value in zip(names, g[1:], strict=True):
                grads[f"d{name}"] = value.numpy()
    return total, grads


def dense_reference(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, dA: np.ndarray,
                    act: str | None) -> dict[str, np.ndarray]:
    """Gradients of ``sum(dA * g(W A_prev + b)) / m``: dW, db and dA_prev per example."""
    m = A_prev.shape[1]

    def f(A, W_, b_):
        Z = tf.matmul(W_, A) + b_
        return tf.reduce_sum(t(dA) * (Z if act is None else activation(act, Z))) / m

    gA, gW, gb = (gradients(f, A_prev, W, b))
    return {"dW": gW, "db": gb, "dA_prev": gA * m}


def updated(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
            lr: float) -> dict[str, np.ndarray]:
    """One step of Keras' SGD (no momentum) on variables holding ``params`` (its learning
    rate kept in float64, see docs/design.md)."""
    import keras_impl as ki

    variables = {k: tf.Variable(t(v)) for k, v in params.items()}
    ki.make_optimizer("gd", lr).apply_gradients(
        [(t(grads[f"d{k}"]), variables[k]) for k in params])
    return {k: v.numpy() for k, v in variables.items()}


# --- conventions -----------------------------------------------------------------------------
def is_course_cache(cache: Any, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> bool:
    """True when ``cache`` is ``((A_prev, W, b), Z)`` holding these arrays, Z being
    ``W A_prev + b`` (not A: some learners cache the activation instead); values to
    rounding, the learner computed them."""
    try:
        (a, w, bb), z = cache
        return (all(isinstance(x, np.ndarray) for x in (a, w, bb, z))
                and a.shape == A_prev.shape and close(a, A_prev)
                and np.array_equal(w, W) and np.array_equal(bb, b)
                and z.shape == (W.shape[0], A_prev.shape[1])
                and close(z, W @ A_prev + b))
    except (TypeError, ValueError):
        return False


def dA_numbering(grads: Mapping[str, Any], L: int) -> str | None:
    """"course" (dA0..dA(L-1): dA{l} is the gradient of A{l}), "shifted" (dA1..dAL: dA{l}
    holds the gradient of A{l-1}, as course versions 3 to 5 wrote), or None."""
    keys = set(grads)
    if {f"dA{layer}" for layer in range(L)} <= keys:
        return "course"
    if {f"dA{layer}" for layer in range(1, L + 1)} <= keys:
        return "shifted"
    return None


def compare_grads(ctx: Context, name: str, grads: Any, ref: Mapping[str, np.ndarray],
                  L: int) -> None:
    """Every dW, db and dA of ``grads`` against the reference, in either dA numbering."""
    grads = mapping(name, grads)
    for layer in range(L, 0, -1):
        for key in (f"dW{layer}", f"db{layer}"):
            if key not in grads:
                raise DivergenceError("mismatch", f"grads has no {key!r} (keys: "
                                      f"{sorted(map(str, grads))})")
            expect(name, key[:2], layer, grads[key], ref[key])
    numbering = dA_numbering(grads, L)
    if numbering is None:
        raise DivergenceError("mismatch", f"grads has no dA{L - 1} (nor dA{L}, as older "
                              f"course versions number it); keys: {sorted(map(str, grads))}")
    if numbering == "shifted":
        ctx.note("grads numbers the activation gradients dA1..dAL (dA{l} holding the "
                 "gradient of A{l-1}), as course versions 3 to 5 did; compared that way")
    shift = 1 if numbering == "shifted" else 0
    for layer in range(L - 1, -1, -1):
        key = f"dA{layer + shift}"
        expect(name, f"grads['{key}']", layer, grads[key], ref[f"dA{layer}"])


# --- one check per function -------------------------------------------------------------------
class DeepChecks(Checks):
    """The week 4 functions, each checked alone on every architecture, then the
    learner's own pipeline."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.problems = problems(ctx.seed)
        self.course_caches: bool | None = None  # does the learner's forward make them?
        self.cache_is_z: dict[str, bool] = {}  # their sigmoid/relu cache Z itself?
        self.alone: set[str] = set()  # their sigmoid/relu returning A without a cache

    def activation_forward(self, name: str) -> str | None:
        Z = np.linspace(-4, 4, 5 * M).reshape(5, M)
        out = call(self.ctx, name, self.fn(name), Z)
        if isinstance(out, np.ndarray):  # the learner's own helper, returning A alone
            expect(name, "A", "-", out, activation(name, t(Z)).numpy())
            self.cache_is_z[name] = False
            self.alone.add(name)
            return ("returns A alone, not the course's (A, cache): fine if your own "
                    "functions use it that way")
        A, cache = pair(name, out, "(A, cache)")
        expect(name, "A", "-", A, activation(name, t(Z)).numpy())
        is_z = isinstance(cache, np.ndarray) and cache.shape == Z.shape and np.allclose(cache, Z)
        self.cache_is_z[name] = is_z
        return None if is_z else "its cache is not Z itself: fine if your backward reads it"

    def activation_backward(self, name: str) -> str | None:
        act = name.replace("_backward", "")
        if act in self.alone:
            return self._skip(f"your {act} returns A alone (no cache), so what {name} takes "
                              "is your own code's choice: checked through your "
                              "linear_activation_backward")
        if self.cache_is_z.get(act) is False:
            return self._skip(f"your {act} keeps its cache in another form than Z")
        rng = np.random.default_rng(1)
        Z = rng.standard_normal((5, M))
        Z[0, 0] = Z[2, 3] = 0.0  # relu's kink
        dA = rng.standard_normal((5, M))
        (ref,) = gradients(lambda z: tf.reduce_sum(t(dA) * activation(act, z)), Z)
        yours = call(self.ctx, name, self.fn(name), dA, Z)
        if act == "relu" and np.shape(yours) == Z.shape:
            kink = Z == 0
            away = ~kink
            expect(name, "dZ (away from Z = 0)", "-", np.asarray(yours)[away], ref[away])
            if np.allclose(np.asarray(yours)[kink], dA[kink]):
                return ("relu'(0) taken as 1 (dZ = dA where Z == 0): a kink convention; "
                        "TensorFlow and the course use 0")
        expect(name, "dZ", "-", yours, ref)
        return None

    def initialize_parameters(self, name: str) -> str | None:
        out = mapping(name, call(self.ctx, name, self.fn(name), 40, 30, 20))
        return check_initialised(name, out, (40, 30, 20), ("small",))

    def initialize_parameters_deep(self, name: str) -> str | None:
        for dims in ((40, 30, 20, 10), (12, 3, 1)):  # every layer big enough to see a scale
            out = mapping(name, call(self.ctx, name, self.fn(name), list(dims)))
            note = check_initialised(name, out, dims, ("small", "xavier", "he"))
        return note

    def linear_forward(self, name: str) -> str | None:
        for _, params, X, _ in self.problems:
            W, b = params["W1"], params["b1"]
            Z, cache = pair(name, call(self.ctx, name, self.fn(name), X, W, b),
                            "(Z, cache)")
            expect(name, "Z", 1, Z, (tf.matmul(t(W), t(X)) + t(b)).numpy())
        return None

    def linear_activation_forward(self, name: str) -> str | None:
        for _, params, X, _ in self.problems:
            W, b = params["W1"], params["b1"]
            for act in ("relu", "sigmoid"):
                A, cache = pair(name, call(self.ctx, name, self.fn(name), X, W, b, act),
                                "(A, cache)")
                expect(name, f"A ({act})", 1, A,
                       activation(act, tf.matmul(t(W), t(X)) + t(b)).numpy())
                self.course_caches = bool(self.course_caches is not False
                                          and is_course_cache(cache, X, W, b))
        return None

    def L_model_forward(self, name: str) -> str | None:
        for dims, params, X, _ in self.problems:
            AL, caches = pair(name, call(self.ctx, name, self.fn(name), X, params),
                              "(AL, caches)")
            ref, ref_caches = forward_reference(params, X)
            expect(name, "AL", len(dims) - 1, AL, ref)
            if not isinstance(caches, (list, tuple)) or len(caches) != len(dims) - 1:
                raise DivergenceError("bad return", f"caches holds {count(caches, 'entries')}; "
                                      f"expected {len(dims) - 1}, one per layer")
            follows = all(is_course_cache(c, r[0][0], r[0][1], r[0][2])
                          for c, r in zip(caches, ref_caches, strict=True))
            self.course_caches = bool(self.course_caches is not False and follows)
        return None

    def compute_cost(self, name: str) -> str | None:
        for _, params, X, Y in self.problems:
            AL = forward_reference(params, X)[0]
            cost = scalar(name, call(self.ctx, name, self.fn(name), AL, Y))
            expect(name, "cost", "-", cost, bce(t(AL), Y).numpy())
        return None

    def linear_backward(self, name: str) -> str | None:
        own = not self._linear_cache_is_course()
        if own and self.ctx.function("linear_forward") is None:
            return self._skip("linear_forward's cache is not (A_prev, W, b)")
        rng = np.random.default_rng(2)
        for _, params, X, _ in self.problems:
            W, b = params["W1"], params["b1"]
            dZ = rng.standard_normal((W.shape[0], M))
            cache = self._own_cache("linear_forward", X, W, b) if own else (X, W, b)
            dA_prev, dW, db = items(name, call(self.ctx, name, self.fn(name), dZ, cache),
                                    3, "(dA_prev, dW, db)")
            ref = dense_reference(X, W, b, dZ, None)
            for q, yours in (("dW", dW), ("db", db), ("dA_prev", dA_prev)):
                expect(name, q, 1, yours, ref[q])
        return None

    def linear_activation_backward(self, name: str) -> str | None:
        own = self.course_caches is False
        if own and self.ctx.function("linear_activation_forward") is None:
            return self._skip("your forward's caches are not the course's ((A_prev, W, b), "
                              "Z)")
        rng = np.random.default_rng(3)
        for _, params, X, _ in self.problems:
            W, b = params["W1"], params["b1"]
            for act in ("relu", "sigmoid"):
                dA = rng.standard_normal((W.shape[0], M))
                Z = (tf.matmul(t(W), t(X)) + t(b)).numpy()
                cache = (self._own_cache("linear_activation_forward", X, W, b, act) if own
                         else ((X, W, b), Z))
                try:
                    out = call(self.ctx, name, self.fn(name), dA, cache, act)
                    dA_prev, dW, db = items(name, out, 3, "(dA_prev, dW, db)")
                    ref = dense_reference(X, W, b, dA, act)
                    for q, yours in (("dW", dW), ("db", db), ("dA_prev", dA_prev)):
                        expect(name, f"{q} ({act})", 1, yours, ref[q])
                except DivergenceError as d:
                    if own:
                        d.detail += (" (fed the cache your own linear_activation_forward "
                                     "makes)")
                    raise
        return None

    def L_model_backward(self, name: str) -> str | None:
        if self.course_caches is False:
            return self._skip("your forward's caches are not the course's ((A_prev, W, b), "
                              "Z)")
        for dims, params, X, Y in self.problems:
            AL, caches = forward_reference(params, X)
            grads = call(self.ctx, name, self.fn(name), AL, Y, caches)
            compare_grads(self.ctx, name, grads, cost_and_gradients(params, X, Y)[1],
                          len(dims) - 1)
        return None

    def update_parameters(self, name: str) -> str | None:
        note = None
        for _, params, X, Y in self.problems:
            grads = {k: v for k, v in cost_and_gradients(params, X, Y)[1].items()
                     if not k.startswith("dA")}
            mine = copy.deepcopy(params)
            new = mapping(name, call(self.ctx, name, _in_place_probe(self.fn(name), mine),
                                     mine, grads, LR))
            if not _same(mine, params):
                note = ("updates parameters in place (as the course's templates before 2021 "
                        "did); fine, and checked on copies")
            for key, value in updated(params, grads, LR).items():
                if key not in new:
                    raise DivergenceError("mismatch", f"the returned parameters have no {key!r}")
                expect(name, key[0], key[1:], new[key], value)
        return note

    # --- the learner's own pipeline -------------------------------------------------------
    def pipeline(self) -> str | None:
        """Their forward into their cost, their backward (fed their own caches) and their
        update, compared with TensorFlow at every step; the first diverging step is named."""
        ctx = self.ctx
        for dims, params, X, Y in self.problems:
            L = len(dims) - 1
            ref_AL = forward_reference(params, X)[0]
            ref_cost, ref_grads = cost_and_gradients(params, X, Y)
            step = "L_model_forward"
            try:
                AL, caches = pair(step, call(ctx, step, self.fn(step), X, params),
                                  "(AL, caches)")
                expect(step, "AL", L, AL, ref_AL)
                step = "compute_cost"
                cost = scalar(step, call(ctx, step, self.fn(step), AL, Y))
                expect(step, "cost", "-", cost, ref_cost)
                step = "L_model_backward"
                grads = call(ctx, step, self.fn(step), AL, Y, caches)
                compare_grads(ctx, step, grads, ref_grads, L)
                step = "update_parameters"
                new = call(ctx, step, self.fn(step), copy.deepcopy(params), grads, LR)
                new = mapping(step, new)
                for key, value in updated(params, ref_grads, LR).items():
                    expect(step, key[0], key[1:], new.get(key), value)
            except DivergenceError as d:
                arch = "-".join(map(str, dims))
                hint = ""
                if step == "L_model_backward" and self.course_caches is False:
                    hint = ("; your caches are not the course's ((A_prev, W, b), Z): the "
                            "mistake is in L_model_backward or what it calls, or your "
                            "backward does not read the caches your own forward makes")
                raise DivergenceError(d.status, f"{step}, fed your own previous step: "
                                      f"{d.detail}{hint} [architecture {arch}]", d.check) \
                    from None
        return None

    # --- the application --------------------------------------------------------------------
    def two_layer_model(self, name: str) -> str | None:
        return model_check(self.ctx, name, self.fn(name), "initialize_parameters", (6, 4, 1),
                           lambda fn, X, Y, dims, n: fn(X, Y, dims, learning_rate=LR,
                                                        num_iterations=n, print_cost=False))

    def L_layer_model(self, name: str) -> str | None:
        return model_check(self.ctx, name, self.fn(name), "initialize_parameters_deep",
                           (6, 5, 3, 1),
                           lambda fn, X, Y, dims, n: fn(X, Y, list(dims), learning_rate=LR,
                                                        num_iterations=n, print_cost=False))

    # --- helpers ----------------------------------------------------------------------------
    def _linear_cache_is_course(self) -> bool:
        fn = self.ctx.function("linear_forward")
        if fn is None:
            return self.course_caches is not False
        _, params, X, _ = self.problems[1]
        try:  # through call(): an exit or interrupt in their code stops the check properly
            _, cache = pair("linear_forward", call(self.ctx, "linear_forward", fn, X,
                                                   params["W1"], params["b1"]), "(Z, cache)")
            a, w, b = cache
            return np.array_equal(a, X) and np.array_equal(w, params["W1"])
        except (DivergenceError, TypeError, ValueError):  # checked on its own
            return False

    def _own_cache(self, forward: str, *args: Any) -> Any:
        """The cache the learner's own ``forward`` makes for ``args`` (their layout, whatever
        it is: their backward must read it)."""
        out = call(self.ctx, forward, self.ctx.function(forward), *args)
        return pair(forward, out, "(output, cache)")[1]

    def _skip(self, why: str) -> str:
        raise DivergenceError("skipped", f"not run alone: {why}; checked through your own "
                              "pipeline")


def model_check(ctx: Context, name: str, fn: Callable, init_name: str,
                dims: tuple[int, ...], run: Callable, lr: float = LR,
                gradients: Callable | None = None, iterations: int = 3) -> str | None:
    """A learner's whole model: its own starting point (the model run for 0 iterations,
    the global NumPy generator replayed so that both runs draw the same), its shapes
    against ``dims``, then ``iterations`` steps compared with TensorFlow gradient descent
    from that start. ``gradients(params, X, Y)`` gives the reference gradients (default:
    the week 4 network). A model that cannot run 0 iterations has its initialiser
    (``init_name``) replaced instead; if it does not call it, it is not compared."""
    gradients = gradients or (lambda p, X, Y: cost_and_gradients(p, X, Y)[1])
    rng = np.random.default_rng(ctx.seed + 7)
    X = rng.standard_normal((dims[0], 12))
    Y = (rng.random((1, 12)) < 0.5).astype(np.float64)
    Y[0, :2] = (0.0, 1.0)
    state = np.random.get_state()  # the learner's global generator, replayed (not reseeded)

    def attempt(n: int) -> Mapping:
        np.random.set_state(state)
        out = call(ctx, name, lambda: run(fn, X, Y, dims, n))
        return mapping(name, out[0] if isinstance(out, tuple) else out)

    note = None
    try:
        start = {k: np.asarray(v, float) for k, v in attempt(0).items()}
    except DivergenceError:  # e.g. it reads costs[-1]: choose the start for it instead
        start = {}
        for layer in range(1, len(dims)):
            start[f"W{layer}"] = rng.standard_normal((dims[layer], dims[layer - 1])) * 0.3
            start[f"b{layer}"] = 0.1 * rng.standard_normal((dims[layer], 1))
        out, calls = run_with_start(ctx, name, fn, init_name, start,
                                    lambda: run(fn, X, Y, dims, iterations))
        if not calls:
            raise DivergenceError("unchecked", f"not checked: your {name} fails with 0 "
                                  f"iterations and does not call {init_name}, so its "
                                  "starting point is unknown here") from None
        note = f"checked from a starting point given to your {init_name}"
        got = mapping(name, out[0] if isinstance(out, tuple) else out)
    else:
        for layer in range(1, len(dims)):
            for key, shape in ((f"W{layer}", (dims[layer], dims[layer - 1])),
                               (f"b{layer}", (dims[layer], 1))):
                if np.shape(start.get(key)) != shape:
                    raise DivergenceError("mismatch", f"with layer sizes {list(dims)} your "
                                          f"{name} starts with {key} of shape "
                                          f"{np.shape(start.get(key))}; expected {shape}")
        got = attempt(iterations)
    expected = start
    for _ in range(iterations):
        expected = updated(expected, gradients(expected, X, Y), lr)
    for key, value in expected.items():
        expect(name, f"{key} after {iterations} iterations", key[1:], got.get(key), value)
    return note


def run_with_start(ctx: Context, name: str, fn: Callable, init_name: str,
                   start: Mapping[str, np.ndarray], run: Callable[[], Any]) -> tuple[Any, int]:
    """Run a learner's model with ``init_name`` (looked up in its module) replaced by one
    returning ``start``; ``(output, how many times the initialiser was called)``."""
    calls = []

    def initialiser(*args: Any, **kwargs: Any) -> dict[str, np.ndarray]:
        calls.append(args)
        return copy.deepcopy(dict(start))

    with standing_in(ctx, {init_name: initialiser}):
        return call(ctx, name, run), len(calls)


def check_initialised(name: str, params: Mapping[str, Any], dims: tuple[int, ...],
                      scales: tuple[str, ...]) -> str | None:
    """Shapes, zero biases, broken symmetry, and a scale the course uses (``small``:
    randn * 0.01; ``xavier``: / sqrt(n_prev); ``he``: * sqrt(2 / n_prev))."""
    found = set()
    for layer in range(1, len(dims)):
        W = np.asarray(params.get(f"W{layer}", np.empty(0)))
        b = np.asarray(params.get(f"b{layer}", np.empty(0)))
        if W.shape != (dims[layer], dims[layer - 1]):
            raise DivergenceError("wrong shape", f"W{layer} has shape {W.shape}; expected "
                                  f"{(dims[layer], dims[layer - 1])} for layer_dims {dims}")
        if b.shape != (dims[layer], 1):
            raise DivergenceError("wrong shape", f"b{layer} has shape {b.shape}; expected "
                                  f"{(dims[layer], 1)}")
        if np.any(b != 0):
            raise DivergenceError("mismatch", f"b{layer} should start at zero")
        if W.size > 1 and np.all(W.flat[0] == W):
            raise DivergenceError("mismatch", f"W{layer} is constant: symmetry is never broken")
        check_random_weights(f"W{layer}", W)
        std, n = float(np.std(W)), dims[layer - 1]
        targets = {"small": 0.01, "xavier": 1 / np.sqrt(n), "he": np.sqrt(2 / n)}
        # the standard deviation of N normal draws is off by 1 / sqrt(2 N) of itself (one
        # sigma): 5 sigma tells * 0.1 from / sqrt(40), or / sqrt(n_l) from / sqrt(n_prev)
        spread = min(5 / np.sqrt(2 * W.size), 2.0)
        near = {k for k in scales if abs(std / targets[k] - 1) <= spread}
        if near:
            near = {min(near, key=lambda k: abs(np.log(std / targets[k])))}
        if not near and W.size >= 30:  # fewer draws say little about the scale
            raise DivergenceError("mismatch", f"W{layer} has standard deviation {std:.3g}; "
                                  "expected about " + " or ".join(
                                      f"{targets[k]:.3g} ({k})" for k in scales))
        found |= near
    names = {"small": "* 0.01", "xavier": "/ sqrt(n_prev), as the application's helper",
             "he": "* sqrt(2 / n_prev), He"}
    return None if found <= {"small"} or len(scales) == 1 else (
        "weights scaled " + " or ".join(names[k] for k in sorted(found)))



def check_random_weights(key: str, W: np.ndarray) -> None:
    """Raise unless the weights ``W`` (a 2-D array) look like independent draws centred on
    0: no two rows equal (units with the same weights learn the same: symmetry is not
    broken) and, with 30 draws or more, a mean within 5 sigma of 0 (sigma = std / sqrt(N)),
    not ``(randn + 3) * scale`` or ``rand() * scale``."""
    W = np.asarray(W, float)
    if W.ndim == 2 and W.shape[0] > 1:
        _, first, counts = np.unique(W, axis=0, return_index=True, return_counts=True)
        if np.any(counts > 1):
            row = W[first[np.argmax(counts > 1)]]
            i, j = np.flatnonzero(np.all(row == W, axis=1))[:2]
            raise DivergenceError("mismatch", f"rows {i} and {j} of {key} are identical: units "
                                  "with the same weights learn the same (symmetry is not "
                                  "broken); expected independent draws for every weight")
    if W.size >= 30:
        mean, std = float(np.mean(W)), float(np.std(W))
        if abs(mean) > 5 * std / np.sqrt(W.size):
            raise DivergenceError("mismatch", f"{key} has mean {mean:.3g} (standard deviation "
                                  f"{std:.3g}); expected draws centred on 0, such as "
                                  "np.random.randn(...) * scale")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return same_values(a, b)
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(
            _same(a[k], b[k]) for k in a)
    return a == b


def _in_place_probe(fn: Callable, target: dict) -> Callable:
    """``fn`` called on ``target`` itself (not a copy), so an in-place update shows."""
    def probe(params, grads, lr):
        return fn(target, grads, lr)
    return probe


ASSIGNMENTS = (
    Assignment("deep_step", "Course 1 week 4: Building your Deep Neural Network, Step by Step",
               ("initialize_parameters_deep", "L_model_forward", "L_model_backward",
                "linear_activation_forward", "linear_activation_backward", "linear_forward",
                "linear_backward"),
               ("initialize_parameters", "initialize_parameters_deep", "linear_forward",
                "linear_activation_forward", "L_model_forward", "compute_cost",
                "linear_backward", "linear_activation_backward", "L_model_backward",
                "update_parameters"),
               ("sigmoid", "relu", "sigmoid_backward", "relu_backward"), DeepChecks,
               ("L_model_forward", "compute_cost", "L_model_backward", "update_parameters")),
    Assignment("deep_app", "Course 1 week 4: Deep Neural Network, Application",
               ("two_layer_model", "L_layer_model"), ("two_layer_model", "L_layer_model"), (),
               DeepChecks),
)
