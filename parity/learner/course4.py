"""Course 4 week 1: "Convolutional Neural Networks: Step by Step".

Graded: ``zero_pad``, ``conv_single_step``, ``conv_forward``, ``pool_forward``. Optional
(ungraded in the course): ``conv_backward``, ``create_mask_from_window``,
``distribute_value``, ``pool_backward``; checked when defined and filled in, skipped with
a note when still the course's template (placeholders ``= None`` or none at all).

The course's layout, channels last: ``A_prev (m, n_H_prev, n_W_prev, n_C_prev)``,
``W (f, f, n_C_prev, n_C)``, ``b (1, 1, 1, n_C)``, ``hparameters`` ``{"stride", "pad"}``
for convolution and ``{"f", "stride"}`` for pooling, ``mode`` "max" or "average"; caches
``(A_prev, W, b, hparameters)`` and ``(A_prev, hparameters)``; ``conv_backward`` returns
``(dA_prev, dW, db)`` with dW and db summed over the batch. References: ``tf.pad``,
``tf.nn.conv2d`` with explicit padding, ``tf.nn.max_pool2d``/``avg_pool2d``, and
``tf.GradientTape`` for the backward functions. Inputs are random float64 (no ties in a
max window: the course's mask marks every tied maximum, TensorFlow one).

Conventions accepted: ``conv_single_step`` returning a number, a NumPy scalar or a size-1
array (the course's first version); ``mode`` passed explicitly (defaults differ); a cache
of the learner's own form, when their backward reads what their forward makes. Code that
needs NumPy 1.x (``float(b)`` on the ``(1, 1, 1)`` bias, ``np.float``, a size-1 array
stored into one element) is run again as NumPy 1.x would run it and reported as a
NumPy-version incompatibility with its fix, not as a wrong answer. ``X[pad:-pad]`` is
empty for ``pad = 0``: the backward functions are checked with ``pad >= 1``, and
``pad = 0`` is reported on its own.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import inspect
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from parity.learner.assignment import Assignment
from parity.learner.common import (
    Checks,
    Context,
    DivergenceError,
    Notes,
    call,
    expect,
    gradients,
    number,
    pair,
    same_values,
    t,
)

# (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, stride, pad): non-square, floor division shows
CONV_CASES = ((2, 5, 7, 3, 3, 4, 2, 1), (2, 4, 4, 2, 2, 3, 1, 0), (1, 8, 6, 2, 3, 2, 3, 2))
CONV_BACKWARD_CASES = ((2, 5, 7, 3, 3, 4, 2, 1), (2, 4, 5, 2, 2, 3, 1, 2),
                       (1, 6, 6, 2, 3, 2, 3, 1))  # pad >= 1 (X[pad:-pad] is right there)
CONV_PAD0_CASE = (2, 4, 5, 3, 2, 2, 1, 0)
# (m, n_H_prev, n_W_prev, n_C, f, stride): windows apart, overlapping, floor division
POOL_CASES = ((2, 5, 7, 3, 3, 2), (2, 4, 4, 2, 2, 1), (1, 6, 6, 2, 2, 2))
MODES = ("max", "average")


# --- TensorFlow references -------------------------------------------------------------------
def padded(X: Any, pad: int) -> np.ndarray:
    """``X (m, n_H, n_W, n_C)`` with ``pad`` zeros around height and width (``tf.pad``)."""
    return tf.pad(t(X), [[0, 0], [pad, pad], [pad, pad], [0, 0]]).numpy()


def _conv(A: tf.Tensor, W: tf.Tensor, b: tf.Tensor, stride: int, pad: int) -> tf.Tensor:
    return tf.nn.conv2d(A, W, strides=stride,
                        padding=[[0, 0], [pad, pad], [pad, pad], [0, 0]]) + tf.reshape(b, [-1])


def convolved(A_prev: Any, W: Any, b: Any, stride: int, pad: int) -> np.ndarray:
    """Z of the course's conv_forward: cross-correlation of the zero-padded ``A_prev``
    with ``W (f, f, n_C_prev, n_C)`` plus ``b (1, 1, 1, n_C)``, by ``tf.nn.conv2d``."""
    return _conv(t(A_prev), t(W), t(b), stride, pad).numpy()


def _pool(A: tf.Tensor, f: int | tuple[int, int], stride: int, mode: str) -> tf.Tensor:
    op = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    return op(A, ksize=f, strides=stride, padding="VALID")


def pooled(A_prev: Any, f: int, stride: int, mode: str) -> np.ndarray:
    """A of the course's pool_forward (windows f x f, no padding), by TensorFlow."""
    return _pool(t(A_prev), f, stride, mode).numpy()


def conv_gradients(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int,
                   dZ: np.ndarray) -> list[np.ndarray]:
    """dA_prev, dW, db of ``sum(dZ * Z)``: what conv_backward returns (summed over the
    batch), by autodiff."""
    return gradients(lambda A, W_, b_: tf.reduce_sum(t(dZ) * _conv(A, W_, b_, stride, pad)),
                     A_prev, W, b)


def pool_gradient(A_prev: np.ndarray, f: int | tuple[int, int], stride: int, mode: str,
                  dA: np.ndarray) -> np.ndarray:
    """dA_prev of ``sum(dA * pool(A_prev))``: what pool_backward returns, by autodiff."""
    return gradients(lambda A: tf.reduce_sum(t(dA) * _pool(A, f, stride, mode)), A_prev)[0]


# --- the course's templates ------------------------------------------------------------------
def is_template(fn: Callable) -> bool:
    """True when ``fn`` is still the course's template: it assigns nothing but ``None``
    (older versions: ``dA_prev = None``, ``for i in range(None)``) or nothing at all
    (from 2021 the placeholders are comments), calls nothing as a statement, and returns
    only such names. False when its source cannot be read (it is then checked)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    params = {a.arg for a in (*node.args.posonlyargs, *node.args.args,
                              *node.args.kwonlyargs)}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and not _is_none(
                sub.value):
            return False
        if isinstance(sub, (ast.NamedExpr, ast.Lambda)) or (
                isinstance(sub, ast.Expr) and isinstance(sub.value, ast.Call)):
            return False
        if isinstance(sub, ast.Return) and sub.value is not None:
            values = sub.value.elts if isinstance(sub.value, ast.Tuple) else [sub.value]
            if not all(_is_none(v) or (isinstance(v, ast.Name) and v.id not in params)
                       for v in values):
                return False
    return True


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def optional(method: Callable[[Any, str], str | None]) -> Callable[[Any, str], str | None]:
    """An optional function: skipped with a note while it is still the template."""
    @functools.wraps(method)
    def check(self: Checks, name: str) -> str | None:
        if is_template(self.fn(name)):
            raise DivergenceError("skipped", "left as the course's template (optional, "
                                  "ungraded): not checked")
        return method(self, name)
    return check


# --- code written for NumPy 1.x --------------------------------------------------------------
_NUMPY2 = (
    (re.compile(r"^TypeError: only (0-dimensional|length-1|size-1) arrays can be converted"),
     "float() or int() of an array that is not 0-d (such as the (1, 1, 1) bias b) raises "
     "TypeError",
     "use b.item() (or float(np.squeeze(b))), which works in every NumPy version"),
    (re.compile(r"^AttributeError: module 'numpy' has no attribute '(float|int)'"),
     "np.float / np.int no longer exist (removed in NumPy 1.24)",
     "use float(...) / int(...), or b.item()"),
    (re.compile(r"^AttributeError: module 'numpy' has no attribute 'asscalar'"),
     "np.asscalar no longer exists (removed in NumPy 1.23)", "use b.item()"),
    (re.compile(r"^ValueError: setting an array element with a sequence"),
     "a size-1 array (not a number) is stored into one element of an array",
     "make conv_single_step return a number (Z = np.sum(s) + b.item())"),
)


def numpy2_incompatibility(detail: str) -> str | None:
    """How ``detail`` (a "raised" finding) is code written for NumPy 1.x failing under
    this NumPy, with its fix; None when it is not."""
    for pattern, what, fix in _NUMPY2:
        if pattern.search(detail):
            return (f"NumPy-version incompatibility, not a wrong answer: under NumPy "
                    f"{np.__version__} {what} ({detail}); NumPy 1.x accepted it. Fix: {fix}")
    return None


EVERY_VERSION = "fails in every NumPy version"
"""Said of float() or int() of an array of several values, which NumPy 1.x refused too."""


def _size1(kind: str, args: tuple) -> tuple:
    if args and isinstance(args[0], np.ndarray):
        if args[0].size == 1:
            return (args[0].reshape(()),) + args[1:]
        raise TypeError(f"{kind}() of an array of {args[0].size} values (shape "
                        f"{args[0].shape}) {EVERY_VERSION}: only a size-1 array converts")
    return args


def _lenient_float(*args: Any) -> float:
    """``float`` as NumPy 1.x let it be used: any size-1 array converts."""
    return builtins.float(*_size1("float", args))


def _lenient_int(*args: Any) -> int:
    """``int`` as NumPy 1.x let it be used: any size-1 array converts."""
    return builtins.int(*_size1("int", args))


def _asscalar(a: Any) -> Any:
    return np.asarray(a).item()


LENIENT_BUILTINS = {"float": _lenient_float, "int": _lenient_int}
REMOVED_FROM_NUMPY = {"float": _lenient_float, "int": _lenient_int, "asscalar": _asscalar}
"""What NumPy 1.x code finds again while it is checked as NumPy 1.x would run it."""


@contextlib.contextmanager
def numpy1_conventions(namespace: dict[str, Any], wrap_single_step: bool) -> Iterator[None]:
    """While active: ``float`` and ``int`` in the learner's namespace accept size-1 arrays,
    ``np.float``, ``np.int`` and ``np.asscalar`` exist again, and (``wrap_single_step``)
    the learner's conv_single_step hands its callers a number when it returns a size-1
    array. Everything is restored afterwards."""
    keys = (*LENIENT_BUILTINS, "conv_single_step")
    saved = {key: namespace[key] for key in keys if key in namespace}
    added = [key for key in REMOVED_FROM_NUMPY if key not in vars(np)]
    single = namespace.get("conv_single_step")
    try:
        for key, value in LENIENT_BUILTINS.items():
            if key not in saved:  # the learner's own float/int stay theirs
                namespace[key] = value
        for key in added:
            setattr(np, key, REMOVED_FROM_NUMPY[key])
        if wrap_single_step and callable(single):
            @functools.wraps(single)
            def as_number(*args: Any, **kwargs: Any) -> Any:
                out = single(*args, **kwargs)
                if isinstance(out, np.ndarray) and out.size == 1:
                    return out.reshape(())[()]
                return out
            namespace["conv_single_step"] = as_number
        yield
    finally:
        for key in added:
            vars(np).pop(key, None)
        for key in keys:
            if key in saved:
                namespace[key] = saved[key]
            else:
                namespace.pop(key, None)


def numpy1_retry(method: Callable[[Any, str], str | None]) -> Callable[[Any, str], str | None]:
    """Check; when the learner's code raised only because it needs NumPy 1.x, check again
    as NumPy 1.x runs it and report the incompatibility (a note when then right)."""
    @functools.wraps(method)
    def check(self: ConvChecks, name: str) -> str | None:
        try:
            return method(self, name)
        except DivergenceError as first:
            detail = first.detail
            why = numpy2_incompatibility(detail) if first.status == "raised" else None
            if why is None:
                raise
        namespace = self.ctx.namespace if self.ctx.function(name) is not None else None
        if not isinstance(namespace, dict):  # not the learner's own function: as it is
            raise DivergenceError("raised", detail)
        seen = why in self.incompatibilities
        self.incompatibilities.add(why)
        if seen:  # said in full at the function that holds it
            why = f"the same NumPy-version incompatibility ({detail})"
        try:
            with numpy1_conventions(namespace, wrap_single_step=name != "conv_single_step"):
                note = method(self, name)
        except DivergenceError as again:
            # a mistake of its own beside the incompatibility; none when what NumPy 2
            # refused NumPy 1.x refuses too (float() of an array of several values)
            if numpy2_incompatibility(again.detail) is None and EVERY_VERSION not in \
                    again.detail:
                self.ctx.note(f"{name}: {why}")
            raise
        return "; ".join(x for x in (f"{why}. Checked as NumPy 1.x runs it: right", note) if x)
    return check


# --- the checks --------------------------------------------------------------------------------
def is_course_cache(cache: Any, *inputs: Any) -> bool:
    """True when ``cache`` is the course's tuple of exactly these inputs (arrays equal,
    the hparameters dict equal)."""
    if not isinstance(cache, (tuple, list)) or len(cache) != len(inputs):
        return False
    return all((isinstance(c, Mapping) and dict(c) == dict(x)) if isinstance(x, Mapping)
               else same_values(c, x) for c, x in zip(cache, inputs, strict=True))


_EMPTY = re.compile(r"\(0, ?0(, ?\d+)?\)|\(\d+, ?0, ?0, ?\d+\)")


class ConvChecks(Checks):
    """The step-by-step convolution functions, each against TensorFlow."""

    salt = 41

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.own_cache: dict[str, bool] = {}  # does the learner's forward keep another?
        self.incompatibilities: set[str] = set()  # NumPy 1.x code already reported

    def normal(self, *shape: int) -> np.ndarray:
        return self.rng.standard_normal(shape)

    def conv_problem(self, case: tuple[int, ...]):
        m, n_H, n_W, n_C_prev, f, n_C, stride, pad = case
        return (self.normal(m, n_H, n_W, n_C_prev), self.normal(f, f, n_C_prev, n_C),
                self.normal(1, 1, 1, n_C), {"stride": stride, "pad": pad})

    @numpy1_retry
    def zero_pad(self, name: str) -> None:
        for shape, pad in (((4, 3, 3, 2), 3), ((2, 5, 4, 3), 1), ((1, 2, 3, 1), 0)):
            X = self.normal(*shape)
            expect(name, f"X_pad for pad = {pad}", "-",
                   call(self.ctx, name, self.fn(name), X, pad), padded(X, pad))

    @numpy1_retry
    def conv_single_step(self, name: str) -> str | None:
        notes = Notes()
        for f, n_C_prev in ((4, 3), (3, 2), (2, 5)):
            a, W = self.normal(f, f, n_C_prev), self.normal(f, f, n_C_prev)
            b = self.normal(1, 1, 1)
            Z = call(self.ctx, name, self.fn(name), a, W, b)
            ref = convolved(a[None], W[..., None], b, 1, 0).reshape(())
            expect(name, f"Z (window {f}x{f}x{n_C_prev})", "-", number(name, Z, "Z", notes),
                   ref)
        return notes.text()

    @numpy1_retry
    def conv_forward(self, name: str) -> str | None:
        notes = Notes()
        for case in CONV_CASES:
            A, W, b, hp = self.conv_problem(case)
            Z, cache = pair(name, call(self.ctx, name, self.fn(name), A, W, b, hp),
                            "(Z, cache)")
            # the cache is looked at first: a wrong Z must not leave the backward to be fed
            # the course's cache when the learner's reads another
            if not is_course_cache(cache, A, W, b, hp):
                self.own_cache["conv"] = True
                notes.append("its cache is not the course's (A_prev, W, b, hparameters): "
                             "your conv_backward is fed the cache your conv_forward makes")
            expect(name, f"Z (f {case[4]}, stride {hp['stride']}, pad {hp['pad']})", "-", Z,
                   convolved(A, W, b, hp["stride"], hp["pad"]))
        return notes.text()

    @numpy1_retry
    def pool_forward(self, name: str) -> str | None:
        notes = Notes()
        for m, n_H, n_W, n_C, f, stride in POOL_CASES:
            A = self.normal(m, n_H, n_W, n_C)
            hp = {"f": f, "stride": stride}
            for mode in MODES:
                out, cache = pair(name, call(self.ctx, name, self.fn(name), A, hp, mode),
                                  "(A, cache)")
                if not is_course_cache(cache, A, hp):  # first, as in conv_forward
                    self.own_cache["pool"] = True
                    notes.append("its cache is not the course's (A_prev, hparameters): your "
                                 "pool_backward is fed the cache your pool_forward makes")
                expect(name, f"A ({mode}, f {f}, stride {stride})", "-", out,
                       pooled(A, f, stride, mode))
        return notes.text()

    # --- optional: backward ----------------------------------------------------------------
    def cache_for(self, kind: str, course: tuple, *inputs: Any) -> Any:
        """The course's cache, or the one the learner's own forward makes when theirs
        differs (their backward reads that)."""
        if not self.own_cache.get(kind):
            return course
        forward = f"{kind}_forward"
        out = call(self.ctx, forward, self.fn(forward), *inputs)
        return pair(forward, out, "(output, cache)")[1]

    def _conv_backward_case(self, name: str, case: tuple[int, ...]) -> None:
        A, W, b, hp = self.conv_problem(case)
        dZ = self.normal(*convolved(A, W, b, hp["stride"], hp["pad"]).shape)
        cache = self.cache_for("conv", (A, W, b, hp), A, W, b, hp)
        out = call(self.ctx, name, self.fn(name), dZ, cache)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise DivergenceError("bad return", f"{name} returned {type(out).__name__}; "
                                  "expected (dA_prev, dW, db)")
        where = f"(f {case[4]}, stride {hp['stride']}, pad {hp['pad']})"
        if hp["pad"] == 0 and np.size(out[0]) == 0:
            raise DivergenceError("wrong shape", f"dA_prev {where} has shape "
                                  f"{np.shape(out[0])}; expected {A.shape}")
        for quantity, yours, ref in zip(("dA_prev", "dW", "db"), out,
                                        conv_gradients(A, W, b, hp["stride"], hp["pad"], dZ),
                                        strict=True):
            expect(name, f"{quantity} {where}", "-", yours, ref)

    @optional
    @numpy1_retry
    def conv_backward(self, name: str) -> str | None:
        main: DivergenceError | None = None
        try:
            for case in CONV_BACKWARD_CASES:
                self._conv_backward_case(name, case)
        except DivergenceError as d:
            main = d
        try:
            self._conv_backward_case(name, CONV_PAD0_CASE)
            pad0 = None
        except DivergenceError as d:
            pad0 = d
        if pad0 is None:
            if main is not None:
                raise main
            return None
        empty = pad0.status in ("wrong shape", "raised") and bool(_EMPTY.search(pad0.detail))
        how = {"raised": "it raised ", "wrong shape": "", "bad return": ""}.get(pad0.status,
                                                                               "")
        finding = (f"with pad = 0 {how}{pad0.detail}" + (
            ": X[pad:-pad, pad:-pad] is empty when pad is 0 (the course's hint; its tests use "
            "pad >= 1); unpad with X[pad:pad + n_H_prev, pad:pad + n_W_prev] instead"
            if empty else ""))
        if main is not None:  # the main verdict stays the one for pad >= 1
            self.ctx.note(f"{name}: {finding}")
            raise main
        if empty:
            return f"right for pad >= 1; {finding}"
        raise DivergenceError(pad0.status, f"right for pad >= 1, but {finding}", pad0.check)

    @optional
    @numpy1_retry
    def create_mask_from_window(self, name: str) -> None:
        for shape in ((2, 3), (3, 3), (2, 2), (4, 1)):
            x = self.normal(*shape)
            ref = gradients(lambda v, shape=shape: tf.reduce_max(
                _pool(tf.reshape(v, (1, *shape, 1)), shape, 1, "max")), x)[0]
            mask = call(self.ctx, name, self.fn(name), x)
            expect(name, f"mask of a {shape[0]}x{shape[1]} window", "-", mask, ref)

    @optional
    @numpy1_retry
    def distribute_value(self, name: str) -> None:
        for dz, shape in ((2.0, (2, 2)), (-1.3, (3, 2)), (0.7, (1, 4)), (5.0, (3, 3))):
            ref = gradients(lambda v, dz=dz, shape=shape: dz * tf.reduce_sum(
                _pool(tf.reshape(v, (1, *shape, 1)), shape, 1, "average")), np.zeros(shape))[0]
            a = call(self.ctx, name, self.fn(name), dz, shape)
            expect(name, f"a for dz = {dz}, shape {shape}", "-", a, ref)

    @optional
    @numpy1_retry
    def pool_backward(self, name: str) -> None:
        for m, n_H, n_W, n_C, f, stride in POOL_CASES:
            A = self.normal(m, n_H, n_W, n_C)
            hp = {"f": f, "stride": stride}
            for mode in MODES:
                dA = self.normal(*pooled(A, f, stride, mode).shape)
                cache = self.cache_for("pool", (A, hp), A, hp, mode)
                out = call(self.ctx, name, self.fn(name), dA, cache, mode)
                expect(name, f"dA_prev ({mode}, f {f}, stride {stride})", "-", out,
                       pool_gradient(A, f, stride, mode, dA))


GRADED = ("zero_pad", "conv_single_step", "conv_forward", "pool_forward")
OPTIONAL = ("conv_backward", "create_mask_from_window", "distribute_value", "pool_backward")

ASSIGNMENTS = (
    Assignment("conv_step", "Course 4 week 1: Convolutional Neural Networks, Step by Step",
               GRADED + OPTIONAL, GRADED, OPTIONAL, ConvChecks),
)
