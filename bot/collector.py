"""The garbage collector's settings while the service runs.

A worker keeps a large heap for its whole life (modules, the classifier and its tables, the
catalogues, the ORM's mappers) and makes many short-lived objects for each message. With
Python's defaults the collector walks that long-lived heap over and over during a storm: about
1.4 s of a 3,000-message folder storm. With a larger first generation (`tuned`), and the heap
frozen once the service has loaded what it keeps (`settle`), it takes about 0.4 s, and the storm
runs some 10% faster (docs/capacity.md). Both are undone when the service stops: a process that
goes on to other things (the test suite runs many services in one process) collects as before.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

FIRST_GENERATION = 10_000
"""Allocations between two collections of the youngest generation (Python's default: 700).
A cycle left behind waits a little longer; a storm's millions of objects are walked far less."""


def tune() -> None:
    """A larger first generation, for a process that only serves (the triage process)."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION, middle, oldest)


@contextlib.contextmanager
def tuned() -> Iterator[None]:
    """`tune` while the block runs; on the way out, the thresholds as they were and nothing
    left frozen (`settle`)."""
    before = gc.get_threshold()
    tune()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def settle() -> None:
    """What is alive now lives as long as the service: collect once, then freeze it, so later
    collections no longer walk it (objects frozen are still freed when nothing refers to them;
    only a cycle among them waits for the unfreeze)."""
    gc.collect()
    gc.freeze()
