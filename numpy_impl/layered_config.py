"""The description of a network of layers (dense, conv, pooling, flatten, batchnorm,
dropout, activation), validated once: shapes inferred layer by layer.

Layouts inside the network: images ``(m, H, W, C)`` (channels-last, as the course's
Course 4 and Keras) until a ``flatten``; features ``(n, m)`` (the course's dense layout)
after it or from a flat input. Parameters, keyed by the layer's 1-based position ``i`` in
``layers``: dense ``W{i} (units, n_in)``, ``b{i} (units, 1)``; conv ``W{i} (f, f, c_in,
filters)`` (Keras' kernel layout), ``b{i} (1, 1, 1, filters)``; batchnorm ``gamma{i}``,
``beta{i}`` and the moving statistics ``moving_mean{i}``, ``moving_var{i}`` (state, not
trained) of shape ``(n, 1)`` over features or ``(1, 1, 1, C)`` over channels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from numpy_impl._validate import (
    check_bce_units,
    check_dtype_name,
    check_positive,
    check_softmax_units,
)
from numpy_impl.activations import OUTPUT_ACTIVATIONS
from numpy_impl.conv import conv_padding
from numpy_impl.costs import resolve_loss
from numpy_impl.initializers import INITIALIZERS
from numpy_impl.layerspec import LayerSpec, parse_layers

DTYPES = ("float32", "float64")
Shape = tuple[int, ...]


def _out_shape(spec: LayerSpec, shape: Shape, position: int) -> Shape:
    where = f"layer {position} ({spec.label()})"
    image = len(shape) == 3
    if spec.kind in ("conv", "maxpool", "avgpool", "flatten") and not image:
        raise ValueError(f"{where} needs images (H, W, C); its input has shape {shape}")
    if spec.kind == "dense" and image:
        raise ValueError(f"{where} needs features; its input has image shape {shape} "
                         "(add a flatten layer)")
    if spec.kind == "dense":
        return (spec.units,)
    if spec.kind == "flatten":
        return (int(np.prod(shape)),)
    if spec.kind in ("conv", "maxpool", "avgpool"):
        f = spec.kernel_size if spec.kind == "conv" else spec.pool_size
        padding = spec.padding if spec.kind == "conv" else "valid"
        if padding == "valid" and min(shape[:2]) < f:
            raise ValueError(f"{where}: its input {shape[0]}x{shape[1]} is smaller than the "
                             f"{f}x{f} window")
        rows = conv_padding(shape[0], f, spec.stride, padding)[2]
        cols = conv_padding(shape[1], f, spec.stride, padding)[2]
        return (rows, cols, spec.filters if spec.kind == "conv" else shape[2])
    return shape  # batchnorm, dropout, activation


@dataclass(frozen=True)
class LayerNetworkConfig:
    """A network of ``layers`` (``LayerSpec``s, or dicts, or a string for ``parse_layers``)
    on inputs of ``input_shape`` per example: ``(n_x,)`` or ``(H, W, C)``.

    The output is the last layer's: a dense layer with (or followed by an ``activation``
    layer of) sigmoid, softmax or linear; ``loss`` defaults from it as in
    ``NetworkConfig``. ``lambd`` is L2 on every kernel (dense and conv ``W``).
    """

    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    initializer: str = "he"
    lambd: float = 0.0
    dtype: str = "float64"
    loss: str | None = None
    shapes: tuple[Shape, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        shape = self.input_shape
        if (isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence)
                or len(shape) not in (1, 3) or not all(
                    isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                    for n in shape)):
            raise ValueError(f"input_shape must be (n_x,) or (H, W, C) of ints >= 1, got "
                             f"{shape!r}")
        put(self, "input_shape", tuple(int(n) for n in shape))
        layers = self.layers
        if isinstance(layers, str):
            layers = parse_layers(layers)
        if isinstance(layers, (LayerSpec, Mapping)) or not isinstance(layers, Sequence) \
                or not layers:
            raise ValueError(f"layers must be a non-empty sequence of LayerSpec, got "
                             f"{layers!r}")
        specs = tuple(s if isinstance(s, LayerSpec) else LayerSpec.from_dict(dict(s))
                      for s in layers)
        put(self, "layers", specs)
        shapes, shape = [], self.input_shape
        for position, spec in enumerate(specs, start=1):
            shape = _out_shape(spec, shape, position)
            shapes.append(shape)
        put(self, "shapes", tuple(shapes))
        if len(shape) != 1:
            raise ValueError(f"the last layer gives images {shape}; expected features (add "
                             "flatten and a dense layer)")
        last = specs[-1]
        if last.kind == "dropout":
            raise ValueError(f"layer {len(specs)} is a dropout after the output; expected "
                             "dropout only before the output layer")
        if last.kind not in ("dense", "activation"):
            raise ValueError(f"layer {len(specs)} ({last.label()}) cannot be the output; "
                             "expected a dense layer or an activation")
        if last.activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"the output activation must be one of {OUTPUT_ACTIVATIONS}, "
                             f"got {last.activation!r}")
        for position, spec in enumerate(specs[:-1], start=1):
            if spec.activation == "softmax":
                raise ValueError(f"layer {position} ({spec.label()}): softmax is only for "
                                 "the output layer")
        check_softmax_units(last.activation, shape[0])
        put(self, "loss", resolve_loss(last.activation, self.loss))
        check_bce_units(self.loss, shape[0])
        if self.initializer not in INITIALIZERS:
            raise ValueError(f"initializer must be one of {INITIALIZERS}, "
                             f"got {self.initializer!r}")
        dtype = check_dtype_name(self.dtype)
        put(self, "dtype", dtype)
        put(self, "lambd", check_positive(self.lambd, "lambd", allow_zero=True))

    @property
    def output_activation(self) -> str:
        """The output layer's activation."""
        return self.layers[-1].activation

    @property
    def n_out(self) -> int:
        """Number of outputs."""
        return self.shapes[-1][0]

    def input_shape_of(self, position: int) -> Shape:
        """The per-example input shape of layer ``position`` (1-based)."""
        return self.input_shape if position == 1 else self.shapes[position - 2]

    @property
    def uses_dropout(self) -> bool:
        """True when some layer is a dropout with keep_prob < 1."""
        return any(s.kind == "dropout" and s.keep_prob < 1.0 for s in self.layers)

    def param_shapes(self) -> dict[str, Shape]:
        """The trained parameters' names and shapes (numpy layout, module docstring)."""
        out: dict[str, Shape] = {}
        for i, spec in enumerate(self.layers, start=1):
            inp = self.input_shape_of(i)
            if spec.kind == "dense":
                out[f"W{i}"], out[f"b{i}"] = (spec.units, inp[0]), (spec.units, 1)
            elif spec.kind == "conv":
                k = spec.kernel_size
                out[f"W{i}"] = (k, k, inp[2], spec.filters)
                out[f"b{i}"] = (1, 1, 1, spec.filters)
            elif spec.kind == "batchnorm":
                out[f"gamma{i}"] = out[f"beta{i}"] = self._feature_shape(inp)
        return out

    def state_shapes(self) -> dict[str, Shape]:
        """The batchnorm moving statistics' names and shapes."""
        out: dict[str, Shape] = {}
        for i, spec in enumerate(self.layers, start=1):
            if spec.kind == "batchnorm":
                shape = self._feature_shape(self.input_shape_of(i))
                out[f"moving_mean{i}"] = out[f"moving_var{i}"] = shape
        return out

    @staticmethod
    def _feature_shape(shape: Shape) -> Shape:
        return (1, 1, 1, shape[2]) if len(shape) == 3 else (shape[0], 1)

    def label(self) -> str:
        """e.g. ``8x8x1 conv3x3x8,relu maxpool2 flatten 10,softmax cce float64``."""
        shape = "x".join(map(str, self.input_shape))
        return (f"{shape} {' '.join(s.label() for s in self.layers)} {self.loss} {self.dtype}"
                + (f" L2={self.lambd:g}" if self.lambd else ""))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"input_shape": list(self.input_shape),
                "layers": [s.to_dict() for s in self.layers], "initializer": self.initializer,
                "lambd": self.lambd, "dtype": self.dtype, "loss": self.loss}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerNetworkConfig:
        """Inverse of ``to_dict``; unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__} data must be a dict, got {type(data).__name__}")
        known = {"input_shape", "layers", "initializer", "lambd", "dtype", "loss", "name"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown {cls.__name__} field(s) {sorted(unknown)}")
        d = dict(data)
        for key in ("input_shape", "layers"):
            if key not in d:
                raise ValueError(f"{cls.__name__} data has no {key!r}")
        d["input_shape"] = tuple(d["input_shape"])
        d["layers"] = tuple(d["layers"])
        return cls(**d)

    def replace(self, **changes: Any) -> LayerNetworkConfig:
        """A copy with some fields changed (validated again)."""
        return type(self).from_dict({**self.to_dict(), **changes})
