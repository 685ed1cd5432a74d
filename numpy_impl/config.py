"""One description of a network, validated once, shared by ``NeuralNetwork`` and parity.

A ``NetworkConfig`` holds what defines the function a network computes and the cost it
trains on: sizes, activations, initialiser, L2, dropout, dtype and loss. ``layers``
gives the same network as a list of layer specifications (dense and dropout today), the
form that layers of other kinds extend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from numpy_impl._validate import (
    check_bce_units,
    check_dtype_name,
    check_layer_dims,
    check_positive,
    check_positive_int,
    check_probability,
    check_softmax_units,
)
from numpy_impl.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, get_activation
from numpy_impl.costs import resolve_loss
from numpy_impl.initializers import INITIALIZERS
from numpy_impl.layerspec import LayerSpec, dense_layer, dropout_layer

DTYPES = ("float32", "float64")
KeepProbs = float | Sequence[float] | None


def normalize_keep_probs(keep_probs: KeepProbs, n_hidden: int) -> tuple[float, ...]:
    """One keep probability per hidden layer: None -> all 1.0, a float -> repeated."""
    if keep_probs is None:
        return (1.0,) * n_hidden
    if isinstance(keep_probs, (int, float, np.floating)) and not isinstance(keep_probs, bool):
        return (check_probability(keep_probs, "keep_probs"),) * n_hidden
    probs = tuple(keep_probs)
    if len(probs) != n_hidden:
        raise ValueError(
            f"keep_probs must hold one value per hidden layer ({n_hidden}), got {len(probs)}"
        )
    return tuple(check_probability(p, f"keep_probs[{i}]") for i, p in enumerate(probs))


@dataclass(frozen=True)
class NetworkConfig:
    """A fully connected network: ``layer_dims (n_x, n_1, ..., n_L)``, one activation for
    the hidden layers and one for the output, initialiser, L2 strength ``lambd``, one keep
    probability per hidden layer (None: no dropout), dtype and loss.

    ``loss`` defaults from the output activation (sigmoid: "bce", softmax: "cce",
    linear: "mse"); a linear output with "bce"/"cce" means the network outputs logits.
    Every field is validated and normalised on construction, once.
    """

    layer_dims: tuple[int, ...]
    hidden_activation: str = "relu"
    output_activation: str = "sigmoid"
    initializer: str = "he"
    lambd: float = 0.0
    keep_probs: tuple[float, ...] | None = None
    dtype: str = "float64"
    loss: str | None = None

    def __post_init__(self) -> None:
        dims = check_layer_dims(self.layer_dims)
        get_activation(self.hidden_activation, HIDDEN_ACTIVATIONS, "hidden_activation")
        get_activation(self.output_activation, OUTPUT_ACTIVATIONS, "output_activation")
        loss = resolve_loss(self.output_activation, self.loss)
        if self.initializer not in INITIALIZERS:
            raise ValueError(f"initializer must be one of {INITIALIZERS}, "
                             f"got {self.initializer!r}")
        dtype = check_dtype_name(self.dtype)
        check_softmax_units(self.output_activation, dims[-1])
        check_bce_units(loss, dims[-1])
        set_field = object.__setattr__
        set_field(self, "layer_dims", dims)
        set_field(self, "keep_probs", normalize_keep_probs(self.keep_probs, len(dims) - 2))
        set_field(self, "loss", loss)
        set_field(self, "dtype", dtype)
        set_field(self, "lambd", check_positive(self.lambd, "lambd", allow_zero=True))

    @property
    def L(self) -> int:
        """Number of layers with parameters."""
        return len(self.layer_dims) - 1

    @property
    def uses_dropout(self) -> bool:
        """True when some hidden layer has keep_prob < 1."""
        return any(p < 1.0 for p in self.keep_probs)

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        """The network as layer specifications: dense layers, each hidden one followed by a
        dropout layer where its keep probability is below 1."""
        specs: list[LayerSpec] = []
        for layer in range(1, self.L + 1):
            last = layer == self.L
            specs.append(dense_layer(self.layer_dims[layer],
                               self.output_activation if last else self.hidden_activation))
            if not last and self.keep_probs[layer - 1] < 1.0:
                specs.append(dropout_layer(self.keep_probs[layer - 1]))
        return tuple(specs)

    @classmethod
    def from_layers(cls, n_x: int, layers: Sequence[LayerSpec], **options: Any) -> NetworkConfig:
        """The config of ``n_x`` inputs followed by ``layers``; ``options`` are the other
        fields (initializer, lambd, dtype, loss, ``hidden_activation`` when there is no hidden
        layer to carry it, and ``name`` for subclasses that have it).

        Refused with a ValueError naming the layer: what this config cannot express yet
        (hidden layers with different activations, dropout that is not after a hidden dense
        layer, two dropouts in a row).
        """
        layers = list(layers)
        dims, probs, previous = [check_positive_int(n_x, "n_x")], [], None
        for i, spec in enumerate(layers):
            if not isinstance(spec, LayerSpec):
                raise TypeError(f"layers[{i}] must be a LayerSpec, got {type(spec).__name__}")
            if spec.kind not in ("dense", "dropout"):
                raise ValueError(f"layers[{i}] is a {spec.kind} layer; a NetworkConfig holds "
                                 "dense and dropout layers only (use LayerNetworkConfig)")
            if spec.kind == "dense":
                dims.append(spec.units)
                probs.append(1.0)
            elif previous != "dense":
                raise ValueError(f"layers[{i}]: dropout must follow a dense layer, once")
            else:
                probs[-1] = spec.keep_prob
            previous = spec.kind
        dense_specs = [s for s in layers if s.kind == "dense"]
        if not dense_specs:
            raise ValueError("layers must hold at least one dense layer")
        if previous == "dropout":
            raise ValueError("layers: a dropout after the output layer has no effect; "
                             "expected dropout only after hidden layers")
        hidden = {s.activation for s in dense_specs[:-1]}
        if len(hidden) > 1:
            raise ValueError(f"layers: hidden layers with different activations "
                             f"{sorted(hidden)} are not supported; expected one activation "
                             "for every hidden layer")
        if hidden:
            given = options.pop("hidden_activation", None)
            if given is not None and given not in hidden:
                raise ValueError(f"hidden_activation {given!r} contradicts the hidden layers' "
                                 f"{hidden.pop()!r}")
            options["hidden_activation"] = hidden.pop()
        # with no hidden layer, hidden_activation (an option) is kept as given
        return cls(layer_dims=tuple(dims), output_activation=dense_specs[-1].activation,
                   keep_probs=tuple(probs[:-1]) or None, **options)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists for tuples)."""
        d = asdict(self)
        d["layer_dims"], d["keep_probs"] = list(self.layer_dims), list(self.keep_probs)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetworkConfig:
        """Inverse of ``to_dict``; unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__} data must be a dict, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown {cls.__name__} field(s) {sorted(unknown)}")
        d = dict(data)
        if "layer_dims" not in d:
            raise ValueError(f"{cls.__name__} data has no 'layer_dims'")
        if isinstance(d["layer_dims"], list):
            d["layer_dims"] = tuple(d["layer_dims"])
        if isinstance(d.get("keep_probs"), list):
            d["keep_probs"] = tuple(d["keep_probs"]) or None
        return cls(**d)

    def replace(self, **changes: Any) -> NetworkConfig:
        """A copy with some fields changed (validated again)."""
        return type(self).from_dict({**self.to_dict(), **changes})

    def network_fields(self) -> dict[str, Any]:
        """The fields of ``NetworkConfig`` alone (without a subclass's extras)."""
        return {f.name: getattr(self, f.name) for f in fields(NetworkConfig)}
