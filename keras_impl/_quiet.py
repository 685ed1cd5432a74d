"""Silence what TensorFlow's native code prints while it starts (private module).

TensorFlow writes its start-up lines (absl's "All log messages before
absl::InitializeLog()", oneDNN and CUDA-stub notices) straight to file descriptor 2
before its log level applies, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them. For the
import only, descriptor 2 points at the null device; Python exceptions are unaffected.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the duration of the block."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable descriptor 2: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
