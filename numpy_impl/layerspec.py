"""Layer specifications: what one layer of a network is, validated on construction.

Kinds and their fields (the others stay None):

- ``dense``: ``units``, ``activation``;
- ``dropout``: ``keep_prob`` (inverted dropout of the previous layer's output);
- ``conv``: ``filters``, ``kernel_size`` (f, square kernels), ``stride`` (1),
  ``padding`` ("valid" or "same", Keras' arithmetic), ``activation`` ("linear");
- ``maxpool``, ``avgpool``: ``pool_size``, ``stride`` (default ``pool_size``), "valid";
- ``flatten``: images ``(H, W, C)`` to features ``H * W * C`` (channels-last order, as
  Keras' ``Flatten``);
- ``batchnorm``: ``momentum`` (0.99), ``epsilon`` (1e-3), over the last axis of images or
  the features of a dense layer;
- ``activation``: ``activation`` alone (e.g. after a batch normalisation).

Shapes are per example: ``(n,)`` for features, ``(H, W, C)`` for images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from numpy_impl._validate import check_positive, check_positive_int, check_probability
from numpy_impl.activations import get_activation

LAYER_KINDS = ("dense", "dropout", "conv", "maxpool", "avgpool", "flatten", "batchnorm",
               "activation")
PADDINGS = ("valid", "same")
_FIELDS = {
    "dense": {"units", "activation"},
    "dropout": {"keep_prob"},
    "conv": {"filters", "kernel_size", "stride", "padding", "activation"},
    "maxpool": {"pool_size", "stride"},
    "avgpool": {"pool_size", "stride"},
    "flatten": set(),
    "batchnorm": {"momentum", "epsilon"},
    "activation": {"activation"},
}
PARAMETER_KINDS = ("dense", "conv", "batchnorm")


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a network (see the module docstring for the kinds and fields)."""

    kind: str
    units: int | None = None
    activation: str | None = None
    keep_prob: float | None = None
    filters: int | None = None
    kernel_size: int | None = None
    stride: int | None = None
    padding: str | None = None
    pool_size: int | None = None
    momentum: float | None = None
    epsilon: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"LayerSpec kind must be one of {LAYER_KINDS}, got {self.kind!r}")
        allowed = _FIELDS[self.kind]
        extra = [f.name for f in fields(self)
                 if f.name != "kind" and f.name not in allowed and getattr(self, f.name)
                 is not None]
        if extra:
            raise ValueError(f"a {self.kind} LayerSpec takes only {sorted(allowed) or 'nothing'}"
                             f", got {extra}")
        put = object.__setattr__
        if self.kind == "conv":
            put(self, "stride", 1 if self.stride is None else self.stride)
            put(self, "padding", "valid" if self.padding is None else self.padding)
            put(self, "activation", "linear" if self.activation is None else self.activation)
        if self.kind in ("maxpool", "avgpool"):
            check_positive_int(self.pool_size, "pool_size")
            put(self, "stride", self.pool_size if self.stride is None else self.stride)
        if self.kind == "batchnorm":
            put(self, "momentum", 0.99 if self.momentum is None else self.momentum)
            put(self, "epsilon", 1e-3 if self.epsilon is None else self.epsilon)
            momentum = check_positive(self.momentum, "momentum", allow_zero=True)
            if momentum >= 1.0:
                raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
            put(self, "momentum", momentum)
            put(self, "epsilon", check_positive(self.epsilon, "epsilon"))
        for name in ("units", "filters", "kernel_size", "stride"):
            if name in allowed and getattr(self, name) is not None:
                put(self, name, check_positive_int(getattr(self, name), name))
        if "units" in allowed:
            check_positive_int(self.units, "units")
        if self.kind == "conv":
            check_positive_int(self.filters, "filters")
            check_positive_int(self.kernel_size, "kernel_size")
            if self.padding not in PADDINGS:
                raise ValueError(f"padding must be one of {PADDINGS}, got {self.padding!r}")
        if "activation" in allowed:
            get_activation(self.activation, None, "activation")
        if self.kind == "dropout":
            put(self, "keep_prob", check_probability(self.keep_prob, "keep_prob"))

    @property
    def has_params(self) -> bool:
        """True for the kinds with trained parameters (dense, conv, batchnorm)."""
        return self.kind in PARAMETER_KINDS

    def to_dict(self) -> dict[str, Any]:
        """The kind and the fields it uses (JSON-ready)."""
        return {"kind": self.kind, **{name: getattr(self, name)
                                      for name in sorted(_FIELDS[self.kind])}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerSpec:
        """Inverse of ``to_dict``; unknown keys are an error."""
        if not isinstance(data, dict) or "kind" not in data:
            raise ValueError(f"a layer must be a dict with a 'kind', got {data!r}")
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown LayerSpec field(s) {sorted(unknown)}")
        return cls(**data)

    def label(self) -> str:
        """A short token, the inverse of ``parse_layers``' (e.g. ``conv3x3x8``)."""
        if self.kind == "dense":
            return f"{self.units}" + ("" if self.activation == "linear" else
                                      f",{self.activation}")
        if self.kind == "dropout":
            return f"dropout{self.keep_prob:g}"
        if self.kind == "conv":
            k = self.kernel_size
            return (f"conv{k}x{k}x{self.filters}" + (f"s{self.stride}" if self.stride != 1
                                                      else "")
                    + ("same" if self.padding == "same" else "")
                    + ("" if self.activation == "linear" else f",{self.activation}"))
        if self.kind in ("maxpool", "avgpool"):
            return f"{self.kind}{self.pool_size}" + (
                f"s{self.stride}" if self.stride != self.pool_size else "")
        if self.kind == "batchnorm":
            return "batchnorm"
        if self.kind == "activation":
            return self.activation
        return self.kind


def dense_layer(units: int, activation: str) -> LayerSpec:
    """A dense layer specification."""
    return LayerSpec("dense", units=units, activation=activation)


def dropout_layer(keep_prob: float) -> LayerSpec:
    """A dropout layer specification (keep probability, as the course writes it)."""
    return LayerSpec("dropout", keep_prob=keep_prob)


def conv_layer(filters: int, kernel_size: int, stride: int = 1, padding: str = "valid",
               activation: str = "linear") -> LayerSpec:
    """A 2-D convolution with ``filters`` kernels of ``kernel_size x kernel_size``."""
    return LayerSpec("conv", filters=filters, kernel_size=kernel_size, stride=stride,
                     padding=padding, activation=activation)


def pool_layer(mode: str, pool_size: int, stride: int | None = None) -> LayerSpec:
    """A max (``mode="max"``) or average (``"average"``) pooling layer, "valid"."""
    kinds = {"max": "maxpool", "average": "avgpool"}
    if mode not in kinds:
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    return LayerSpec(kinds[mode], pool_size=pool_size, stride=stride)


def flatten_layer() -> LayerSpec:
    """Images ``(H, W, C)`` to features ``H * W * C``."""
    return LayerSpec("flatten")


def batchnorm_layer(momentum: float = 0.99, epsilon: float = 1e-3) -> LayerSpec:
    """Batch normalisation with Keras' defaults."""
    return LayerSpec("batchnorm", momentum=momentum, epsilon=epsilon)


def activation_layer(activation: str) -> LayerSpec:
    """An activation on its own."""
    return LayerSpec("activation", activation=activation)


_TOKENS = (
    (re.compile(r"conv(\d+)x(\d+)x(\d+)(?:s(\d+))?(same|valid)?", re.ASCII), "conv"),
    (re.compile(r"(maxpool|avgpool)(\d+)(?:s(\d+))?", re.ASCII), "pool"),
    (re.compile(r"dropout(0?\.\d+|1(?:\.0*)?)", re.ASCII), "dropout"),
    (re.compile(r"(\d+)", re.ASCII), "dense"),
)


def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """Layers from a comma-separated specification such as
    ``conv3x3x8,relu,maxpool2,flatten,10``: ``conv{f}x{f}x{filters}[s{stride}][same]``,
    ``maxpool{p}[s{stride}]``, ``avgpool{p}``, ``flatten``, ``batchnorm``,
    ``dropout{keep_prob}``, an activation name, or a number (a dense layer of that many
    units). An activation right after a conv or dense layer without one becomes that
    layer's activation; elsewhere it is an activation layer, and so is an explicit
    ``linear`` (an output asked to be linear stays so). A trailing dense layer without
    activation stays linear (the caller chooses the output)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"layers must be a non-empty specification string, got {text!r}")
    specs: list[LayerSpec] = []
    for position, raw in enumerate(text.split(","), start=1):
        token = raw.strip().lower()
        spec = _token(token, position)
        if spec.kind == "activation" and spec.activation != "linear" and specs \
                and specs[-1].kind in ("dense", "conv") and specs[-1].activation == "linear":
            last = specs.pop()
            spec = LayerSpec(**{**last.__dict__, "activation": spec.activation})
        specs.append(spec)
    return tuple(specs)


def _token(token: str, position: int) -> LayerSpec:
    where = f"layer {position} ({token!r})"
    if not token.isascii():  # e.g. full-width digits, which \\d and int() would take
        raise ValueError(f"{where} holds {non_ascii(token)}; layer specifications are "
                         "written in ASCII letters and digits 0-9")
    if token == "flatten":
        return flatten_layer()
    if token in ("batchnorm", "bn"):
        return batchnorm_layer()
    try:
        get_activation(token, None, "activation")
        return activation_layer(token)
    except (TypeError, ValueError):
        pass
    for pattern, kind in _TOKENS:
        match = pattern.fullmatch(token)
        if not match:
            continue
        try:
            if kind == "conv":
                f1, f2, filters, stride, padding = match.groups()
                if f1 != f2:
                    raise ValueError(f"kernels must be square, got {f1}x{f2}")
                return conv_layer(int(filters), int(f1), int(stride or 1), padding or "valid")
            if kind == "pool":
                name, size, stride = match.groups()
                return LayerSpec(name, pool_size=int(size),
                                 stride=None if stride is None else int(stride))
            if kind == "dropout":
                return dropout_layer(float(match.group(1)))
            return dense_layer(int(match.group(1)), "linear")
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    raise ValueError(f"{where} is not a layer; expected conv3x3x8[s2][same], maxpool2[s1], "
                     "avgpool2, flatten, batchnorm, dropout0.8, an activation name or a "
                     "number of units")


def non_ascii(text: str) -> str:
    """The non-ASCII characters of ``text`` named for a message: ``"the non-ASCII
    character(s) '６' (U+FF16)"``."""
    chars = dict.fromkeys(c for c in text if not c.isascii())
    return "the non-ASCII character(s) " + ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars)
