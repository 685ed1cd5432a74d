"""Importing a user's own Keras model: read every layer's real configuration, refuse what
numpy_impl cannot compute exactly, and prove the import by comparing forward outputs.

Supported (a ``keras.Sequential`` with a 2-D input ``(None, n_x)``, float32 or float64):

- ``Dense`` (any ``units``, ``use_bias`` True or False: a missing bias is a zero bias);
- activations ``sigmoid``, ``relu``, ``tanh``, ``linear``/``None`` and, on the output,
  ``softmax``, given as the Dense ``activation`` argument or as a following
  ``Activation``, ``ReLU()``, ``Softmax()`` layer; leaky ReLU with slope 0.01
  (``keras_impl.leaky_relu``, or ``LeakyReLU(0.01)``/``ReLU(negative_slope=0.01)`` in
  float32: TensorFlow keeps that slope in float32, so a float64 model would compute
  with 0.009999999776);
- ``Dropout`` (and ``keras_impl.MaskedDropout``) after a hidden layer's activation:
  its rate becomes the layer's keep probability;
- ``kernel_regularizer`` L2 on every kernel alike, when ``lambd`` is given (numpy_impl's
  ``lambd / (2 m)`` depends on the batch size, so it cannot be read from the model).

Refused, with the layer's name, index and the reason: any other layer (BatchNormalization,
Normalization, Conv*, Flatten, Lambda, custom classes...), models that are not
``keras.Sequential``, other activations (elu, gelu, selu, swish, Keras' own ``leaky_relu``
with its 0.2 slope...), two activations in a row, hidden layers with different
activations, dropout on the inputs or the output, bias/activity regularizers,
constraints, mixed precision, an unbuilt model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

import keras_impl as ki
import numpy_impl as ni
from parity.architecture import Architecture, build_numpy
from parity.report import ParityReport, compare_arrays
from parity.tolerances import tolerance

ACTIVATIONS: dict[Callable[..., Any], str] = {
    keras.activations.sigmoid: "sigmoid",
    keras.activations.relu: "relu",
    keras.activations.tanh: "tanh",
    keras.activations.linear: "linear",
    keras.activations.softmax: "softmax",
    ki.leaky_relu: "leaky_relu",
}
SUPPORTED_LAYERS = ("Dense", "Activation", "ReLU", "LeakyReLU", "Softmax", "Dropout",
                    "MaskedDropout")
LOSSES = {"binary_crossentropy": "bce", "categorical_crossentropy": "cce",
          "mean_squared_error": "mse", "mse": "mse"}


@dataclass
class KerasImport:
    """The result of ``import_keras``: the architecture read from the model, a
    ``NeuralNetwork`` holding its weights (bitwise), the forward comparison of the two on
    random inputs, and every decision taken (``notes``)."""

    architecture: Architecture
    network: ni.NeuralNetwork
    report: ParityReport
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when the imported network computes the model's function within tolerance."""
        return self.report.passed


def _where(index: int, layer: keras.layers.Layer) -> str:
    return f"layer {index} {layer.name!r} ({type(layer).__name__})"


def _activation_name(fn: Any, where: str) -> str:
    if fn in ACTIVATIONS:
        return ACTIVATIONS[fn]
    label = getattr(fn, "__name__", repr(fn))
    if fn is keras.activations.leaky_relu:
        raise ValueError(f"{where}: Keras' leaky_relu has slope 0.2; numpy_impl's "
                         "leaky_relu has 0.01 (use keras_impl.leaky_relu or LeakyReLU(0.01))")
    raise ValueError(f"{where}: activation {label!r} is not supported; expected one of "
                     f"{sorted(set(ACTIVATIONS.values()))}")


def _relu_layer(layer: keras.layers.Layer, where: str, dtype: str) -> str:
    cfg = layer.get_config()
    slope = float(cfg.get("negative_slope", 0.0))
    if cfg.get("max_value") is not None or float(cfg.get("threshold", 0.0)) != 0.0:
        raise ValueError(f"{where}: max_value={cfg.get('max_value')!r}, "
                         f"threshold={cfg.get('threshold')!r} are not supported (a plain "
                         "relu or a 0.01 leaky relu is)")
    if slope == 0.0:
        return "relu"
    if slope != ni.LEAKY_RELU_SLOPE:
        raise ValueError(f"{where}: negative slope {slope:g} is not supported; numpy_impl's "
                         f"leaky_relu has {ni.LEAKY_RELU_SLOPE}")
    if dtype != "float32":
        raise ValueError(f"{where}: in a {dtype} model TensorFlow computes this slope in "
                         "float32 (0.009999999776), not numpy_impl's 0.01; use "
                         "keras_impl.leaky_relu as the Dense activation")
    return "leaky_relu"


def _check_dense(layer: keras.layers.Dense, where: str) -> None:
    for attr in ("bias_regularizer", "activity_regularizer", "kernel_constraint",
                 "bias_constraint"):
        if getattr(layer, attr, None) is not None:
            raise ValueError(f"{where}: {attr} is not supported by numpy_impl")
    if getattr(layer, "lora_rank", None):
        raise ValueError(f"{where}: LoRA is not supported")


def _l2_factor(layer: keras.layers.Dense, where: str) -> float | None:
    reg = layer.kernel_regularizer
    if reg is None:
        return None
    cfg = reg.get_config()
    if set(cfg) != {"l2"}:
        raise ValueError(f"{where}: kernel_regularizer {type(reg).__name__}({cfg}) is not "
                         "supported; only an L2 penalty is")
    return float(cfg["l2"])


def _loss_of(model: keras.Model, output: str) -> str | None:
    loss = getattr(model, "loss", None)
    if loss is None:
        return None
    if isinstance(loss, str):
        name, cfg = loss, {}
    elif isinstance(loss, keras.losses.Loss):
        cfg = loss.get_config()
        name = {"BinaryCrossentropy": "binary_crossentropy",
                "CategoricalCrossentropy": "categorical_crossentropy",
                "MeanSquaredError": "mean_squared_error"}.get(type(loss).__name__, "")
    else:
        name, cfg = getattr(loss, "__name__", repr(loss)), {}
    if name not in LOSSES:
        raise ValueError(f"the model is compiled with loss {loss!r}; supported: "
                         "binary_crossentropy, categorical_crossentropy, mean_squared_error "
                         "(or pass loss=)")
    if cfg.get("label_smoothing"):
        raise ValueError(f"loss {name} with label_smoothing={cfg['label_smoothing']} is not "
                         "supported")
    reduction = cfg.get("reduction", "sum_over_batch_size")
    if reduction not in ("sum_over_batch_size", "auto"):
        raise ValueError(f"loss {name} with reduction={reduction!r} is not supported; "
                         "numpy_impl's cost is the mean over the batch "
                         "(reduction='sum_over_batch_size', Keras' default)")
    if cfg.get("axis", -1) not in (-1, 1):
        raise ValueError(f"loss {name} with axis={cfg['axis']!r} is not supported; "
                         "expected the feature axis (-1, Keras' default)")
    if LOSSES[name] != "mse" and bool(cfg.get("from_logits", False)) != (output == "linear"):
        raise ValueError(f"loss {name} with from_logits={cfg.get('from_logits', False)} does "
                         f"not match the {output} output (from_logits=True goes with a linear "
                         "output)")
    return LOSSES[name]


def read_architecture(model: keras.Model, lambd: float | None = None,
                      loss: str | None = None) -> tuple[Architecture, list[str]]:
    """The ``Architecture`` a Keras model computes, and the notes on what was decided;
    ValueError naming the layer, its index and why for anything not supported."""
    if not isinstance(model, keras.Sequential):
        raise ValueError(f"model {getattr(model, 'name', model)!r} is a "
                         f"{type(model).__name__}; only keras.Sequential models of Dense "
                         "layers can be imported")
    for index, layer in enumerate(model.layers):
        if type(layer).__name__ not in SUPPORTED_LAYERS or not isinstance(
                layer, (keras.layers.Dense, keras.layers.Activation, keras.layers.ReLU,
                        keras.layers.LeakyReLU, keras.layers.Softmax, keras.layers.Dropout,
                        ki.MaskedDropout)):
            raise ValueError(f"{_where(index, layer)} is not supported: numpy_impl computes "
                             "dense layers, their activations and dropout only (supported: "
                             f"{', '.join(SUPPORTED_LAYERS)})")
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ValueError(f"model {model.name!r} has not been built (no input shape); build "
                         "it with keras.Input((n_x,)) or model.build((None, n_x))")
    shape = tuple(inputs[0].shape)
    if len(shape) != 2 or shape[1] is None:
        raise ValueError(f"model {model.name!r} takes inputs of shape {shape}; only flat "
                         "inputs (None, n_x) are supported")
    dims = [int(shape[1])]
    acts: list[str] = []
    keep: list[float] = []
    l2: list[tuple[str, float | None]] = []
    notes: list[str] = []
    dtype: str | None = None
    state = "start"  # start | dense (activation may follow) | activated | dropped
    for index, layer in enumerate(model.layers):
        where = _where(index, layer)
        policy = layer.dtype_policy
        if policy.compute_dtype != policy.variable_dtype or policy.compute_dtype not in (
                "float32", "float64"):
            raise ValueError(f"{where}: dtype policy {policy.name!r} is not supported; "
                             "expected float32 or float64 throughout")
        if dtype is None:
            dtype = policy.compute_dtype
        elif policy.compute_dtype != dtype:
            raise ValueError(f"{where}: dtype {policy.compute_dtype} differs from the "
                             f"earlier layers' {dtype} (Keras casts the activations to it); "
                             "give every layer the same dtype")
        if isinstance(layer, keras.layers.Dense):
            _check_dense(layer, where)
            if not layer.use_bias:
                notes.append(f"{layer.name}: no bias (use_bias=False), imported as a zero "
                             "bias (the same function; training the NumPy network would "
                             "train it)")
            dims.append(int(layer.units))
            acts.append(_activation_name(layer.activation, where))
            l2.append((layer.name, _l2_factor(layer, where)))
            state = "dense" if acts[-1] == "linear" else "activated"
        elif isinstance(layer, (keras.layers.Activation, keras.layers.ReLU,
                                keras.layers.LeakyReLU, keras.layers.Softmax)):
            if state == "start":
                raise ValueError(f"{where}: an activation on the inputs is not supported")
            if state == "dropped":
                raise ValueError(f"{where}: an activation after dropout is not supported "
                                 "(dropout must follow the activation)")
            if state == "activated":
                raise ValueError(f"{where}: a second activation after {acts[-1]} (layer "
                                 f"{len(acts)}'s) is not supported")
            if isinstance(layer, keras.layers.Activation):
                name = _activation_name(layer.activation, where)
            elif isinstance(layer, keras.layers.Softmax):
                if layer.axis not in (-1, 1):
                    raise ValueError(f"{where}: softmax over axis {layer.axis} is not "
                                     "supported (only the feature axis)")
                name = "softmax"
            else:
                name = _relu_layer(layer, where, dtype)
            acts[-1] = name
            state = "activated"
        elif type(layer) in (keras.layers.Dropout, ki.MaskedDropout):
            if state == "start":
                raise ValueError(f"{where}: dropout on the inputs is not supported "
                                 "(numpy_impl drops hidden units only)")
            if state == "dropped":
                raise ValueError(f"{where}: two dropout layers in a row are not supported")
            if getattr(layer, "noise_shape", None) is not None:
                raise ValueError(f"{where}: noise_shape={layer.noise_shape} (one mask shared "
                                 "along an axis) is not supported; numpy_impl draws one mask "
                                 "entry per example and unit")
            p = (layer.keep_prob if isinstance(layer, ki.MaskedDropout)
                 else 1.0 - float(layer.rate))
            keep.extend([1.0] * (len(acts) - 1 - len(keep)))
            keep.append(p)
            state = "dropped"
        else:
            raise ValueError(f"{where} is not supported: numpy_impl computes dense layers, "
                             f"their activations and dropout only (supported: "
                             f"{', '.join(SUPPORTED_LAYERS)})")
    if not acts:
        raise ValueError(f"model {model.name!r} has no Dense layer to import")
    if len(keep) == len(acts):
        raise ValueError(f"dropout after the output layer (layer {len(acts)}) is not "
                         "supported")
    keep.extend([1.0] * (len(acts) - 1 - len(keep)))
    hidden, output = acts[:-1], acts[-1]
    if "softmax" in hidden:
        raise ValueError(f"hidden layer {hidden.index('softmax') + 1} uses softmax; only the "
                         "output may")
    if len(set(hidden)) > 1:
        raise ValueError(f"hidden layers use {', '.join(hidden)}; numpy_impl networks have "
                         "one hidden activation")
    if output not in ("sigmoid", "softmax", "linear"):
        raise ValueError(f"output activation {output!r} is not supported; expected sigmoid, "
                         "softmax or linear")
    factors = {f for _, f in l2}
    if factors != {None}:
        if len(factors) > 1:
            raise ValueError(f"kernel_regularizer differs between layers ({l2}); numpy_impl "
                             "has one L2 strength")
        if lambd is None:
            (factor,) = factors
            raise ValueError(f"the kernels carry L2(l2={factor:g}); numpy_impl's L2 is "
                             "lambd / (2 m) * sum(W**2), which depends on the batch size m: "
                             f"pass lambd=2 * m * {factor:g} for your batch size")
        notes.append(f"L2 kernel regularizer imported as lambd={lambd:g} (given)")
    elif lambd:
        notes.append(f"lambd={lambd:g} (given; the model has no regularizer)")
    loss = loss if loss is not None else _loss_of(model, output)
    if loss is None:
        notes.append(f"the model is not compiled: loss {ni.DEFAULT_LOSS[output]!r}, the "
                     f"default for a {output} output")
    arch = Architecture(layer_dims=tuple(dims), hidden_activation=hidden[0] if hidden else
                        "relu", output_activation=output, lambd=float(lambd or 0.0),
                        keep_probs=tuple(keep) if keep else None, dtype=dtype, loss=loss,
                        name=model.name)
    return arch, notes


def _params(model: keras.Model, arch: Architecture) -> dict[str, np.ndarray]:
    params: dict[str, np.ndarray] = {}
    for i, layer in enumerate(ki.dense_layers(model), start=1):
        kernel = np.array(layer.kernel.numpy())
        params[f"W{i}"] = kernel.T.copy()
        params[f"b{i}"] = (np.array(layer.bias.numpy()).reshape(-1, 1) if layer.use_bias
                           else np.zeros((kernel.shape[1], 1), dtype=kernel.dtype))
    ni.check_params(params)
    return params


def compare_import(model: keras.Model, arch: Architecture, params: dict[str, np.ndarray],
                   m: int = 64, seed: int = 0) -> ParityReport:
    """The model's outputs (inference mode) against numpy_impl's forward pass with
    ``params`` on ``m`` random standard-normal inputs (the first all zeros)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((arch.layer_dims[0], m)).astype(arch.dtype)
    X[:, 0] = 0.0
    AL, _ = ni.model_forward(X, params, arch.hidden_activation, arch.output_activation)
    theirs = np.asarray(model(X.T, training=False))
    report = ParityReport(f"import of Keras model {model.name!r}: {arch.label()}")
    report.add(compare_arrays("imported output", arch.L, AL.T, theirs,
                              tolerance(arch.dtype, "forward", arch.layer_dims),
                              ("numpy", "keras model"), f"{m} random inputs",
                              group="forward"))
    return report


def import_keras(model: keras.Model, *, lambd: float | None = None, loss: str | None = None,
                 optimizer: str | ni.GradientDescent = "gd", seed: ni.SeedLike = 0,
                 m: int = 64) -> KerasImport:
    """Read ``model`` (see the module docstring for what is supported), copy its weights
    bitwise into a ``NeuralNetwork`` (``optimizer``, ``seed``) and compare the two on
    ``m`` random inputs; the result holds the comparison (check ``.passed``)."""
    arch, notes = read_architecture(model, lambd, loss)
    params = _params(model, arch)
    net = build_numpy(arch, seed, optimizer)
    net.set_params(params)
    return KerasImport(arch, net, compare_import(model, arch, params, m), notes)


FUNCTION_FIELDS = ("layer_dims", "hidden_activation", "output_activation", "keep_probs",
                   "dtype", "loss", "lambd")


def network_from_keras(model: keras.Model, arch: Architecture | None = None,
                       optimizer: str | ni.GradientDescent = "gd",
                       seed: ni.SeedLike = 0) -> ni.NeuralNetwork:
    """A NeuralNetwork computing ``model``'s function with its weights (bitwise), via
    ``import_keras``; ValueError when the model cannot be imported exactly, when ``arch``
    (if given) describes another network, or when the forward comparison fails."""
    result = import_keras(model, lambd=arch.lambd if arch is not None and arch.lambd else None,
                          loss=arch.loss if arch is not None else None, optimizer=optimizer,
                          seed=seed)
    if arch is not None:
        got = result.architecture
        wrong = [f"{name}: model {getattr(got, name)!r}, arch {getattr(arch, name)!r}"
                 for name in FUNCTION_FIELDS if getattr(got, name) != getattr(arch, name)
                 and not (name == "hidden_activation" and got.L == 1)]
        if wrong:
            raise ValueError(f"model {model.name!r} is not the architecture {arch.name!r}: "
                             + "; ".join(wrong))
    if not result.passed:
        (check,) = result.report.failures()
        raise ValueError(f"the imported network does not compute model {model.name!r}'s "
                         f"outputs: largest difference {check.max_abs:.3g} "
                         f"(tolerance {check.tolerance}) {check.note}")
    return result.network
