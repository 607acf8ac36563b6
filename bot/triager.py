"""Runs the classifier off the event loop, on batches (nlp is pure and CPU-bound)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from nlp import Triage, TriageInput


class Triager(Protocol):
    """Port: proposals for a batch of messages, in order."""

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]: ...


class ThreadTriager:
    """The real one: `nlp.triage_batch` in one dedicated thread (the model is loaded there once)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage")

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        from nlp import triage_batch

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, triage_batch, list(items))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
