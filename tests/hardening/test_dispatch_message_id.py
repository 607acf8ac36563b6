"""Issue #14, item 6: a message that reuses a Message-ID already seen is not dropped.

A duplicate is the same Message-ID from the same sender (a second delivery through another
relay), or the same bytes. Another sender reusing a Message-ID (by accident, or to hide a
message) gets their message stored and processed like any other; the first message keeps the
Message-ID for threading.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Message
from tests.answers_helpers import Desk, running, text_of
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer

JEANNE = "Jeanne Tremblay <jeanne.tremblay@msss.example>"
MARC = "Marc Roy <marc.roy@msss.example>"
SHARED = "<shared.id@msss.example>"


@pytest.fixture
async def desk(migrated: Settings, smtp_server: SmtpServer, store: Sessions) -> AsyncIterator[Desk]:
    async with running(migrated, smtp_server, store) as desk:
        yield desk


async def inbound(desk: Desk) -> list[Message]:
    async with desk.store() as session:
        query = select(Message).where(Message.direction == "in").order_by(col(Message.id))
        return list((await session.exec(query)).all())


async def test_another_sender_reusing_a_message_id_is_processed(desk: Desk) -> None:
    jeanne = make_email(sender=JEANNE, message_id=SHARED)
    drop(desk.settings.inbox, "jeanne.eml", jeanne)
    await eventually(lambda: desk.mails("jeanne.tremblay@msss.example"))

    # Marc's own, different message carries the same Message-ID.
    marc = make_email(
        sender=MARC,
        subject="Écran noir au démarrage",
        body="Bonjour, mon écran reste noir quand j'allume mon poste ce matin.",
        message_id=SHARED,
    )
    drop(desk.settings.inbox, "marc.eml", marc)
    [ack] = await eventually(lambda: desk.mails("marc.roy@msss.example"))
    assert "[CSC-000002]" in ack["Subject"]
    assert "Écran noir" in ack["Subject"]

    # Jeanne's second delivery of her own message (other relay, other bytes) is a duplicate.
    drop(desk.settings.inbox, "again.eml", jeanne.replace(b"Merci!", b"Merci !"))
    await eventually(lambda: (desk.settings.inbox / "done" / "again.eml").exists())
    # Her answer to her own first message threads to her ticket, not to Marc's.
    nudge = make_email(
        sender=JEANNE,
        subject="Re: Mon Outlook ne s'ouvre plus",
        body="Toujours pareil ce matin.",
        message_id="<nudge@msss.example>",
        headers={"In-Reply-To": SHARED},
    )
    drop(desk.settings.inbox, "nudge.eml", nudge)
    await eventually(lambda: (desk.settings.inbox / "done" / "nudge.eml").exists())

    async def nudge_attached() -> int | None:
        rows = [m for m in await inbound(desk) if m.message_id == "nudge@msss.example"]
        return rows[0].ticket_id if rows and rows[0].state == "processed" else None

    assert await eventually(nudge_attached) == 1
    rows = await inbound(desk)
    assert [(m.message_id, m.sender, m.ticket_id) for m in rows] == [
        ("shared.id@msss.example", "jeanne.tremblay@msss.example", 1),
        ("shared.id@msss.example", "marc.roy@msss.example", 2),
        ("nudge@msss.example", "jeanne.tremblay@msss.example", 1),
    ]
    await asyncio.sleep(0.5)
    assert len(desk.mails()) == 2  # one acknowledgement each, nothing for the duplicate
    assert "CSC-000002" in text_of(ack)
