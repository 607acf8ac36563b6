"""A stop that takes too long says what is still running, and where (the operator's only clue
when a service does not come down)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import _report_stuck_stop


async def test_a_slow_stop_names_the_tasks_still_running(caplog: pytest.LogCaptureFixture) -> None:
    async def holding_on() -> None:
        await asyncio.Event().wait()

    stuck = asyncio.create_task(holding_on(), name="delivery-lane")
    try:
        with caplog.at_level(logging.ERROR, logger="bot.app"):
            await _report_stuck_stop(0.05)
    finally:
        stuck.cancel()
    [line] = [r.getMessage() for r in caplog.records if "delivery-lane" in r.getMessage()]
    assert "still running" in line and "holding_on" in line
