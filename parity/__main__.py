"""``python -m parity`` and the ``nn-parity`` command: see ``parity.cli``."""

from __future__ import annotations

import os
import sys

from parity.cli import main


def run() -> None:
    """Run the command line and exit with its status. An interrupted run (130) leaves at
    once: CPython can kill itself with SIGINT at exit (status -2, not 130) although
    ``main`` handled the KeyboardInterrupt, when Ctrl-C landed while extension modules
    were being imported (seen 0.1-0.2 s after ``train`` made its output folder)."""
    status = main()
    if status == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(status)


if __name__ == "__main__":
    run()
