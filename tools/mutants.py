"""Mutation testing (development tooling, run from a checkout): does the parity suite
catch the mistakes people make? ``python -m tools.mutants --help`` (or ``make mutants``).

Two parts:
- a catalogue of classic from-scratch mistakes, each a small textual change to
  numpy_impl's own source, applied one at a time to a temporary copy of the project and
  followed by the parity probe (``probe``): every one must be detected;
- a generic AST mutator over numpy_impl's maths modules (operators, comparisons,
  constants, axes, ``keepdims``, transposes, unary minus), each mutant run against the
  fast NumPy unit tests and then, if it survives them, the parity probe; the mutation
  score is killed / total, and survivors are listed, known equivalent ones explained.

Every mutant runs in its own process on its own copy, so a crashing or hanging mutant
cannot affect the others (a time-out counts as detected: the suite did not pass).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
COPY_DIRS = ("numpy_impl", "keras_impl", "parity", "tests", "tools")
TIMEOUT = 600


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: replace ``old`` by ``new`` (exactly once) in ``file``."""

    name: str
    file: str
    old: str
    new: str


CATALOGUE: tuple[Mistake, ...] = (
    Mistake("missing 1/m in dW", "layers.py",
            "dW = (A_prev @ dZ.T).T / m", "dW = (A_prev @ dZ.T).T"),
    Mistake("db summed over the wrong axis", "layers.py",
            "db = np.sum(dZ, axis=1, keepdims=True) / m",
            "db = np.sum(dZ, axis=0, keepdims=True) / m"),
    Mistake("relu derivative inverted", "activations.py",
            "return dA * (Z > 0)", "return dA * (Z <= 0)"),
    Mistake("relu derivative off at zero", "activations.py",
            "return dA * (Z > 0)", "return dA * (Z >= 0)"),
    Mistake("missing transpose in dA_prev", "layers.py",
            "dA_prev = W.T @ dZ if", "dA_prev = W @ dZ if"),
    Mistake("transpose missing in dW", "layers.py",
            "dW = (A_prev @ dZ.T).T / m", "dW = (A_prev @ dZ.T) / m"),
    Mistake("dropout mask not rescaled", "regularization.py",
            "return A * D / A.dtype.type(keep_prob)", "return A * D"),
    Mistake("L2 gradient missing its lambd/m", "regularization.py",
            "return (lambd / m) * W", "return W"),
    Mistake("L2 cost missing its 1/2", "regularization.py",
            "return lambd / (2.0 * m) * total", "return lambd / m * total"),
    Mistake("Adam bias correction missing", "optimizers.py",
            "v_hat, s_hat = v[dk] / (1 - b1**t), s[dk] / (1 - b2**t)",
            "v_hat, s_hat = v[dk], s[dk]"),
    Mistake("Adam epsilon inside the square root", "optimizers.py",
            "alpha_t * v[dk] / (np.sqrt(s[dk]) + eps)", "alpha_t * v[dk] / np.sqrt(s[dk] + eps)"),
    Mistake("momentum sign", "optimizers.py",
            'new = {k: W - W.dtype.type(lr) * v[f"d{k}"]',
            'new = {k: W + W.dtype.type(lr) * v[f"d{k}"]'),
    Mistake("momentum without (1 - beta)", "optimizers.py",
            'v = {k: b * state["v"][k] + (1 - b) * grads[k]',
            'v = {k: b * state["v"][k] + grads[k]'),
    Mistake("softmax not shifted", "activations.py",
            "shifted = Z - np.max(Z, axis=axis, keepdims=True)", "shifted = Z"),
    Mistake("cost sign", "costs.py",
            "return float(-np.mean(np.log(p_true)))", "return float(np.mean(np.log(p_true)))"),
    Mistake("logits cost without log1p", "costs.py",
            "np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))",
            "np.maximum(Z, 0) - Z * Y + np.exp(-np.abs(Z))"),
    Mistake("sigmoid derivative missing (1 - s)", "activations.py",
            "return dA * s * (1.0 - s)", "return dA * s"),
    Mistake("tanh derivative 1 - t", "activations.py",
            "return dA * (1.0 - t * t)", "return dA * (1.0 - t)"),
    Mistake("output delta sign", "costs.py", "    return AL - Y", "    return Y - AL"),
    Mistake("leaky relu slope lost in backward", "activations.py",
            "np.where(Z > 0, dA, alpha * dA)", "np.where(Z > 0, dA, 0 * dA)"),
    Mistake("He initialisation with 1/n", "initializers.py",
            '"he": np.sqrt(2.0 / n_in)', '"he": np.sqrt(1.0 / n_in)'),
)

FAST_CATALOGUE = ("missing 1/m in dW", "relu derivative off at zero",
                  "Adam bias correction missing", "softmax not shifted")


# --- the parity probe --------------------------------------------------------------------------
def probe() -> list[str]:
    """Run the parity checks used to detect mutants; return the names of those that failed
    (an exception in a check counts as a failure, named with its type)."""

    import numpy_impl as ni
    from parity import (
        ZOO,
        Architecture,
        architecture_report,
        compare_cost,
        compare_fit,
        compare_initializers,
        initial_params,
        make_data,
    )

    archs = [ZOO["shallow_relu"], ZOO["shallow_tanh"], ZOO["image_4layer"],
             ZOO["softmax_multiclass"], ZOO["regularized_dropout"],
             Architecture(layer_dims=(6, 5, 1), hidden_activation="sigmoid",
                          name="sigmoid_small"),
             Architecture(layer_dims=(5, 4, 3, 1), hidden_activation="leaky_relu",
                          name="leaky_small")]
    failed: list[str] = []

    def run(name: str, fn: Callable[[], object]) -> None:
        try:
            report = fn()
        except Exception as exc:  # a mutant may crash anywhere: that is a detection
            first = (str(exc).splitlines() or [""])[0][:90]
            failed.append(f"{name} (raised {type(exc).__name__}: {first})")
            return
        if not report.passed:
            groups = sorted({c.group for c in report.failures()})
            failed.append(f"{name}: {', '.join(groups)}")

    for arch in archs:
        run(arch.name, lambda a=arch: architecture_report(a, m=12, steps=3))
    for name in ("softmax_multiclass", "shallow_relu"):
        arch = ZOO[name]
        X, Y = make_data(arch, 12, 1)
        params = {k: v * 300 for k, v in initial_params(arch, 0).items()}
        run(f"{name} saturated", lambda a=arch, X=X, Y=Y, p=params: compare_cost(a, X, Y, p))
    X, Y = make_data(ZOO["tabular_2layer"], 30, 0)
    run("fit", lambda: compare_fit(ZOO["tabular_2layer"], X, Y, "momentum", 2, 10, 0.05))
    for method in ni.INITIALIZERS:
        run(f"init {method}", lambda m=method: compare_initializers(m, 300, 200))
    return failed


def probe_main() -> None:  # pragma: no cover - runs in the mutant's process
    """Print the probe's result as one ``PROBE-RESULT [...]`` line (read by ``run_probe``)."""
    print("PROBE-RESULT " + json.dumps(probe()))


# --- copies and processes ---------------------------------------------------------------
def _copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPY_DIRS:
        shutil.copytree(PROJECT / name, dest / name, ignore=ignore)
    shutil.copy2(PROJECT / "pyproject.toml", dest / "pyproject.toml")


def _run(cmd: Sequence[str], cwd: Path) -> subprocess.CompletedProcess | None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        return subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, env=env,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def run_probe(cwd: Path) -> list[str]:
    """The parity probe in a fresh process on the copy at ``cwd``."""
    result = _run([sys.executable, "-c", "from tools.mutants import probe_main; "
                   "probe_main()"], cwd)
    if result is None:
        return [f"probe timed out after {TIMEOUT} s"]
    for line in result.stdout.splitlines():
        if line.startswith("PROBE-RESULT "):
            return json.loads(line[len("PROBE-RESULT "):])
    tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return [f"probe crashed: {tail[:200]}"]


@dataclass
class MistakeResult:
    """A catalogue entry and the checks that detected it (empty: it survived)."""

    mistake: Mistake
    detected_by: list[str]

    @property
    def detected(self) -> bool:
        """True when at least one check failed."""
        return bool(self.detected_by)


def apply_mistake(root: Path, mistake: Mistake) -> None:
    """Apply ``mistake`` to ``root/numpy_impl``; the pattern must occur exactly once."""
    path = root / "numpy_impl" / mistake.file
    source = path.read_text()
    if source.count(mistake.old) != 1:
        raise ValueError(f"mistake {mistake.name!r}: {mistake.old!r} occurs "
                         f"{source.count(mistake.old)} times in numpy_impl/{mistake.file}; "
                         "expected exactly once")
    path.write_text(source.replace(mistake.old, mistake.new))


def run_mistake(mistake: Mistake) -> MistakeResult:
    """Copy the project, plant ``mistake``, run the probe."""
    with tempfile.TemporaryDirectory(prefix="nn-parity-mutant-") as tmp:
        root = Path(tmp)
        _copy_project(root)
        apply_mistake(root, mistake)
        return MistakeResult(mistake, run_probe(root))


def run_catalogue(names: Iterable[str] | None = None, jobs: int = 2,
                  on_result: Callable[[MistakeResult], None] | None = None,
                  ) -> list[MistakeResult]:
    """Run the catalogue (or the named subset), ``jobs`` mutants at a time."""
    chosen = list(CATALOGUE)
    if names is not None:
        wanted = list(names)
        unknown = set(wanted) - {m.name for m in CATALOGUE}
        if unknown:
            raise ValueError(f"unknown mistake(s) {sorted(unknown)}; the catalogue has "
                             f"{[m.name for m in CATALOGUE]}")
        chosen = [m for m in CATALOGUE if m.name in wanted]
    return _parallel(run_mistake, chosen, jobs, on_result)


def _parallel(fn: Callable, items: list, jobs: int, on_result: Callable | None) -> list:
    results = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(fn, items):
            results.append(result)
            if on_result:
                on_result(result)
    return results


def catalogue_table(results: Sequence[MistakeResult]) -> str:
    """mistake | file | detected | by which checks."""
    rows = [("mistake", "file", "detected", "detected by")]
    for r in results:
        by = "; ".join(r.detected_by) if r.detected else "-"
        rows.append((r.mistake.name, f"numpy_impl/{r.mistake.file}",
                     "yes" if r.detected else "NO", by))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
             for row in rows]
    n = sum(r.detected for r in results)
    lines.append(f"{n} of {len(results)} mistakes detected")
    return "\n".join(lines)


# --- the generic AST mutator ------------------------------------------------------------
MATH_MODULES = ("activations.py", "layers.py", "model.py", "costs.py", "regularization.py",
                "optimizers.py", "initializers.py", "dense.py", "data.py",
                "gradient_check.py")
UNIT_TESTS = ("tests/test_activations.py", "tests/test_basics.py", "tests/test_costs.py",
              "tests/test_dense.py", "tests/test_data.py", "tests/test_gradient_check.py",
              "tests/test_initializers.py", "tests/test_model.py", "tests/test_optimizers.py",
              "tests/test_network.py")
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
}


@dataclass
class MutantResult:
    """A generic mutant and what killed it ("" when it survived)."""

    mutant: Mutant
    killed_by: str

    @property
    def killed(self) -> bool:
        """True when the unit tests or the parity probe failed."""
        return bool(self.killed_by)

    @property
    def equivalent(self) -> str:
        """Why a survivor is equivalent, if known."""
        m = self.mutant
        return EQUIVALENT.get((m.file, m.source_line, m.description), "")


def run_mutant(mutant: Mutant) -> MutantResult:
    """Copy the project, apply the mutant, run the unit tests, then (if they pass) the probe."""
    with tempfile.TemporaryDirectory(prefix="nn-parity-mutant-") as tmp:
        root = Path(tmp)
        _copy_project(root)
        path = root / "numpy_impl" / mutant.file
        path.write_text(mutate_source(path.read_text(), mutant.index))
        tests = _run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                      "-p", "no:randomly", "--benchmark-disable", "-o", "addopts=",
                      "-W", "error::RuntimeWarning", *UNIT_TESTS], root)
        if tests is None:
            return MutantResult(mutant, "unit tests (timed out)")
        if tests.returncode != 0:
            return MutantResult(mutant, "unit tests")
        failed = run_probe(root)
        return MutantResult(mutant, "parity: " + "; ".join(failed) if failed else "")


def run_generic(mutants: Sequence[Mutant], jobs: int = 2,
                on_result: Callable[[MutantResult], None] | None = None) -> list[MutantResult]:
    """Run generic mutants, ``jobs`` at a time."""
    return _parallel(run_mutant, list(mutants), jobs, on_result)


def generic_report(results: Sequence[MutantResult]) -> str:
    """The score, a count per kind, and every survivor (with its explanation if known)."""
    killed = sum(r.killed for r in results)
    equivalent = [r for r in results if not r.killed and r.equivalent]
    lines = [f"mutation score: {killed}/{len(results)} killed "
             f"({100 * killed / max(1, len(results)):.1f}%); "
             f"{len(equivalent)} survivor(s) explained as equivalent; score over "
             f"non-equivalent mutants {killed}/{len(results) - len(equivalent)} "
             f"({100 * killed / max(1, len(results) - len(equivalent)):.1f}%)"]
    by_kind: dict[str, list[int]] = {}
    for r in results:
        k = by_kind.setdefault(r.mutant.kind, [0, 0])
        k[0] += r.killed
        k[1] += 1
    lines.append("by kind: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(
        by_kind.items())))
    survivors = [r for r in results if not r.killed]
    if survivors:
        lines.append("survivors:")
        for r in survivors:
            m = r.mutant
            why = r.equivalent or "NOT EXPLAINED"
            lines.append(f"  numpy_impl/{m.file}:{m.line}  {m.description}  in "
                         f"`{m.source_line}`  -- {why}")
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.mutants``: the catalogue (exit 1 if a mistake survives) and, with
    ``--generic``, the AST mutation score."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tools.mutants",
        description="Mutation testing: each classic from-scratch mistake is planted in a "
                    "temporary copy of the checkout and the parity probe is run; --generic "
                    "adds the AST mutation score over numpy_impl's maths modules.")
    parser.add_argument("--quick", action="store_true", help="only a small subset (as CI runs)")
    parser.add_argument("--only", default=None, help="comma-separated mistake names")
    parser.add_argument("--generic", action="store_true", help="also the generic AST mutants")
    parser.add_argument("--limit", type=int, default=None,
                        help="with --generic: an evenly spread sample of this many mutants")
    parser.add_argument("--jobs", type=int, default=2, help="processes at a time")
    parser.add_argument("--json", default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    for name in ("limit", "jobs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be >= 1, got {value}")
    names = args.only.split(",") if args.only else (
        list(FAST_CATALOGUE) if args.quick else None)
    total = len(names) if names else len(CATALOGUE)
    print(f"planting {total} classic mistakes in copies of numpy_impl, {args.jobs} at a time; "
          "each is followed by the parity probe")
    try:
        results = run_catalogue(names, args.jobs, on_result=lambda r: print(
            f"  {'detected' if r.detected else 'SURVIVED'}: {r.mistake.name}", flush=True))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(catalogue_table(results))
    data: dict = {"catalogue": [{"mistake": r.mistake.name, "file": r.mistake.file,
                                 "detected_by": r.detected_by} for r in results]}
    ok = all(r.detected for r in results)
    if args.generic:
        chosen = generic_mutants()
        if args.limit:
            chosen = chosen[:: max(1, len(chosen) // args.limit)][: args.limit]
        print(f"\ngeneric mutation testing: {len(chosen)} mutants of numpy_impl's maths "
              f"modules ({', '.join(MATH_MODULES)})")
        done: list[MutantResult] = []

        def progress(r: MutantResult) -> None:
            done.append(r)
            if len(done) % 25 == 0 or len(done) == len(chosen):
                print(f"  {len(done)}/{len(chosen)} run, {sum(x.killed for x in done)} killed",
                      flush=True)

        generic = run_generic(chosen, args.jobs, on_result=progress)
        print(generic_report(generic))
        data["generic"] = [{"file": r.mutant.file, "line": r.mutant.line,
                            "kind": r.mutant.kind, "mutation": r.mutant.description,
                            "source": r.mutant.source_line, "killed_by": r.killed_by,
                            "equivalent": r.equivalent} for r in generic]
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2))
        print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
