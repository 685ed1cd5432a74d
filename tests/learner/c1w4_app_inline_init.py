# The application with the 2-layer initialisation written inline (np.random.seed(1) then
# randn): right, but the check cannot choose its starting point, so it says so.
import numpy as np
from dnn_app_utils_v3 import *


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
                  "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}
    for i in range(num_iterations):
        A1, c1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, c2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        dA2 = -(Y / A2 - (1 - Y) / (1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, c2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, c1, "relu")
        parameters = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, learning_rate)
    return parameters, []


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    parameters = initialize_parameters_deep(layers_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
