"""The sample project's dense layer at the digit model's 400 -> 25 shape: the loop over units
(applied per example) against the vectorised layer, with a bare np.matmul as the floor."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni

BATCHES = [1, 64, 1000]


def setup(m: int):
    rng = np.random.default_rng(0)
    return (rng.random((m, 400)), rng.standard_normal((400, 25)) * 0.05,
            rng.standard_normal(25) * 0.05)


@pytest.mark.parametrize("m", BATCHES)
def bench_dense_loop(benchmark, m: int) -> None:
    A, W, b = setup(m)
    benchmark.group = f"dense 400->25, m={m}"
    benchmark.extra_info.update(kind="dense", impl="loop", m=m)
    out = benchmark(lambda: np.stack([ni.my_dense(a, W, b, ni.sigmoid) for a in A]))
    np.testing.assert_allclose(out, ni.my_dense_v(A, W, b, ni.sigmoid), rtol=1e-12)


@pytest.mark.parametrize("m", BATCHES)
def bench_dense_vectorised(benchmark, m: int) -> None:
    A, W, b = setup(m)
    benchmark.group = f"dense 400->25, m={m}"
    benchmark.extra_info.update(kind="dense", impl="vectorised", m=m)
    out = benchmark(ni.my_dense_v, A, W, b, ni.sigmoid)
    assert out.shape == (m, 25)


@pytest.mark.parametrize("m", BATCHES)
def bench_dense_matmul_floor(benchmark, m: int) -> None:
    A, W, _ = setup(m)
    benchmark.group = f"dense 400->25, m={m}"
    benchmark.extra_info.update(kind="dense", impl="matmul", m=m)
    assert benchmark(np.matmul, A, W).shape == (m, 25)
