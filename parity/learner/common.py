"""What every assignment's checks share: calling the learner's code, comparing with a
TensorFlow reference, and the findings that stop a check.

Runs in the checking process, which imports TensorFlow. The learner's functions get deep
copies of their arguments (learners update arrays in place); what they raise is their
own error, shown with their line; ``sys.exit`` or ``KeyboardInterrupt`` from their code
stops the whole check (it could not be run to the end).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import linecache
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from parity.learner.report import FunctionResult
from parity.report import Comparison, compare_arrays
from parity.tolerances import BACKENDS, Tolerance, unit_roundoff

TOL = Tolerance(1e-6, 1e-9)
"""Learners order their operations differently; real mistakes are far larger."""
LONGEST_SUM = 2000
"""The most terms any check's sums or products have (the m = 2000 examples of Course 2)."""
_FLOAT32_BOUND = BACKENDS * LONGEST_SUM * unit_roundoff("float32")
FLOAT32_TOL = Tolerance(_FLOAT32_BOUND, _FLOAT32_BOUND, of_max=True)
"""For code that computes in float32 (``PRECISION``): each operation rounds at
u = 2**-24, a sum of LONGEST_SUM terms carries up to LONGEST_SUM u (Higham's gamma_n), and
the two sides' errors add: 2.4e-4, norm-wise (an element near zero after cancellation keeps
the error of the large terms). Real mistakes (a missing 1/m, a transpose, a sign) are O(1)."""
PRECISION: ContextVar[Tolerance] = ContextVar("learner_precision", default=TOL)
"""The tolerance of the submission being checked: ``FLOAT32_TOL`` when its code computes in
float32 anywhere (``float32_functions``), else ``TOL``; ``check_namespace`` sets it."""
FLOAT32_WORDS = frozenset({"float32", "single", "float16", "half", "f4", "<f4", "f2"})
TYPE_CODES = frozenset({"f", "e", "f4", "f2", "<f4", "<f2", "=f4", "=f2", "float32",
                        "float16", "single", "half"})
"""Low-precision dtypes as numpy's type codes: ``'f'`` is float32 when it is a dtype
(``.astype('f')``, ``dtype='f'``), but the course's own hyperparameter key elsewhere."""
SIDES = ("yours", "expected")


class DivergenceError(Exception):
    """A learner's function did not do what the course asks; ``status`` as in the report."""

    def __init__(self, status: str, detail: str, check: Comparison | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.check = status, detail, check


class CouldNotCheckError(Exception):
    """The learner's code stopped the check itself (sys.exit, KeyboardInterrupt)."""


@dataclass
class Context:
    """What the checks of one submission share: the learner's namespace (their module's
    globals), notes for the report, and how to name a line of their code."""

    namespace: Mapping[str, Any]
    seed: int = 0
    notes: list[str] = field(default_factory=list)
    line_names: Callable[[str, int], str] = lambda filename, line: f"line {line}"
    left_out: Mapping[str, str] = field(default_factory=dict)
    """Names that only statements left out of a notebook bind, and where ("cell 2, line
    1"): a NameError of one is the checker's doing, not the learner's."""

    def function(self, name: str) -> Callable | None:
        """The learner's own function ``name``: None if absent, or imported from a helper
        module rather than defined in the submission."""
        fn = self.namespace.get(name)
        if not callable(fn) or self.own_code(fn, name) is None:
            return None
        return fn

    def own_code(self, fn: Callable, name: str | None = None) -> types.CodeType | None:
        """The code of the learner's own function ``fn``, under any decorators that wrap it
        (``functools.wraps``: a timer from a helper module, ``@np.errstate(...)``; without
        ``wraps``, the function of that ``name`` the wrapper closes over), or None when
        ``fn`` is not defined in the submission."""
        seen = 0
        while fn is not None and seen < 100:  # a __wrapped__ chain, cycles cut short
            if getattr(fn, "__globals__", None) is self.namespace:
                return getattr(fn, "__code__", None)
            inner = getattr(fn, "__wrapped__", None)
            if inner is None and name is not None:  # a decorator that did not use wraps
                inner = next((c.cell_contents for c in getattr(fn, "__closure__", None) or ()
                              if _named(c, name)), None)
            fn, seen = inner, seen + 1
        return None

    def note(self, text: str) -> None:
        """Add a report-wide note once."""
        if text not in self.notes:
            self.notes.append(text)


def _named(cell: Any, name: str) -> bool:
    """Whether a closure cell holds a function called ``name``."""
    try:
        return getattr(cell.cell_contents, "__name__", None) == name and callable(
            cell.cell_contents)
    except ValueError:  # an empty cell
        return False


def learner_line(ctx: Context, exc: BaseException) -> str:
    """Where in the learner's code ``exc`` was raised: " (your line 12: `x = y`)"."""
    frames = [(frame, line) for frame, line in traceback.walk_tb(exc.__traceback__)
              if frame.f_globals is ctx.namespace]
    if not frames:
        return ""
    frame, line = frames[-1]
    filename = frame.f_code.co_filename
    text = linecache.getline(filename, line).strip()
    return f" (your {ctx.line_names(filename, line)}" + (f": `{text}`)" if text else ")")


def call(ctx: Context, name: str, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call a learner's function on deep copies of ``args``; their exceptions become a
    "raised" finding naming their line, and a generator or TensorFlow tensor a "bad
    return"."""
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        out = fn(*args, **kwargs)
    except (SystemExit, KeyboardInterrupt) as exc:
        what = (f"sys.exit({exc.code!r})" if isinstance(exc, SystemExit)
                else "KeyboardInterrupt")
        raise CouldNotCheckError(f"your {name} raised {what}{learner_line(ctx, exc)}; a function "
                            "being checked must return") from None
    except NameError as exc:
        where = ctx.left_out.get(getattr(exc, "name", None) or "")
        if where is None:  # a name the learner's code never binds: their finding
            raise DivergenceError("raised", f"NameError: {exc}{learner_line(ctx, exc)}") \
                from None
        raise DivergenceError(
            "unchecked", f"it uses {exc.name}{learner_line(ctx, exc)}, which your code sets "
            f"at {where} by running code; check runs only the imports, definitions, constants "
            "and aliases of a notebook, so it could not run this function (make "
            f"{exc.name} a constant, or compute it inside the function)") from None
    except Exception as exc:  # anything the learner's code raises is their finding
        raise DivergenceError("raised", f"{type(exc).__name__}: {exc}{learner_line(ctx, exc)}") \
            from None
    bad = _bad_value(out)
    if bad:
        raise DivergenceError("bad return", f"{name} returned {bad}; expected NumPy arrays or "
                         "Python numbers")
    return out


def _bad_value(value: Any) -> str:
    if isinstance(value, types.GeneratorType):
        return "a generator"
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return "a TensorFlow tensor"
    if isinstance(value, (tuple, list)):
        return next((b for b in map(_bad_value, value) if b), "")
    if isinstance(value, Mapping):
        return next((b for b in map(_bad_value, value.values()) if b), "")
    return ""


def is_numeric(value: Any) -> bool:
    """True for numbers and numeric arrays (bool included)."""
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:  # ragged or odd objects
        return False


def expect(name: str, quantity: str, layer: int | str, yours: Any, expected: Any,
           tol: Tolerance = TOL) -> None:
    """Raise a DivergenceError unless ``yours`` has ``expected``'s shape and values."""
    if yours is None:
        raise DivergenceError("bad return", f"{quantity} from {name} is missing (None)")
    if isinstance(yours, (list, tuple)) and np.ndim(expected) > 0:
        raise DivergenceError("bad return", f"{quantity} from {name} is a Python "
                              f"{type(yours).__name__}; expected a NumPy array")
    if not is_numeric(yours):
        raise DivergenceError("bad return", f"{quantity} from {name} is a "
                              f"{type(yours).__name__}, not a number or array")
    if tol is TOL:
        tol = FLOAT32_TOL if in_float32(yours) else PRECISION.get()
    single = tol is FLOAT32_TOL
    check = compare_arrays(quantity, layer, np.asarray(yours, np.float64),
                           np.asarray(expected, np.float64), tol, SIDES, group="learner")
    if not check.passed:
        status = "wrong shape" if check.note.startswith("shape") else "mismatch"
        where = f" of layer {layer}" if layer not in ("-", "") else ""
        if check.note:
            detail = f"{quantity}{where}: {check.note}"
        elif np.size(expected) == 1:
            detail = (f"{quantity}{where} differs: yours {check.left:.10g}, expected "
                      f"{check.right:.10g}")
        else:
            detail = f"{quantity}{where} differs (max rel error {check.max_rel:.3g})"
        if single and not check.note:
            detail += (f" (your code computes in float32: compared to float32's precision, "
                       f"{FLOAT32_TOL.rtol:.1e} of the largest value)")
        raise DivergenceError(status, detail, check)


def in_float32(value: Any) -> bool:
    """Whether a learner's result was computed in float32 (a float32 array or number)."""
    return getattr(value, "dtype", None) == np.float32


def float32_functions(ctx: Context) -> list[str]:
    """The learner's functions whose code names a low-precision dtype (``np.float32``,
    ``dtype="float32"``, ``np.single``, float16...): their results carry its rounding even
    when they come back float64."""
    def names(code: types.CodeType) -> set[str]:
        found = set(code.co_names) | {c for c in code.co_consts if isinstance(c, str)}
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= names(const)
        return found

    return sorted(n for n in ctx.namespace if ctx.function(n) is not None
                  and isinstance(code := ctx.own_code(ctx.namespace[n], n), types.CodeType)
                  and (names(code) & FLOAT32_WORDS or casts_to_low_precision(code)))


def casts_to_low_precision(code: types.CodeType) -> bool:
    """Whether the source of the function of ``code`` gives a low-precision type code as a
    dtype: ``x.astype('f')``, ``np.dtype('e')``, ``dtype='f'`` (see ``TYPE_CODES``). False
    when its source cannot be read."""
    tree = _syntax_tree("".join(linecache.getlines(code.co_filename)))
    if tree is None:
        return False
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    for node in ast.walk(tree):
        if isinstance(node, kinds) and code.co_firstlineno in (
                node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))):
            return any(_low_precision_dtype(call) for call in ast.walk(node)
                       if isinstance(call, ast.Call))
    return False


def _low_precision_dtype(call: ast.Call) -> bool:
    def code(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in TYPE_CODES

    name = getattr(call.func, "attr", getattr(call.func, "id", None))
    return (name in ("astype", "dtype") and bool(call.args) and code(call.args[0])) or any(
        k.arg == "dtype" and code(k.value) for k in call.keywords)


@functools.lru_cache(maxsize=8)
def _syntax_tree(text: str) -> ast.Module | None:
    try:
        return ast.parse(text) if text else None
    except (SyntaxError, ValueError):
        return None


def close(yours: np.ndarray, expected: np.ndarray) -> bool:
    """``yours`` equal to ``expected`` up to rounding: the learner's own recomputation of
    a value (1e-9 in float64, ``FLOAT32_TOL`` when ``yours`` is float32)."""
    if in_float32(yours) or PRECISION.get() is FLOAT32_TOL:
        scale = float(np.max(np.abs(expected), initial=0.0))
        return bool(np.allclose(yours, expected, rtol=FLOAT32_TOL.rtol,
                                atol=FLOAT32_TOL.atol * scale))
    return bool(np.allclose(yours, expected, rtol=1e-9, atol=1e-12))


@contextlib.contextmanager
def standing_in(ctx: Context, names: Mapping[str, Any]) -> Iterator[None]:
    """While active, ``names`` are set in the learner's module (``ctx.namespace``, whatever
    decorates their functions); what was there, or its absence, is restored afterwards."""
    globs = ctx.namespace
    saved = {key: globs[key] for key in names if key in globs}
    globs.update(names)
    try:
        yield
    finally:
        for key in names:
            if key in saved:
                globs[key] = saved[key]
            else:
                globs.pop(key, None)


def same_values(a: Any, b: Any) -> bool:
    """``a`` and ``b`` of one shape and equal, element for element (False for what cannot
    be compared as arrays)."""
    try:
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
    except (TypeError, ValueError):
        return False


def pair(name: str, out: Any, what: str) -> tuple[Any, Any]:
    """``out`` as a 2-tuple, or a "bad return"."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise DivergenceError("bad return",
                              f"{name} returned {type(out).__name__}; expected {what}")
    return out[0], out[1]


def count(value: Any, unit: str = "values") -> str:
    """How many values a returned sequence holds ("3 values"), or its type's name."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return f"{len(value)} {unit}"
    return type(value).__name__


def items(name: str, out: Any, n: int, what: str) -> tuple[Any, ...]:
    """``out`` as an n-tuple, or a "bad return"."""
    if not isinstance(out, (tuple, list)) or len(out) != n:
        raise DivergenceError("bad return", f"{name} returned {count(out)}; expected {what}")
    return tuple(out)


def mapping(name: str, out: Any) -> Mapping:
    """``out`` as a dict, or a "bad return"."""
    if not isinstance(out, Mapping):
        raise DivergenceError("bad return",
                              f"{name} returned {type(out).__name__}; expected a dict")
    return out


def scalar(name: str, value: Any, quantity: str = "cost") -> float:
    """A cost: a Python number or a 0-d array; any other shape, (1, 1) or (1,) included,
    is a finding (the course's grader refuses it)."""
    if not is_numeric(value):
        raise DivergenceError("bad return",
                              f"{quantity} from {name} is a {type(value).__name__}")
    shape = np.shape(value)
    if shape != ():
        fix = "; use np.squeeze(cost) or float(cost)" if np.size(value) == 1 else ""
        raise DivergenceError("finding", f"{quantity} has shape {shape}; the course expects a "
                              f"scalar{fix}")
    return float(np.asarray(value).reshape(()))


def number(name: str, value: Any, quantity: str, notes: list[str]) -> float:
    """A value the course keeps as a number (``b``, ``db``): any size-1 array is accepted,
    and a note says so when it is not 0-d."""
    if not is_numeric(value) or np.size(value) != 1:
        raise DivergenceError("bad return", f"{quantity} from {name} should be a number, got "
                              f"{type(value).__name__} of shape {np.shape(value)}")
    if np.ndim(value) > 0:
        notes.append(f"{quantity} has shape {np.shape(value)}; the course keeps it a number "
                     "(fine)")
    return float(np.asarray(value).reshape(()))


def run_check(name: str, check: Callable[[], None]) -> FunctionResult:
    """Run one function's check; a DivergenceError becomes its result, a note its detail."""
    try:
        note = check()
    except DivergenceError as d:
        return FunctionResult(name, d.status, d.detail, d.check)
    return FunctionResult(name, "note" if note else "match", note or "")


class Notes(list):
    """Notes gathered while checking one function, joined into its result's detail."""

    def text(self) -> str | None:
        return "; ".join(dict.fromkeys(self)) or None


class Checks:
    """Base of an assignment's checks: one method per graded function (named after it),
    the context, and a generator for the problems (``salt`` keeps assignments apart)."""

    salt = 0

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rng = np.random.default_rng(ctx.seed + self.salt)

    def fn(self, name: str) -> Callable:
        """The learner's function ``name`` (their own, or one they imported)."""
        return self.ctx.function(name) or self.ctx.namespace[name]


# --- TensorFlow references ---------------------------------------------------------------
def t(x: Any) -> tf.Tensor:
    """A float64 tensor."""
    return tf.constant(np.asarray(x, dtype=np.float64))


def activation(name: str, z: tf.Tensor) -> tf.Tensor:
    """sigmoid, relu, tanh or softmax (over axis 0: the course's columns), in TensorFlow."""
    return {"sigmoid": tf.sigmoid, "relu": tf.nn.relu, "tanh": tf.tanh,
            "softmax": lambda v: tf.nn.softmax(v, axis=0)}[name](z)


def bce(A: tf.Tensor, Y: Any) -> tf.Tensor:
    """Keras' binary cross-entropy of probabilities ``A (1, m)``, averaged over examples."""
    import keras

    return tf.reduce_mean(keras.losses.binary_crossentropy(t(np.asarray(Y).T),
                                                           tf.transpose(A)))


def gradients(f: Callable[..., tf.Tensor], *xs: Any) -> list[np.ndarray]:
    """TensorFlow autodiff of the scalar ``f(*tensors)`` with respect to each argument."""
    tensors = [t(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in tensors:
            tape.watch(x)
        out = f(*tensors)
    return [g.numpy() for g in tape.gradient(out, tensors)]
