# sigmoid returns a TensorFlow tensor instead of a NumPy array.
import math

import numpy as np


def basic_sigmoid(x):
    return 1 / (1 + math.exp(-x))


def sigmoid(x):
    import tensorflow as tf
    return tf.sigmoid(tf.constant(x, dtype=tf.float64))


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
    return np.sum((y - yhat) ** 2)
