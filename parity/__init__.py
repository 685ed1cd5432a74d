"""parity: proves, with numbers, that numpy_impl and keras_impl compute the same thing.

``Architecture`` describes a network once; ``build_numpy``/``build_keras`` build it on
each side; ``parity.convert`` moves weights between layouts; the ``compare_*`` functions
return a ``ParityReport`` and ``assert_parity`` turns a failed one into an AssertionError
whose message is the report's table.
"""

import keras_impl  # noqa: F401  (first: quiets TensorFlow's start-up logging)
from parity.architecture import (
    ZOO,
    Architecture,
    build_keras,
    build_numpy,
    get_architecture,
    initial_params,
)
from parity.compare import (
    OPTIMIZER_SUITE,
    architecture_report,
    compare_cost,
    compare_fit,
    compare_forward,
    compare_gradients,
    compare_initializers,
    compare_training,
    make_data,
    paired_models,
)
from parity.convert import (
    copy_to_keras,
    keras_grads_to_numpy,
    keras_to_params,
    load_keras_weights,
    masks_to_keras,
    network_from_keras,
    params_from_keras,
    params_to_keras,
    save_keras_weights,
    to_keras_data,
)
from parity.report import Check, ParityReport, assert_parity, compare_arrays
from parity.tolerances import TOLERANCES, Tolerance, tolerance
from parity.train import (
    BackendRun,
    Lockstep,
    SideBySide,
    draw_masks,
    evaluate,
    keras_optimizer_for,
    train_side_by_side,
)

__all__ = [
    "OPTIMIZER_SUITE", "TOLERANCES", "ZOO", "Architecture", "BackendRun", "Check", "Lockstep",
    "ParityReport", "SideBySide", "Tolerance", "architecture_report", "assert_parity",
    "build_keras", "build_numpy", "compare_arrays", "compare_cost", "compare_fit",
    "compare_forward", "compare_gradients", "compare_initializers", "compare_training",
    "copy_to_keras", "draw_masks", "evaluate", "get_architecture", "initial_params",
    "keras_grads_to_numpy", "keras_optimizer_for", "keras_to_params", "load_keras_weights",
    "make_data", "masks_to_keras", "network_from_keras", "paired_models", "params_from_keras",
    "params_to_keras", "save_keras_weights", "to_keras_data", "tolerance",
    "train_side_by_side",
]
