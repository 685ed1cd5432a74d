"""Course 2 weeks 1 and 2: "Initialization", "Regularization", "Gradient Checking",
"Optimization Methods".

References come from TensorFlow (autodiff, Keras' SGD and learning-rate schedules).
Functions that draw from the course's global seed are checked on what is deterministic
about them: shapes, zero biases, the scale of the weights, an exact partition into
mini-batches, the keep rate and the 1/keep_prob scaling of dropout masks, and what those
masks do downstream. The gradient-checking assignment ships ``backward_propagation_n``
with deliberate mistakes for the learner to find: it is not graded; the learner's
``gradient_check_n`` must report a large difference for such gradients and a small one
for right ones. Conventions: ``gradient_check``/``gradient_check_n`` with or without
``print_msg``; ``update_parameters_with_adam`` returning 3 values (before 2021) or 5
(with ``v_corrected``, ``s_corrected``); ``update_lr``/``schedule_lr_decay`` only from 2021.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping

import numpy as np
import tensorflow as tf

from parity.learner.assignment import Assignment
from parity.learner.common import (
    Checks,
    DivergenceError,
    bce,
    call,
    count,
    expect,
    gradients,
    items,
    mapping,
    same_values,
    scalar,
    standing_in,
    t,
)
from parity.learner.deep import check_random_weights, updated

THREE_LAYERS = (3, 5, 4, 1)
GC_DIMS = (4, 5, 3, 1)  # the course's gradient-checking network (its helpers' shapes)


class _Checks(Checks):
    salt = 23

    def params(self, dims: tuple[int, ...], scale: float = 0.7) -> dict[str, np.ndarray]:
        out = {}
        for layer in range(1, len(dims)):
            out[f"W{layer}"] = self.rng.standard_normal((dims[layer], dims[layer - 1])) * scale
            out[f"b{layer}"] = self.rng.standard_normal((dims[layer], 1)) * 0.1
        return out

    def data(self, n_x: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        X = self.rng.standard_normal((n_x, m))
        Y = (self.rng.random((1, m)) < 0.5).astype(np.float64)
        Y[0, :2] = (0.0, 1.0)
        return X, Y


def _weights(name: str, out: Mapping, dims: tuple[int, ...]) -> None:
    for layer in range(1, len(dims)):
        for key, shape in ((f"W{layer}", (dims[layer], dims[layer - 1])),
                           (f"b{layer}", (dims[layer], 1))):
            if np.shape(out.get(key)) != shape:
                raise DivergenceError("wrong shape", f"{key} has shape {np.shape(out.get(key))};"
                                      f" expected {shape} for layers_dims {list(dims)}")


# --- initialisation ------------------------------------------------------------------------
class InitChecks(_Checks):
    """Zeros, large random (x 10) and He (x sqrt(2 / n_prev)): shapes, biases, scale."""

    DIMS = (60, 40, 30, 10)  # every layer big enough for its scale to show

    def _scaled(self, name: str, factor: Callable[[int], float], what: str) -> None:
        out = mapping(name, call(self.ctx, name, self.fn(name), list(self.DIMS)))
        _weights(name, out, self.DIMS)
        for layer in range(1, len(self.DIMS)):
            if np.any(np.asarray(out[f"b{layer}"]) != 0):
                raise DivergenceError("mismatch", f"b{layer} should be zeros")
            W = np.asarray(out[f"W{layer}"], float)
            check_random_weights(f"W{layer}", W)
            if W.size < 100:
                continue
            std, want = float(np.std(W)), factor(self.DIMS[layer - 1])
            if not 0.75 * want <= std <= 1.25 * want:
                raise DivergenceError("mismatch", f"W{layer} has standard deviation {std:.4g}; "
                                      f"expected {want:.4g} ({what})")

    def initialize_parameters_zeros(self, name: str) -> None:
        out = mapping(name, call(self.ctx, name, self.fn(name), list(self.DIMS)))
        _weights(name, out, self.DIMS)
        for key, value in out.items():
            if np.any(np.asarray(value) != 0):
                raise DivergenceError("mismatch", f"{key} should be all zeros")

    def initialize_parameters_random(self, name: str) -> None:
        self._scaled(name, lambda n: 10.0, "np.random.randn(...) * 10")

    def initialize_parameters_he(self, name: str) -> None:
        self._scaled(name, lambda n: math.sqrt(2.0 / n), "He: * sqrt(2 / layers_dims[l-1])")


# --- regularisation ------------------------------------------------------------------------
def three_layer_cache(params: Mapping[str, np.ndarray], X: np.ndarray,
                      masks: tuple[np.ndarray, np.ndarray] | None = None,
                      keep_prob: float = 1.0) -> tuple:
    """The course's cache ``(Z1, A1, W1, b1, ...)`` (with ``D1``/``D2`` after ``Z1``/``Z2``
    when ``masks`` are given), relu, relu, sigmoid, computed by TensorFlow."""
    A, cache = t(X), []
    for layer in (1, 2, 3):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = tf.matmul(t(W), A) + t(b)
        if layer < 3:
            A = tf.nn.relu(Z)
            if masks is not None:
                D = t(masks[layer - 1])
                A = A * D / keep_prob
                cache += [Z.numpy(), masks[layer - 1], A.numpy(), W, b]
                continue
        else:
            A = tf.sigmoid(Z)
        cache += [Z.numpy(), A.numpy(), W, b]
    return tuple(cache)


def regularized_gradients(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                          lambd: float = 0.0, masks: tuple | None = None,
                          keep_prob: float = 1.0) -> tuple[float, dict[str, np.ndarray]]:
    """Keras' BCE (+ lambd/(2m) sum ||W||^2) of the 3-layer net, dropout masks applied,
    and its autodiff gradients."""
    keys = ("W1", "b1", "W2", "b2", "W3", "b3")
    m = X.shape[1]

    def cost(*v):
        A = t(X)
        for layer in (1, 2, 3):
            Z = tf.matmul(v[2 * layer - 2], A) + v[2 * layer - 1]
            A = tf.sigmoid(Z) if layer == 3 else tf.nn.relu(Z)
            if masks is not None and layer < 3:
                A = A * t(masks[layer - 1]) / keep_prob
        l2 = sum(tf.reduce_sum(tf.square(v[i])) for i in (0, 2, 4))
        return bce(A, Y) + lambd / (2 * m) * l2

    grads = gradients(cost, *(params[k] for k in keys))
    return float(cost(*(t(params[k]) for k in keys))), {
        f"d{k}": g for k, g in zip(keys, grads, strict=True)}


class RegularizationChecks(_Checks):
    """L2 cost and backward; dropout forward (masks, scaling, effect) and backward."""

    def compute_cost_with_regularization(self, name: str) -> None:
        params = self.params(THREE_LAYERS)
        X, Y = self.data(3, 7)
        A3 = three_layer_cache(params, X)[9]
        cost = scalar(name, call(self.ctx, name, self.fn(name), A3, Y, params, 0.1))
        expect(name, "cost", "-", cost, regularized_gradients(params, X, Y, 0.1)[0])

    def backward_propagation_with_regularization(self, name: str) -> None:
        params = self.params(THREE_LAYERS)
        X, Y = self.data(3, 7)
        grads = mapping(name, call(self.ctx, name, self.fn(name), X, Y,
                                   three_layer_cache(params, X), 0.7))
        for key, value in regularized_gradients(params, X, Y, 0.7)[1].items():
            expect(name, key, key[2:], grads.get(key), value)

    course_cache: bool | None = None  # does the learner's dropout forward keep the course's?

    def forward_propagation_with_dropout(self, name: str) -> str | None:
        params = self.params(THREE_LAYERS)
        X, _ = self.data(3, 2000)
        keep = 0.63  # not the course's test value (0.7), which a learner may hard-code
        A3, cache = items(name, call(self.ctx, name, self.fn(name), X, params, keep), 2,
                          "(A3, cache)")
        if np.shape(A3) != (1, X.shape[1]):
            raise DivergenceError("wrong shape", f"A3 has shape {np.shape(A3)}; expected "
                                  f"{(1, X.shape[1])}")
        self.course_cache = isinstance(cache, (tuple, list)) and len(cache) == 14
        if not self.course_cache:
            raise DivergenceError("unchecked", "not checked: the masks are not where the "
                                  "course keeps them (cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, "
                                  "W2, b2, Z3, A3, W3, b3)), so what they do cannot be "
                                  "compared")
        masks = []
        for i, layer in ((1, 1), (6, 2)):
            D = np.asarray(cache[i])
            shape = (THREE_LAYERS[layer], X.shape[1])
            if D.shape == shape and np.all((D == 0) | (D == 1)):
                pass
            elif any(_is_mask(np.asarray(c), shape) for c in cache):
                self.course_cache = False  # the masks are there, in another order
                raise DivergenceError("unchecked", "not checked: your cache holds the masks "
                                      "in another order than the course's (cache = (Z1, D1, "
                                      "A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)), so "
                                      "what they do cannot be compared")
            elif D.shape != shape:
                raise DivergenceError("mismatch", f"D{layer} (cache[{i}]) should be a 0/1 mask "
                                      f"of shape {shape}; got shape {D.shape}")
            else:
                odd = D[(D != 0) & (D != 1)].flat[0]
                scaled = np.allclose(D[D != 0], 1 / keep, rtol=1e-12)
                raise DivergenceError("mismatch", f"D{layer} (cache[{i}]) should be a 0/1 mask; "
                                      f"it holds other values (e.g. {odd:.3g}): " + (
                                          f"0 and 1 / keep_prob, a mask already scaled; the "
                                          f"course keeps the 0/1 mask D{layer} < keep_prob in "
                                          f"the cache and divides A{layer} by keep_prob "
                                          "itself (its backward does the same with dA)"
                                          if scaled else
                                          f"threshold the draws (D{layer} < keep_prob)"))
            kept = float(np.mean(D))
            spread = 5 * math.sqrt(keep * (1 - keep) / D.size)
            if abs(kept - keep) > spread:
                raise DivergenceError("mismatch", f"D{layer} keeps {kept:.3f} of the units; "
                                      f"expected keep_prob = {keep}")
            masks.append(D.astype(float))
        ref = three_layer_cache(params, X, tuple(masks), keep)
        expect(name, "A1 (after dropout: * D1 / keep_prob)", 1, cache[2], ref[2])
        expect(name, "A3", 3, A3, ref[11])
        return None

    def backward_propagation_with_dropout(self, name: str) -> None:
        if self.course_cache is False:
            raise DivergenceError("unchecked", "not checked: your forward keeps its cache in "
                                  "another form than the course's tuple, so the course's "
                                  "cache cannot be handed to your backward")
        params = self.params(THREE_LAYERS)
        X, Y = self.data(3, 9)
        keep = 0.77  # not the course's test value (0.8)
        masks = tuple((self.rng.random((n, 9)) < keep).astype(float) for n in (5, 4))
        grads = mapping(name, call(self.ctx, name, self.fn(name), X, Y,
                                   three_layer_cache(params, X, masks, keep), keep))
        ref = regularized_gradients(params, X, Y, 0.0, masks, keep)[1]
        for key, value in ref.items():
            expect(name, key, key[2:], grads.get(key), value)


def _is_mask(array: np.ndarray, shape: tuple[int, int]) -> bool:
    """A dropout mask of ``shape``: only 0 and 1, both present."""
    return (array.shape == shape and bool(np.all((array == 0) | (array == 1)))
            and 0 < float(np.mean(array)) < 1)


# --- gradient checking ---------------------------------------------------------------------
def relative_difference(grad: np.ndarray, approx: np.ndarray) -> float:
    """The course's ||g - g~|| / (||g|| + ||g~||), with TensorFlow norms."""
    g, a = t(np.ravel(grad)), t(np.ravel(approx))
    return float(tf.norm(g - a) / (tf.norm(g) + tf.norm(a)))


def forward_propagation_n_reference(X: np.ndarray, Y: np.ndarray,
                                    parameters: Mapping[str, np.ndarray]) -> tuple[float, tuple]:
    """The assignment's ``forward_propagation_n`` (3 layers, relu, relu, sigmoid; mean
    cross-entropy), computed by TensorFlow; supplied when a submission lacks it."""
    cache = three_layer_cache(parameters, X)
    A3 = cache[9]
    cost = float(-tf.reduce_mean(t(Y) * tf.math.log(t(A3))
                                 + (1 - t(Y)) * tf.math.log(1 - t(A3))))
    return cost, cache


def _flatten(grads: Mapping[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(grads[f"d{k}{layer}"]) for layer in (1, 2, 3)
                           for k in ("W", "b")])


def centred_differences(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray,
                        eps: float) -> np.ndarray:
    """(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps) for every parameter, in the
    course's order (W1, b1, ..., b3), J computed by TensorFlow."""
    keys = [f"{k}{layer}" for layer in (1, 2, 3) for k in ("W", "b")]
    theta = np.concatenate([np.ravel(params[k]) for k in keys])
    shapes = [params[k].shape for k in keys]

    def cost(vector: np.ndarray) -> float:
        out, start = {}, 0
        for k, shape in zip(keys, shapes, strict=True):
            size = int(np.prod(shape))
            out[k] = vector[start:start + size].reshape(shape)
            start += size
        return forward_propagation_n_reference(X, Y, out)[0]

    approx = np.empty_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        approx[i] = (cost(plus) - cost(minus)) / (2 * eps)
    return approx


class GradientCheckChecks(_Checks):
    """The 1-D warm-up and gradient_check_n, by what they must report."""

    def forward_propagation(self, name: str) -> None:
        for x, theta in ((2, 4), (-1.5, 0.25)):
            J = scalar(name, call(self.ctx, name, self.fn(name), x, theta), "J")
            expect(name, "J", "-", J, (t(theta) * t(x)).numpy())

    def backward_propagation(self, name: str) -> None:
        for x, theta in ((2, 4), (-1.5, 0.25)):
            (ref,) = gradients(lambda th, x=x: th * t(x), theta)
            dtheta = scalar(name, call(self.ctx, name, self.fn(name), x, theta), "dtheta")
            expect(name, "dtheta", "-", dtheta, ref)

    def gradient_check(self, name: str) -> None:
        """Run with the assignment's J = theta x as forward_propagation and a gradient of
        our choosing as backward_propagation (the learner's own are checked on their own
        rows): right (x), doubled (2x) and of the wrong sign (-x), where the difference
        ||g - g~|| / (||g|| + ||g~||) is ~0, 1/3 and 1; a denominator ||g + g~|| gives
        the first two but not the third."""
        x, theta = 3.0, 4.0
        right = self._difference(name, x, theta, lambda x, theta: x)
        if not right < 1e-7:
            raise DivergenceError("mismatch", f"gradient_check(3, 4) returned {right:.3g}; with "
                                  "a right backward_propagation the difference is below 1e-7")
        for how, factor in (("doubled", 2.0), ("of the wrong sign", -1.0)):
            wrong = self._difference(name, x, theta, lambda x, theta, f=factor: f * x)
            expected = relative_difference(np.array(factor * x), np.array(x))
            if not abs(wrong - expected) <= 1e-6 * expected + 1e-7:
                raise DivergenceError("mismatch", f"with the gradient {how}, gradient_check "
                                      f"returned {wrong:.6g}; expected {expected:.6g} (||g - "
                                      "g~|| / (||g|| + ||g~||))")

    def _difference(self, name: str, x: float, theta: float,
                    gradient: Callable[[float, float], float]) -> float:
        """The learner's gradient_check(x, theta) run with J = theta x as the forward and
        ``gradient`` as the backward, in the learner's module (whatever decorates it)."""
        with standing_in(self.ctx, {"forward_propagation": lambda x, theta: theta * x,
                                    "backward_propagation": gradient}):
            return scalar(name, call(self.ctx, name, self.fn(name), x, theta), "difference")

    def gradient_check_n(self, name: str) -> str | None:
        fn = self.fn(name)
        note = None
        supplied = "forward_propagation_n" not in self.ctx.namespace
        if supplied:
            note = "your code has no forward_propagation_n: the assignment's was supplied"
        stand_ins = {"forward_propagation_n": forward_propagation_n_reference} if supplied \
            else {}
        with standing_in(self.ctx, stand_ins):
            params = self.params(GC_DIMS)
            X, Y = self.data(4, 3)
            grads = regularized_gradients(params, X, Y)[1]
            for key in grads:
                grads[key] = np.asarray(grads[key])
            small = scalar(name, call(self.ctx, name, fn, params, grads, X, Y), "difference")
            if not small < 2e-7:
                raise DivergenceError("mismatch", f"gradient_check_n returned {small:.3g} for "
                                      "right gradients; expected a difference below 2e-7")
            broken = copy.deepcopy(grads)
            broken["dW2"] = broken["dW2"] * 2  # the mistakes the assignment plants
            broken["db1"] = broken["db1"] * 4
            for label, given, eps in (("right gradients", grads, 1e-3),
                                      ("gradients with dW2 * 2 and db1 * 4", broken, 1e-7)):
                value = scalar(name, call(self.ctx, name, fn, params, given, X, Y, eps),
                               "difference")
                ref = relative_difference(_flatten(given), centred_differences(params, X, Y,
                                                                               eps))
                if not abs(value - ref) <= 1e-3 * ref + 1e-9:
                    raise DivergenceError(
                        "mismatch", f"gradient_check_n returned {value:.6g} for {label} with "
                        f"epsilon={eps:g}; centred differences give {ref:.6g} (||grad - "
                        "gradapprox|| / (||grad|| + ||gradapprox||))")
        return note


# --- optimisation --------------------------------------------------------------------------
class OptimizationChecks(_Checks):
    """Gradient descent, mini-batches, momentum, Adam and learning-rate decay."""

    DIMS = (4, 3, 2)

    def _state(self, scale: float = 0.3) -> dict[str, np.ndarray]:
        return {f"d{k}": v * scale for k, v in self.params(self.DIMS).items()}

    def update_parameters_with_gd(self, name: str) -> None:
        params, grads = self.params(self.DIMS), self._state(1.0)
        new = mapping(name, call(self.ctx, name, self.fn(name), params, grads, 0.05))
        for key, value in updated(params, grads, 0.05).items():
            expect(name, key, key[1:], new.get(key), value)

    def random_mini_batches(self, name: str) -> str | None:
        self._batches(name, 128, 32, [32, 32, 32, 32], seed=0)  # m a multiple of the size
        first = self._batches(name, 148, 64, [64, 64, 20], seed=0)
        again = self._batches(name, 148, 64, [64, 64, 20], seed=0)
        other = self._batches(name, 148, 64, [64, 64, 20], seed=3)
        if again != first:
            raise DivergenceError("mismatch", "two calls with the same seed gave different "
                                  "mini-batches: seed the shuffle with the seed argument")
        if other == first and first == sorted(first):
            raise DivergenceError("mismatch", "the examples are never shuffled (every seed "
                                  "gives them in order): shuffle the columns of X and Y "
                                  "with one permutation, np.random.permutation(m)")
        if other == first:
            raise DivergenceError("mismatch", "seeds 0 and 3 gave the same mini-batches: the "
                                  "seed argument is not used")
        # any seeded shuffle is right; the course's grader compares the exact batches
        course = np.random.RandomState(0).permutation(148).tolist()  # = np.random.seed(0)
        if first != course:
            return ("shuffles in another order than the course's np.random.seed(seed); "
                    "np.random.permutation(m) (a right shuffle; the course's grader would "
                    "compare its exact batches)")
        return None

    def _batches(self, name: str, m: int, size: int, sizes_expected: list[int],
                 seed: int) -> list[int]:
        """Check one call; return the order of the examples it produced."""
        X = np.vstack([np.arange(m, dtype=float), self.rng.standard_normal((2, m))])
        Y = np.arange(m, dtype=float).reshape(1, m)
        batches = call(self.ctx, name, self.fn(name), X, Y, size, seed)
        if not isinstance(batches, (list, tuple)):
            raise DivergenceError("bad return", f"{name} returned {type(batches).__name__}; "
                                  "expected a list of (mini_batch_X, mini_batch_Y)")
        sizes, seen = [], []
        for i, batch in enumerate(batches):
            bx, by = items(name, batch, 2, "(mini_batch_X, mini_batch_Y)")
            bx, by = np.asarray(bx), np.asarray(by)
            if bx.ndim != 2 or by.ndim != 2 or bx.shape[0] != 3 or by.shape[0] != 1 or (
                    bx.shape[1] != by.shape[1]):
                raise DivergenceError("wrong shape", f"mini-batch {i} has shapes {bx.shape} and "
                                      f"{by.shape}; expected (3, k) and (1, k)")
            if not np.array_equal(bx[0], by[0]):
                raise DivergenceError("mismatch", f"mini-batch {i}: X and Y columns are not "
                                      "shuffled together (the same permutation for both)")
            if not np.array_equal(bx, X[:, bx[0].astype(int)]):
                raise DivergenceError("mismatch", f"mini-batch {i}: columns of X were changed")
            sizes.append(bx.shape[1])
            seen += list(bx[0])
        if sorted(seen) != list(range(m)):
            raise DivergenceError("mismatch", "the mini-batches do not hold every example "
                                  "exactly once")
        if sizes != sizes_expected:
            raise DivergenceError("mismatch", f"mini-batch sizes {sizes} for m = {m}, size "
                                  f"{size}; expected {sizes_expected}")
        return [int(i) for i in seen]

    def initialize_velocity(self, name: str) -> None:
        params = self.params(self.DIMS)
        given = copy.deepcopy(params)  # what the learner's function gets, looked at after
        v = mapping(name, call(self.ctx, name, lambda _: self.fn(name)(given), params))
        self._zeros_like(name, "v", v, params)
        self._fresh(name, {"v": v}, params, given)

    def _fresh(self, name: str, states: Mapping[str, Mapping], params: Mapping,
               given: Mapping) -> None:
        """Raise when the function changed the parameters it was given, or returned state
        arrays that share memory with them or with each other (v and s the same arrays:
        updating one changes the other)."""
        for key, value in params.items():
            if not same_values(given.get(key), value):
                raise DivergenceError("mismatch", f"{name} changed parameters['{key}'], "
                                      "which it was given; expected new arrays of zeros, "
                                      "the parameters left as they were")
        arrays = [(f"{what}['d{key}']", state.get(f"d{key}")) for what, state in
                  states.items() for key in params]
        arrays += [(f"parameters['{key}']", given.get(key)) for key in params]
        arrays = [(label, a) for label, a in arrays if isinstance(a, np.ndarray)]
        for i, (label, a) in enumerate(arrays):
            for other, b in arrays[i + 1:]:
                if np.shares_memory(a, b):
                    raise DivergenceError("mismatch", f"{label} and {other} are the same "
                                          "memory: updating one changes the other; expected "
                                          "an array of its own for each (np.zeros_like)")

    def _zeros_like(self, name: str, what: str, state: Mapping, params: Mapping) -> None:
        for key, value in params.items():
            expect(name, f"{what}['d{key}']", key[1:], state.get(f"d{key}"),
                   tf.zeros_like(t(value)).numpy())

    def update_parameters_with_momentum(self, name: str) -> None:
        params, grads, v = self.params(self.DIMS), self._state(1.0), self._state(0.2)
        beta, lr = 0.83, 0.0531  # not the usual 0.9 / 0.01, which some learners hard-code
        new, new_v = items(name, call(self.ctx, name, self.fn(name), params, grads, v, beta,
                                      lr), 2, "(parameters, v)")
        new, new_v = mapping(name, new), mapping(name, new_v)
        for key, W in params.items():
            ref_v = beta * t(v[f"d{key}"]) + (1 - beta) * t(grads[f"d{key}"])
            expect(name, f"v['d{key}']", key[1:], new_v.get(f"d{key}"), ref_v.numpy())
            expect(name, key, key[1:], new.get(key), (t(W) - lr * ref_v).numpy())

    def initialize_adam(self, name: str) -> None:
        params = self.params(self.DIMS)
        given = copy.deepcopy(params)
        v, s = items(name, call(self.ctx, name, lambda _: self.fn(name)(given), params), 2,
                     "(v, s)")
        v, s = mapping(name, v), mapping(name, s)
        self._zeros_like(name, "v", v, params)
        self._zeros_like(name, "s", s, params)
        self._fresh(name, {"v": v, "s": s}, params, given)

    def update_parameters_with_adam(self, name: str) -> str | None:
        params, grads = self.params(self.DIMS), self._state(1.0)
        v, s = self._state(0.1), {k: np.abs(x) for k, x in self._state(0.05).items()}
        # the last layer's gradients and second moments tiny: there epsilon dominates, so
        # where it stands (outside the square root) and its value both show
        for key in ("dW2", "db2"):
            grads[key] = grads[key] * 1e-9
            s[key] = np.zeros_like(s[key])
        # not the defaults (0.01, 0.9, 0.999, 1e-8), which some learners hard-code
        step, lr, b1, b2, eps = 3, 0.0173, 0.87, 0.995, 1e-6
        out = call(self.ctx, name, self.fn(name), params, grads, v, s, step, lr, b1, b2, eps)
        if not isinstance(out, (tuple, list)) or len(out) not in (3, 5):
            raise DivergenceError("bad return", f"{name} returned {count(out)}; expected "
                                  "(parameters, v, s) or (parameters, v, s, v_corrected, "
                                  "s_corrected)")
        new, new_v, new_s = (mapping(name, x) for x in out[:3])
        updated_refs = {}
        for key, W in params.items():  # the moments first: epsilon plays no part in them
            g = t(grads[f"d{key}"])
            rv = b1 * t(v[f"d{key}"]) + (1 - b1) * g
            rs = b2 * t(s[f"d{key}"]) + (1 - b2) * tf.square(g)
            vc, sc = rv / (1 - b1 ** step), rs / (1 - b2 ** step)
            expect(name, f"v['d{key}']", key[1:], new_v.get(f"d{key}"), rv.numpy())
            expect(name, f"s['d{key}']", key[1:], new_s.get(f"d{key}"), rs.numpy())
            if len(out) == 5:
                expect(name, f"v_corrected['d{key}']", key[1:],
                       mapping(name, out[3]).get(f"d{key}"), vc.numpy())
                expect(name, f"s_corrected['d{key}']", key[1:],
                       mapping(name, out[4]).get(f"d{key}"), sc.numpy())
            updated_refs[key] = (t(W) - lr * vc / (tf.sqrt(sc) + eps)).numpy()
        # then the parameters. Epsilon dominates the last layer's step (its second moments
        # are tiny) and barely shows in the others: a mistake in epsilon alone is a few
        # parts in a million there, at full size in the last layer, where it is named
        errors = {}
        for key in params:
            try:
                expect(name, key, key[1:], new.get(key), updated_refs[key])
            except DivergenceError as d:
                errors[key] = d
        if not errors:
            return None
        last = [d for key, d in errors.items() if key[1:] == "2"]
        if last and all(d.check is not None and d.check.max_rel < 1e-3
                        for key, d in errors.items() if key[1:] != "2"):
            raise DivergenceError(last[0].status, f"{last[0].detail}; the moments are right, "
                                  "and in this layer the second moments are tiny, so epsilon "
                                  "dominates the step: expected lr v_corrected / "
                                  "(sqrt(s_corrected) + epsilon), epsilon as given and "
                                  "outside the square root", last[0].check)
        raise next(iter(errors.values()))

    def update_lr(self, name: str) -> None:
        import keras

        for lr0, epoch, decay in ((0.5, 2, 1), (0.1, 10, 0.3), (1.0, 0, 2.0)):
            # every argument float64, or Keras rounds through float32: shown to the learner
            ref = keras.optimizers.schedules.InverseTimeDecay(
                *np.float64([lr0, 1, decay]))(np.float64(epoch))
            value = scalar(name, call(self.ctx, name, self.fn(name), lr0, epoch, decay),
                           "learning rate")
            expect(name, f"update_lr({lr0}, {epoch}, {decay})", "-", value, float(ref))

    def schedule_lr_decay(self, name: str) -> None:
        import keras

        for lr0, epoch, decay, interval in ((0.5, 100, 0.3, 100), (0.5, 99, 0.3, 100),
                                            (0.1, 2500, 1.0, 1000), (0.1, 999, 1.0, 1000)):
            ref = keras.optimizers.schedules.InverseTimeDecay(
                *np.float64([lr0, interval, decay]), staircase=True)(np.float64(epoch))
            value = scalar(name, call(self.ctx, name, self.fn(name), lr0, epoch, decay,
                                      interval), "learning rate")
            expect(name, f"schedule_lr_decay({lr0}, {epoch}, {decay}, {interval})", "-",
                   value, float(ref))



ASSIGNMENTS = (
    Assignment("init", "Course 2 week 1: Initialization",
               ("initialize_parameters_zeros", "initialize_parameters_random",
                "initialize_parameters_he"),
               ("initialize_parameters_zeros", "initialize_parameters_random",
                "initialize_parameters_he"), (), InitChecks),
    Assignment("regularization", "Course 2 week 1: Regularization",
               ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                "forward_propagation_with_dropout", "backward_propagation_with_dropout"),
               ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                "forward_propagation_with_dropout", "backward_propagation_with_dropout"), (),
               RegularizationChecks),
    Assignment("gradient_checking", "Course 2 week 1: Gradient Checking",
               ("gradient_check", "gradient_check_n"),
               ("forward_propagation", "backward_propagation", "gradient_check",
                "gradient_check_n"), (), GradientCheckChecks),
    Assignment("optimization", "Course 2 week 2: Optimization Methods",
               ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
                "update_parameters_with_momentum", "initialize_adam",
                "update_parameters_with_adam", "update_lr", "schedule_lr_decay"),
               ("update_parameters_with_gd", "random_mini_batches", "initialize_velocity",
                "update_parameters_with_momentum", "initialize_adam",
                "update_parameters_with_adam"), ("update_lr", "schedule_lr_decay"),
               OptimizationChecks),
)
