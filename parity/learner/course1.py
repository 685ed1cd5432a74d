"""Course 1 weeks 2 and 3: "Python Basics with Numpy", "Logistic Regression with a Neural
Network mindset", "Planar data classification with one hidden layer".

Every reference is computed by TensorFlow (autodiff for gradients). Conventions across
versions: ``normalizeRows`` or ``normalize_rows``; integer inputs (the course's own tests
pass them); ``initialize_with_zeros`` returning ``b`` as ``0`` or ``0.0``; ``predict``
returning bool, int or float 0/1 (inputs never sit exactly at 0.5); the planar
``compute_cost(A2, Y)`` (from 2021) or ``compute_cost(A2, Y, parameters)`` (before).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from parity.learner.assignment import Assignment
from parity.learner.common import (
    Checks,
    DivergenceError,
    Notes,
    activation,
    bce,
    call,
    count,
    expect,
    gradients,
    items,
    mapping,
    number,
    pair,
    scalar,
    t,
)
from parity.learner.deep import check_initialised, model_check, updated


class _Checks(Checks):
    salt = 11


# --- Python basics with NumPy ------------------------------------------------------------------
class BasicsChecks(_Checks):
    """Each function on integer and float inputs, against TensorFlow."""

    def basic_sigmoid(self, name: str) -> None:
        for x in (3, -1.5, 0):
            value = scalar(name, call(self.ctx, name, self.fn(name), x), "sigmoid")
            expect(name, f"basic_sigmoid({x})", "-", value, tf.sigmoid(t(x)).numpy())

    def sigmoid(self, name: str) -> None:
        for x in (np.array([1, 2, 3]), self.rng.standard_normal((3, 4))):
            expect(name, "sigmoid(x)", "-", call(self.ctx, name, self.fn(name), x),
                   tf.sigmoid(t(x)).numpy())

    def sigmoid_derivative(self, name: str) -> None:
        for x in (np.array([1, 2, 3]), self.rng.standard_normal((3, 4))):
            (ref,) = gradients(lambda v: tf.reduce_sum(tf.sigmoid(v)), x)
            expect(name, "ds", "-", call(self.ctx, name, self.fn(name), x), ref)

    def image2vector(self, name: str) -> None:
        image = self.rng.standard_normal((3, 3, 2))
        expect(name, "v", "-", call(self.ctx, name, self.fn(name), image),
               tf.reshape(t(image), (-1, 1)).numpy())

    def normalizeRows(self, name: str) -> None:
        for x in (np.array([[0, 3, 4], [1, 6, 4]]), self.rng.standard_normal((4, 5))):
            ref = t(x) / tf.norm(t(x), axis=1, keepdims=True)
            expect(name, "x normalised", "-", call(self.ctx, name, self.fn(name), x),
                   ref.numpy())

    def softmax(self, name: str) -> None:
        for x in (np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]),
                  self.rng.standard_normal((3, 4))):
            expect(name, "softmax (over each row)", "-",
                   call(self.ctx, name, self.fn(name), x), tf.nn.softmax(t(x), axis=1).numpy())

    def L1(self, name: str) -> None:
        self._loss(name, lambda d: tf.reduce_sum(tf.abs(d)))

    def L2(self, name: str) -> None:
        self._loss(name, lambda d: tf.reduce_sum(tf.square(d)))

    def _loss(self, name: str, f: Callable) -> None:
        for yhat, y in ((np.array([.9, 0.2, 0.1, .4, .9]), np.array([1, 0, 0, 1, 1])),
                        (self.rng.random(7), (self.rng.random(7) > 0.5).astype(int))):
            value = scalar(name, call(self.ctx, name, self.fn(name), yhat, y), "loss")
            expect(name, "loss", "-", value, f(t(y) - t(yhat)).numpy())


# --- logistic regression -------------------------------------------------------------------
def _logistic_problem(rng: np.random.Generator, n: int = 4, m: int = 9):
    w = rng.standard_normal((n, 1)) * 0.5
    b = 0.3
    X = rng.standard_normal((n, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    Y[0, :2] = (0.0, 1.0)
    return w, b, X, Y


def logistic_reference(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray):
    """Keras' BCE of sigmoid(w.T X + b) and its autodiff gradients dw, db."""
    def cost(w_, b_):
        return bce(tf.sigmoid(tf.matmul(w_, t(X), transpose_a=True) + b_), Y)

    dw, db = gradients(cost, w, b)
    return float(cost(t(w), t(b))), dw, float(db)


class LogisticChecks(_Checks):
    """sigmoid, initialize_with_zeros, propagate, optimize, predict, model."""

    def sigmoid(self, name: str) -> None:
        for z in (np.array([0, 2]), self.rng.standard_normal((2, 3)) * 3):
            expect(name, "sigmoid(z)", "-", call(self.ctx, name, self.fn(name), z),
                   tf.sigmoid(t(z)).numpy())

    def initialize_with_zeros(self, name: str) -> None:
        w, b = pair(name, call(self.ctx, name, self.fn(name), 3), "(w, b)")
        expect(name, "w", "-", w, tf.zeros((3, 1), tf.float64).numpy())
        if not (isinstance(b, (int, float, np.number)) or np.shape(b) == ()) or b != 0:
            raise DivergenceError("mismatch", f"b should be the number 0, got {b!r}")

    def propagate(self, name: str) -> str | None:
        notes = Notes()
        for _ in range(3):
            w, b, X, Y = _logistic_problem(self.rng)
            grads, cost = pair(name, call(self.ctx, name, self.fn(name), w, b, X, Y),
                               "(grads, cost)")
            grads = mapping(name, grads)
            ref_cost, dw, db = logistic_reference(w, b, X, Y)
            expect(name, "grads['dw']", "-", grads.get("dw"), dw)
            expect(name, "grads['db']", "-", number(name, grads.get("db"), "db", notes), db)
            expect(name, "cost", "-", scalar(name, cost), ref_cost)
        return notes.text()

    def optimize(self, name: str) -> str | None:
        notes = Notes()
        w, b, X, Y = _logistic_problem(self.rng)
        out = call(self.ctx, name, self.fn(name), w, b, X, Y, num_iterations=3,
                   learning_rate=0.1, print_cost=False)
        params, grads, costs = items(name, out, 3, "(params, grads, costs)")
        params, grads = mapping(name, params), mapping(name, grads)
        ref = {"w": w, "b": np.array(b)}
        history = []
        for _ in range(3):
            c, dw, db = logistic_reference(ref["w"], float(ref["b"]), X, Y)
            history.append((c, dw, db))
            ref = updated(ref, {"dw": dw, "db": np.array(db)}, 0.1)
        expect(name, "params['w'] after 3 iterations", "-", params.get("w"), ref["w"])
        expect(name, "params['b'] after 3 iterations", "-",
               number(name, params.get("b"), "b", notes), ref["b"])
        expect(name, "grads['dw'] (last iteration)", "-", grads.get("dw"), history[-1][1])
        if not isinstance(costs, (list, tuple, np.ndarray)) or len(costs) != 1:
            raise DivergenceError("mismatch", f"costs holds {count(costs)} after 3 iterations; "
                                  "expected the cost of every 100th iteration, starting with "
                                  "iteration 0: one value")
        expect(name, "costs[0]", "-", scalar(name, costs[0]), history[0][0])
        out = call(self.ctx, name, self.fn(name), w, b, X, Y, num_iterations=201,
                   learning_rate=0.1, print_cost=False)
        costs = items(name, out, 3, "(params, grads, costs)")[2]
        if not isinstance(costs, (list, tuple, np.ndarray)) or len(costs) != 3:
            raise DivergenceError("mismatch", f"costs holds {count(costs)} after 201 "
                                  "iterations; expected 3 (iterations 0, 100 and 200)")
        return notes.text()

    def predict(self, name: str) -> None:
        w, b, X = _predict_problem(self.rng)
        ref = (tf.sigmoid(tf.matmul(t(w), t(X), transpose_a=True) + b) > 0.5).numpy()
        yours = call(self.ctx, name, self.fn(name), w, b, X)
        expect(name, "Y_prediction", "-", np.asarray(yours, dtype=float), ref.astype(float))

    def model(self, name: str) -> str | None:
        notes = Notes()
        _, _, X, Y = _logistic_problem(self.rng, 4, 10)
        _, _, X_test, Y_test = _logistic_problem(self.rng, 4, 5)
        d = mapping(name, call(self.ctx, name, self.fn(name), X, Y, X_test, Y_test,
                               num_iterations=3, learning_rate=0.1, print_cost=False))
        ref = {"w": np.zeros((4, 1)), "b": np.array(0.0)}
        for _ in range(3):
            _, dw, db = logistic_reference(ref["w"], float(ref["b"]), X, Y)
            ref = updated(ref, {"dw": dw, "db": np.array(db)}, 0.1)
        expect(name, "d['w']", "-", d.get("w"), ref["w"])
        expect(name, "d['b']", "-", number(name, d.get("b"), "b", notes), ref["b"])
        for key, data in (("Y_prediction_test", X_test), ("Y_prediction_train", X)):
            A = tf.sigmoid(tf.matmul(t(ref["w"]), t(data), transpose_a=True) + ref["b"])
            if np.any(np.abs(A.numpy() - 0.5) < 1e-9):
                continue  # a prediction exactly at 0.5 is a matter of convention
            expect(name, f"d['{key}']", "-", np.asarray(d.get(key), float),
                   (A > 0.5).numpy().astype(float))
        return notes.text()


def _predict_problem(rng: np.random.Generator):
    """w, b, X with every activation away from 0.5, and many examples whose prediction
    depends on b (so that a predict ignoring b, or thresholding w.T X, is seen)."""
    while True:
        w = rng.standard_normal((4, 1))
        b = -1.5
        X = rng.standard_normal((4, 60))
        z = (w.T @ X)[0]
        flips = np.sum((z > 0) != (z + b > 0))
        if np.min(np.abs(z + b)) > 1e-2 and flips >= 5:
            return w, b, X


# --- the planar shallow network ------------------------------------------------------------
def planar_problem(rng: np.random.Generator, n_x: int = 2, n_h: int = 4, m: int = 8):
    params = {"W1": rng.standard_normal((n_h, n_x)) * 0.8, "b1": rng.standard_normal((n_h, 1)),
              "W2": rng.standard_normal((1, n_h)) * 0.8, "b2": rng.standard_normal((1, 1))}
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    Y[0, :2] = (0.0, 1.0)
    return params, X, Y


def planar_forward(params: Mapping[str, np.ndarray], X: np.ndarray) -> dict[str, np.ndarray]:
    """The course's cache dict Z1, A1, Z2, A2 (tanh, then sigmoid), by TensorFlow."""
    Z1 = tf.matmul(t(params["W1"]), t(X)) + t(params["b1"])
    A1 = tf.tanh(Z1)
    Z2 = tf.matmul(t(params["W2"]), A1) + t(params["b2"])
    return {"Z1": Z1.numpy(), "A1": A1.numpy(), "Z2": Z2.numpy(),
            "A2": activation("sigmoid", Z2).numpy()}


def planar_gradients(params: Mapping[str, np.ndarray], X: np.ndarray, Y: np.ndarray):
    """Keras' BCE and its autodiff gradients dW1, db1, dW2, db2."""
    def cost(W1, b1, W2, b2):
        A1 = tf.tanh(tf.matmul(W1, t(X)) + b1)
        return bce(tf.sigmoid(tf.matmul(W2, A1) + b2), Y)

    keys = ("W1", "b1", "W2", "b2")
    grads = gradients(cost, *(params[k] for k in keys))
    return float(cost(*(t(params[k]) for k in keys))), {f"d{k}": g for k, g in zip(
        keys, grads, strict=True)}


class PlanarChecks(_Checks):
    """layer_sizes ... predict, then the learner's forward -> cost -> backward -> update."""

    course_caches: bool | None = None

    def layer_sizes(self, name: str) -> None:
        X, Y = np.zeros((5, 3)), np.zeros((2, 3))
        sizes = items(name, call(self.ctx, name, self.fn(name), X, Y), 3, "(n_x, n_h, n_y)")
        if tuple(int(np.squeeze(s)) for s in sizes) != (5, 4, 2):
            raise DivergenceError("mismatch", f"layer_sizes gave {tuple(sizes)} for X (5, 3), "
                                  "Y (2, 3); expected (5, 4, 2) (n_h is 4 in this assignment)")

    def initialize_parameters(self, name: str) -> str | None:
        out = mapping(name, call(self.ctx, name, self.fn(name), 40, 30, 20))
        return check_initialised(name, out, (40, 30, 20), ("small",))

    def forward_propagation(self, name: str) -> None:
        for _ in range(2):
            params, X, _ = planar_problem(self.rng)
            A2, cache = pair(name, call(self.ctx, name, self.fn(name), X, params),
                             "(A2, cache)")
            ref = planar_forward(params, X)
            expect(name, "A2", 2, A2, ref["A2"])
            follows = isinstance(cache, Mapping) and all(
                k in cache and np.shape(cache[k]) == ref[k].shape for k in ref)
            self.course_caches = bool(self.course_caches is not False and follows)

    def compute_cost(self, name: str) -> None:
        for _ in range(2):
            params, X, Y = planar_problem(self.rng)
            A2 = planar_forward(params, X)["A2"]
            cost = scalar(name, self._cost(name, A2, Y, params))
            expect(name, "cost", "-", cost, bce(t(A2), Y).numpy())

    def _cost(self, name: str, A2, Y, params) -> Any:
        fn = self.fn(name)
        if _required_arguments(fn) >= 3:  # the course's signature before 2021
            return call(self.ctx, name, fn, A2, Y, params)
        return call(self.ctx, name, fn, A2, Y)

    def backward_propagation(self, name: str) -> None:
        if self.course_caches is False:
            raise DivergenceError("skipped", "not run alone: your forward's cache is not the "
                                  "course's dict of Z1, A1, Z2, A2; checked through your own "
                                  "pipeline")
        for _ in range(2):
            params, X, Y = planar_problem(self.rng)
            grads = mapping(name, call(self.ctx, name, self.fn(name), params,
                                       planar_forward(params, X), X, Y))
            for key, value in planar_gradients(params, X, Y)[1].items():
                expect(name, key, key[2:], grads.get(key), value)

    def update_parameters(self, name: str) -> str | None:
        params, X, Y = planar_problem(self.rng)
        grads = planar_gradients(params, X, Y)[1]
        mine = copy.deepcopy(params)
        lr = 0.731  # not the default 1.2, which some learners hard-code
        new = mapping(name, call(self.ctx, name, lambda p, g, lr: self.fn(name)(mine, g, lr),
                                 mine, grads, lr))
        for key, value in updated(params, grads, lr).items():
            expect(name, key, key[1:], new.get(key), value)
        if any(not np.array_equal(mine[k], params[k]) for k in params):
            return "updates parameters in place; fine, and checked on copies"
        return None

    def nn_model(self, name: str) -> str | None:
        return model_check(
            self.ctx, name, self.fn(name), "initialize_parameters", (3, 5, 1),
            lambda fn, X, Y, dims, n: fn(X, Y, dims[1], num_iterations=n, print_cost=False),
            lr=1.2, gradients=lambda p, X, Y: planar_gradients(p, X, Y)[1])

    def predict(self, name: str) -> None:
        for _ in range(5):
            params, X, _ = planar_problem(self.rng)
            A2 = planar_forward(params, X)["A2"]
            if np.min(np.abs(A2 - 0.5)) > 1e-3:
                break
        yours = call(self.ctx, name, self.fn(name), params, X)
        expect(name, "predictions", "-", np.asarray(yours, float), (A2 > 0.5).astype(float))

    def pipeline(self) -> None:
        ctx = self.ctx
        for _ in range(2):
            params, X, Y = planar_problem(self.rng)
            ref_cost, ref_grads = planar_gradients(params, X, Y)
            step = "forward_propagation"
            try:
                A2, cache = pair(step, call(ctx, step, self.fn(step), X, params),
                                 "(A2, cache)")
                expect(step, "A2", 2, A2, planar_forward(params, X)["A2"])
                step = "compute_cost"
                expect(step, "cost", "-", scalar(step, self._cost(step, A2, Y, params)),
                       ref_cost)
                step = "backward_propagation"
                grads = mapping(step, call(ctx, step, self.fn(step), params, cache, X, Y))
                for key, value in ref_grads.items():
                    expect(step, key, key[2:], grads.get(key), value)
                step = "update_parameters"
                new = mapping(step, call(ctx, step, self.fn(step), params, grads, 1.2))
                for key, value in updated(params, ref_grads, 1.2).items():
                    expect(step, key, key[1:], new.get(key), value)
            except DivergenceError as d:
                hint = ("; your forward's cache is not the course's dict, and your backward "
                        "does not read it") if (step == "backward_propagation"
                                                and self.course_caches is False) else ""
                raise DivergenceError(d.status, f"{step}, fed your own previous step: "
                                      f"{d.detail}{hint}", d.check) from None


def _required_arguments(fn: Callable) -> int:
    try:
        return sum(1 for p in inspect.signature(fn).parameters.values()
                   if p.default is inspect.Parameter.empty
                   and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    except (TypeError, ValueError):
        return 0


ASSIGNMENTS = (
    Assignment("basics", "Course 1 week 2: Python Basics with NumPy",
               ("basic_sigmoid", "sigmoid_derivative", "image2vector",
                "normalizeRows|normalize_rows", "L1", "L2"),
               ("basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector",
                "normalizeRows|normalize_rows", "softmax", "L1", "L2"), (), BasicsChecks),
    Assignment("logistic", "Course 1 week 2: Logistic Regression with a Neural Network mindset",
               ("initialize_with_zeros", "propagate", "optimize"),
               ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"),
               (), LogisticChecks),
    Assignment("planar", "Course 1 week 3: Planar data classification with one hidden layer",
               ("layer_sizes", "nn_model"),
               ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                "backward_propagation", "update_parameters", "nn_model", "predict"), (),
               PlanarChecks, ("forward_propagation", "compute_cost", "backward_propagation",
                              "update_parameters")),
)

