"""Two real `python -m bot serve` workers on one PostgreSQL database, a storm of mail split
between their inboxes, one of them killed with SIGKILL mid-storm and started again: every
message is stored once and ticketed once, and every acknowledgement reaches the real SMTP
server.

A notification the killed worker had handed to the SMTP server but not yet marked sent is sent
again after its lease (the outbox is at-least-once: SMTP has no way to take a message
idempotently). Such a repeat carries the same Message-ID, so mail clients show one message; the
test allows them only for rows in flight in the killed worker (at most one per lane it was
delivering), and none at all from the worker that was never killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import col, func, select

from bot.outbox import _MAX_LANES
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Direction, Message, MessageState, Outbox, OutboxStatus, Ticket
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer, free_port, run_smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

STORM = 500
KILL_AFTER = 150
"""Inbound messages stored when the first worker is killed (mid-storm: it keeps coming)."""


class Worker:
    """One `python -m bot serve` process with its own data folder and HTTP port."""

    def __init__(self, root: Path, database_url: str, smtp: SmtpServer, **env: str) -> None:
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
            GUICHET_SMTP_HOST=smtp.host,
            GUICHET_SMTP_PORT=str(smtp.port),
            GUICHET_SEND_CAP_PER_RECIPIENT_PER_HOUR="10000",
            GUICHET_OUTBOX_RETRY_BASE_SECONDS="0.2",
            GUICHET_OUTBOX_RETRY_MAX_SECONDS="0.5",
            **env,
        )
        self.process: asyncio.subprocess.Process | None = None

    @property
    def inbox(self) -> Path:
        return self.root / "var" / "inbox"

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("ab"),
        )  # fmt: skip

    async def ready(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{self.port}/readyz") as response,
            ):
                return response.status == 200
        except aiohttp.ClientError:
            assert self.process is not None and self.process.returncode is None, self.log()
            return False

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(self.process.wait(), 60) == 0, self.log()

    def log(self) -> str:
        path = self.root / "stderr.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


async def counts(store: Sessions) -> tuple[int, int, int]:
    """(inbound messages stored, still received, outbox rows not sent yet)."""
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
        unsent = (
            await session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(col(Outbox.status) == OutboxStatus.PENDING)
            )
        ).one()
    return stored, waiting, unsent


async def test_a_worker_killed_mid_storm_loses_and_doubles_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    servers = contextlib.ExitStack()
    smtp = {
        name: servers.enter_context(contextlib.contextmanager(run_smtp_server)())
        for name in ("survivor", "killed")
    }
    survivor = Worker(tmp_path / "survivor", postgres_url, smtp["survivor"])
    killed = Worker(tmp_path / "killed", postgres_url, smtp["killed"])
    engine = create_engine(postgres_url)
    store = sessions(engine)
    try:
        await survivor.start()
        await killed.start()
        await eventually(survivor.ready, timeout=180)
        await eventually(killed.ready, timeout=180)

        mails = [
            make_email(
                sender=f"Personne {i} <personne.{i}@msss.example>",
                subject=f"Demande {i} : accès au dossier partagé P{i:04d}",
                body=f"Bonjour, j'ai besoin d'un accès au dossier P{i:04d}. Merci!",
                message_id=f"<storm-{i}@msss.example>",
            )
            for i in range(STORM)
        ]

        async def storm(first: int, last: int) -> None:
            for i in range(first, last):
                inbox = survivor.inbox if i % 2 else killed.inbox
                await asyncio.to_thread(drop, inbox, f"{i:04d}.eml", mails[i])
                await asyncio.sleep(0.005)

        rest = asyncio.create_task(storm(0, STORM))
        await eventually(lambda: _stored_at_least(store, KILL_AFTER), timeout=180)
        await killed.kill()
        await rest
        await killed.start()  # its inbox still holds what it had not committed
        await eventually(killed.ready, timeout=180)

        async def settled() -> bool:
            stored, waiting, unsent = await counts(store)
            return stored == STORM and waiting == 0 and unsent == 0

        # The killed worker's leases run out (the outbox's is 90 s) before its rows move on.
        await eventually(settled, timeout=400)
        await survivor.stop()
        await killed.stop()

        async with store() as session:
            inbound = (
                await session.exec(
                    select(Message.message_id, Message.state, Message.ticket_id).where(
                        Message.direction == Direction.IN
                    )
                )
            ).all()
            tickets = (await session.exec(select(func.count()).select_from(Ticket))).one()
            acks = (
                await session.exec(
                    select(Outbox.key, Outbox.payload).where(Outbox.status == OutboxStatus.SENT)
                )
            ).all()
            dead = (
                await session.exec(
                    select(func.count())
                    .select_from(Outbox)
                    .where(Outbox.status == OutboxStatus.DEAD)
                )
            ).one()
        assert sorted(str(mid) for mid, _s, _t in inbound) == sorted(
            f"storm-{i}@msss.example" for i in range(STORM)
        )
        assert {state for _m, state, _t in inbound} == {MessageState.PROCESSED}
        ticket_of = [ticket for _m, _s, ticket in inbound]
        assert None not in ticket_of
        assert len(set(ticket_of)) == STORM == tickets  # one ticket each, none opened twice
        assert dead == 0
        assert len(acks) == STORM

        sent = {
            name: Counter(str(m["Message-ID"]) for m in server.handler.messages())
            for name, server in smtp.items()
        }
        every = sent["survivor"] + sent["killed"]
        expected = {f"<{payload['message_id']}>" for _key, payload in acks}
        assert set(every) == expected  # every acknowledgement reached the SMTP server
        assert all(n == 1 for n in sent["survivor"].values())
        repeated = {mid: n for mid, n in every.items() if n > 1}
        assert all(n == 2 for n in repeated.values()), repeated
        assert len(repeated) <= _MAX_LANES, repeated
    finally:
        for worker in (survivor, killed):
            if worker.process is not None and worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()
        await engine.dispose()
        servers.close()


async def _stored_at_least(store: Sessions, count: int) -> bool:
    stored, _waiting, _unsent = await counts(store)
    return stored >= count
