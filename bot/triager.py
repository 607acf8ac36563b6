"""Runs the classifier off the event loop, on batches (nlp is pure and CPU-bound)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from nlp import Triage, TriageInput, detect_language


class Triager(Protocol):
    """Port: proposals for a batch of messages, in order."""

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]: ...

    async def warm_up(self) -> None:
        """Load the model now rather than on the first message."""


class ThreadTriager:
    """The real one: `nlp.triage_batch` in one dedicated thread (the model is loaded there once)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage")

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        from nlp import triage_batch

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, triage_batch, list(items))

    async def warm_up(self) -> None:
        await self.triage([TriageInput("", "")])

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class LanguageOnlyTriager:
    """The fake: no model, only the language (for tests and for running without a model)."""

    def __init__(self) -> None:
        self.seen: list[TriageInput] = []

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        self.seen.extend(items)
        return [
            Triage(language=detect_language(f"{i.subject}\n{i.text}"), model="none") for i in items
        ]

    async def warm_up(self) -> None:
        return None
