"""IMAP intake against a real Dovecot and a real SMTP server, through the real service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from imap_tools import MailBoxUnencrypted
from sqlmodel import func, select

from bot.app import serve
from bot.settings import MailboxSettings, Settings
from bot.store.db import Sessions
from bot.store.models import MailboxCheckpoint, Message, Ticket
from intake.imap.reader import idle_until_news
from tests.conftest import eventually
from tests.mail import make_email
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer


def with_mailbox(
    settings: Settings, dovecot: Dovecot, smtp: SmtpServer, **mailbox: Any
) -> Settings:
    fields: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": dovecot.imaps_port,
        "username": dovecot.user,
        "password": dovecot.password,
        "security": "ssl",
        "ca_file": str(dovecot.root / "cert.pem"),
    }
    box = MailboxSettings(**(fields | mailbox))
    return settings.model_copy(
        update={"imap_mailboxes": [box], "smtp_host": smtp.host, "smtp_port": smtp.port}
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[str]:
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    try:
        yield ready[0].split()[4]
    finally:
        stop.set()
        await asyncio.wait_for(task, 40)


def append(dovecot: Dovecot, *messages: bytes) -> None:
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login(
        dovecot.user, dovecot.password
    ) as box:
        for raw in messages:
            box.append(raw, "INBOX")


def folder_counts(dovecot: Dovecot) -> dict[str, int]:
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login(
        dovecot.user, dovecot.password
    ) as box:
        return {
            f.name: box.folder.status(f.name)["MESSAGES"]
            for f in box.folder.list()
            if "\\Noselect" not in f.flags and "\\NonExistent" not in f.flags
        }


async def count(store: Sessions, model: Any) -> int:
    async with store() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def health(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url + "healthz") as response:
        return dict(await response.json())


def numbered(n: int) -> Callable[[int], bytes]:
    return lambda i: make_email(
        subject=f"Problème numéro {i}",
        body=f"Bonjour, le poste {i} ne démarre plus depuis ce matin.",
        message_id=f"<imap-{n}-{i}@msss.example>",
    )


async def test_appended_message_is_ticketed_and_acknowledged_by_smtp(
    migrated: Settings, dovecot: Dovecot, smtp_server: SmtpServer, store: Sessions
) -> None:
    settings = with_mailbox(migrated, dovecot, smtp_server)
    async with running(settings) as url:
        await eventually(lambda: _running(url))
        append(dovecot, make_email())
        await eventually(lambda: smtp_server.handler.accepted, timeout=30)
        [ack] = smtp_server.handler.messages()
        assert "[CSC-000001]" in ack["Subject"]
        assert ack["In-Reply-To"] == "<m1.example@msss.example>"
        assert (await health(url))["connectors"]["imap:default"]["detail"] == "idle"
    counts = folder_counts(dovecot)
    assert counts["INBOX"] == 0 and counts["Guichet/Traité"] == 1
    assert await count(store, Ticket) == 1


async def _running(url: str) -> bool:
    state = (await health(url))["connectors"].get("imap:default", {})
    return state.get("state") == "running"


async def test_restart_in_the_middle_of_a_batch_loses_and_repeats_nothing(
    migrated: Settings, dovecot: Dovecot, smtp_server: SmtpServer, store: Sessions
) -> None:
    settings = with_mailbox(migrated, dovecot, smtp_server, chunk=5)
    make = numbered(30)
    append(dovecot, *(make(i) for i in range(30)))
    async with running(settings):
        await eventually(lambda: _at_least(store, 7), timeout=60)
    stored_at_stop = await count(store, Message)
    assert stored_at_stop < 30, "stopped too late to test a restart mid-way"
    async with running(settings):
        await eventually(lambda: _acks(smtp_server, 30), timeout=90)
    assert await count(store, Ticket) == 30
    assert len(smtp_server.handler.accepted) == 30
    async with store() as session:
        checkpoint = (await session.exec(select(MailboxCheckpoint))).one()
    assert checkpoint.last_uid == 30
    assert folder_counts(dovecot)["INBOX"] == 0


async def _at_least(store: Sessions, n: int) -> bool:
    return await count(store, Message) >= n


def _acks(smtp: SmtpServer, n: int) -> bool:
    return len(smtp.handler.accepted) >= n


async def test_reader_reconnects_after_dovecot_is_killed(
    migrated: Settings, dovecot: Dovecot, smtp_server: SmtpServer, store: Sessions
) -> None:
    settings = with_mailbox(
        migrated, dovecot, smtp_server, security="starttls", port=dovecot.imap_port
    )
    async with running(settings) as url:
        await eventually(lambda: _running(url))
        await asyncio.to_thread(dovecot.kill)
        await eventually(lambda: _retrying(url), timeout=30)
        await asyncio.to_thread(dovecot.start)
        await eventually(lambda: _running(url), timeout=90)
        append(dovecot, make_email(message_id="<after-restart@msss.example>"))
        await eventually(lambda: smtp_server.handler.accepted, timeout=60)
    assert await count(store, Ticket) == 1


async def _retrying(url: str) -> bool:
    state = (await health(url))["connectors"]["imap:default"]
    return state["state"] == "retrying"


def test_mail_announced_as_idle_begins_is_read_without_waiting(dovecot: Dovecot) -> None:
    """Dovecot's "* 1 EXISTS" arrives in the packet of "+ idling": the reader sees it at once
    instead of idling on until the next round (a real Dovecot)."""
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login(
        dovecot.user, dovecot.password, initial_folder="INBOX"
    ) as box:
        assert box.uids("ALL") == []
        append(dovecot, make_email())  # delivered between our search and our IDLE
        assert idle_until_news(box, 20) is True
        assert len(box.uids("ALL")) == 1
        assert idle_until_news(box, 0.5) is False  # nothing new: waits, then stops cleanly
