"""Networks of layers in Keras: conv, pooling, flatten, batch norm, dense, dropout and
activation layers, built from plain dicts, run, differentiated and trained.

Layers come as dicts in the format of a layer specification's ``to_dict()``, e.g.
``{"kind": "conv", "filters": 8, "kernel_size": 3, "stride": 1, "padding": "same",
"activation": "relu"}``. Keras layout, channels-last: images ``(m, H, W, C)``, features
``(m, n)``; conv kernels ``(f, f, c_in, c_out)``, dense kernels ``(n_in, n_out)``, biases
and batch-norm vectors ``(n,)`` (channels or features). Layer ``i`` (1-based position in
the list) is named ``{kind}_{i}`` and its weights are keyed by that position:
``kernel{i}``, ``bias{i}`` (conv, dense), ``gamma{i}``, ``beta{i}``, ``moving_mean{i}``,
``moving_variance{i}`` (batchnorm); dropout masks too (``masks={i: keep_mask}``).

Float64: every layer used here computes in the model's dtype without a float32 rounding
(Conv2D, pooling divisors, BatchNormalization's momentum and epsilon, Keras' Dropout
scale: each pinned by tests/test_keras_layered.py); the leaks that exist are closed as in
the dense models: ``leaky_relu`` is keras_impl's (Keras' string "leaky_relu" has slope
0.2 and a float32 slope), L2 for ``model.fit`` is ``ExactL2`` on conv and dense kernels,
the optimizers come from ``make_optimizer``.

Batch normalisation: in training mode Keras normalises with the batch mean and the
biased batch variance (divided by the number of values averaged, no Bessel correction)
and, in the same call, sets ``moving = momentum * moving + (1 - momentum) * batch`` with
that same biased variance. ``layered_forward`` and ``layered_gradients`` are evaluations
and leave the model unchanged: the moving statistics are restored bitwise after the call
(``update_moving=True`` keeps Keras' update). The training step and ``model.fit`` update
them, once per batch, before the parameter update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_impl.layers import MaskedDropout
from keras_impl.losses import check_loss, data_loss, l2_term
from keras_impl.model import ExactL2, leaky_relu, make_initializer
from keras_impl.training import check_lambd, check_x, check_xy, tape_step

LAYER_KINDS = ("conv", "maxpool", "avgpool", "flatten", "batchnorm", "dense", "dropout",
               "activation")
ACTIVATIONS = ("sigmoid", "relu", "leaky_relu", "tanh", "softmax", "linear")
PADDINGS = ("valid", "same")
FIELDS: dict[str, dict[str, Any]] = {  # field -> default (None: required)
    "conv": {"filters": None, "kernel_size": None, "stride": 1, "padding": "valid",
             "activation": "linear"},
    "maxpool": {"pool_size": None, "stride": None},
    "avgpool": {"pool_size": None, "stride": None},
    "flatten": {},
    "batchnorm": {"momentum": 0.99, "epsilon": 1e-3},
    "dense": {"units": None, "activation": "linear"},
    "dropout": {"keep_prob": None},
    "activation": {"activation": None},
}
Masks = Mapping[int, Any] | None


def keras_activation(name: str) -> Any:
    """What Keras gets for an activation name: keras_impl's exact ``leaky_relu`` (slope
    0.01) for "leaky_relu", the name itself otherwise."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return leaky_relu if name == "leaky_relu" else name


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be an int >= 1, got {value!r}")
    return int(value)


def _number(value: Any, what: str, low: float, high: float, low_open: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    value = float(value)
    ok = (value > low if low_open else value >= low) and value < high
    if not np.isfinite(value) or not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{what} must be in {bracket}{low}, {high}), got {value!r}")
    return value


def normalize_layers(layers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The layer dicts validated, with defaults filled in (``None`` means the default)."""
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Sequence):
        raise TypeError(f"layers must be a sequence of dicts, got {type(layers).__name__}")
    if not layers:
        raise ValueError("layers must hold at least one layer")
    out = []
    for i, raw in enumerate(layers, start=1):
        where = f"layers[{i - 1}] (layer {i})"
        if not isinstance(raw, Mapping) or raw.get("kind") not in LAYER_KINDS:
            raise ValueError(f"{where} must be a dict with 'kind' one of {LAYER_KINDS}, "
                             f"got {raw!r}")
        kind, fields = raw["kind"], FIELDS[raw["kind"]]
        unknown = sorted(set(raw) - set(fields) - {"kind"})
        if unknown:
            raise ValueError(f"{where}: a {kind} layer takes only {sorted(fields)}, "
                             f"got {unknown}")
        spec = {"kind": kind, **{k: raw.get(k) if raw.get(k) is not None else d
                                 for k, d in fields.items()}}
        for name in ("filters", "kernel_size", "units", "pool_size"):
            if name in fields:
                spec[name] = _positive_int(spec[name], f"{where} {name}")
        if kind in ("maxpool", "avgpool") and spec["stride"] is None:
            spec["stride"] = spec["pool_size"]
        if "stride" in fields:
            spec["stride"] = _positive_int(spec["stride"], f"{where} stride")
        if kind == "conv" and spec["padding"] not in PADDINGS:
            raise ValueError(f"{where} padding must be one of {PADDINGS}, "
                             f"got {spec['padding']!r}")
        if "activation" in fields and spec["activation"] not in ACTIVATIONS:
            raise ValueError(f"{where} activation must be one of {ACTIVATIONS}, "
                             f"got {spec['activation']!r}")
        if kind == "batchnorm":
            spec["momentum"] = _number(spec["momentum"], f"{where} momentum", 0.0, 1.0, False)
            spec["epsilon"] = _number(spec["epsilon"], f"{where} epsilon", 0.0, np.inf, True)
        if kind == "dropout":
            keep = _number(spec["keep_prob"], f"{where} keep_prob", 0.0, 2.0, True)
            if keep > 1.0:
                raise ValueError(f"{where} keep_prob must be in (0, 1], got {keep!r}")
            spec["keep_prob"] = keep
        out.append(spec)
    return out


def layered_shapes(input_shape: int | Sequence[int],
                   layers: Sequence[Mapping[str, Any]]) -> list[tuple[int, ...]]:
    """Per-example output shape of every layer (``(H, W, C)`` or ``(n,)``), Keras'
    arithmetic: "valid" ``floor((n - f) / s) + 1``, "same" ``ceil(n / s)``."""
    shape = _input_shape(input_shape)
    shapes = []
    for i, spec in enumerate(normalize_layers(layers), start=1):
        kind, where = spec["kind"], f"layer {i} ({spec['kind']})"
        if kind in ("conv", "maxpool", "avgpool", "flatten") and len(shape) != 3:
            raise ValueError(f"{where} needs images (H, W, C), got input shape {shape}")
        if kind == "dense" and len(shape) != 1:
            raise ValueError(f"{where} needs features (n,), got input shape {shape}; "
                             "put a flatten layer before it")
        if kind == "conv":
            f, s = spec["kernel_size"], spec["stride"]
            if spec["padding"] == "same":
                hw = [-(-n // s) for n in shape[:2]]
            else:
                hw = [(n - f) // s + 1 if n >= f else 0 for n in shape[:2]]
            shape = (*hw, spec["filters"])
        elif kind in ("maxpool", "avgpool"):
            p, s = spec["pool_size"], spec["stride"]
            shape = (*[(n - p) // s + 1 if n >= p else 0 for n in shape[:2]], shape[2])
        elif kind == "flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            shape = (spec["units"],)
        if min(shape) < 1:
            raise ValueError(f"{where} leaves nothing: input too small for its window "
                             f"(output shape {shape})")
        shapes.append(tuple(shape))
    return shapes


def _input_shape(input_shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
        input_shape = (int(input_shape),)
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence) \
            or len(input_shape) not in (1, 3):
        raise ValueError(f"input_shape must be (n_x,) or (H, W, C), got {input_shape!r}")
    return tuple(_positive_int(n, "input_shape entries") for n in input_shape)


def build_layered_model(input_shape: int | Sequence[int], layers: Sequence[Mapping[str, Any]],
                        initializer: str = "he", dtype: str = "float32",
                        seed: int | None = None, dropout: str = "mask",
                        l2_batch_size: int | None = None,
                        lambd: float = 0.0) -> keras.Sequential:
    """A ``keras.Sequential`` with one Keras layer per dict, named ``{kind}_{i}``.

    ``input_shape``: ``(H, W, C)`` (inputs ``(m, H, W, C)``) or ``(n_x,)``. Conv layers
    are ``Conv2D`` (channels-last, bias, initialiser ``initializer`` with seed
    ``seed + i``), pooling ``MaxPooling2D``/``AveragePooling2D`` ("valid"), batchnorm
    ``BatchNormalization(axis=-1)``, dropout ``MaskedDropout`` (``dropout="mask"``) or
    Keras' ``Dropout(1 - keep_prob)`` (``"keras"``). ``lambd`` with ``l2_batch_size`` gives
    conv and dense kernels ``ExactL2(lambd / (2 * l2_batch_size))`` for ``model.fit``.
    """
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if dropout not in ("mask", "keras"):
        raise ValueError(f"dropout must be 'mask' or 'keras', got {dropout!r}")
    if isinstance(lambd, bool) or not isinstance(lambd, (int, float)) \
            or not np.isfinite(lambd) or lambd < 0:
        raise ValueError(f"lambd must be a finite number >= 0, got {lambd!r}")
    if lambd and not l2_batch_size:
        raise ValueError("lambd > 0 needs l2_batch_size (the batch size model.fit will use); "
                         "the custom training step takes lambd as an argument instead")
    shape = _input_shape(input_shape)
    specs = normalize_layers(layers)
    layered_shapes(shape, specs)  # refuses impossible stacks before Keras does
    regularizer = ExactL2(lambd / (2.0 * l2_batch_size)) if lambd else None
    built: list[Any] = [keras.Input(shape=shape, dtype=dtype)]
    for i, spec in enumerate(specs, start=1):
        built.append(_keras_layer(spec, i, initializer, dtype,
                                  None if seed is None else seed + i, dropout, regularizer))
    return keras.Sequential(built, name="nn_parity_layered")


def _keras_layer(spec: dict[str, Any], i: int, initializer: str, dtype: str,
                 seed: int | None, dropout: str, regularizer: Any) -> keras.layers.Layer:
    kind = spec["kind"]
    name = f"{kind}_{i}"
    if kind == "conv":
        return keras.layers.Conv2D(
            spec["filters"], spec["kernel_size"], strides=spec["stride"],
            padding=spec["padding"], activation=keras_activation(spec["activation"]),
            use_bias=True, kernel_initializer=make_initializer(initializer, seed),
            bias_initializer="zeros", kernel_regularizer=regularizer, dtype=dtype, name=name)
    if kind in ("maxpool", "avgpool"):
        pool = keras.layers.MaxPooling2D if kind == "maxpool" else keras.layers.AveragePooling2D
        return pool(pool_size=spec["pool_size"], strides=spec["stride"], padding="valid",
                    dtype=dtype, name=name)
    if kind == "flatten":
        return keras.layers.Flatten(dtype=dtype, name=name)
    if kind == "batchnorm":
        return keras.layers.BatchNormalization(axis=-1, momentum=spec["momentum"],
                                               epsilon=spec["epsilon"], dtype=dtype, name=name)
    if kind == "dense":
        return keras.layers.Dense(
            spec["units"], activation=keras_activation(spec["activation"]),
            kernel_initializer=make_initializer(initializer, seed), bias_initializer="zeros",
            kernel_regularizer=regularizer, dtype=dtype, name=name)
    if kind == "dropout":
        if dropout == "mask":
            return MaskedDropout(spec["keep_prob"], dtype=dtype, name=name)
        return keras.layers.Dropout(1.0 - spec["keep_prob"], seed=seed, dtype=dtype, name=name)
    return keras.layers.Activation(keras_activation(spec["activation"]), dtype=dtype, name=name)


def layer_positions(model: keras.Model) -> dict[int, keras.layers.Layer]:
    """``{i: layer}`` for a model built by ``build_layered_model`` (names ``{kind}_{i}``)."""
    out = {}
    for layer in model.layers:
        kind, _, number = layer.name.rpartition("_")
        if kind not in LAYER_KINDS or not number.isdigit():
            raise ValueError(f"layer {layer.name!r} is not named {{kind}}_{{position}}: "
                             "expected a model from build_layered_model")
        out[int(number)] = layer
    return out


def layer_kind(layer: keras.layers.Layer) -> str:
    """The kind a layer was built from (the part of its name before the position)."""
    return layer.name.rpartition("_")[0]


def _param_names(i: int, layer: keras.layers.Layer) -> dict[str, Any]:
    """``{key: variable}`` of one layer, in a fixed order (trainable first)."""
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
        return {f"kernel{i}": layer.kernel, f"bias{i}": layer.bias}
    if isinstance(layer, keras.layers.BatchNormalization):
        return {f"gamma{i}": layer.gamma, f"beta{i}": layer.beta,
                f"moving_mean{i}": layer.moving_mean,
                f"moving_variance{i}": layer.moving_variance}
    return {}


def layered_variables(model: keras.Model, trainable: bool = False) -> dict[str, Any]:
    """``{"kernel1": variable, ...}`` in position order; ``trainable=True`` leaves out the
    moving statistics."""
    out: dict[str, Any] = {}
    for i, layer in sorted(layer_positions(model).items()):
        for key, var in _param_names(i, layer).items():
            if not (trainable and key.startswith("moving_")):
                out[key] = var
    return out


def get_layered_weights(model: keras.Model) -> dict[str, np.ndarray]:
    """Copies keyed by position: ``kernel{i}`` ``(f, f, c_in, c_out)`` or ``(n_in, n_out)``,
    ``bias{i}`` ``(n,)``, ``gamma{i}``, ``beta{i}``, ``moving_mean{i}``,
    ``moving_variance{i}`` ``(n,)``."""
    return {key: np.array(var.numpy()) for key, var in layered_variables(model).items()}


def set_layered_weights(model: keras.Model, weights: Mapping[str, Any]) -> None:
    """Assign every array of ``get_layered_weights``' keys; the key set and each shape must
    match exactly, values must be finite (checked before anything is assigned)."""
    variables = layered_variables(model)
    missing = [k for k in variables if k not in weights]
    unknown = sorted(set(weights) - set(variables))
    if missing or unknown:
        raise ValueError(f"weights keys do not match the model: missing {missing}, "
                         f"unexpected {unknown}; expected exactly {list(variables)}")
    arrays = {}
    for key, var in variables.items():
        arr = np.asarray(weights[key])
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"weights[{key!r}] must be numeric, got dtype {arr.dtype}")
        if arr.shape != tuple(var.shape):
            raise ValueError(f"weights[{key!r}] has shape {arr.shape}; expected "
                             f"{tuple(var.shape)}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"weights[{key!r}] must be finite, got NaN or infinite values")
        arrays[key] = arr.astype(var.dtype)
    for key, var in variables.items():
        var.assign(arrays[key])


def _check_masks(model: keras.Model, masks: Masks) -> dict[int, Any]:
    masks = dict(masks or {})
    positions = layer_positions(model)
    allowed = sorted(i for i, layer in positions.items() if isinstance(layer, MaskedDropout))
    unknown = sorted(set(masks) - set(allowed), key=str)
    if unknown:
        raise ValueError(f"masks has key(s) {unknown}; expected positions of mask-dropout "
                         f"layers {allowed}")
    return masks


def _run(model: keras.Model, A: Any, masks: dict[int, Any], training: bool) -> list[Any]:
    """Every layer's output, Keras' semantics (batch norm updates its moving statistics
    when ``training``)."""
    outputs = []
    for i, layer in sorted(layer_positions(model).items()):
        if isinstance(layer, MaskedDropout):
            mask = masks.get(i)
            if mask is not None and None not in tuple(A.shape) \
                    and tuple(np.shape(mask)) != tuple(A.shape):
                raise ValueError(f"masks[{i}] has shape {tuple(np.shape(mask))}; expected "
                                 f"{tuple(A.shape)} like layer {i}'s input")
            A = layer(A, keep_mask=mask)
        elif isinstance(layer, (keras.layers.BatchNormalization, keras.layers.Dropout)):
            A = layer(A, training=training)
        else:
            A = layer(A)
        outputs.append(A)
    return outputs


class _KeepMovingStatistics:
    """Restores every batch-norm layer's moving statistics bitwise on exit."""

    def __init__(self, model: keras.Model, active: bool) -> None:
        self.saved = [] if not active else [
            (var, np.array(var.numpy())) for key, var in layered_variables(model).items()
            if key.startswith("moving_")]

    def __enter__(self) -> _KeepMovingStatistics:
        return self

    def __exit__(self, *exc: object) -> None:
        for var, value in self.saved:
            var.assign(value)


def layered_forward(model: keras.Model, X: Any, masks: Masks = None,
                    training: bool = False, update_moving: bool = False) -> list[Any]:
    """Every layer's output, ``[A1, ..., AL]`` (``(m, H, W, C)`` or ``(m, n)`` each), for
    ``X`` ``(m, H, W, C)`` or ``(m, n_x)``. ``masks``: ``{i: keep_mask}`` for the
    mask-dropout layer at position ``i`` (shaped like its input). ``training``: batch
    norm uses batch statistics and Keras' Dropout drops; the moving statistics are left as
    they were unless ``update_moving``."""
    X = check_x(model, X)
    masks = _check_masks(model, masks)
    with _KeepMovingStatistics(model, bool(training) and not update_moving):
        return _run(model, X, masks, bool(training))


def layered_loss(model: keras.Model, X: Any, Y: Any, loss: str, form: str,
                 lambd: float = 0.0, masks: Masks = None, training: bool = True) -> Any:
    """The batch cost (a scalar tensor): mean ``data_loss`` plus
    ``lambd / (2m) sum ||kernel||^2`` over conv and dense kernels; ``X``, ``Y`` tensors
    already checked. Batch norm in training mode updates its moving statistics here."""
    out = _run(model, X, dict(masks or {}), training)[-1]
    cost = data_loss(Y, out, loss, form)
    if lambd:
        cost = cost + l2_term(model, lambd, tf.shape(X)[0])
    return cost


def layered_gradients(model: keras.Model, X: Any, Y: Any, loss: str = "cce",
                      form: str = "probabilities", lambd: float = 0.0, masks: Masks = None,
                      training: bool = True) -> dict[str, np.ndarray]:
    """Autodiff gradients of the batch cost, Keras layout, keyed by position:
    ``{"loss": (), "kernel{i}", "bias{i}", "gamma{i}", "beta{i}": like the weights,
    "input": like X}`` (``input``: gradient of the mean cost with respect to ``X``).
    ``training=True``: batch norm uses batch statistics. The model is left unchanged
    (moving statistics restored bitwise)."""
    check_loss(loss, form)
    lambd = check_lambd(model, lambd)
    X, Y = check_xy(model, X, Y, loss)
    masks = _check_masks(model, masks)
    variables = layered_variables(model, trainable=True)
    with _KeepMovingStatistics(model, bool(training)):
        with tf.GradientTape() as tape:
            tape.watch(X)
            cost = layered_loss(model, X, Y, loss, form, lambd, masks, bool(training))
        grads = tape.gradient(cost, [*variables.values(), X])
    out = {"loss": np.asarray(cost.numpy())}
    out.update({key: g.numpy() for key, g in zip(variables, grads[:-1], strict=True)})
    out["input"] = grads[-1].numpy()
    return out


def make_layered_train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
                            loss: str = "cce", form: str = "probabilities",
                            lambd: float = 0.0, compiled: bool = False) -> Callable[..., Any]:
    """``step(X, Y, masks=None) -> cost``: one forward in training mode (batch norm on
    batch statistics, its moving statistics updated as Keras' ``model.fit`` does), the
    cost before the update, gradients of every kernel, bias, gamma and beta, one
    optimizer update. ``compiled=True`` wraps it in ``tf.function``. X, Y as for
    ``layered_gradients`` (tensors in the model's dtype)."""
    check_loss(loss, form)
    lambd = check_lambd(model, lambd)
    variables = list(layered_variables(model, trainable=True).values())
    return tape_step(lambda X, Y, masks: layered_loss(model, X, Y, loss, form, lambd, masks,
                                                      training=True),
                     variables, optimizer, compiled)


def layered_train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, X: Any,
                       Y: Any, loss: str = "cce", form: str = "probabilities",
                       lambd: float = 0.0, masks: Masks = None) -> float:
    """One eager training step on checked ``X``, ``Y``; returns the cost."""
    check_loss(loss, form)
    X, Y = check_xy(model, X, Y, loss)
    masks = _check_masks(model, masks)
    return float(make_layered_train_step(model, optimizer, loss, form, lambd)(X, Y, masks))

