"""Issue 11, item 6: every public function of numpy_impl checks its arguments before any
work (name, what was received, what was expected), and the one rule for integer arrays,
np.matrix, bool, object and complex arrays holds everywhere."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl as ni
import parity

# np.matrix itself warns that it is not recommended: that is the point of these rows
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

rng = np.random.default_rng(0)
Z = rng.standard_normal((3, 4))
DA = rng.standard_normal((3, 4))
P = ni.initialize_parameters([3, 4, 1], "he", seed=0)
X = rng.standard_normal((3, 5))
Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
AL, CACHES = ni.model_forward(X, P)
A_PREV, W, B = X, P["W1"], P["b1"]
DZ = rng.standard_normal((4, 5))
BACKWARDS = [ni.relu_backward, ni.sigmoid_backward, ni.tanh_backward, ni.leaky_relu_backward,
             ni.softmax_backward]

CASES = [
    # activation backwards: dA and Z of different shapes are refused, never broadcast
    *[(f"{f.__name__} shapes", lambda f=f: f(DA[:, :1], Z), ValueError,
       r"dA has shape \(3, 1\) but Z has shape \(3, 4\); expected equal shapes")
      for f in BACKWARDS],
    ("relu_backward row", lambda: ni.relu_backward(DA[:1], Z), ValueError,
     r"dA has shape \(1, 4\) but Z has shape \(3, 4\)"),
    ("sigmoid_backward transposed", lambda: ni.sigmoid_backward(DA.T, Z), ValueError,
     r"dA has shape \(4, 3\)"),
    ("softmax_backward axis", lambda: ni.softmax_backward(DA, Z, axis=2), ValueError,
     r"axis 2 is out of range for Z of shape \(3, 4\)"),
    ("softmax axis type", lambda: ni.softmax(Z, axis=0.5), TypeError, "axis must be an int"),
    ("leaky alpha nan", lambda: ni.leaky_relu(Z, alpha=np.nan), ValueError,
     "alpha must be a finite number >= 0, got nan"),
    ("relu string", lambda: ni.relu(np.array(["a", "b"])), TypeError,
     r"Z must have a real numeric dtype \(bool, integer or float\), got <U1"),
    ("relu_backward complex", lambda: ni.relu_backward(DA + 1j, Z), TypeError,
     "dA must have a real numeric dtype .* got complex128"),
    ("relu_backward object", lambda: ni.relu_backward(DA.astype(object), Z), TypeError,
     "got object"),
    ("relu_backward None", lambda: ni.relu_backward(None, Z), TypeError,
     "dA must be a numpy array, got NoneType"),
    # linear_backward: integers refused as by linear_forward; the cache is checked
    ("linear_backward int dZ", lambda: ni.linear_backward(DZ.astype(int), (A_PREV, W, B)),
     TypeError, "dZ must have dtype float32 or float64, got int64"),
    ("linear_backward int A_prev", lambda: ni.linear_backward(DZ, (A_PREV.astype(int), W, B)),
     TypeError, "A_prev must have dtype float32 or float64, got int64"),
    ("linear_backward dZ shape", lambda: ni.linear_backward(DZ[:, :2], (A_PREV, W, B)),
     ValueError, r"dZ has shape \(4, 2\); expected \(4, 5\)"),
    ("linear_backward cache length", lambda: ni.linear_backward(DZ, (A_PREV, W)), TypeError,
     "linear_cache must be the tuple .* got a tuple of length 2"),
    ("linear_backward cache W", lambda: ni.linear_backward(DZ, (A_PREV, W[:, :2], B)),
     ValueError, r"W has shape \(4, 2\) and A_prev has shape \(3, 5\)"),
    ("linear_backward need_dA_prev", lambda: ni.linear_backward(DZ, (A_PREV, W, B), "no"),
     TypeError, "need_dA_prev must be a bool, got str"),
    ("linear_activation_backward dA", lambda: ni.linear_activation_backward(
        np.ones((4, 2)), CACHES[0], "relu"), ValueError,
     r"dA has shape \(4, 2\) but the cache's Z has shape \(4, 5\)"),
    ("linear_activation_backward cache", lambda: ni.linear_activation_backward(
        DZ, "cache", "relu"), TypeError, "cache must be a LayerCache"),
    # dropout helpers
    ("dropout_mask keep 0", lambda: ni.dropout_mask((2, 2), 0.0, rng), ValueError,
     r"keep_prob must be in \(0, 1\], got 0.0"),
    ("dropout_mask rng string", lambda: ni.dropout_mask((2, 2), 0.5, "0"), TypeError,
     "rng must be an int, a numpy.random.Generator or None, got str"),
    ("dropout_mask negative seed", lambda: ni.dropout_mask((2, 2), 0.5, -1), ValueError,
     "rng must be >= 0, got -1"),
    ("dropout_mask shape", lambda: ni.dropout_mask((2, -1), 0.5, 0), ValueError,
     r"shape must be a tuple of ints >= 0, got \(2, -1\)"),
    ("dropout_mask dtype", lambda: ni.dropout_mask((2, 2), 0.5, 0, dtype="int32"), TypeError,
     "dtype must be float32 or float64, got int32"),
    ("dropout_masks keep count", lambda: ni.dropout_masks((3, 4, 1), (0.5, 0.5), 5, 0),
     ValueError, r"one keep probability per hidden layer \(1 for layer_dims \(3, 4, 1\)\)"),
    ("apply_dropout keep 0", lambda: ni.apply_dropout(Z, np.ones_like(Z), 0), ValueError,
     r"keep_prob must be in \(0, 1\], got 0"),
    ("apply_dropout keep 1.5", lambda: ni.apply_dropout(Z, np.ones_like(Z), 1.5), ValueError,
     r"keep_prob must be in \(0, 1\], got 1.5"),
    ("apply_dropout keep nan", lambda: ni.apply_dropout(Z, np.ones_like(Z), np.nan),
     ValueError, r"keep_prob must be in \(0, 1\], got nan"),
    ("apply_dropout mask shape", lambda: ni.apply_dropout(Z, np.ones((3, 1)), 0.5),
     ValueError, r"D has shape \(3, 1\) but A has shape \(3, 4\)"),
    # L2
    ("l2_gradient m 0", lambda: ni.l2_gradient(W, 0.1, 0), ValueError, "m must be >= 1, got 0"),
    ("l2_gradient m float", lambda: ni.l2_gradient(W, 0.1, 2.0), TypeError,
     "m must be an int, got float"),
    ("l2_gradient lambd", lambda: ni.l2_gradient(W, -0.1, 5), ValueError,
     "lambd must be a finite number >= 0, got -0.1"),
    ("l2_gradient int W", lambda: ni.l2_gradient(W.astype(int), 0.1, 5), TypeError,
     "W must have dtype float32 or float64"),
    ("l2_cost params", lambda: ni.l2_cost({"W1": W}, 0.1, 5), ValueError,
     r"missing \['b1'\]"),
    # make_data
    ("make_data m 0", lambda: parity.make_data(parity.ZOO["shallow_relu"], m=0), ValueError,
     "m must be an int >= 1 .* got 0"),
    ("make_data arch", lambda: parity.make_data("shallow_relu"), TypeError,
     "arch must be an Architecture"),
    ("make_data seed", lambda: parity.make_data(parity.ZOO["shallow_relu"], seed=-1),
     ValueError, "seed must be >= 0, got -1"),
    # np.matrix: refused everywhere with the same message
    ("matrix relu", lambda: ni.relu(np.matrix(Z)), TypeError,
     r"Z is a numpy.matrix; expected a plain numpy.ndarray: pass np.asarray\(Z\)"),
    ("matrix model_forward", lambda: ni.model_forward(np.matrix(X), P), TypeError,
     "X is a numpy.matrix"),
    ("matrix params", lambda: ni.model_forward(X, {**P, "W1": np.matrix(P["W1"])}), TypeError,
     r"params\['W1'\] is a numpy.matrix"),
    ("matrix Y", lambda: ni.compute_cost(AL, np.matrix(Y)), TypeError, "Y is a numpy.matrix"),
    ("matrix backward cache", lambda: ni.linear_backward(np.matrix(DZ), (A_PREV, W, B)),
     TypeError, "dZ is a numpy.matrix"),
    ("matrix l1_loss", lambda: ni.l1_loss(np.matrix([1.0]), np.array([[1.0]])), TypeError,
     "yhat is a numpy.matrix"),
    ("matrix mini-batches", lambda: ni.random_mini_batches(np.matrix(X), Y), TypeError,
     "X is a numpy.matrix"),
    ("masked array", lambda: ni.sigmoid(np.ma.masked_array(Z, Z > 0)), TypeError,
     "Z is a numpy masked array"),
    # model-level functions keep refusing integers, bool and complex
    ("bool X", lambda: ni.model_forward(X > 0, P), TypeError,
     "X must have dtype float32 or float64, got bool"),
    ("complex X", lambda: ni.model_forward(X + 0j, P), TypeError, "got complex128"),
    # the rest of the public surface
    ("softmax one unit forward", lambda: ni.model_forward(
        X, P, output_activation="softmax"), ValueError, "a softmax output needs >= 2 units"),
    ("model_backward caches", lambda: ni.model_backward(AL, Y, [("A", "W")]), TypeError,
     r"caches\[0\] must be a LayerCache"),
    ("model_backward caches string", lambda: ni.model_backward(AL, Y, "caches"), TypeError,
     "caches must be the list of LayerCache"),
    ("model_backward wrong m", lambda: ni.model_backward(AL[:, :2], Y[:, :2], CACHES),
     ValueError, r"caches\[0\].A_prev has shape \(3, 5\); expected \(3, 2\)"),
    ("output_delta shapes", lambda: ni.output_delta(AL, AL[:, :2], Y, "sigmoid", "bce"),
     ValueError, r"ZL has shape \(1, 2\) but AL has shape \(1, 5\)"),
    ("output_delta loss", lambda: ni.output_delta(AL, AL, Y, "sigmoid", "hinge"), ValueError,
     "loss must be one of"),
    ("compute_cost from_logits", lambda: ni.compute_cost(AL, Y, from_logits="yes"), TypeError,
     "from_logits must be a bool, got str"),
    ("relative_difference shapes", lambda: ni.relative_difference(np.ones(3), np.ones(4)),
     ValueError, r"g has shape \(3,\) but g_approx has shape \(4,\)"),
    ("grads_to_vector missing", lambda: ni.grads_to_vector({}, ni.params_to_vector(P)[1]),
     ValueError, "grads is missing 'dW1'"),
    ("vector_to_params layout", lambda: ni.vector_to_params(np.zeros(3), "layout"), TypeError,
     "layout must be the list of"),
    ("gradient_check lambd", lambda: ni.gradient_check(P, X, Y, lambd=np.nan), ValueError,
     "lambd must be a finite number >= 0, got nan"),
    ("my_dense g", lambda: ni.my_dense(np.ones(3), np.ones((3, 2)), np.ones(2), "sigmoid"),
     TypeError, "g must be an activation function"),
    ("my_sequential layers", lambda: ni.my_sequential(np.ones((2, 3)), [np.ones((3, 2))]),
     TypeError, r"layers\[0\] must be a \(W, b\) pair"),
    ("initialize dtype", lambda: ni.initialize_parameters([3, 1], dtype="float99"), TypeError,
     "dtype must be float32 or float64, got 'float99'"),
]


@pytest.mark.parametrize("name,call,error,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name: str, call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# --- integers: the course's elementwise functions accept them and compute in float64 -------
INT_X = np.array([[1, 2, 3], [-1, 0, 4]])


@pytest.mark.parametrize("f", [ni.sigmoid, ni.relu, ni.tanh, ni.leaky_relu, ni.softmax,
                               ni.linear, ni.sigmoid_derivative, ni.normalize_rows])
def test_elementwise_functions_accept_integers_as_float64(f) -> None:
    before = INT_X.copy()
    out = f(INT_X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, f(INT_X.astype(np.float64)))
    np.testing.assert_array_equal(INT_X, before)  # never in place


def test_losses_accept_integers_and_bools() -> None:
    assert ni.l1_loss(np.array([1, 0, 2]), np.array([0, 0, 0])) == 3.0
    assert ni.l2_loss(np.array([True, False]), np.array([0, 0])) == 1.0
    assert ni.sigmoid_derivative(0) == 0.25


@pytest.mark.parametrize("f", BACKWARDS)
def test_backwards_accept_integers(f) -> None:
    got = f(np.ones((2, 3), dtype=int), INT_X)
    np.testing.assert_array_equal(got, f(np.ones((2, 3)), INT_X.astype(float)))
    assert got.dtype == np.float64


def test_float32_stays_float32_and_is_not_copied() -> None:
    z = Z.astype(np.float32)
    assert ni.relu(z).dtype == np.float32
    assert ni.linear(z) is z
    assert ni.relu_backward(DA.astype(np.float32), z).dtype == np.float32


def test_dropout_mask_takes_a_seed_or_a_generator() -> None:
    by_seed = ni.dropout_mask((3, 4), 0.5, 0)
    by_generator = ni.dropout_mask((3, 4), 0.5, np.random.default_rng(0))
    np.testing.assert_array_equal(by_seed, by_generator)
    assert set(np.unique(by_seed)) <= {0.0, 1.0}


def test_valid_calls_give_the_same_values_as_before() -> None:
    """The checks change nothing for valid input: the public functions agree with the
    training loop's cores."""
    dA_prev, dW, db = ni.linear_backward(DZ, (A_PREV, W, B))
    np.testing.assert_allclose(dW, DZ @ A_PREV.T / 5, rtol=1e-14)
    np.testing.assert_allclose(db, DZ.sum(axis=1, keepdims=True) / 5, rtol=1e-14)
    np.testing.assert_allclose(dA_prev, W.T @ DZ, rtol=1e-14)
    np.testing.assert_array_equal(ni.l2_gradient(W, 0.5, 5), 0.1 * W)
    np.testing.assert_array_equal(ni.apply_dropout(Z, np.ones_like(Z), 0.5), Z * 2)
    X0, Y0 = parity.make_data(parity.ZOO["shallow_relu"], m=1)
    assert X0.shape == (2, 1) and Y0.shape == (1, 1)


class _LenLies(dict):
    def __len__(self) -> int:
        return 4


class _RepeatsKeys(dict):
    def __iter__(self):
        return iter(["W1", "b1", "W1", "b1"])

    def __len__(self) -> int:
        return 4


class _ArrayKeys(dict):
    def keys(self):
        return np.array(list(super().keys()))


@pytest.mark.parametrize("kind", [dict, _LenLies, _RepeatsKeys, _ArrayKeys])
def test_params_are_read_by_their_keys_not_their_length(kind) -> None:
    """check_params' quick test of the keys must agree with the full parse for any
    Mapping, including ones whose len or keys() disagree with iteration."""
    W1, b1 = np.ones((2, 3)), np.zeros((2, 1))
    assert ni.check_params(kind({"W1": W1, "b1": b1})) == (3, 2)
    if kind is not _RepeatsKeys:  # its iteration hides any third key
        with pytest.raises(ValueError, match=r"missing \['b2'\], extra \[\]"):
            ni.check_params(kind({"W1": W1, "b1": b1, "W2": W1}))
