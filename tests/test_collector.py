"""The collector's settings while the service runs (`bot.collector`): tuned and frozen inside,
exactly as before outside, so a process that runs a service and goes on (this suite) collects
its garbage as usual."""

from __future__ import annotations

import gc

from bot import collector


def test_a_service_tunes_and_freezes_the_collector_and_leaves_it_as_it_was() -> None:
    before = gc.get_threshold()
    with collector.tuned():
        assert gc.get_threshold() == (collector.FIRST_GENERATION, *before[1:])
        kept = [object() for _ in range(10)]  # what a service keeps: models, catalogues
        collector.settle()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_given_back_even_when_the_service_fails() -> None:
    before = gc.get_threshold()
    try:
        with collector.tuned():
            collector.settle()
            raise RuntimeError("the service failed")
    except RuntimeError:
        pass
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)
