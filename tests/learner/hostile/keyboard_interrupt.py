# L2 raises KeyboardInterrupt, as if the learner had pressed Ctrl-C.
import math

import numpy as np


def basic_sigmoid(x):
    return 1 / (1 + math.exp(-x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)


def image2vector(image):
    return image.reshape(-1, 1)


def normalize_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def L1(yhat, y):
    return np.sum(np.abs(y - yhat))


def L2(yhat, y):
    raise KeyboardInterrupt
