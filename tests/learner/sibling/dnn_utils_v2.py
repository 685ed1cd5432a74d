# A learner's own copy of the course's helper module, beside their submission.
import numpy as np

SIBLING_MARKER = "the helper beside the submission was used"


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(0, Z), Z


def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)


def relu_backward(dA, cache):
    return dA * (cache > 0)
