"""Scaling: the numpy_impl training step against batch size and width, with its achieved
GFLOP/s next to this machine's own np.matmul GFLOP/s for comparable shapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from benchmarks.common import numpy_step, paired, step_flops, step_gemms

CASES = [(32, 256), (128, 1024), (256, 4096), (512, 4096), (1024, 1024), (1024, 4096)]


def net(width: int) -> tuple[int, ...]:
    return (width, width, width, 1)


@pytest.mark.parametrize("width,m", CASES)
def bench_scaling_step(benchmark, width: int, m: int) -> None:
    """Timed alone, and in alternating rounds with the bare GEMMs (``paired``: the ratio
    the summary reports)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((width, m)).astype(np.float32)
    Y = (rng.random((1, m)) < 0.5).astype(np.float32)
    dims = net(width)
    step = numpy_step(dims, X, Y, hidden="relu", learning_rate=1e-3)
    benchmark.group = f"scaling width={width} m={m}"
    benchmark.extra_info.update(kind="scaling", impl="numpy step", width=width, m=m,
                                flops=step_flops(dims, m))
    if not benchmark.disabled:
        benchmark.extra_info["paired"] = {"matmul": paired(step, gemms(dims, m), rounds=11,
                                                           round_time=0.1)}
    benchmark.pedantic(step, rounds=10, warmup_rounds=1)


def gemms(dims: tuple[int, ...], m: int) -> Callable[[], None]:
    """The very products of the step (same shapes, same count), done with bare np.matmul;
    a one-unit layer's W^T dZ (an outer product) as the broadcast multiply the step uses,
    which is several times faster than OpenBLAS' K = 1 GEMM (the yardstick is the fastest
    way to the same products)."""
    rng = np.random.default_rng(0)
    mats = [(rng.standard_normal((o, i)).astype(np.float32),
             rng.standard_normal((i, m)).astype(np.float32),
             rng.standard_normal((o, m)).astype(np.float32), back)
            for i, o, back in step_gemms(dims)]

    def run() -> None:
        for W, A, dZ, back in mats:
            np.matmul(W, A)
            np.matmul(dZ, A.T)
            if back and W.shape[0] == 1:
                np.multiply(W.T, dZ)
            elif back:
                np.matmul(W.T, dZ)

    return run


@pytest.mark.parametrize("width,m", CASES)
def bench_scaling_matmul(benchmark, width: int, m: int) -> None:
    """The step's GEMMs alone (see ``gemms``)."""
    dims = net(width)
    benchmark.group = f"scaling width={width} m={m}"
    benchmark.extra_info.update(kind="scaling", impl="matmul", width=width, m=m,
                                flops=step_flops(dims, m))
    benchmark.pedantic(gemms(dims, m), rounds=10, warmup_rounds=1)
