"""Runs the classifier off the event loop, on batches (nlp is pure and CPU-bound)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from nlp import Triage, TriageInput, detect_language

log = logging.getLogger(__name__)


class Triager(Protocol):
    """Port: proposals for a batch of messages, in order; None for a message that failed alone."""

    async def triage(self, items: Sequence[TriageInput]) -> Sequence[Triage | None]: ...

    async def warm_up(self) -> None:
        """Load the model now rather than on the first message."""


class ThreadTriager:
    """The real one: `nlp.triage_batch` in one dedicated thread (the model is loaded there once)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage")

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, triage_isolated, list(items))

    async def warm_up(self) -> None:
        await self.triage([TriageInput("", "")])

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def triage_isolated(items: list[TriageInput]) -> list[Triage | None]:
    """`nlp.triage_batch`, where one message that fails fails alone.

    Batches are the fast path; when one raises, each message is triaged on its own and only the
    ones that still fail get None (their tickets open without a proposal). A model that cannot
    load fails every message alike: that raises, as before. Logs name the error's type only:
    its text may quote the message.
    """
    from nlp import triage_batch
    from nlp.model import get_model

    model = get_model()
    try:
        return list(triage_batch(items, model=model))
    except Exception as exc:
        log.warning(
            "triage failed for a batch of %d (%s); triaging each message alone",
            len(items),
            type(exc).__name__,
        )
    found: list[Triage | None] = []
    for item in items:
        try:
            found.extend(triage_batch([item], model=model))
        except Exception as exc:
            log.error(
                "triage failed for one message (%s); its ticket opens without a proposal",
                type(exc).__name__,
            )
            found.append(None)
    return found


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
