"""The command line: ``python -m parity`` (also installed as ``nn-parity``).

How it fails: an option with a bad value is one line on stderr naming the option and the
value, exit status 2, before any work; the output folder (``--out``, the folder of
``--json``) is created and proved writable before any work and before TensorFlow is
imported; training that diverges is one line naming the epoch and step, exit status 1,
after writing what there is; Ctrl-C is one line ("interrupted"), exit status 130, and the
files and folders this run created are removed (a run stopped by refused input removes
the folders it created too). Every file is written atomically, so none is ever
half-written, and no JSON file holds NaN or Infinity (``parity.outputs.finite_json``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import multiprocessing
import multiprocessing.process
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import numpy_impl as ni
from numpy_impl.datasets import IMAGE_SPECS, Dataset, load_dataset
from parity.architecture import (
    LAYERED_ZOO,
    ZOO,
    Architecture,
    LayerArchitecture,
    get_architecture,
)
from parity.numerical import report_numerical_gradient
from parity.outputs import plot_cost_curves, write_json

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from parity.numerical import NumericalGradient
    from parity.report import ParityReport
    from parity.train import SideBySide

# The comparisons and the lockstep import TensorFlow: each command imports them when it
# runs, so that `check` (whose checking runs in a child process) starts without it.


# Keras imports these at its own import when they are installed, for integrations the
# command line never uses (scikit-learn wrappers, its pandas type checks when slicing
# model.fit's inputs, an image-gallery plot): about 1 s of a command's start. Each falls
# back cleanly without them.
KERAS_OPTIONAL = ("sklearn", "pandas", "matplotlib")


def start_tensorflow() -> None:
    """Import TensorFlow through keras_impl, which keeps its start-up lines off the
    terminal; must come before any module that imports keras or tensorflow itself. The
    modules of ``KERAS_OPTIONAL`` not yet imported are kept from Keras' import (marked
    absent in ``sys.modules`` for its duration, then importable again). For the command
    line's own process: Keras stays without those integrations for the rest of the
    process (e.g. ``keras.wrappers.SKLearnClassifier`` refuses to work), so a library
    user imports ``keras_impl`` instead."""
    if "keras_impl" in sys.modules:
        return
    blocked = [name for name in KERAS_OPTIONAL if name not in sys.modules]
    try:
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]
        import keras_impl  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


SUMMARY_GROUPS = ("forward", "cost", "gradients", "numerical", "inference", "training",
                  "initializer")


# --- the zoo summary ------------------------------------------------------------------------
def zoo_summary(reports: dict[str, ParityReport]) -> str:
    """One row per architecture: per check group, pass/fail and the largest fraction of
    its tolerance a check used (``Comparison.used``)."""
    head = ("architecture", *SUMMARY_GROUPS, "result")
    rows = [head]
    for name, report in reports.items():
        cells = []
        groups = report.groups()
        for group in SUMMARY_GROUPS:
            checks = groups.get(group, [])
            if not checks:
                cells.append("-")
                continue
            worst = max(c.used for c in checks)
            ok = all(c.passed for c in checks)
            cells.append(f"{'ok' if ok else 'FAIL'} {worst:.0e}")
        rows.append((name, *cells, "PASS" if report.passed else "FAIL"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    n_fail = sum(not r.passed for r in reports.values())
    lines.append(f"{len(reports) - n_fail} of {len(reports)} architectures agree "
                 "(cells: the largest fraction of its tolerance a check in the group used)")
    return "\n".join(lines)


# --- training -------------------------------------------------------------------------------
class Progress:
    """Per-epoch progress of a training run, called as ``on_epoch(epoch, epochs, costs)``.

    On a terminal a tqdm bar updates in place (the costs as its postfix); anywhere else
    (a log file, CI, a pipe) each epoch is one plain line, ``epoch 3/20 [###...] numpy
    0.123456  keras 0.123456``. ``close`` ends the bar; use it as a context manager.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 24) -> None:
        self.stream = sys.stdout if stream is None else stream
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self._bar: Any = None

    def __call__(self, epoch: int, epochs: int, costs: dict[str, float]) -> None:
        parts = "  ".join(f"{b} {c:.6f}" for b, c in costs.items())
        if not self.terminal:
            done = int(self.width * epoch / epochs)
            print(f"epoch {epoch:>{len(str(epochs))}}/{epochs} "
                  f"[{'#' * done}{'.' * (self.width - done)}] {parts}",
                  file=self.stream, flush=True)
            return
        if self._bar is None:
            from tqdm import tqdm

            # a terminal that reports no size (some CI pseudo-terminals) would get an
            # empty bar: give it 80 x 24
            sized = shutil.get_terminal_size((0, 0)).columns > 0
            self._bar = tqdm(total=epochs, initial=epoch - 1, desc="epoch", unit="epoch",
                             file=self.stream, leave=True, dynamic_ncols=sized,
                             ncols=None if sized else 80, nrows=None if sized else 24)
        self._bar.set_postfix_str(parts, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        """End the bar (its last state stays on the terminal)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _arch_for(data: Dataset, dims: tuple[int, ...] | None, hidden: str, init: str,
              lambd: float, keep_prob: float, dtype: str, name: str) -> Architecture:
    output = "sigmoid" if data.n_y == 1 else "softmax"
    layer_dims = (data.n_x, 16, data.n_y) if dims is None else dims
    if layer_dims[0] != data.n_x or layer_dims[-1] != data.n_y:
        raise ValueError(f"--arch {','.join(map(str, layer_dims))} does not fit {data.name}: "
                         f"expected {data.n_x} inputs and {data.n_y} output unit(s)")
    keep = keep_prob if len(layer_dims) > 2 else None
    return Architecture(layer_dims=layer_dims, hidden_activation=hidden,
                        output_activation=output, initializer=init, lambd=lambd,
                        keep_probs=keep, dtype=dtype, name=name)


IMAGE_LAYER_KINDS = ("conv", "maxpool", "avgpool", "flatten")
LAYERS_EXAMPLE = "conv3x3x8,relu,maxpool2,flatten,10"


@dataclass(frozen=True)
class LayersOption:
    """A layer specification given as ``--arch`` (``numpy_impl.parse_layers``): the text as
    typed and its layers; the input is not part of it (it comes from the data or
    ``--input``)."""

    text: str
    layers: tuple[ni.LayerSpec, ...]

    @property
    def needs_images(self) -> bool:
        """True when some layer (conv, pooling, flatten) takes images ``(H, W, C)``."""
        return any(s.kind in IMAGE_LAYER_KINDS for s in self.layers)


def with_output_activation(layers: Sequence[ni.LayerSpec]) -> tuple[ni.LayerSpec, ...]:
    """A trailing dense layer without an activation (linear) gets the output activation:
    sigmoid for 1 unit (two classes), softmax for more; anything else is kept."""
    last = layers[-1]
    if last.kind != "dense" or last.activation != "linear":
        return tuple(layers)
    output = "sigmoid" if last.units == 1 else "softmax"
    return (*layers[:-1], ni.LayerSpec("dense", units=last.units, activation=output))


def _parameter_count(arch: ni.LayerNetworkConfig) -> int:
    return sum(int(math.prod(shape)) for shape in arch.param_shapes().values())


def layered_arch(option: LayersOption, input_shape: tuple[int, ...], init: str, lambd: float,
                 dtype: str, name: str, fits: str = "") -> LayerArchitecture:
    """The network of ``option``'s layers on inputs ``input_shape`` (the output activation
    from ``with_output_activation``); a ValueError naming ``--arch`` and its value when
    the layers do not fit the input (``fits``: what the input is, for the message) or
    hold more than ``MAX_PARAMETERS`` parameters."""
    shape = "x".join(map(str, input_shape))
    where = f"--arch {option.text} does not fit {fits or shape}"
    try:
        arch = LayerArchitecture(input_shape, with_output_activation(option.layers),
                                 initializer=init, lambd=lambd, dtype=dtype, name=name)
    except ValueError as exc:
        raise ValueError(f"{where} (input {shape}): {exc}") from None
    count = _parameter_count(arch)
    if count > MAX_PARAMETERS:
        raise ValueError(f"--arch {option.text}: {count} parameters on input {shape}, more "
                         f"than the limit of {MAX_PARAMETERS}")
    return arch


def _layered_arch_for(data: Dataset, option: LayersOption, init: str, lambd: float,
                      dtype: str, name: str) -> LayerArchitecture:
    last = next((s for s in reversed(option.layers) if s.kind == "dense"), None)
    if last is not None and last.units != data.n_y:  # (after it: activations, batchnorm)
        raise ValueError(f"--arch {option.text} does not fit {data.name}: expected "
                         f"{data.n_y} output unit(s), the last dense layer has {last.units}")
    return layered_arch(option, data.input_shape, init, lambd, dtype, name, data.name)


def fit_data_to_arch(data: Dataset, arch: tuple[int, ...] | LayersOption | None,
                     option: str = "--arch") -> Dataset:
    """The data as the architecture takes it: images for layers that need them (a flat
    dataset is then a ValueError naming ``option``), flattened features otherwise."""
    if isinstance(arch, LayersOption) and arch.needs_images:
        if not data.images:
            raise ValueError(
                f"{option} {arch.text} needs images (it has conv, pooling or flatten "
                f"layers), but --data {data.name} is flat ({data.n_x} features); use an "
                f"image dataset: {', '.join(IMAGE_SPECS)} or images:DIR")
        return data
    return data.flattened()


def _optimizer(name: str, adam_form: str) -> ni.GradientDescent:
    return ni.Adam(form=adam_form) if name == "adam" else ni.get_optimizer(name)


def run_training(arch: Architecture | LayerArchitecture, data: Dataset,
                 optimizer: ni.GradientDescent, lr: float, epochs: int,
                 batch_size: int | None, seed: int, backends: Sequence[str],
                 verbose: bool = True) -> SideBySide:
    """Train with per-epoch progress (``Progress``) and print the table; ``arch`` a dense
    ``Architecture`` (``train_side_by_side``) or a ``LayerArchitecture``
    (``train_layered_side_by_side``).

    Raises ``numpy_impl.DivergenceError`` when a cost or parameter goes non-finite.
    """
    if isinstance(arch, LayerArchitecture):
        from parity.layered import train_layered_side_by_side as train
    else:
        from parity.train import train_side_by_side as train

    with Progress() as progress:
        result = train(arch, data.X_train, data.Y_train, data.X_test,
                                    data.Y_test, optimizer, lr, epochs, batch_size, seed,
                                    backends, title=f"{arch.label()} on {data.name}",
                                    on_epoch=progress if verbose else None)
    print(result.table())
    return result


def data_description(data: Dataset) -> dict[str, Any]:
    """What training.json records of the data: name, shapes, classes, notes and every
    automatic decision the loader made."""
    return {"name": data.name, "n_x": data.n_x, "n_y": data.n_y,
            "input_shape": list(data.input_shape), "m_train": data.m_train,
            "m_test": data.m_test,
            "classes": list(data.classes), "notes": data.notes,
            "decisions": list(getattr(data, "decisions", ()))}


def training_record(result: Any, data: Dataset,
                    diverged: ni.DivergenceError | None = None) -> dict[str, Any]:
    """training.json: the data description, then the run (``result.to_dict()``), and a
    ``"diverged"`` message when training stopped on non-finite numbers."""
    record = {"data": data_description(data), **result.to_dict()}
    if diverged is not None:
        record["diverged"] = str(diverged)
    return record


class Outputs:
    """The folders and files one command writes.

    ``folder`` creates the folder and proves it writable before any work; ``add`` notes a
    file about to be written; ``remove_created`` deletes the files and (empty) folders this
    run created, for a run stopped by Ctrl-C or refused input.
    """

    def __init__(self) -> None:
        self.created: list[Path] = []

    def folder(self, path: str, option: str, value: str | None = None) -> Path:
        """Create ``path`` (with its parents) if missing and check that a file can be
        written there; a ValueError naming ``option`` and its ``value`` (``path`` unless
        given) otherwise."""
        out = Path(path)
        named = f"{option} {path!r}" if value is None else f"{option} {value!r}: {path!r}"
        if out.exists() and not out.is_dir():
            raise ValueError(f"{named} exists and is not a folder")
        missing = [p for p in (out, *out.parents) if not p.exists()]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"{named}: cannot create the folder "
                             f"({exc.strerror or exc})") from None
        finally:
            self.created += [p for p in reversed(missing) if p.exists()]
        try:
            with tempfile.TemporaryFile(dir=out):
                pass
        except OSError as exc:
            raise ValueError(f"{named}: cannot write in the folder "
                             f"({exc.strerror or exc})") from None
        return out

    def add(self, path: Path) -> Path:
        """Note ``path`` as created by this run unless it exists already."""
        if not path.exists():
            self.created.append(path)
        return path

    def remove_created(self, files: bool = True) -> None:
        """Delete what this run created, newest first: the files (unless ``files`` is
        False) and the folders left empty."""
        for path in reversed(self.created):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                elif files:
                    path.unlink(missing_ok=True)
        self.created.clear()


def _write(outputs: Outputs, out: Path, name: str, data: Any) -> None:
    path = write_json(outputs.add(out / name), data)
    print(f"wrote {path}")


def _plot(outputs: Outputs, out: Path, result: SideBySide) -> None:
    curves = {b: r.costs for b, r in result.runs.items()}
    path = plot_cost_curves(outputs.add(out / "cost_curves.png"), curves, result.title)
    print(f"wrote {path}")


# --- commands -------------------------------------------------------------------------------
# The main job's reports: the dense zoo on m = 24 examples, the layered zoo on m = 8 (a
# conv report in float64 takes about 1 s at m = 8; the main job is timed), 3 training
# steps with every optimizer of the suite for both.
DENSE_REPORT = {"m": 24, "steps": 3}
LAYERED_REPORT = {"m": 8, "steps": 3}


def zoo_reports(names: Sequence[str], seed: int = 0,
                numerical: Mapping[str, Callable[[], NumericalGradient]] | None = None,
                ) -> dict[str, ParityReport]:
    """The parity report of each named architecture, dense (``ZOO``, ``architecture_report``
    with ``DENSE_REPORT``) or a network of layers (``LAYERED_ZOO``, ``layered_report`` with
    ``LAYERED_REPORT``), in the order given. Starts TensorFlow. ``numerical``: for some
    dense names, a function returning the NumPy half of their numerical gradient check
    (``report_numerical_gradient(ZOO[name], DENSE_REPORT["m"], seed)``, e.g. computed by a
    ``Helper``); the others compute it themselves."""
    unknown = [n for n in names if n not in ZOO and n not in LAYERED_ZOO]
    if unknown:
        raise ValueError(f"unknown architecture(s) {unknown}; expected names from "
                         f"{', '.join([*ZOO, *LAYERED_ZOO])}")
    start_tensorflow()
    from parity.compare import architecture_report
    from parity.layered import layered_report

    numerical = numerical or {}
    return {n: architecture_report(ZOO[n], seed=seed, numerical=numerical[n]()
                                   if n in numerical else True, **DENSE_REPORT)
            if n in ZOO else layered_report(LAYERED_ZOO[n], seed=seed, **LAYERED_REPORT)
            for n in names}


def _run_tasks(tasks: Sequence[tuple[Callable[..., Any], tuple]], conn: Connection) -> None:
    """A helper's body: each task's ``(index, True, value)`` or ``(index, False, exception)``
    sent in order; Ctrl-C is left to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for i, (function, args) in enumerate(tasks):
        try:
            conn.send((i, True, function(*args)))
        except Exception as exc:  # noqa: BLE001 (re-raised in the parent)
            conn.send((i, False, exc))
    conn.close()


class Helper:
    """NumPy-only tasks ``(function, args)`` run in order by one child process while this
    one starts TensorFlow: forked before TensorFlow is imported (a fork of a process with
    TensorFlow's threads is unsafe; there, and where fork does not exist, each task runs
    here when its result is asked for). ``result(i)`` is task ``i``'s value (its
    exception re-raised); ``close`` ends the child. A context manager."""

    def __init__(self, tasks: Sequence[tuple[Callable[..., Any], tuple]]) -> None:
        self.tasks = list(tasks)
        self._done: dict[int, tuple[bool, Any]] = {}
        self._process: multiprocessing.process.BaseProcess | None = None
        if "fork" in multiprocessing.get_all_start_methods() and not any(
                m.split(".")[0] in ("tensorflow", "keras") for m in sys.modules):
            context = multiprocessing.get_context("fork")
            self._conn, child = context.Pipe(duplex=False)
            self._process = context.Process(target=_run_tasks, args=(self.tasks, child),
                                            daemon=True)
            self._process.start()
            child.close()

    def result(self, i: int) -> Any:
        """Task ``i``'s value; its exception re-raised; a RuntimeError if the child died."""
        while i not in self._done:
            if self._process is None:
                function, args = self.tasks[i]
                return function(*args)
            try:
                j, ok, value = self._conn.recv()
            except EOFError:
                raise RuntimeError(f"the helper process ended (exit code "
                                   f"{self._process.exitcode}) before task {i}") from None
            self._done[j] = (ok, value)
        ok, value = self._done[i]
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """End the child process (idle or not)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()
            self._process = None

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cmd_main(args: argparse.Namespace) -> int:
    """The main job: the parity report over both zoos (dense and layered), then both
    backends trained on mnist01. While TensorFlow starts and the Keras side of the reports
    runs, a ``Helper`` process computes what needs NumPy alone: the dense networks'
    centred-difference gradient checks (the very checks ``architecture_report`` makes,
    on the same data) and the training data."""
    out = args.outputs.folder(args.out, "--out")
    checked = [n for n in args.archs if n in ZOO and ZOO[n].dtype == "float64"]
    tasks = [(report_numerical_gradient, (ZOO[n], DENSE_REPORT["m"], args.seed))
             for n in checked]
    with Helper([*tasks, (load_data, ("mnist01", args.seed))]) as helper:
        start_tensorflow()
        start = time.perf_counter()
        numerical = {n: functools.partial(helper.result, i) for i, n in enumerate(checked)}
        reports = zoo_reports(args.archs, args.seed, numerical)
        print(f"parity report over the architecture zoo ({time.perf_counter() - start:.1f} s)")
        print(zoo_summary(reports))
        for report in reports.values():
            if not report.passed:
                print(report.table())
        print()
        data = helper.result(len(tasks))
    print(data.summary())
    arch = ZOO["digits_400_25_15_1"]
    zoo = {n: r.to_dict() for n, r in reports.items()}
    try:
        result = run_training(arch, data, ni.Adam(form="keras"), args.lr, args.epochs, 32,
                              args.seed, ("numpy", "keras"), verbose=not args.quiet)
    except ni.DivergenceError as err:
        partial = getattr(err, "partial", None)
        if partial is not None:
            _write(args.outputs, out, "report.json",
                   {"zoo": zoo, "training": training_record(partial, data, err)})
        raise
    _plot(args.outputs, out, result)
    _write(args.outputs, out, "report.json",
           {"zoo": zoo, "training": training_record(result, data)})
    return _exit_status(result, all(r.passed for r in reports.values()))


def _exit_status(result: Any, passed: bool = True) -> int:
    """A command's exit status after training that ended finite: 1 when it blew up (said
    on stderr, like a divergence; its files are kept) or ``passed`` is False, else 0."""
    if result.diverged:
        print(f"error: {result.diverged}", file=sys.stderr)
        return 1
    return 0 if passed else 1


def load_data(spec: str, seed: int, image_size: int = 20, images: bool = False) -> Dataset:
    """``load_dataset``, its refusals a ValueError naming ``--data``; ``images``: keep
    images:DIR as images."""
    try:
        return load_dataset(spec, seed=seed, image_size=image_size, images=images)
    except (ValueError, TypeError, OSError) as exc:
        raise ValueError(f"--data {spec}: {exc}") from None


def _load(args: argparse.Namespace, spec: str, images: bool = False) -> Dataset:
    """``load_data`` with the command's ``--seed`` and ``--image-size``."""
    return load_data(spec, args.seed, getattr(args, "image_size", 20), images)


def cmd_train(args: argparse.Namespace) -> int:
    """Train one architecture on one dataset with the chosen backends."""
    out = args.outputs.folder(args.out, "--out")
    layers = args.arch if isinstance(args.arch, LayersOption) else None
    if layers is not None and args.hidden is not None:
        raise ValueError(f"--hidden {args.hidden} applies to layer sizes; a layer "
                         f"specification names its activations (--arch {layers.text})")
    if layers is not None and args.keep_prob != 1.0:
        raise ValueError(f"--keep-prob {args.keep_prob:g} applies to layer sizes; write "
                         f"dropout layers into the layer specification (e.g. "
                         f"...,flatten,dropout0.8,10) (--arch {layers.text})")
    data = fit_data_to_arch(_load(args, args.data, layers is not None and layers.needs_images),
                            args.arch)
    name = args.data.split(":")[0]
    if layers is not None:
        arch = _layered_arch_for(data, layers, args.init, args.lambd, args.dtype, name)
    else:
        arch = _arch_for(data, args.arch, args.hidden or "relu", args.init, args.lambd,
                         args.keep_prob, args.dtype, name=name)
    print(data.summary())
    backends = ("numpy", "keras") if args.backend == "both" else (args.backend,)
    start_tensorflow()
    try:
        result = run_training(arch, data, _optimizer(args.optimizer, args.adam_form),
                              args.lr, args.epochs, args.batch_size, args.seed, backends,
                              verbose=not args.quiet)
    except ni.DivergenceError as err:
        partial = getattr(err, "partial", None)
        if partial is not None:
            _write(args.outputs, out, "training.json", training_record(partial, data, err))
        raise
    _plot(args.outputs, out, result)
    _write(args.outputs, out, "training.json", training_record(result, data))
    return _exit_status(result)


def cmd_report(args: argparse.Namespace) -> int:
    """The full parity report for one architecture: dense (a ``ZOO`` name or layer sizes)
    or a network of layers (a ``LAYERED_ZOO`` name, or a layer specification with
    ``--input``)."""
    arch = _report_arch(args)
    json_path = None
    if args.json:
        json_path = Path(args.json)
        if json_path.is_dir():
            raise ValueError(f"--json {args.json!r} is a folder; expected a file name")
        json_path = args.outputs.folder(str(json_path.parent), "--json",
                                        args.json) / json_path.name
    start_tensorflow()
    if isinstance(arch, Architecture):
        from parity.compare import architecture_report

        report = architecture_report(arch, m=args.m, seed=args.seed, steps=args.steps)
    else:
        from parity.layered import layered_report

        report = layered_report(arch, m=args.m, seed=args.seed, steps=args.steps)
    print(report.table())
    if json_path is not None:
        _write(args.outputs, json_path.parent, json_path.name, report.to_dict())
    return 0 if report.passed else 1


def _report_arch(args: argparse.Namespace) -> Architecture | LayerArchitecture:
    """The architecture ``report --arch`` (and ``--input``, ``--dtype``) names; refusals
    name the option."""
    spec, shape = args.arch, args.input
    hidden = getattr(args, "hidden", None)
    if hidden is not None and (isinstance(spec, LayersOption) or (
            isinstance(spec, str) and spec in LAYERED_ZOO)):
        named = spec.text if isinstance(spec, LayersOption) else spec
        raise ValueError(f"--hidden {hidden} applies to a dense architecture (a zoo name "
                         f"like shallow_relu, or layer sizes); --arch {named} names its own "
                         "activations")
    if isinstance(spec, LayersOption):
        if shape is None:
            raise ValueError(f"--arch {spec.text}: a layer specification needs --input, the "
                             "shape of one example (e.g. --input 8x8x1, or --input 64 for "
                             "features)")
        return layered_arch(spec, shape, "he", 0.0, args.dtype, "custom")
    if shape is not None:
        named = spec if isinstance(spec, str) else ",".join(map(str, spec))
        raise ValueError(f"--input {'x'.join(map(str, shape))} applies to a layer "
                         f"specification (e.g. --arch {LAYERS_EXAMPLE}); --arch {named} "
                         "has its input")
    if isinstance(spec, str) and spec in LAYERED_ZOO:
        return LAYERED_ZOO[spec].replace(dtype=args.dtype)
    overrides = {"dtype": args.dtype} | ({} if hidden is None else
                                          {"hidden_activation": hidden})
    return get_architecture(spec, **overrides)


def cmd_check(args: argparse.Namespace) -> int:
    """Check a learner's implementation against TensorFlow/Keras, in a separate process;
    exit 0 right, 1 mistakes found, 2 could not check."""
    from parity.learner import check

    report = check(args.target, seed=args.seed, timeout=args.timeout)
    print(report.text())
    return report.exit_status


# --- argument parsing -------------------------------------------------------------------------
def _bounded(convert: type, ok: Any, expected: str) -> Any:
    """An argparse type: ``convert(text)`` that must satisfy ``ok``; argparse's message
    then names the option: ``argument --lr: expected ..., got 'nan'``."""
    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


def _int_in(low: int, high: int, what: str = "an integer") -> Any:
    return _bounded(int, lambda v: low <= v <= high, f"{what} in [{low}, {high}]")


# Bounds, each documented in the option's help. Seeds: numpy takes any int >= 0, but
# TensorFlow converts seeds (plus the layer index) to int64 tensors; 2**32 - 1 is the
# customary portable limit and far inside both.
MAX_SEED = 2**32 - 1
MAX_EPOCHS = 1_000_000
MAX_EXAMPLES = 1_000_000
MAX_IMAGE_SIZE = 1024
# The networks here are small: the limit keeps a typo in --arch from allocating gigabytes.
MAX_PARAMETERS = 10_000_000

_seed = _int_in(0, MAX_SEED, "a seed, an integer")
_epochs = _int_in(1, MAX_EPOCHS)
_positive_int = _bounded(int, lambda v: v >= 1, "an integer >= 1")
_examples = _int_in(1, MAX_EXAMPLES)
_image_size = _int_in(1, MAX_IMAGE_SIZE)
_positive_float = _bounded(float, lambda v: math.isfinite(v) and v > 0,
                           "a finite number > 0")
_non_negative_float = _bounded(float, lambda v: math.isfinite(v) and v >= 0,
                               "a finite number >= 0")
_keep_prob = _bounded(float, lambda v: 0 < v <= 1, "a keep probability in (0, 1]")


def parse_layer_sizes(text: str) -> tuple[int, ...]:
    """``"400,25,15,1"`` (or ``"400-25-15-1"``) as a tuple of at least two sizes >= 1,
    with at most ``MAX_PARAMETERS`` weights and biases; ValueError saying what is wrong."""
    sep = "," if "," in text or "-" not in text.strip().lstrip("-") else "-"
    parts = [p.strip() for p in text.split(sep)]
    sizes = []
    for i, part in enumerate(parts, start=1):
        if not part:
            raise ValueError(f"size {i} is empty")
        if not part.isascii():  # full-width digits, which int() would take
            raise ValueError(f"size {i} ({part!r}) holds {ni.non_ascii(part)}; expected "
                             "digits 0-9")
        try:
            size = int(part)
        except ValueError:
            raise ValueError(f"size {i} ({part!r}) is not an integer") from None
        if size < 1:
            raise ValueError(f"size {i} ({size}) is not >= 1")
        sizes.append(size)
    if len(sizes) < 2:
        raise ValueError("expected at least 2 sizes (inputs and outputs)")
    count = sum(n * (n_prev + 1) for n_prev, n in zip(sizes[:-1], sizes[1:], strict=True))
    if count > MAX_PARAMETERS:
        raise ValueError(f"{count} parameters, more than the limit of {MAX_PARAMETERS}")
    return tuple(sizes)


_LAYER_WORD = re.compile(r"(conv|maxpool|avgpool|flatten|batchnorm|bn|dropout)")


def looks_like_layers(text: str) -> bool:
    """True when some comma-separated token names a layer kind or an activation (then the
    text is a layer specification, not layer sizes)."""
    tokens = [t.strip().lower() for t in text.split(",")]
    return any(_LAYER_WORD.match(t) or t in ni.ACTIVATIONS for t in tokens)


def parse_arch(text: str) -> tuple[int, ...] | LayersOption:
    """``--arch``: layer sizes (``400,25,15,1``: ``parse_layer_sizes``) or, when a token
    names a layer kind or an activation, a layer specification (``conv3x3x8,relu,
    maxpool2,flatten,10``: ``numpy_impl.parse_layers``); ValueError saying what is wrong."""
    if looks_like_layers(text):
        return LayersOption(text, ni.parse_layers(text))
    return parse_layer_sizes(text)


def _arch_option(text: str) -> tuple[int, ...] | LayersOption:
    try:
        return parse_arch(text)
    except ValueError as exc:
        expected = (f"a layer specification like {LAYERS_EXAMPLE}" if looks_like_layers(text)
                    else f"layer sizes like 400,25,15,1 (integers >= 1) or a layer "
                         f"specification like {LAYERS_EXAMPLE}")
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}: {exc}") from None


def _zoo_or_arch(text: str) -> str | tuple[int, ...] | LayersOption:
    if text in ZOO or text in LAYERED_ZOO:
        return text
    if not ("," in text or text.replace("-", "").strip().isdigit()):
        raise argparse.ArgumentTypeError(
            f"unknown architecture {text!r}: expected one of {', '.join([*ZOO, *LAYERED_ZOO])}"
            f", layer sizes like 400,25,15,1 or a layer specification like {LAYERS_EXAMPLE} "
            "(with --input)")
    return _arch_option(text)


def parse_input_shape(text: str) -> tuple[int, ...]:
    """``--input``: ``HxWxC`` (``8x8x1``) or a number of features (``64``), each >= 1."""
    parts = text.strip().lower().split("x")
    if len(parts) not in (1, 3) or not all(p.strip().isdigit() and int(p) >= 1
                                           for p in parts):
        raise ValueError("expected HxWxC like 8x8x1 or a number of features like 64 "
                         "(integers >= 1)")
    return tuple(int(p) for p in parts)


def _input_shape(text: str) -> tuple[int, ...]:
    try:
        return parse_input_shape(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None


def _zoo_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    unknown = [n for n in names if n not in ZOO and n not in LAYERED_ZOO]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown architecture(s) {', '.join(map(repr, unknown))} in {text!r}: expected "
            f"comma-separated names from {', '.join([*ZOO, *LAYERED_ZOO])}")
    return names


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a non-empty value, got {text!r}")
    return text


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2), naming the
    command; ``--help`` shows the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m parity`` and its sub-commands."""
    seed_help = f"seed, an integer in [0, {MAX_SEED}] (default: %(default)s)"
    lr_help = ("learning rate, a finite number > 0; no upper bound: a rate too large "
               "makes training diverge, which is reported (exit status 1)")
    parser = OneLineParser(
        prog="python -m parity",
        description="Prove that the NumPy and Keras implementations agree. Without a "
                    "command: the parity report over the architecture zoo (dense and "
                    "convolutional), then both backends trained side by side on mnist01.")
    parser.add_argument("--out", type=_non_empty, default="parity-out",
                        help="output folder, created if missing (default: %(default)s)")
    parser.add_argument("--epochs", type=_epochs, default=20,
                        help=f"training epochs of the main job, 1 to {MAX_EPOCHS} "
                             "(default: %(default)s)")
    parser.add_argument("--lr", type=_positive_float, default=0.001,
                        help=f"Adam {lr_help} (default: %(default)s)")
    parser.add_argument("--archs", type=_zoo_names, default=[*ZOO, *LAYERED_ZOO],
                        help="comma-separated zoo subset (default: all of "
                             f"{', '.join([*ZOO, *LAYERED_ZOO])})")
    parser.add_argument("--seed", type=_seed, default=0, help=seed_help)
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    parser.set_defaults(func=cmd_main)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    train = sub.add_parser("train", help="train on a dataset with one or both backends",
                           description="Train an architecture on a dataset, numpy and/or Keras "
                                       "from the same initial weights, and write "
                                       "training.json and cost_curves.png. Progress: a bar "
                                       "on a terminal, one line per epoch otherwise.")
    train.add_argument("--data", type=_non_empty, required=True,
                       help="mnist01 | digits | digits:A,B | breast_cancer | csv:PATH:TARGET | "
                            "images:DIR, or images (m, H, W, C) for conv layers: mnist28 | "
                            "mnist28:A,B | digits8x8 | digits8x8:A,B (flattened for a "
                            "dense network)")
    train.add_argument("--arch", type=_arch_option, default=None,
                       help="layer sizes, e.g. 400,25,15,1, integers >= 1 (a dense "
                            "network), or a layer specification without the input, e.g. "
                            f"{LAYERS_EXAMPLE} (a trailing dense layer without activation "
                            "gets sigmoid for 1 unit, softmax for more); at most "
                            f"{MAX_PARAMETERS} parameters (default: n_x,16,n_y)")
    train.add_argument("--hidden", default=None, choices=ni.HIDDEN_ACTIVATIONS,
                       help="hidden activation of layer sizes (default: relu)")
    train.add_argument("--init", default="he", choices=ni.INITIALIZERS)
    train.add_argument("--optimizer", default="adam", choices=("gd", "momentum", "adam"))
    train.add_argument("--adam-form", default="keras", choices=("keras", "textbook"))
    train.add_argument("--lr", type=_positive_float, default=0.001, help=lr_help)
    train.add_argument("--epochs", type=_epochs, default=20, help=f"1 to {MAX_EPOCHS}")
    train.add_argument("--batch-size", type=_positive_int, default=32,
                       help="an integer >= 1 (larger than the data: one batch)")
    train.add_argument("--lambd", type=_non_negative_float, default=0.0,
                       help="L2 strength (textbook lambda), a finite number >= 0")
    train.add_argument("--keep-prob", type=_keep_prob, default=1.0,
                       help="dropout keep probability of every hidden layer of layer "
                            "sizes, in (0, 1]")
    train.add_argument("--backend", default="both", choices=("numpy", "keras", "both"))
    train.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    train.add_argument("--image-size", type=_image_size, default=20,
                       help=f"side of resized images for images:DIR and mnist01, 1 to "
                            f"{MAX_IMAGE_SIZE} (mnist28 and digits8x8 keep 28x28 and 8x8)")
    train.add_argument("--seed", type=_seed, default=0, help=seed_help)
    train.add_argument("--out", type=_non_empty, default="parity-out",
                       help="output folder, created if missing (default: %(default)s)")
    train.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    train.set_defaults(func=cmd_train)

    report = sub.add_parser("report", help="the parity report for one architecture",
                            description="Forward, cost, three-way gradients and training "
                                        "trajectories for one architecture.")
    report.add_argument("--arch", type=_zoo_or_arch, required=True,
                        help=f"a zoo name ({', '.join([*ZOO, *LAYERED_ZOO])}), layer sizes "
                             f"like 400,25,15,1 or a layer specification like "
                             f"{LAYERS_EXAMPLE} with --input")
    report.add_argument("--input", type=_input_shape, default=None,
                        help="one example's shape for a layer specification: HxWxC like "
                             "8x8x1, or a number of features like 64")
    report.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    report.add_argument("--hidden", default=None, choices=ni.HIDDEN_ACTIVATIONS,
                        help="the hidden layers' activation of a dense architecture "
                             "(default: the zoo network's, relu for layer sizes)")
    report.add_argument("--m", type=_examples, default=24,
                        help=f"examples, 1 to {MAX_EXAMPLES}")
    report.add_argument("--steps", type=_epochs, default=3,
                        help=f"training steps, 1 to {MAX_EPOCHS}")
    report.add_argument("--seed", type=_seed, default=0, help=seed_help)
    report.add_argument("--json", type=_non_empty, default=None,
                        help="also write the report as JSON here (its folder is created)")
    report.set_defaults(func=cmd_report)

    check = sub.add_parser(
        "check", help="check a learner's own implementation (file, notebook or module)",
        description="Check a learner's from-scratch implementation of a Deep Learning "
                    "Specialization assignment (Courses 1 and 2: Python basics, logistic "
                    "regression, the planar shallow net, the deep net step by step and its "
                    "application, initialisation, regularisation, gradient checking, "
                    "optimisation) against TensorFlow/Keras, function by function and "
                    "through the learner's own pipeline. The code runs in a separate "
                    "process. Exit status: 0 right (notes allowed), 1 mistakes found, 2 "
                    "could not check.")
    check.add_argument("target", type=_non_empty,
                       help="a .py file, a .ipynb notebook, or a module name")
    check.add_argument("--seed", type=_seed, default=0, help=seed_help)
    check.add_argument("--timeout", type=_positive_float, default=60.0,
                       help="seconds the check may take (default: %(default)s)")
    check.set_defaults(func=cmd_check)
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command. Bad input: one line on stderr, exit status 2; diverging training:
    one line, exit status 1; Ctrl-C: "interrupted", exit status 130, and what this run
    created is removed."""
    outputs = Outputs()
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a refused option (2, message printed)
            return exc.code if isinstance(exc.code, int) else 2
        args.outputs = outputs
        return args.func(args)
    except KeyboardInterrupt:
        outputs.remove_created()
        print("interrupted", file=sys.stderr)
        return 130
    except ni.DivergenceError as exc:
        outputs.remove_created(files=False)  # keep what was written, drop empty folders
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except (ValueError, TypeError, OSError) as exc:
        outputs.remove_created()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
