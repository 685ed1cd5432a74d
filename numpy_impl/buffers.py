"""Arrays a training loop reuses from one step to the next.

A large array freshly allocated at every step costs more than its arithmetic: the
allocator returns big blocks to the system between steps and the next step takes them
back page by page (measured: a quarter of a 256-wide step at m = 4096). A ``Buffers``
hands out the same array for the same name while the shape and dtype stay the same.

Only for arrays that never leave the step (a layer's Z, a relu's output): the next step
writes over them. Small arrays are not kept (allocating them is cheap), nor anything
beyond ``limit`` bytes in all (memory kept between steps is bounded).
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import numpy as np

SMALLEST = 1 << 20  # bytes: smaller arrays are allocated afresh (cheap, no page faults)
LIMIT = 256 << 20  # bytes kept between steps, at most


class Buffers:
    """Named scratch arrays; ``get`` returns one to write into, or None (allocate)."""

    def __init__(self, smallest: int = SMALLEST, limit: int = LIMIT) -> None:
        self.smallest, self.limit = smallest, limit
        self._arrays: dict[Hashable, np.ndarray] = {}

    def get(self, name: Hashable, shape: tuple[int, ...], dtype: np.dtype,
            ) -> np.ndarray | None:
        """An uninitialised C-ordered array of ``shape`` and ``dtype`` kept under ``name``
        (the one handed out for ``name`` before when it matches), or None when the array
        is too small to be worth keeping or would take the kept bytes over the limit."""
        array = self._arrays.get(name)
        if array is not None:
            if array.shape == shape and array.dtype == dtype:
                return array
            del self._arrays[name]
        nbytes = math.prod(shape) * dtype.itemsize  # (cheap: called for every layer)
        if not self.would_keep(nbytes) or nbytes + self.nbytes > self.limit:
            return None
        array = self._arrays[name] = np.empty(shape, dtype)
        return array

    def would_keep(self, nbytes: int) -> bool:
        """Whether an array of ``nbytes`` is large enough to be kept (a caller whose largest
        array is not can skip asking for any)."""
        return nbytes >= self.smallest

    @property
    def nbytes(self) -> int:
        """Bytes kept."""
        return sum(a.nbytes for a in self._arrays.values())

    def clear(self) -> None:
        """Drop every kept array."""
        self._arrays.clear()
