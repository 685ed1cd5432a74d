"""A dropout layer that applies a given keep mask, so NumPy and Keras drop the same units."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


class MaskedDropout(keras.layers.Layer):
    """Inverted dropout with an injected mask: ``inputs * keep_mask / keep_prob``.

    ``keep_mask`` has the inputs' shape ``(m, units)`` with 0/1 entries. Without a mask
    (or with ``keep_prob == 1``) the layer is the identity, as at inference time.
    """

    def __init__(self, keep_prob: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 < float(keep_prob) <= 1.0:
            raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob!r}")
        self.keep_prob = float(keep_prob)

    def call(self, inputs: Any, keep_mask: Any = None) -> Any:
        """Apply ``keep_mask`` (same shape as ``inputs``) or pass ``inputs`` through."""
        if keep_mask is None or self.keep_prob == 1.0:
            return inputs
        mask = ops.cast(keep_mask, inputs.dtype)
        # convert_to_tensor with the dtype parses the float exactly; ops.cast of a Python
        # float would round it through float32 first.
        return inputs * mask / ops.convert_to_tensor(self.keep_prob, dtype=inputs.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """Same shape as the input."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        """Config including ``keep_prob``."""
        return {**super().get_config(), "keep_prob": self.keep_prob}
