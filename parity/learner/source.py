"""What a submission is: a ``.py`` file, an importable module, or a Jupyter notebook.

A ``.py`` file or a module runs as a module (its top-level code included). From a
notebook only the imports, function and class definitions, constants and aliases of its
code cells are kept (see ``_keep``): test-calling cells, magics (``%matplotlib``), shell
lines (``!pip``) and imports of the course's test harness are left out. Lines are mapped
back to "cell N, line M" for messages.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

HARNESS = ("testCases", "testcases", "public_tests", "test_utils", "test_cases", "grader")
"""Prefixes of the course's test-harness modules: never needed to check a function."""


@dataclass
class Source:
    """Code to run as the learner's module, with where it came from."""

    code: str
    filename: str
    folder: Path | None
    kind: str
    notes: list[str] = field(default_factory=list)
    cells: list[tuple[int, int]] | None = None  # per line of code: (cell, line in cell)
    left_out: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Names that only left-out statements bind, with where the first is: (cell, line)."""

    def place(self, cell: int, line: int) -> str:
        """"cell 3, line 4" in a notebook, "line 4" in a file."""
        return f"cell {cell}, line {line}" if self.kind == "ipynb" else f"line {line}"

    def line_name(self, line: int) -> str:
        """"line 12", or "cell 3, line 4" for a notebook."""
        if self.cells and 1 <= line <= len(self.cells):
            cell, in_cell = self.cells[line - 1]
            return f"cell {cell}, line {in_cell}" if self.kind == "ipynb" else (
                f"line {in_cell}")
        return f"line {line}"


def is_harness(module: str) -> bool:
    """True for the course's test-harness modules (testCases_v4a, public_tests, ...)."""
    return module.split(".")[0].startswith(HARNESS)


def read_source(target: str) -> Source:
    """A ``.py`` path, a ``.ipynb`` path, or an importable module name (ValueError if
    none of these)."""
    path = Path(target)
    if target.endswith(".ipynb"):
        return read_notebook(path)
    if target.endswith(".py") or os.sep in target or path.exists():
        if not path.is_file():
            raise ValueError(f"{target!r} is not a file; expected a .py file, a .ipynb "
                             "notebook or an importable module name")
        text = _read_text(path)
        if _EXPORTED.search(text):
            return _exported_notebook(text, path)
        return Source(text, str(path.resolve()), path.resolve().parent, "py")
    try:
        spec = importlib.util.find_spec(target)
    except (ImportError, ValueError) as exc:
        raise ValueError(f"cannot find module {target!r}: {exc}") from None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise ValueError(f"cannot find module {target!r}; expected a .py file, a .ipynb "
                         "notebook or an importable module name")
    origin = Path(spec.origin)
    return Source(_read_text(origin), str(origin), origin.parent, "module")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{str(path)!r} is not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {str(path)!r}: {exc}") from None


_DEFINES = re.compile(r"^\s*(async\s+)?(def|class)\s")

_EXPORTED = re.compile(r"^# In\[[ \d]*\]:\s*$", re.M)
"""The cell markers of a notebook exported to .py (``jupyter nbconvert --to script``)."""


def filter_definitions(source: Source) -> Source:
    """A ``.py`` source reduced to its imports, definitions and literal constants (its
    lines still named by their number in the file)."""
    filtered = _from_cells([{"cell_type": "code", "source": source.code}],
                           Path(source.filename))
    return Source(filtered.code, source.filename, source.folder, "filtered",
                  list(source.notes), filtered.cells, filtered.left_out)


def _exported_notebook(text: str, path: Path) -> Source:
    """A notebook exported to .py: each ``# In[ ]:`` section is a cell."""
    cells = [{"cell_type": "code", "source": part} for part in _EXPORTED.split(text)]
    source = _from_cells(cells, path)
    source.notes.insert(0, "a notebook exported to .py: only its definitions and imports "
                           "were used, as for a notebook")
    return source


def read_notebook(path: Path) -> Source:
    """The definitions and imports of a notebook's code cells, as one module."""
    if not path.is_file():
        raise ValueError(f"notebook {str(path)!r} does not exist")
    try:
        nb = json.loads(_read_text(path))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError(f"'cells' is a {type(cells).__name__}, not a list")
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{str(path)!r} is not a Jupyter notebook (nbformat 4 JSON with "
                         f"'cells'): {type(exc).__name__}: {exc}") from None
    return _from_cells(cells, path)


def _from_cells(cells: list, path: Path) -> Source:
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    notes: list[str] = []
    skipped_harness: set[str] = set()
    defined: set[str] = set()
    unbound: set[str] = set()  # names only statements left out bind (X = load_data())
    left_out: dict[str, tuple[int, int]] = {}
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        cell_lines = _without_magics(text.splitlines())
        try:
            tree = ast.parse("\n".join(cell_lines))
        except SyntaxError as exc:
            if not any(_DEFINES.match(line) for line in cell_lines):
                # a cell that defines nothing (exploration, tests): Jupyter would run the
                # others, and so does this
                notes.append(f"cell {number} has a syntax error ({exc.msg}, line "
                             f"{exc.lineno}) and defines nothing: left out")
                continue
            raise SyntaxError(f"cell {number}, line {exc.lineno}: {exc.msg}") from None
        for node in tree.body:
            tentative = False
            if not _keep(node, defined):
                tentative = _star_alias(node, defined, unbound)
                if not tentative:
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        skipped_harness.update(_modules(node))
                    bound = _bound_names(node)
                    for name in bound - unbound:
                        left_out[name] = (number, node.lineno)
                    unbound |= bound
                    continue
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            last = node.end_lineno or node.lineno
            if tentative:  # as Jupyter ran it, except that a NameError leaves it out
                lines.append("try:")
                where.append((number, first))
            for i in range(first, last + 1):
                lines.append(("    " if tentative else "") + cell_lines[i - 1])
                where.append((number, i))
            if tentative:
                lines += ["except NameError:", "    pass"]
                where += [(number, last)] * 2
    if skipped_harness:
        notes.append("the course's test-harness imports were left out: "
                      + ", ".join(sorted(skipped_harness)))
    return Source("\n".join(lines) + "\n", str(path.resolve()), path.resolve().parent,
                  "ipynb", notes, where,
                  {n: w for n, w in left_out.items() if n not in defined})


def _without_magics(lines: list[str]) -> list[str]:
    """``lines`` with the IPython magics and shell lines blanked: only those that start a
    statement (a line starting ``!=`` or ``% m`` inside brackets, a string or after a
    backslash continues an expression)."""
    out, depth, quote, joined = [], 0, "", False
    for line in lines:
        if depth == 0 and not quote and not joined and _is_magic(line):
            out.append("")
            continue
        out.append(line)
        i = 0
        while i < len(line):
            if quote:
                if line.startswith(quote, i):
                    i, quote = i + len(quote), ""
                    continue
                i += 2 if line[i] == "\\" else 1
                continue
            char = line[i]
            if char == "#":
                break
            if char in "\"'":
                quote = char * 3 if line.startswith(char * 3, i) else char
                i += len(quote)
                continue
            depth += (char in "([{") - (char in ")]}")
            i += 1
        if len(quote) == 1:  # a one-line string left open: a syntax error, reported later
            quote = ""
        joined = line.endswith("\\") and not quote
        depth = max(depth, 0)
    return out


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or (stripped.endswith("?") and " " not in stripped)


def _keep(node: ast.stmt, defined: set[str]) -> bool:
    """Definitions, imports, and assignments that only name what is defined: literal
    constants, arithmetic on them, lambdas, aliases (``matmul = np.dot``), containers
    of these (``ACTS = {"relu": relu}``) and calls of ``PURE_CALLS`` on them
    (``np.sqrt(2.0)``), and a ``try`` of such statements (``try: from dnn_utils import
    relu`` / ``except ImportError: ...``). ``defined``: the top-level names kept so far,
    updated. Another call (``X = load_data()``) is never kept, nor an alias of something
    that was not."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        defined.add(node.name)
        return True
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if any(is_harness(m) for m in _modules(node)):
            return False
        defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        return True
    if isinstance(node, ast.Try):
        body = [*node.body, *node.orelse, *node.finalbody,
                *(s for h in node.handlers for s in h.body)]
        trial = set(defined)
        if body and all(_keep(s, trial) or isinstance(s, ast.Pass) for s in body):
            defined.update(trial)
            return True
        return False
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
            and _definition_like(node.value, defined):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n for t in targets for n in _target_names(t)]
        if all(names):  # names only (a, b = 1, 2 too); never np.x = ... or d["k"] = ...
            defined.update(names)
            return True
    return False


def _star_alias(node: ast.stmt, defined: set[str], unbound: set[str]) -> bool:
    """Whether ``node`` is an alias (see ``_keep``) of names that only a star import kept
    before it (``from dnn_utils import *``; ``sig = sigmoid``) can have bound, or that
    such an alias bound: which names a star import brings is not known without running
    it, so the alias is kept tentatively (a NameError leaves it out). Its names are not
    added to ``defined`` (an alias of them is tentative too). Never an alias of a name
    that a statement left out binds."""
    if "*" not in defined or not isinstance(node, (ast.Assign, ast.AnnAssign)) or \
            node.value is None:
        return False
    free = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} - defined
    return bool(free) and not free & unbound and _keep(node, defined | free)


def _bound_names(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds (assignment targets, loop variables...)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)}


def _target_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds; "" for a part that is not a plain name."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _target_names(t)]
    return [""]


def _modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names."""
    return [a.name for a in node.names] if isinstance(node, ast.Import) else [
        node.module or ""]


def _definition_like(value: ast.expr, defined: set[str]) -> bool:
    """An expression that computes nothing but names what exists (see ``_keep``)."""
    if isinstance(value, (ast.Constant, ast.Lambda)):
        return True
    if isinstance(value, ast.Name):
        return value.id in defined or hasattr(builtins, value.id)
    if isinstance(value, ast.Attribute):
        return _definition_like(value.value, defined)
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        return all(_definition_like(e, defined) for e in value.elts)
    if isinstance(value, ast.Dict):
        return all(k is None or _definition_like(k, defined) for k in value.keys) and all(
            _definition_like(v, defined) for v in value.values)
    if isinstance(value, ast.UnaryOp):
        return _definition_like(value.operand, defined)
    if isinstance(value, ast.BinOp):
        return _definition_like(value.left, defined) and _definition_like(value.right,
                                                                          defined)
    if isinstance(value, ast.Call):  # np.sqrt(2.0), math.pow(10, -8), partial(f, x=1)
        chain = _attribute_chain(value.func)
        return bool(chain) and chain[-1] in PURE_CALLS and "random" not in chain and (
            chain[0] in defined or (len(chain) == 1 and hasattr(builtins, chain[0]))) and all(
            _definition_like(a.value if isinstance(a, ast.Starred) else a, defined)
            for a in value.args) and all(_definition_like(k.value, defined)
                                         for k in value.keywords)
    return False


PURE_CALLS = frozenset({"sqrt", "exp", "log", "log2", "log10", "pow", "power", "float",
                        "int", "abs", "round", "min", "max", "float16", "float32",
                        "float64", "partial"})
"""Functions a kept constant may call (``HE_GAIN = np.sqrt(2.0)``): numbers in, a number
(or a ``functools.partial``) out, nothing read, drawn or written."""


def _attribute_chain(node: ast.expr) -> list[str]:
    """``np.linalg.norm`` as ``["np", "linalg", "norm"]``; [] for anything but names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def imported_modules(code: str) -> list[str]:
    """Top-level names of the modules ``code`` imports (absolute imports only)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module.split(".")[0])
    return list(dict.fromkeys(found))
