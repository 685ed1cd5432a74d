"""parity: proves, with numbers, that numpy_impl and keras_impl compute the same thing.

``Architecture`` (numpy_impl's ``NetworkConfig`` with a name) describes a network once;
``build_numpy``/``build_keras`` build it on each side; ``parity.convert`` moves weights
between layouts; the ``compare_*`` functions return a ``ParityReport`` of ``Comparison``
rows, each in one of ``GROUPS``, and ``assert_parity`` turns a failed report into an
AssertionError whose message is its table. ``Lockstep`` trains a ``NeuralNetwork`` and a
Keras model on the same batches and masks. ``check_learner`` (``parity.learner``) checks
a learner's own course-style code against Keras.
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
from parity.learner import check_learner
from parity.report import (
    GROUPS,
    Comparison,
    ParityReport,
    assert_parity,
    compare_arrays,
    compare_scalar_below,
)
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
    "Architecture", "BackendRun", "Comparison", "GROUPS", "Lockstep", "OPTIMIZER_SUITE",
    "ParityReport", "SideBySide", "TOLERANCES", "Tolerance", "ZOO",
    "architecture_report", "assert_parity", "build_keras", "build_numpy", "check_learner",
    "compare_arrays", "compare_cost", "compare_fit", "compare_forward", "compare_gradients",
    "compare_initializers", "compare_scalar_below", "compare_training", "copy_to_keras",
    "draw_masks", "evaluate", "get_architecture", "initial_params", "keras_grads_to_numpy",
    "keras_optimizer_for", "keras_to_params", "load_keras_weights", "make_data",
    "masks_to_keras", "network_from_keras", "paired_models", "params_from_keras",
    "params_to_keras", "save_keras_weights", "to_keras_data", "tolerance",
    "train_side_by_side",
]
