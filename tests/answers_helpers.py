"""Shared by the answer tests: the real service with mail delivered to the suite's SMTP server,
mail dropped in its inbox folder, and reads of what the store and the SMTP server hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from itertools import count
from typing import Any

from sqlmodel import col, select

from bot.app import serve
from bot.outages import registry
from bot.outages.command import broadcast_from_settings
from bot.outages.draft import OutageDraft
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Message, Outage, Ticket, TicketEvent
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer

JEANNE = "Jeanne Tremblay <jeanne.tremblay@msss.example>"
MARC = "Marc Roy <marc.roy@msss.example>"
PAT = "Pat Smith <pat.smith@saaq.example>"

_serial = count(1)


class Desk:
    """The running service, its SMTP server and its store, as a requester sees them."""

    def __init__(self, settings: Settings, smtp: SmtpServer, store: Sessions) -> None:
        self.settings = settings
        self.smtp = smtp
        self.store = store

    def send(
        self, body: str, *, sender: str = JEANNE, subject: str = "", reply_to: str = ""
    ) -> str:
        """Drop one email in the inbox; return its Message-ID (without angle brackets)."""
        n = next(_serial)
        domain = sender.rsplit("@", 1)[1].rstrip(">")
        message_id = f"answers-{n}@{domain}"
        headers = {"In-Reply-To": reply_to, "References": reply_to} if reply_to else None
        raw = make_email(
            sender=sender,
            subject=subject or body[:60],
            body=body,
            message_id=f"<{message_id}>",
            headers=headers,
        )
        drop(self.settings.inbox, f"m{n:04d}.eml", raw)
        return message_id

    def mails(self, to: str = "") -> list[EmailMessage]:
        return [
            m
            for m in self.smtp.handler.messages()
            if not to or to in [a.addr_spec for a in m["To"].addresses]
        ]

    async def answer_to(self, message_id: str, timeout: float = 60) -> EmailMessage:
        """The one mail that answers `message_id` (In-Reply-To), once the SMTP server has it."""

        def found() -> list[EmailMessage]:
            return [m for m in self.mails() if m["In-Reply-To"] == f"<{message_id}>"]

        [mail] = await eventually(found, timeout=timeout)
        return mail

    async def tickets(self) -> list[Ticket]:
        async with self.store() as session:
            return list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())

    async def ticket(self, number: str) -> Ticket:
        async with self.store() as session:
            return (await session.exec(select(Ticket).where(Ticket.number == number))).one()

    async def events(self, number: str, type_: str) -> list[dict[str, Any]]:
        async with self.store() as session:
            rows = await session.exec(
                select(TicketEvent.data)
                .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
                .where(Ticket.number == number, TicketEvent.type == type_)
                .order_by(col(TicketEvent.id))
            )
            return [dict(d) for d in rows.all()]

    async def message(self, message_id: str) -> Message:
        async with self.store() as session:
            query = select(Message).where(Message.message_id == message_id)
            return (await session.exec(query)).one()

    async def declare(self, title_fr: str, title_en: str, **draft: Any) -> Outage:
        draft = {"text_fr": f"{title_fr}.", "text_en": f"{title_en}.", **draft}
        async with self.store() as session:
            outage = await registry.declare(
                session,
                OutageDraft(title_fr=title_fr, title_en=title_en, **draft),
                "agent@itq.example",
                datetime.now(UTC),
                broadcast_from_settings(self.settings),
            )
            await session.commit()
            return outage

    async def resolve(self, number: str) -> None:
        async with self.store() as session:
            broadcast = broadcast_from_settings(self.settings)
            await registry.resolve(session, number, "agent", datetime.now(UTC), broadcast)
            await session.commit()


@asynccontextmanager
async def running(migrated: Settings, smtp: SmtpServer, store: Sessions) -> AsyncIterator[Desk]:
    """The real service (`serve`), sending its mail by SMTP to `smtp`."""
    settings = migrated.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port})
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    try:
        yield Desk(settings, smtp, store)
    finally:
        stop.set()
        await asyncio.wait_for(task, 40)


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
