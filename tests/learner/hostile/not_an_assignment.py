# Defines nothing the course grades.
import numpy as np


def hello(name):
    return 'hello ' + name


def mean(x):
    return np.mean(x)
