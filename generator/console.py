"""The ``briefing`` console script (and ``python -m generator``): :func:`generator.cli.main`,
imported with Python's cycle collector paused.

Importing the command line and the pipeline creates tens of thousands of objects (modules,
classes, the code dataclasses generate) that live as long as the process and form no
garbage; the collector's passes over them while they are created cost ~5 ms of every
run (measured on this project's 2-core machine: 62 ms instead of 67 ms, median of 12,
to import what a rebuild imports before it starts). A build pauses the collector
itself (see :func:`generator.pipeline.generate`).
"""

from __future__ import annotations

import gc


def main() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        from .cli import main as command
    finally:
        if enabled:
            gc.enable()
    command()
