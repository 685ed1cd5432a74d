"""numpy_impl: the course's neural networks from scratch in pure NumPy.

Importing this package never imports TensorFlow or Keras. Layout: ``X (n_x, m)``,
``Y (n_y, m)``, ``params["W{l}"] (n_l, n_{l-1})``, ``params["b{l}"] (n_l, 1)``.
"""

from numpy_impl._validate import check_params
from numpy_impl.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LEAKY_RELU_SLOPE,
    OUTPUT_ACTIVATIONS,
    Activation,
    get_activation,
    leaky_relu,
    leaky_relu_backward,
    linear,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from numpy_impl.basics import image2vector, l1_loss, l2_loss, normalize_rows, sigmoid_derivative
from numpy_impl.batchnorm import BatchNormCache, batchnorm_backward, batchnorm_forward
from numpy_impl.config import NetworkConfig, normalize_keep_probs
from numpy_impl.conv import (
    ConvCache,
    conv_backward,
    conv_backward_loop,
    conv_forward,
    conv_forward_loop,
    conv_padding,
    conv_single_step,
    zero_pad,
)
from numpy_impl.costs import (
    DEFAULT_LOSS,
    KERAS_EPSILON,
    LOSSES,
    compute_cost,
    output_delta,
    resolve_loss,
)
from numpy_impl.data import Standardizer, random_mini_batches
from numpy_impl.datasets import Dataset, load_dataset
from numpy_impl.dense import my_dense, my_dense_v, my_sequential
from numpy_impl.divergence import EXPLOSION_FACTOR, DivergenceError, DivergenceWarning, blow_up
from numpy_impl.gradient_check import (
    GradientCheckResult,
    gradient_check,
    grads_to_vector,
    params_to_vector,
    relative_difference,
    vector_to_params,
)
from numpy_impl.initializers import INITIALIZERS, initialize_parameters
from numpy_impl.io import atomic_write
from numpy_impl.layered import LayeredNetwork
from numpy_impl.layered_config import LayerNetworkConfig
from numpy_impl.layers import (
    LayerCache,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
)
from numpy_impl.layerspec import (
    LayerSpec,
    activation_layer,
    batchnorm_layer,
    conv_layer,
    dense_layer,
    dropout_layer,
    flatten_layer,
    non_ascii,
    parse_layers,
    pool_layer,
)
from numpy_impl.model import backward_pass, forward_pass, model_backward, model_forward
from numpy_impl.network import NeuralNetwork
from numpy_impl.optimizers import (
    OPTIMIZERS,
    Adam,
    GradientDescent,
    Momentum,
    RMSprop,
    get_optimizer,
    initialize_adam,
    initialize_velocity,
    optimizer_from_dict,
    schedule_lr_decay,
    update_lr,
    update_parameters,
    update_parameters_with_adam,
    update_parameters_with_momentum,
    update_parameters_with_rmsprop,
)
from numpy_impl.pooling import (
    PoolCache,
    create_mask_from_window,
    distribute_value,
    pool_backward,
    pool_backward_loop,
    pool_forward,
    pool_forward_loop,
)
from numpy_impl.regularization import (
    apply_dropout,
    dropout_mask,
    dropout_masks,
    l2_cost,
    l2_gradient,
)
from numpy_impl.rng import SeedLike, as_generator

__all__ = [
    "ACTIVATIONS", "Activation", "Adam", "DEFAULT_LOSS", "Dataset", "DivergenceError",
    "EXPLOSION_FACTOR", "blow_up",
    "DivergenceWarning",
    "GradientCheckResult",
    "GradientDescent", "HIDDEN_ACTIVATIONS", "INITIALIZERS", "KERAS_EPSILON",
    "LEAKY_RELU_SLOPE", "LOSSES", "LayerCache", "LayerSpec", "Momentum", "NetworkConfig",
    "NeuralNetwork", "OPTIMIZERS", "OUTPUT_ACTIVATIONS", "RMSprop", "SeedLike", "Standardizer",
    "apply_dropout", "as_generator", "atomic_write", "backward_pass", "check_params",
    "compute_cost", "dense_layer", "dropout_layer", "dropout_mask", "dropout_masks",
    "forward_pass", "get_activation", "get_optimizer", "gradient_check", "grads_to_vector",
    "image2vector", "initialize_adam", "initialize_parameters", "initialize_velocity",
    "l1_loss", "l2_cost", "l2_gradient", "l2_loss", "leaky_relu", "leaky_relu_backward",
    "linear", "linear_activation_backward", "linear_activation_forward", "linear_backward",
    "linear_forward", "load_dataset", "model_backward", "model_forward", "my_dense",
    "my_dense_v", "my_sequential", "normalize_keep_probs", "normalize_rows",
    "optimizer_from_dict", "output_delta", "params_to_vector", "random_mini_batches",
    "relative_difference", "relu", "relu_backward", "resolve_loss", "schedule_lr_decay",
    "sigmoid", "sigmoid_backward", "sigmoid_derivative", "softmax", "softmax_backward", "tanh",
    "tanh_backward", "update_lr", "update_parameters", "update_parameters_with_adam",
    "update_parameters_with_momentum", "update_parameters_with_rmsprop", "vector_to_params",
    # networks of layers
    "LayerNetworkConfig", "LayeredNetwork", "activation_layer", "batchnorm_layer",
    "conv_layer", "flatten_layer", "non_ascii", "parse_layers", "pool_layer",
    # convolution, pooling, batch normalisation (channels-last)
    "BatchNormCache", "ConvCache", "PoolCache", "batchnorm_backward", "batchnorm_forward",
    "conv_backward", "conv_backward_loop", "conv_forward", "conv_forward_loop", "conv_padding",
    "conv_single_step", "create_mask_from_window", "distribute_value", "pool_backward",
    "pool_backward_loop", "pool_forward", "pool_forward_loop", "zero_pad",
]
