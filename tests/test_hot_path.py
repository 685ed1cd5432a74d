"""The training step's shortcuts (issue 13) change no bit against the public path, which
computes a new array at every stage: dW computed either way round, a one-unit layer's
dA_prev as a broadcast product, dZ written over the loop's own dA, arrays kept from one
step to the next, the update into its own temporary, mini-batches gathered from an
example-major copy of X."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
from numpy_impl.activations import ACTIVATIONS

# layer 1 is much narrower than its input (dW from the transposed product, F-ordered),
# layer 2 much wider (dW C-ordered), layer 3 a single unit
DIMS = (96, 8, 70, 1)


def data(dtype: str, m: int = 37, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((DIMS[0], m)).astype(dtype)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return X, Y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(8, 96, 37), (70, 8, 37), (1, 70, 37), (25, 400, 64)])
def test_gradients_by_any_route_are_the_textbook_products(shape: tuple[int, int, int],
                                                    dtype: str) -> None:
    n_l, n_prev, m = shape
    rng = np.random.default_rng(1)
    A_prev = rng.standard_normal((n_prev, m)).astype(dtype)
    W = rng.standard_normal((n_l, n_prev)).astype(dtype)
    dZ = rng.standard_normal((n_l, m)).astype(dtype)
    dA_prev, dW, db = ni.linear_backward(dZ, (A_prev, W, np.zeros((n_l, 1), dtype)))
    np.testing.assert_array_equal(dA_prev, np.dot(W.T, dZ))  # one unit: a broadcast product
    np.testing.assert_array_equal(dW, np.dot(dZ, A_prev.T) / m)
    np.testing.assert_array_equal(db, np.sum(dZ, axis=1, keepdims=True) / m)
    assert dW.dtype == dtype and dW.shape == (n_l, n_prev)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", "leaky_relu", "linear"])
@pytest.mark.parametrize("keep", [1.0, 0.75])
def test_step_is_the_public_path_bitwise(hidden: str, dtype: str, keep: float) -> None:
    """Three steps of NeuralNetwork.step against model_forward, model_backward and
    update_parameters on the same masks: the same parameters, bit for bit, still
    C-ordered, and the caller's X and Y untouched."""
    X, Y = data(dtype)
    X0, Y0 = X.copy(), Y.copy()
    net = ni.NeuralNetwork(DIMS, hidden_activation=hidden, keep_probs=keep, seed=3,
                           dtype=dtype)
    params = net.get_params()
    for _ in range(3):
        masks = net.draw_masks(X.shape[1])
        cost = net.step(X, Y, 0.05, masks=masks)
        AL, caches = ni.model_forward(X, params, hidden, "sigmoid", keep_probs=keep,
                                      masks=masks)
        grads = ni.model_backward(AL, Y, caches, hidden, "sigmoid", input_gradient=False)
        params = ni.update_parameters(params, grads, 0.05)
        assert cost == ni.compute_cost(caches[-1].Z, Y, from_logits=True)
    for key, value in params.items():
        np.testing.assert_array_equal(net.params[key], value)
        assert net.params[key].flags.c_contiguous
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", "leaky_relu"])
@pytest.mark.parametrize("keep", [1.0, 0.6])
def test_backward_without_upstream_gradients_is_the_same(hidden: str, keep: float) -> None:
    """upstream=False lets dZ overwrite the loop's own dA: the parameter gradients are
    those of the full backward, bitwise, and nothing the caller holds changes."""
    X, Y = data("float64")
    net = ni.NeuralNetwork(DIMS, hidden_activation=hidden, seed=4)
    masks = {1: ni.dropout_mask((8, 37), keep, 0), 2: ni.dropout_mask((70, 37), keep, 1)}
    AL, caches = ni.model_forward(X, net.params, hidden, "sigmoid", keep_probs=keep,
                                  masks=masks if keep < 1 else None)
    kept = [tuple(np.copy(a) for a in (c.A_prev, c.Z)) for c in caches]
    g = ACTIVATIONS[hidden]
    full = ni.backward_pass(AL, Y, caches, g, "sigmoid", "bce", 0.0)
    lean = ni.backward_pass(AL, Y, caches, g, "sigmoid", "bce", 0.0, input_gradient=False,
                            upstream=False)
    assert sorted(lean) == ["dW1", "dW2", "dW3", "db1", "db2", "db3"]
    for key, value in lean.items():
        np.testing.assert_array_equal(value, full[key])
    for cache, (A_prev, Z) in zip(caches, kept, strict=True):
        np.testing.assert_array_equal(cache.A_prev, A_prev)
        np.testing.assert_array_equal(cache.Z, Z)


def test_the_update_leaves_the_callers_arrays_alone() -> None:
    net = ni.NeuralNetwork(DIMS, seed=5)
    params = net.get_params()
    grads = {f"d{k}": np.full_like(v, 0.5) for k, v in params.items()}
    grads["dW1"] = np.asfortranarray(grads["dW1"])  # laid out unlike W1
    before = {k: v.copy() for k, v in {**params, **grads}.items()}
    new = ni.update_parameters(params, grads, 0.1)
    for key, value in {**params, **grads}.items():
        np.testing.assert_array_equal(value, before[key])
    for key, value in new.items():
        assert value is not params[key] and value is not grads[f"d{key}"]
        np.testing.assert_array_equal(value, params[key] - 0.1 * grads[f"d{key}"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_batches_are_the_public_mini_batches(dtype: str) -> None:
    """fit gathers each epoch's batches from an example-major copy of X: the same
    examples, and the same training, as random_mini_batches' column gather."""
    X, Y = data(dtype, m=300)
    fitted = ni.NeuralNetwork(DIMS, seed=6, dtype=dtype)
    manual = ni.NeuralNetwork(DIMS, seed=6, dtype=dtype)
    costs = fitted.fit(X, Y, epochs=2, batch_size=64, learning_rate=0.05)
    rng = np.random.default_rng(6)
    ni.initialize_parameters(DIMS, "he", rng, dtype)  # the draws the constructor made
    manual_costs = []
    for _ in range(2):
        batches = ni.random_mini_batches(X, Y, 64, rng)
        total = sum(manual.step(Xb, Yb, 0.05) * Xb.shape[1] for Xb, Yb in batches)
        manual_costs.append(total / 300)
    assert costs == manual_costs
    for key, value in manual.params.items():
        np.testing.assert_array_equal(fitted.params[key], value)


# --- arrays kept between steps (numpy_impl.buffers) ----------------------------------------
BIG = (300, 600, 600, 1)  # float64 at m = 500: every Z, A, dA and the 600x600 dW >= 1 MiB


@pytest.mark.parametrize("hidden", ["relu", "sigmoid"])
def test_steps_with_kept_arrays_are_the_public_path_bitwise(hidden: str) -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((BIG[0], 500))
    Y = (rng.random((1, 500)) < 0.5).astype(float)
    net = ni.NeuralNetwork(BIG, hidden_activation=hidden, seed=8)
    params = net.get_params()
    for _ in range(3):
        net.step(X, Y, 0.01)
        AL, caches = ni.model_forward(X, params, hidden, "sigmoid")
        grads = ni.model_backward(AL, Y, caches, hidden, "sigmoid", input_gradient=False)
        params = ni.update_parameters(params, grads, 0.01)
    assert net._scratch().nbytes > 0  # the arrays were kept, and reused
    for key, value in params.items():
        np.testing.assert_array_equal(net.params[key], value)


class Keeping(ni.GradientDescent):
    """An optimizer of the user's that keeps the gradients it is given."""

    def step(self, params, grads, state, lr):
        self.seen = [*getattr(self, "seen", []), (dict(grads), {k: v.copy() for k, v in
                                                               grads.items()})]
        return super().step(params, grads, state, lr)


def test_gradients_are_not_reused_under_an_optimizer_that_may_keep_them() -> None:
    """Only the built-in optimizers are known to let go of the gradients: a subclass's
    kept gradients are never overwritten by the next step."""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((BIG[0], 500))
    Y = (rng.random((1, 500)) < 0.5).astype(float)
    optimizer = Keeping()
    net = ni.NeuralNetwork(BIG, seed=10, optimizer=optimizer)
    for _ in range(3):
        net.step(X, Y, 0.01)
    for kept, copies in optimizer.seen:
        for key, value in kept.items():
            np.testing.assert_array_equal(value, copies[key])


def test_kept_arrays_are_bounded_and_never_copied() -> None:
    import copy
    import pickle

    from numpy_impl.buffers import Buffers

    buffers = Buffers(smallest=1000, limit=10_000)
    f8 = np.dtype("float64")
    assert buffers.get("small", (10, 10), f8) is None  # 800 bytes: allocated afresh
    a = buffers.get("a", (20, 20), f8)
    assert a is not None and buffers.get("a", (20, 20), f8) is a
    assert buffers.get("a", (20, 21), f8) is not a  # another shape: replaced
    assert buffers.get("b", (30, 30), f8) is None  # 7200 more bytes: over the limit
    assert buffers.nbytes == 20 * 21 * 8
    buffers.clear()
    assert buffers.nbytes == 0
    rng = np.random.default_rng(11)
    net = ni.NeuralNetwork(BIG, seed=12)
    net.step(rng.standard_normal((BIG[0], 500)), np.ones((1, 500)), 0.01)
    assert net._scratch().nbytes > 1 << 20
    for other in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert other._scratch().nbytes == 0
        for key, value in net.params.items():
            np.testing.assert_array_equal(other.params[key], value)


def test_tanh_backward_keeps_numpys_type_promotion() -> None:
    """A float64 dA with a float32 Z gives float64 (the promotion of the two), as before."""
    dA = np.linspace(-1, 1, 6)
    Z = np.linspace(-2, 2, 6).astype(np.float32)
    for backward in (ni.tanh_backward, ni.sigmoid_backward, ni.relu_backward):
        assert backward(dA, Z).dtype == np.float64
    np.testing.assert_array_equal(ni.tanh_backward(dA, Z), dA * (1.0 - np.tanh(Z) ** 2))


def test_model_forward_reads_lists_as_arrays_and_backward_follows() -> None:
    """check_params accepts a list of floats for a weight; the caches then hold arrays, so
    the backward works on what the forward made."""
    X, Y = data("float64")
    net = ni.NeuralNetwork(DIMS, seed=13)
    params = net.get_params()
    listed = {**params, "W2": params["W2"].tolist()}
    AL, caches = ni.model_forward(X, listed, "relu", "sigmoid")
    grads = ni.model_backward(AL, Y, caches, "relu", "sigmoid")
    AL0, caches0 = ni.model_forward(X, params, "relu", "sigmoid")
    np.testing.assert_array_equal(AL, AL0)
    np.testing.assert_array_equal(grads["dW2"], ni.model_backward(AL0, Y, caches0, "relu",
                                                                   "sigmoid")["dW2"])


def test_a_patched_built_in_step_keeps_its_gradients(monkeypatch) -> None:
    """A spy patched onto a built-in optimizer's class (not a subclass) may hold the
    gradients too: they are not reused."""
    seen = []
    original = ni.GradientDescent.step

    def spy(self, params, grads, state, lr):
        seen.append((dict(grads), {k: v.copy() for k, v in grads.items()}))
        return original(self, params, grads, state, lr)

    monkeypatch.setattr(ni.GradientDescent, "step", spy)
    rng = np.random.default_rng(14)
    X = rng.standard_normal((BIG[0], 500))
    net = ni.NeuralNetwork(BIG, seed=15)
    for _ in range(3):
        net.step(X, np.ones((1, 500)), 0.01)
    assert len(seen) == 3
    for kept, copies in seen:
        for key, value in kept.items():
            np.testing.assert_array_equal(value, copies[key])


def test_narrow_layers_keep_no_unused_gradient_array() -> None:
    """A layer whose dW is the transposed product never has a kept dW array."""
    rng = np.random.default_rng(16)
    net = ni.NeuralNetwork((4000, 400, 1), seed=17)
    net.step(rng.standard_normal((4000, 64)), np.ones((1, 64)), 0.01)
    assert net._scratch().nbytes == 0  # Z1 (400 x 64) is too small to keep; no dW1


def test_only_outputs_written_into_are_kept() -> None:
    """A relu's output is written into a kept array; a sigmoid's is not, so none is kept
    for it: the two nets differ by exactly the two hidden outputs."""
    rng = np.random.default_rng(18)
    X = rng.standard_normal((BIG[0], 500))
    kept = {}
    for hidden in ("relu", "sigmoid"):
        net = ni.NeuralNetwork(BIG, hidden_activation=hidden, seed=19)
        net.step(X, np.ones((1, 500)), 0.01)
        kept[hidden] = net._scratch().nbytes
    assert kept["relu"] - kept["sigmoid"] == 2 * 600 * 500 * 8
