"""The command line: ``python -m parity`` (also installed as ``nn-parity``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy_impl as ni
from numpy_impl.datasets import Dataset, load_dataset
from parity.architecture import ZOO, Architecture, get_architecture
from parity.outputs import plot_cost_curves, write_json

if TYPE_CHECKING:
    from parity.report import ParityReport
    from parity.train import SideBySide

# The comparisons and the lockstep import TensorFlow: each command imports them when it
# runs, so that `check` (whose checking runs in a child process) starts without it.


def _start_tensorflow() -> None:
    """Import TensorFlow through keras_impl, which keeps its start-up lines off the
    terminal; must come before any module that imports keras or tensorflow itself."""
    import keras_impl  # noqa: F401

SUMMARY_GROUPS = ("forward", "cost", "gradients", "numerical", "training")


# --- the zoo summary ------------------------------------------------------------------------
def zoo_summary(reports: dict[str, ParityReport]) -> str:
    """One row per architecture: per check group, pass/fail and the worst relative error."""
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
            worst = max(c.max_rel for c in checks)
            ok = all(c.passed for c in checks)
            cells.append(f"{'ok' if ok else 'FAIL'} {worst:.0e}")
        rows.append((name, *cells, "PASS" if report.passed else "FAIL"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    n_fail = sum(not r.passed for r in reports.values())
    lines.append(f"{len(reports) - n_fail} of {len(reports)} architectures agree "
                 "(cells: worst relative error in the group)")
    return "\n".join(lines)


# --- training -------------------------------------------------------------------------------
def _progress(epoch: int, epochs: int, costs: dict[str, float], width: int = 24) -> None:
    done = int(width * epoch / epochs)
    parts = "  ".join(f"{b} {c:.6f}" for b, c in costs.items())
    print(f"epoch {epoch:>{len(str(epochs))}}/{epochs} [{'#' * done}{'.' * (width - done)}] "
          f"{parts}", flush=True)


def _arch_for(data: Dataset, dims: str | None, hidden: str, init: str, lambd: float,
              keep_prob: float, dtype: str, name: str) -> Architecture:
    output = "sigmoid" if data.n_y == 1 else "softmax"
    layer_dims = ((data.n_x, 16, data.n_y) if dims is None
                  else tuple(int(d) for d in dims.replace("-", ",").split(",")))
    if layer_dims[0] != data.n_x or layer_dims[-1] != data.n_y:
        raise ValueError(f"--arch {','.join(map(str, layer_dims))} does not fit {data.name}: "
                         f"expected {data.n_x} inputs and {data.n_y} output unit(s)")
    keep = keep_prob if len(layer_dims) > 2 else None
    return Architecture(layer_dims=layer_dims, hidden_activation=hidden,
                        output_activation=output, initializer=init, lambd=lambd,
                        keep_probs=keep, dtype=dtype, name=name)


def _optimizer(name: str, adam_form: str) -> ni.GradientDescent:
    return ni.Adam(form=adam_form) if name == "adam" else ni.get_optimizer(name)


def run_training(arch: Architecture, data: Dataset, optimizer: ni.GradientDescent, lr: float,
                 epochs: int, batch_size: int | None, seed: int, backends: Sequence[str],
                 out: Path, verbose: bool = True) -> SideBySide:
    """Train, print the table, write ``training.json`` and ``cost_curves.png`` into ``out``."""
    from parity.train import train_side_by_side

    result = train_side_by_side(arch, data.X_train, data.Y_train, data.X_test, data.Y_test,
                                optimizer, lr, epochs, batch_size, seed, backends,
                                title=f"{arch.label()} on {data.name}",
                                on_epoch=_progress if verbose else None)
    print(result.table())
    curves = {b: r.costs for b, r in result.runs.items()}
    plot_cost_curves(out / "cost_curves.png", curves, result.title)
    return result


def _write(out: Path, name: str, data: Any) -> None:
    path = write_json(out / name, data)
    print(f"wrote {path}")


# --- commands -------------------------------------------------------------------------------
def cmd_main(args: argparse.Namespace) -> int:
    """The main job: the zoo's parity report, then both backends trained on mnist01."""
    _start_tensorflow()
    from parity.compare import architecture_report

    out = _outdir(args.out)
    names = args.archs.split(",") if args.archs else list(ZOO)
    archs = {n: get_architecture(n) for n in names}
    start = time.perf_counter()
    reports = {n: architecture_report(a, m=24, seed=args.seed, steps=3)
               for n, a in archs.items()}
    print(f"parity report over the architecture zoo ({time.perf_counter() - start:.1f} s)")
    print(zoo_summary(reports))
    for report in reports.values():
        if not report.passed:
            print(report.table())
    print()
    data = load_dataset("mnist01", seed=args.seed)
    print(data.summary())
    arch = ZOO["digits_400_25_15_1"]
    result = run_training(arch, data, ni.Adam(form="keras"), args.lr, args.epochs, 32,
                          args.seed, ("numpy", "keras"), out, verbose=not args.quiet)
    _write(out, "report.json", {"zoo": {n: r.to_dict() for n, r in reports.items()},
                                "training": result.to_dict()})
    print(f"wrote {out / 'cost_curves.png'}")
    return 0 if all(r.passed for r in reports.values()) else 1


def cmd_train(args: argparse.Namespace) -> int:
    """Train one architecture on one dataset with the chosen backends."""
    _start_tensorflow()
    out = _outdir(args.out)
    data = load_dataset(args.data, seed=args.seed, image_size=args.image_size)
    print(data.summary())
    arch = _arch_for(data, args.arch, args.hidden, args.init, args.lambd, args.keep_prob,
                     args.dtype, name=args.data.split(":")[0])
    backends = ("numpy", "keras") if args.backend == "both" else (args.backend,)
    result = run_training(arch, data, _optimizer(args.optimizer, args.adam_form), args.lr,
                          args.epochs, args.batch_size, args.seed, backends, out,
                          verbose=not args.quiet)
    _write(out, "training.json", result.to_dict())
    print(f"wrote {out / 'cost_curves.png'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The full parity report for one architecture."""
    _start_tensorflow()
    from parity.compare import architecture_report

    arch = get_architecture(args.arch, dtype=args.dtype)
    report = architecture_report(arch, m=args.m, seed=args.seed, steps=args.steps)
    print(report.table())
    if args.json:
        _write(Path(args.json).parent, Path(args.json).name, report.to_dict())
    return 0 if report.passed else 1


def cmd_check(args: argparse.Namespace) -> int:
    """Check a learner's implementation against TensorFlow/Keras, in a separate process;
    exit 0 right, 1 mistakes found, 2 could not check."""
    from parity.learner import check

    report = check(args.target, seed=args.seed, timeout=args.timeout)
    print(report.text())
    return report.exit_status


def _outdir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {path!r} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


# --- argument parsing -------------------------------------------------------------------------
def _bounded(convert: type, ok: Any, expected: str) -> Any:
    """An argparse type: ``convert(text)`` that must satisfy ``ok``."""
    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value
    return parse


_positive_int = _bounded(int, lambda v: v >= 1, "an integer >= 1")
_positive_float = _bounded(float, lambda v: v > 0, "a number > 0")
_keep_prob = _bounded(float, lambda v: 0 < v <= 1, "a keep probability in (0, 1]")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2), naming the
    command; ``--help`` shows the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m parity`` and its sub-commands."""
    parser = OneLineParser(
        prog="python -m parity",
        description="Prove that the NumPy and Keras implementations agree. Without a "
                    "command: the parity report over the architecture zoo, then both "
                    "backends trained side by side on mnist01.")
    parser.add_argument("--out", default="parity-out", help="output folder (default: %(default)s)")
    parser.add_argument("--epochs", type=_positive_int, default=20,
                        help="training epochs of the main job (default: %(default)s)")
    parser.add_argument("--lr", type=_positive_float, default=0.001,
                        help="Adam learning rate of the main job (default: %(default)s)")
    parser.add_argument("--archs", default=None,
                        help=f"comma-separated zoo subset (default: all of {', '.join(ZOO)})")
    parser.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    parser.set_defaults(func=cmd_main)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    train = sub.add_parser("train", help="train on a dataset with one or both backends",
                           description="Train an architecture on a dataset, numpy and/or Keras "
                                       "from the same initial weights, and write "
                                       "training.json and cost_curves.png.")
    train.add_argument("--data", required=True,
                       help="mnist01 | digits | digits:A,B | breast_cancer | csv:PATH:TARGET | "
                            "images:DIR")
    train.add_argument("--arch", default=None,
                       help="layer sizes, e.g. 400,25,15,1 (default: n_x,16,n_y)")
    train.add_argument("--hidden", default="relu", choices=ni.HIDDEN_ACTIVATIONS)
    train.add_argument("--init", default="he", choices=ni.INITIALIZERS)
    train.add_argument("--optimizer", default="adam", choices=("gd", "momentum", "adam"))
    train.add_argument("--adam-form", default="keras", choices=("keras", "textbook"))
    train.add_argument("--lr", type=_positive_float, default=0.001)
    train.add_argument("--epochs", type=_positive_int, default=20)
    train.add_argument("--batch-size", type=_positive_int, default=32)
    train.add_argument("--lambd", type=float, default=0.0, help="L2 strength (textbook lambda)")
    train.add_argument("--keep-prob", type=_keep_prob, default=1.0,
                       help="dropout keep probability of every hidden layer")
    train.add_argument("--backend", default="both", choices=("numpy", "keras", "both"))
    train.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    train.add_argument("--image-size", type=_positive_int, default=20,
                       help="side of resized images for images:DIR and mnist01")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="parity-out")
    train.add_argument("--quiet", action="store_true")
    train.set_defaults(func=cmd_train)

    report = sub.add_parser("report", help="the parity report for one architecture",
                            description="Forward, cost, three-way gradients and training "
                                        "trajectories for one architecture.")
    report.add_argument("--arch", required=True,
                        help=f"a zoo name ({', '.join(ZOO)}) or layer sizes like 400,25,15,1")
    report.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    report.add_argument("--m", type=_positive_int, default=24, help="examples")
    report.add_argument("--steps", type=_positive_int, default=3, help="training steps")
    report.add_argument("--seed", type=int, default=0)
    report.add_argument("--json", default=None, help="also write the report as JSON here")
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
    check.add_argument("target", help="a .py file, a .ipynb notebook, or a module name")
    check.add_argument("--seed", type=int, default=0)
    check.add_argument("--timeout", type=_positive_float, default=60.0,
                       help="seconds the check may take (default: %(default)s)")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; bad input gives one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
