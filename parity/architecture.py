"""One plain description of a network, from which both backends are built."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import keras
import numpy as np

import keras_impl as ki
import numpy_impl as ni
from numpy_impl._checks import check_layer_dims, check_positive


@dataclass(frozen=True)
class Architecture:
    """A fully connected network: sizes, activations, initialiser, L2, dropout, dtype.

    ``keep_probs`` holds one keep probability per hidden layer (all 1.0: no dropout);
    ``loss`` defaults from the output activation (sigmoid: "bce", softmax: "cce",
    linear: "mse"; a linear output with "bce"/"cce" means the network outputs logits).
    """

    layer_dims: tuple[int, ...]
    hidden_activation: str = "relu"
    output_activation: str = "sigmoid"
    initializer: str = "he"
    lambd: float = 0.0
    keep_probs: tuple[float, ...] | None = None
    dtype: str = "float64"
    loss: str | None = None
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        dims = check_layer_dims(self.layer_dims)
        ni.get_activation(self.hidden_activation, ni.HIDDEN_ACTIVATIONS, "hidden_activation")
        loss = ni.resolve_loss(self.output_activation, self.loss)
        if self.initializer not in ni.INITIALIZERS:
            raise ValueError(f"initializer must be one of {ni.INITIALIZERS}, "
                             f"got {self.initializer!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        if self.output_activation == "softmax" and dims[-1] < 2:
            raise ValueError(f"a softmax output needs >= 2 units, got layer_dims {dims}")
        probs = ni.model.normalize_keep_probs(self.keep_probs, len(dims) - 2)
        object.__setattr__(self, "layer_dims", dims)
        object.__setattr__(self, "keep_probs", probs)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "lambd", check_positive(self.lambd, "lambd", allow_zero=True))

    @property
    def L(self) -> int:
        """Number of layers with parameters."""
        return len(self.layer_dims) - 1

    @property
    def uses_dropout(self) -> bool:
        """True when some hidden layer has keep_prob < 1."""
        return any(p < 1.0 for p in self.keep_probs)

    def label(self) -> str:
        """A short description, e.g. ``digits 400-25-15-1 sigmoid/sigmoid float64``."""
        dims = "-".join(map(str, self.layer_dims))
        extra = (f" L2={self.lambd:g}" if self.lambd else "") + (
            f" keep={','.join(f'{p:g}' for p in self.keep_probs)}" if self.uses_dropout else "")
        return (f"{self.name} {dims} {self.hidden_activation}/{self.output_activation} "
                f"{self.loss} {self.dtype}{extra}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists for tuples)."""
        d = asdict(self)
        d["layer_dims"], d["keep_probs"] = list(self.layer_dims), list(self.keep_probs)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Architecture:
        """Inverse of ``to_dict``; unknown keys are an error."""
        unknown = set(data) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown Architecture field(s) {sorted(unknown)}")
        d = dict(data)
        d["layer_dims"] = tuple(d["layer_dims"])
        if d.get("keep_probs") is not None:
            d["keep_probs"] = tuple(d["keep_probs"])
        return cls(**d)

    def replace(self, **changes: Any) -> Architecture:
        """A copy with some fields changed (validated again)."""
        return Architecture.from_dict({**self.to_dict(), **changes})


ZOO: dict[str, Architecture] = {a.name: a for a in (
    Architecture((64, 1), "relu", "sigmoid", "zeros", name="logistic_regression"),
    Architecture((2, 4, 1), "tanh", "sigmoid", "random", name="shallow_tanh"),
    Architecture((2, 4, 1), "relu", "sigmoid", "he", name="shallow_relu"),
    Architecture((30, 8, 1), "relu", "sigmoid", "he", lambd=0.7, name="tabular_2layer"),
    Architecture((64, 8, 8, 8, 1), "relu", "sigmoid", "he", name="image_4layer"),
    Architecture((400, 25, 15, 1), "sigmoid", "sigmoid", "glorot", name="digits_400_25_15_1"),
    Architecture((64, 16, 10), "relu", "softmax", "he", name="softmax_multiclass"),
    Architecture((2, 20, 3, 1), "relu", "sigmoid", "he", lambd=0.7, keep_probs=(0.86, 0.86),
                 name="regularized_dropout"),
)}


def get_architecture(spec: str | Sequence[int] | Architecture, **overrides: Any) -> Architecture:
    """A zoo name, a dims string like "400,25,15,1", dims, or an Architecture."""
    if isinstance(spec, Architecture):
        arch = spec
    elif isinstance(spec, str) and spec in ZOO:
        arch = ZOO[spec]
    elif isinstance(spec, str):
        try:
            dims = tuple(int(d) for d in spec.replace("-", ",").split(","))
        except ValueError:
            raise ValueError(f"unknown architecture {spec!r}: expected one of {sorted(ZOO)} "
                             "or layer sizes like 400,25,15,1") from None
        arch = Architecture(dims, name="custom")
    else:
        arch = Architecture(tuple(spec), name="custom")
    return arch.replace(**overrides) if overrides else arch


def initial_params(arch: Architecture, seed: ni.rng.SeedLike = 0) -> dict[str, np.ndarray]:
    """numpy_impl parameters for ``arch`` (its initialiser, its dtype)."""
    return ni.initialize_parameters(arch.layer_dims, arch.initializer, seed, arch.dtype)


def build_numpy(arch: Architecture, seed: ni.rng.SeedLike = 0,
                optimizer: str | ni.GradientDescent = "gd") -> ni.NeuralNetwork:
    """A ``numpy_impl.NeuralNetwork`` for ``arch``."""
    return ni.NeuralNetwork(arch.layer_dims, arch.hidden_activation, arch.output_activation,
                            arch.initializer, arch.lambd, arch.keep_probs, optimizer,
                            arch.loss, seed, arch.dtype)


def build_keras(arch: Architecture, seed: int | None = 0, dropout: str = "mask",
                l2_batch_size: int | None = None) -> keras.Sequential:
    """A ``keras.Sequential`` for ``arch`` (see ``keras_impl.build_model``)."""
    return ki.build_model(arch.layer_dims, arch.hidden_activation, arch.output_activation,
                          arch.initializer, arch.lambd, arch.keep_probs, arch.dtype, seed,
                          dropout, l2_batch_size)
