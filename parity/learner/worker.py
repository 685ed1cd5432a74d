"""The checking process: ``python -m parity.learner.worker TARGET SEED RESULT READY``.

Runs the learner's code as a module (the file's folder first on the import path, course
helper modules supplied when absent), checks it, and writes the report as JSON to
RESULT. Whatever the learner's code prints goes to this process's output, which the
parent keeps apart from the report. Started by ``parity.learner.sandbox``.
"""

from __future__ import annotations

import importlib.util
import linecache
import sys
import tempfile
import types
from pathlib import Path

import keras_impl  # noqa: F401  (first: TensorFlow starts quietly)
import numpy_impl as ni
from parity.learner.report import LearnerReport
from parity.learner.runner import check_namespace
from parity.learner.shims import write_shims
from parity.learner.source import (
    Source,
    filter_definitions,
    imported_modules,
    is_harness,
    read_source,
)

MODULE_NAME = "learner_submission"
TRUSTED = ("numpy", "math", "copy", "builtins", "operator", "functools", "parity",
           "numpy_impl", "keras_impl")
"""The packages the checks compute and compare with: the learner's code runs in the same
process, so any of their names it replaces (``np.abs = ...``, ``copy.deepcopy = ...``)
makes the check refuse to give a verdict."""
_ABSENT = object()


Names = dict[tuple[str, str], object]


def trusted_names() -> Names:
    """Every module-level name of the ``TRUSTED`` packages' loaded modules, with its object
    (about 10,000 names: a few milliseconds)."""
    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in TRUSTED:
            continue
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            out[(name, attr)] = value
    return out


def replaced(before: Names) -> list[tuple[str, str]]:
    """The ``(module, name)`` of ``before`` (``trusted_names``) now bound to another object,
    or gone."""
    return [(name, attr) for (name, attr), value in before.items()
            if getattr(sys.modules.get(name), "__dict__", {}).get(attr, _ABSENT) is not value]


def restore(before: Names) -> None:
    """Bind every replaced name of ``before`` to its object again (when run in-process, the
    next check, and the caller, get their libraries back)."""
    for name, attr in replaced(before):
        if name in sys.modules:
            setattr(sys.modules[name], attr, before[(name, attr)])


def _tampering(before: Names, when: str) -> str:
    """The error of a check whose own libraries the learner's code changed, or ""."""
    names = [f"{module}.{attr}" for module, attr in replaced(before)]
    if not names:
        return ""
    more = f" (and {len(names) - 3} more)" if len(names) > 3 else ""
    return (f"your code replaced {', '.join(names[:3])}{more} {when}; the checks compute "
            "with these themselves, so no verdict of theirs could be trusted")


def load(source: Source, shim_dir: Path,
         ) -> tuple[types.ModuleType | None, list[str], str, Source]:
    """Run the learner's code as a module; ``(module, notes, error, source run)``, the
    module None when the code could not run to the end; the source run is ``source``
    reduced to its definitions when its top-level code loads the course's data."""
    if source.folder is not None:
        sys.path.insert(0, str(source.folder))
    notes = list(source.notes)
    supplied = write_shims(imported_modules(source.code), shim_dir,
                           lambda n: importlib.util.find_spec(n) is not None)
    sys.path.append(str(shim_dir))
    if supplied:
        notes.append("not found beside your code, so supplied with the course's conventions: "
                     + ", ".join(supplied))
    lines = source.code.splitlines(keepends=True)
    linecache.cache[source.filename] = (len(source.code), None, lines, source.filename)
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = source.filename
    sys.modules[MODULE_NAME] = module
    if "get_ipython" in source.code:  # a notebook exported to .py: its magics become calls
        module.__dict__["get_ipython"] = _NoIPython
        notes.append("get_ipython() calls (magics of a notebook exported to .py) were ignored")
    try:
        code = compile(source.code, source.filename, "exec")
        exec(code, module.__dict__)
    except SyntaxError as exc:
        where = source.line_name(exc.lineno) if exc.lineno else "?"
        return None, notes, f"your code has a syntax error at {where}: {exc.msg}", source
    except SystemExit as exc:
        return None, notes, (f"your code called sys.exit({exc.code!r}) while loading"
                             f"{_where(source, exc)}; nothing was checked"), source
    except KeyboardInterrupt as exc:
        return None, notes, ("your code raised KeyboardInterrupt while loading"
                             f"{_where(source, exc)}"), source
    except Exception as exc:  # the learner's top-level code may raise anything
        if type(exc).__name__ == "CourseDataUnavailable" and source.kind == "py":
            # top-level code that loads the course's data (not shipped here): keep only the
            # definitions and imports, as for a notebook
            where = _where(source, exc)
            module, more, error, ran = load(filter_definitions(source), shim_dir)
            return module, [f"your top-level code loads the course's dataset{where}, which "
                            "is not here: only your definitions and imports were used",
                            *more], error, ran
        harness = [n for n in supplied if is_harness(n)]
        hint = (f"; the course's test harness ({', '.join(harness)}) is not here, and a "
                "star import of it brings nothing: remove the top-level test calls, or check "
                "the notebook instead" if isinstance(exc, NameError) and harness else "")
        return None, notes, (f"your code raised {type(exc).__name__} while loading"
                             f"{_where(source, exc)}: {exc}{hint}"), source
    return module, notes, "", source


class _NoIPython:
    """What ``get_ipython()`` gives an exported notebook here: every magic is a no-op."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def _where(source: Source, exc: BaseException) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == source.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return "" if line is None else f" ({source.line_name(line)})"


def run(target: str, seed: int) -> LearnerReport:
    """Read, load and check ``target``."""
    try:
        source = read_source(target)
    except SyntaxError as exc:
        return LearnerReport(target, error=f"your notebook has a syntax error: {exc.msg}")
    except ValueError as exc:
        return LearnerReport(target, error=str(exc))
    path, modules = list(sys.path), set(sys.modules)
    with tempfile.TemporaryDirectory(prefix="nn-parity-shims-") as shim_dir:
        before = trusted_names()
        try:
            module, notes, error, ran = load(source, Path(shim_dir))
            error = error or _tampering(before, "while loading")
            if module is None or error:
                return LearnerReport(target, notes=notes, error=error)
            report = check_namespace(module.__dict__, target, seed, notes,
                                     lambda filename, line: ran.line_name(line)
                                     if filename == ran.filename else f"line {line}",
                                     {n: ran.place(*w) for n, w in ran.left_out.items()})
            report.error = report.error or _tampering(before, "while being checked") or None
            return report
        finally:  # when run in-process: leave no trace of this submission behind
            restore(before)
            sys.path[:] = path
            folders = [str(Path(shim_dir))] + ([str(source.folder)] if source.folder else [])
            for name in set(sys.modules) - modules:
                origin = getattr(sys.modules[name], "__file__", None) or ""
                if name == MODULE_NAME or origin.startswith(tuple(folders)):
                    del sys.modules[name]


def main(argv: list[str]) -> int:
    """Check ``argv = [target, seed, result_path, ready_path]``: TensorFlow is already
    imported (module level), so ``ready_path`` is created first (the parent's time limit
    for the learner's code starts then); the exit status is 0 once the report is written,
    whatever it says."""
    target, seed, result, ready = argv[0], int(argv[1]), argv[2], argv[3]
    Path(ready).touch()
    report = run(target, seed)
    text = report.to_json().encode()
    ni.atomic_write(result, lambda f: f.write(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
