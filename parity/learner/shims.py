"""Stand-ins for the course's helper modules, used when a submission imports one that is
not beside it (``from dnn_utils_v2 import sigmoid``). They follow the course's conventions
(written here, not copied): the week 4 activations return ``(A, cache)``, the Course 2
utilities return the value alone, gradient checking flattens the 4-5-3-1 network. The
data loaders raise: the course's datasets are not shipped. The report says which modules
were supplied. The test harness (``testCases*``, ``public_tests``) is replaced by a module
whose every name raises when used.
"""

from __future__ import annotations

from pathlib import Path

from parity.learner.source import is_harness

_ACTIVATIONS_WITH_CACHE = '''
import numpy as np


def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    A = np.maximum(0, Z)
    return A, Z


def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)


def relu_backward(dA, cache):
    dZ = np.array(dA, copy=True)
    dZ[cache <= 0] = 0
    return dZ
'''

_APP_UTILS = _ACTIVATIONS_WITH_CACHE + '''

def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1])
                                    / np.sqrt(layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    return W.dot(A) + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return np.squeeze(cost)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T.dot(dZ), dZ.dot(A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    backward = sigmoid_backward if activation == "sigmoid" else relu_backward
    return linear_backward(backward(dA, activation_cache), linear_cache)


def L_model_backward(AL, Y, caches):
    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA, grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(
        dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)] = dA
    for l in reversed(range(L - 1)):
        dA, grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_activation_backward(
            dA, caches[l], "relu")
        grads["dA" + str(l)] = dA
    return grads


def update_parameters(parameters, grads, learning_rate):
    parameters = {k: v.copy() for k, v in parameters.items()}
    for l in range(len(parameters) // 2):
        parameters["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return parameters


def predict(X, y, parameters):
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(float)
'''

_PLAIN_ACTIVATIONS = '''
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)
'''

_GC_UTILS = _PLAIN_ACTIVATIONS + '''

_SHAPES = (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)),
           ("b3", (1, 1)))


def dictionary_to_vector(parameters):
    keys, parts = [], []
    for key, _ in _SHAPES:
        column = np.reshape(parameters[key], (-1, 1))
        keys += [key] * column.shape[0]
        parts.append(column)
    return np.concatenate(parts, axis=0), keys


def vector_to_dictionary(theta):
    parameters, start = {}, 0
    for key, shape in _SHAPES:
        size = shape[0] * shape[1]
        parameters[key] = theta[start:start + size].reshape(shape)
        start += size
    return parameters


def gradients_to_vector(gradients):
    return np.concatenate([np.reshape(gradients["d" + key], (-1, 1)) for key, _ in _SHAPES],
                          axis=0)
'''

_REG_UTILS = _PLAIN_ACTIVATIONS + '''

def compute_cost(a3, Y):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1. / m * np.nansum(logprobs)
'''

_NO_DATA = '''

class CourseDataUnavailable(RuntimeError):
    """The course's datasets are not shipped; raised by every stand-in data loader."""


def _no_data(*args, **kwargs):
    raise CourseDataUnavailable("the course's datasets are not available here: checking "
                                "needs only your functions")


load_data = load_dataset = load_planar_dataset = load_extra_datasets = _no_data
load_2D_dataset = load_params_and_grads = plot_decision_boundary = _no_data


def __getattr__(name):
    """Any other helper of the course's module (its own model, plotting): importable, and
    an error only if called (no graded function needs it)."""
    if name.startswith("__"):
        raise AttributeError(name)

    def not_supplied(*args, **kwargs):
        raise RuntimeError(f"{__name__}.{name} is not supplied here: only the helpers the "
                           "graded functions use are")
    return not_supplied
'''

HELPERS: dict[str, str] = {
    "dnn_utils": _ACTIVATIONS_WITH_CACHE, "dnn_utils_v2": _ACTIVATIONS_WITH_CACHE,
    "dnn_app_utils": _APP_UTILS, "dnn_app_utils_v2": _APP_UTILS, "dnn_app_utils_v3": _APP_UTILS,
    "planar_utils": _PLAIN_ACTIVATIONS, "lr_utils": _PLAIN_ACTIVATIONS,
    "reg_utils": _REG_UTILS, "init_utils": _REG_UTILS, "gc_utils": _GC_UTILS,
    "opt_utils": _REG_UTILS, "opt_utils_v1a": _REG_UTILS,
}

_HARNESS = '''
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def unavailable(*args, **kwargs):
        raise RuntimeError(f"the course's test harness ({__name__}.{name}) is not available "
                           "here; remove the test calls, or check the notebook instead")
    return unavailable
'''


def write_shims(modules: list[str], folder: Path, is_importable) -> list[str]:
    """Write a stand-in into ``folder`` for each course module in ``modules`` that
    ``is_importable`` says cannot be imported; return the names supplied."""
    supplied = []
    for name in modules:
        if is_importable(name):
            continue
        if name in HELPERS:
            (folder / f"{name}.py").write_text(HELPERS[name] + _NO_DATA)
        elif is_harness(name):
            (folder / f"{name}.py").write_text(_HARNESS)
        else:
            continue
        supplied.append(name)
    return supplied
