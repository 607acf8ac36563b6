"""A real `python -m bot serve` process on loopback, for what only separate processes show.

Several workers sharing one database, a worker killed with SIGKILL mid-storm, the memory one
worker really holds: an in-process `serve` (tests.conftest.running_service) cannot show these.
Each worker gets its own data folder (inbox, log) and HTTP port, and settings that make it quick
to observe: a short inbox poll, short outbox retries, no per-recipient send cap in the way. Its
stderr goes to `stderr.log` in its folder, so a failure can say what the worker said.

Also here: what a storm has got through the shared store (`counts`), which the bench
(bench.workers) reads its figures from, and the two workers (`kill_pair`) of the tests that kill
one mid-storm, with what those tests wait for and check at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import aiohttp
from sqlmodel import col, func, select

from bot.outbox import _MAX_LANES
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Direction, Message, MessageState, Outbox, OutboxStatus, Ticket
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer, free_port, run_smtp_server

READY_SECONDS = 180.0
"""Loading the classifier takes a while, longer still on a busy machine."""
STOP_SECONDS = 60.0
"""How long a worker may take to finish what it holds after SIGTERM before it gets SIGKILL."""


class Worker:
    """One `python -m bot serve` process with its own data folder and HTTP port.

    `env` (GUICHET_* names) is laid over the defaults, so a caller can connect a mailbox or change
    any of them; the rest of the environment is inherited without its GUICHET_* variables, so a
    developer's own settings do not leak in.
    """

    def __init__(self, root: Path, database_url: str, smtp_port: int, **env: str) -> None:
        self.root = root
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
        self.env.update(
            GUICHET_DATABASE_URL=database_url,
            GUICHET_DATA_DIR=str(root / "var"),
            GUICHET_HTTP_PORT=str(self.port),
            GUICHET_INBOX_POLL_SECONDS="0.05",
            GUICHET_MAIL_FROM="csc@itq.example",
            GUICHET_MAIL_DOMAIN="guichet.example",
            GUICHET_SMTP_HOST="127.0.0.1",
            GUICHET_SMTP_PORT=str(smtp_port),
            GUICHET_SEND_CAP_PER_RECIPIENT_PER_HOUR="10000",
            GUICHET_OUTBOX_RETRY_BASE_SECONDS="0.2",
            GUICHET_OUTBOX_RETRY_MAX_SECONDS="0.5",
            # a killed worker's claims come back sooner than in production (90 s and 60 s):
            # still far longer than a delivery or a batch takes here
            GUICHET_OUTBOX_LEASE_SECONDS="20",
            GUICHET_DISPATCH_LEASE_SECONDS="10",
        )
        self.env.update(env)
        self.process: asyncio.subprocess.Process | None = None

    @property
    def inbox(self) -> Path:
        return self.root / "var" / "inbox"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        """Start (or start again: the log is appended to, the folder kept as the last run left
        it). The inbox exists on return, so mail can be dropped at once."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        with (self.root / "stderr.log").open("ab") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "serve", env=self.env,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip

    async def until_ready(self, timeout: float = READY_SECONDS) -> None:
        """Wait for `/readyz` to say 200 (the classifier loaded). A worker that exits first
        raises at once with the end of its log, rather than after the whole timeout."""
        async with asyncio.timeout(timeout), aiohttp.ClientSession() as http:
            while True:
                if not self.running:
                    raise RuntimeError(f"worker exited before ready:\n{self.tail()}")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    async def kill(self) -> int | None:
        """SIGKILL, as a crash would (nothing handed back, no lock released by the worker), and
        wait for it to be gone; the exit code (-SIGKILL if it was killed), None if never
        started. A worker already gone is left as it is."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        return await self.process.wait()

    async def stop(self) -> int | None:
        """SIGTERM, the way a deployment stops it, then wait (SIGKILL after STOP_SECONDS); the
        exit code (0 for a clean stop), None if never started or if it had to be killed."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            return None

    def log(self) -> str:
        """Everything the worker wrote to stderr, over all its starts."""
        path = self.root / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        """The end of the log: enough for an assertion message to show what went wrong."""
        return self.log()[-chars:]

    def peak_rss_mb(self) -> float:
        """The worker's peak resident set with its triage process's (VmHWM), in MB; Linux."""
        assert self.process is not None
        return tree_peak_rss_mb(self.process.pid)


def children(parent: int) -> dict[int, str]:
    """The direct children of `parent`, with their /proc status text; Linux only."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status:
                found[int(entry.name)] = status
    return found


def tree_peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of `pid` plus that of its direct children, in MB; Linux only.
    A worker is its process and the child its model runs in (GUICHET_TRIAGE_WORKER)."""
    try:
        statuses = [Path(f"/proc/{pid}/status").read_text(), *children(pid).values()]
    except OSError:
        statuses = list(children(pid).values())
    return sum(
        int(line.split()[1]) / 1024
        for status in statuses
        for line in status.splitlines()
        if line.startswith("VmHWM:")
    )


class Counts(NamedTuple):
    """What a storm has got through the store so far."""

    stored: int
    """Inbound messages stored."""
    waiting: int
    """Inbound messages still only received (not yet processed)."""
    pending: int
    """Outbox rows not sent yet."""
    sent: int
    """Outbox rows sent."""


async def counts(store: Sessions) -> Counts:
    """Read in one session, so the four agree with each other."""
    async with store() as session:
        stored = (
            await session.exec(
                select(func.count()).select_from(Message).where(Message.direction == Direction.IN)
            )
        ).one()
        waiting = (
            await session.exec(
                select(func.count())
                .select_from(Message)
                .where(Message.direction == Direction.IN, Message.state == MessageState.RECEIVED)
            )
        ).one()
        pending = (
            await session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(col(Outbox.status) == OutboxStatus.PENDING)
            )
        ).one()
        sent = (
            await session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(col(Outbox.status) == OutboxStatus.SENT)
            )
        ).one()
    return Counts(stored, waiting, pending, sent)


@dataclass
class KillPair:
    """Two workers on one database, each with its own SMTP server, for a test that kills one
    ("killed") mid-storm while the other ("survivor") runs on. They are made, not started:
    each test starts them in the order its story needs."""

    survivor: Worker
    killed: Worker
    smtp: dict[str, SmtpServer]
    """Each worker's SMTP server, by the worker's name."""
    store: Sessions
    """The shared database, to watch the storm go through."""

    async def stored_at_least(self, count: int) -> bool:
        """Whether `count` inbound messages are stored: the moment to kill a worker."""
        return (await counts(self.store)).stored >= count

    async def settled(self, count: int) -> bool:
        """Whether all `count` messages are stored and processed and nothing is left to send:
        the end of the storm."""
        now = await counts(self.store)
        return now.stored == count and now.waiting == 0 and now.pending == 0

    async def inbound(self) -> tuple[list[tuple[str | None, str, int | None]], int]:
        """Every inbound message stored, as (Message-ID, state, ticket), and how many tickets
        there are: what the end of a storm is checked against (each stored once, processed,
        ticketed once, no ticket opened twice)."""
        async with self.store() as session:
            rows = (
                await session.exec(
                    select(Message.message_id, Message.state, Message.ticket_id).where(
                        Message.direction == Direction.IN
                    )
                )
            ).all()
            tickets = (await session.exec(select(func.count()).select_from(Ticket))).one()
        return [(mid, state, ticket) for mid, state, ticket in rows], tickets

    async def assert_storm_done(self, storm: int) -> dict[str, Counter[str]]:
        """The end of a storm of `storm` mails named `storm-{i}@msss.example`: each stored once,
        processed and ticketed once (no ticket opened twice), no notification dead, one
        acknowledgement each, and every one of them at an SMTP server. Returns what each
        server received, for the repeats' check."""
        inbound, tickets = await self.inbound()
        async with self.store() as session:
            acks = (
                await session.exec(select(Outbox.payload).where(Outbox.status == OutboxStatus.SENT))
            ).all()
            dead = (
                await session.exec(
                    select(func.count())
                    .select_from(Outbox)
                    .where(Outbox.status == OutboxStatus.DEAD)
                )
            ).one()
        assert sorted(str(mid) for mid, _s, _t in inbound) == sorted(
            f"storm-{i}@msss.example" for i in range(storm)
        )
        assert {state for _m, state, _t in inbound} == {MessageState.PROCESSED}
        ticket_of = [ticket for _m, _s, ticket in inbound]
        assert None not in ticket_of
        assert len(set(ticket_of)) == storm == tickets  # one ticket each, none opened twice
        assert dead == 0
        assert len(acks) == storm
        sent = self.acknowledgements()
        expected = {f"<{payload['message_id']}>" for payload in acks}
        assert set(sum(sent.values(), Counter[str]())) == expected  # each reached a server
        return sent

    def acknowledgements(self) -> dict[str, Counter[str]]:
        """For each worker (by name), how often each Message-ID reached its SMTP server."""
        return {
            name: Counter(str(m["Message-ID"]) for m in server.handler.messages())
            for name, server in self.smtp.items()
        }

    @staticmethod
    def assert_only_in_flight_repeated(
        sent: Mapping[str, Counter[str]], interrupted: Collection[str] = ("killed",)
    ) -> None:
        """The outbox is at-least-once: a notification an interrupted worker (killed, or cut
        from its database) had handed to the SMTP server but not yet marked sent goes again
        after its lease. So a worker never interrupted repeats nothing, and a repeat is at most
        one per lane an interrupted worker was delivering on, sent twice, no more."""
        every = sum(sent.values(), Counter[str]())
        for name, received in sent.items():
            if name not in interrupted:
                assert all(n == 1 for n in received.values()), name
        repeated = {mid: n for mid, n in every.items() if n > 1}
        assert all(n == 2 for n in repeated.values()), repeated
        assert len(repeated) <= _MAX_LANES * len(interrupted), repeated


def storm_mails(count: int, people: int | None = None) -> list[bytes]:
    """The storm the end-of-storm check expects: `storm-{i}@msss.example`, each asking for an
    access; `people` senders in turn (each with several acknowledgements on its lane), or one
    sender per mail."""
    return [
        make_email(
            sender=f"Personne {i % (people or count)} <personne.{i % (people or count)}@msss.example>",
            subject=f"Demande {i} : accès au dossier partagé P{i:04d}",
            body=f"Bonjour, j'ai besoin d'un accès au dossier P{i:04d}. Merci!",
            message_id=f"<storm-{i}@msss.example>",
        )
        for i in range(count)
    ]


async def drop_storm(
    mails: list[bytes], inboxes: tuple[Path, ...], first: int, last: int, pause: float
) -> None:
    """Drop mails `first` to `last` in turn into the inboxes, `pause` seconds apart."""
    for i in range(first, last):
        await asyncio.to_thread(drop, inboxes[i % len(inboxes)], f"{i:04d}.eml", mails[i])
        await asyncio.sleep(pause)


@contextlib.asynccontextmanager
async def kill_pair(root: Path, database_url: str, **env: str) -> AsyncIterator[KillPair]:
    """A `KillPair` in folders under `root`, `env` given to both; on the way out whatever still
    runs is killed (a failed test must not leave workers behind) and the servers are stopped."""
    with contextlib.ExitStack() as servers:
        smtp = {
            name: servers.enter_context(contextlib.contextmanager(run_smtp_server)())
            for name in ("survivor", "killed")
        }
        survivor, killed = (
            Worker(root / name, database_url, smtp[name].port, **env)
            for name in ("survivor", "killed")
        )
        engine = create_engine(database_url)
        try:
            yield KillPair(survivor, killed, smtp, sessions(engine))
        finally:
            for worker in (survivor, killed):
                await worker.kill()
            await engine.dispose()
