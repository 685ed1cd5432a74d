"""The generic AST mutator over numpy_impl's maths modules, and its known equivalent survivors."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from tools.mutants.sandbox import PROJECT

MATH_MODULES = ("activations.py", "layers.py", "model.py", "costs.py", "regularization.py",
                "optimizers.py", "initializers.py", "dense.py", "data.py",
                "gradient_check.py", "network.py", "config.py")
_BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
                ast.Pow: ast.Mult, ast.MatMult: ast.Mult}
_CMP_SWAPS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
              ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


@dataclass(frozen=True)
class Mutant:
    """One generic mutation: which file, line, kind, and a description."""

    file: str
    index: int
    line: int
    kind: str
    description: str
    source_line: str


def _skipped_lines(tree: ast.AST) -> set[int]:
    """Lines of docstrings, raise statements and input validation: not maths."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if isinstance(node, ast.If) and any(isinstance(n, ast.Raise) for n in node.body):
            skip.update(range(node.lineno, node.body[0].lineno))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name.startswith(("check_", "as_float_array", "as_label_array",
                                "get_activation", "_check", "resolve_loss")):
                skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return skip


def _mutation_points(tree: ast.AST) -> list[tuple[ast.AST, str, str]]:
    """``(node, kind, description)`` for every mutable spot outside skipped lines."""
    skip = _skipped_lines(tree)
    points: list[tuple[ast.AST, str, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
            new = _BINOP_SWAPS[type(node.op)].__name__
            points.append((node, "operator", f"{type(node.op).__name__} -> {new}"))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(
                node.ops[0]) in _CMP_SWAPS:
            new = _CMP_SWAPS[type(node.ops[0])].__name__
            points.append((node, "comparison", f"{type(node.ops[0]).__name__} -> {new}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            points.append((node, "unary minus", "-x -> x"))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) and not (
                isinstance(node.value, bool)):
            points.append((node, "constant", f"{node.value!r} -> {_new_constant(node.value)!r}"))
        elif isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims") and isinstance(
                node.value, ast.Constant):
            points.append((node, node.arg, f"{node.arg}={node.value.value!r} -> "
                           f"{_new_keyword(node.value.value)!r}"))
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            points.append((node, "transpose", "x.T -> x"))
    return points


def _new_constant(value: int | float) -> int | float:
    if value == 0:
        return 1
    if value == 1:
        return 0 if isinstance(value, int) else 2.0
    return value + 1 if isinstance(value, int) else value * 2


def _new_keyword(value: object) -> object:
    if isinstance(value, bool):
        return not value
    return {0: 1, 1: 0, -1: 0}.get(value, 0)


def mutate_source(source: str, index: int) -> str:
    """The source with mutation point ``index`` applied."""
    tree = ast.parse(source)
    node, kind, _ = _mutation_points(tree)[index]
    if kind == "operator":
        node.op = _BINOP_SWAPS[type(node.op)]()
    elif kind == "comparison":
        node.ops = [_CMP_SWAPS[type(node.ops[0])]()]
    elif kind == "unary minus":
        _replace(tree, node, node.operand)
    elif kind == "constant":
        node.value = _new_constant(node.value)
    elif kind in ("axis", "keepdims"):
        node.value = ast.Constant(_new_keyword(node.value.value))
    elif kind == "transpose":
        _replace(tree, node, node.value)
    return ast.unparse(ast.fix_missing_locations(tree))


def locate(source: str, mutant: Mutant) -> int:
    """The index of ``mutant``'s mutation point in ``source``: its own index when the point
    there is the same (kind, description, source line), else the nearest one that is (the
    file may have been edited since the mutants were listed). ValueError when none is."""
    lines = source.splitlines()
    same = [i for i, (node, kind, desc) in enumerate(_mutation_points(ast.parse(source)))
            if (kind, desc, lines[node.lineno - 1].strip())
            == (mutant.kind, mutant.description, mutant.source_line)]
    if not same:
        raise ValueError(f"mutant {mutant.description!r} in `{mutant.source_line}` is no "
                         f"longer in numpy_impl/{mutant.file}")
    return min(same, key=lambda i: abs(i - mutant.index))


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


def generic_mutants(modules: Sequence[str] = MATH_MODULES) -> list[Mutant]:
    """Every generic mutant of the maths modules."""
    mutants = []
    for file in modules:
        source = (PROJECT / "numpy_impl" / file).read_text()
        lines = source.splitlines()
        for i, (node, kind, desc) in enumerate(_mutation_points(ast.parse(source))):
            mutants.append(Mutant(file, i, node.lineno, kind, desc,
                                  lines[node.lineno - 1].strip()))
    return mutants


# Survivors that cannot be killed because they do not change what is computed (or change it
# only where no finite input reaches). Keyed by (file, stripped source line, description).
_BROADCAST = ("Z is 2-D and reduced over axis 0: the (m,) result broadcasts along the "
              "trailing axis exactly as the (1, m) one does")
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("activations.py", "numerator = np.maximum(e, Z >= 0)", "GtE -> Gt"):
        "at z = 0, e = exp(0) = 1, so max(e, [z > 0]) = max(e, [z >= 0]) = 1",
    ("activations.py",
     "return np.where(Z > 0, Z, alpha * Z).astype(np.asarray(Z).dtype, copy=False)",
     "Gt -> GtE"): "at z = 0 both branches give 0",
    ("model.py", "D, keep = None, (probs[layer - 1] if layer < L else 1.0)", "1.0 -> 2.0"):
        "the output layer's value is only tested by keep < 1.0: 1.0 and 2.0 both mean "
        "no dropout",
    ("costs.py", "zmax = np.max(Z, axis=0, keepdims=True)", "keepdims=True -> False"):
        _BROADCAST,
    ("costs.py", "log_sum = np.log(np.sum(np.exp(Z - zmax), axis=0, keepdims=True)) + zmax",
     "keepdims=True -> False"): _BROADCAST,
    ("regularization.py", "return (rng.random(shape) < keep_prob).astype(dtype)",
     "Lt -> LtE"): "rng.random draws from [0, 1) on a 2^-53 grid: a draw equal to keep_prob "
                   "has probability about 1e-16",
    ("network.py", "probs = (1.0,) * len(self.keep_probs)", "1.0 -> 2.0"):
        "inference keep values are only tested by keep < 1.0: 1.0 and 2.0 both mean no "
        "dropout",
    ("gradient_check.py", "no_dropout = (1.0,) * (len(layout) // 2 - 1)", "1.0 -> 2.0"):
        "the check's keep values are only tested by keep < 1.0: 1.0 and 2.0 both mean no "
        "dropout",
    ("model.py", "need_dA_prev = layer > 1 or input_gradient", "1 -> 0"):
        "only decides whether dA0 is computed when input_gradient is False (a training "
        "step): it is then computed and stored in the step's own gradients, which the "
        "optimizers read by parameter name (dW, db), so no result changes; cost only",
    ("network.py", "net = cls.from_config(cfg, seed=0)", "0 -> 1"):
        "load restores the saved generator state right after building the network, so the "
        "seed used to build it never shows",
}
