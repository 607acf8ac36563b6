"""Runs the dispatcher's pure stage off the event loop, on batches: reading messages back from
their stored bytes, and the classifier (both pure and CPU-bound)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

from bot import collector
from bot.dispatch.incoming import Read, read_all
from intake.mail.compose import Refused, compose_all
from intake.message import OutboundMessage
from nlp import Triage, TriageInput, detect_language

Rows = Sequence[tuple[int, str, bytes]]
T = TypeVar("T")

log = logging.getLogger(__name__)


class Triager(Protocol):
    """Port: proposals for a batch of messages, in order; None for a message that failed alone.
    It also reads batches back from their bytes, where it runs the model (a thread, a process)."""

    async def triage(self, items: Sequence[TriageInput]) -> Sequence[Triage | None]: ...

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        """`bot.dispatch.incoming.read_all` of a batch of stored (id, channel, raw bytes)."""
        ...

    async def warm_up(self) -> None:
        """Load the model now rather than on the first message."""

    def close(self) -> None:
        """Stop what runs the model (a thread, a process)."""


class ThreadTriager:
    """The real one: `nlp.triage_batch` in one dedicated thread (the model is loaded there once)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage")

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, triage_isolated, list(items))

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        return await asyncio.to_thread(read_all, rows, domain, attachment_cap)

    async def warm_up(self) -> None:
        await self.triage([TriageInput("", "")])

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class ProcessTriager:
    """The real one where a core is free: `nlp.triage_batch`, and the reading of each batch, in
    one child process where the model loads once (the outbox folder's mail is composed there
    too), so the pure stage runs beside the event loop instead of taking turns with it under
    one interpreter lock. A batch crosses in one round
    trip for reading and one for triage.

    A child that dies (killed, out of memory) is replaced, and its batch triaged again once; a
    second death in a row raises, like a model that cannot load. The child is started with
    "spawn": no copy of the running loop, its threads and its sockets."""

    def __init__(self, services_file: Path | None = None) -> None:
        self._services_file = services_file
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_child_start,
            initargs=(self._services_file, os.getpid()),
        )

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage | None]:
        return await self._run(triage_isolated, list(items))

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        return await self._run(read_all, list(rows), domain, attachment_cap)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, work, *args)
        except BrokenProcessPool:
            log.error("the triage process died; starting another and giving it the batch again")
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            return await loop.run_in_executor(self._executor, work, *args)

    async def compose_all(
        self, messages: Sequence[OutboundMessage], sender: str, sender_name: str, now: datetime
    ) -> list[bytes | Refused]:
        """Outgoing mail composed in the child (`intake.ports.Composer`): in a storm the
        service's own process is the busier one, and composing is pure."""
        return await self._run(compose_all, list(messages), sender, sender_name, now)

    async def warm_up(self) -> None:
        await self.triage([TriageInput("", "")])
        await self._run(collector.settle)  # in the child: its model is loaded

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _child_start(services_file: Path | None, parent: int) -> None:
    """In the triage process: the same catalogue as the service (checked there already), and a
    watch on the parent: a service killed outright (`kill -9`) leaves no triage process behind,
    even when it died while this one was still starting (`parent` is its pid, not ours to
    read now: an orphan's parent is already another process)."""
    from nlp.model import configure

    configure(services_file=services_file)
    collector.tune()  # a process that only serves: see `bot.collector`
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


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


def worker_kind(worker: str) -> str:
    """GUICHET_TRIAGE_WORKER: "process", "thread", or "auto" (a process when this process may
    run on two cores or more: triage then runs beside the event loop; make bench measures it)."""
    if worker == "auto":
        return "process" if len(os.sched_getaffinity(0)) >= 2 else "thread"
    return worker


def triager_for(worker: str, services_file: Path | None) -> ThreadTriager | ProcessTriager:
    """The triager GUICHET_TRIAGE_WORKER asks for (`worker_kind`)."""
    kind = worker_kind(worker)
    return ProcessTriager(services_file) if kind == "process" else ThreadTriager()


class LanguageOnlyTriager:
    """The fake: no model, only the language (for tests and for running without a model)."""

    def __init__(self) -> None:
        self.seen: list[TriageInput] = []

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        return await asyncio.to_thread(read_all, rows, domain, attachment_cap)

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        self.seen.extend(items)
        return [
            Triage(language=detect_language(f"{i.subject}\n{i.text}"), model="none") for i in items
        ]

    async def warm_up(self) -> None:
        return None

    def close(self) -> None:
        return None
