"""Quarantine (list, reprocess), attachments kept, hard bounces and send caps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from sqlmodel import select, update

from bot.guards import SendCaps, suppress
from bot.outbox import OutboxWorker, RetryPolicy
from bot.outbox_queue import queue
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Attachment, Message, MessageState, Outbox, OutboxStatus, Suppression
from bot.tickets.outbox import NoticeKind
from intake.fakes import RecordingSender
from intake.message import Channel, OutboundMessage
from tests.mail import make_email
from tests.test_cli import bot


def test_quarantine_list_and_reprocess(settings: Settings, tmp_path: Path) -> None:
    assert bot(settings, "migrate").returncode == 0
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x00\x01\x02 this is not an email at all \xff" * 10)
    result = bot(settings, "ingest", str(junk))
    assert "quarantined" in result.stdout
    listed = json.loads(bot(settings, "quarantine", "list", "--json").stdout)
    assert [item["reason"] for item in listed] == ["not_an_email"]
    again = bot(settings, "quarantine", "reprocess", str(listed[0]["id"]))
    assert again.returncode == 1 and "quarantined" in again.stdout  # same bytes, same verdict
    assert bot(settings, "quarantine", "reprocess", "999").returncode == 2
    table = bot(settings, "quarantine", "list")
    assert "not_an_email" in table.stdout


async def test_reprocess_recovers_a_message_quarantined_by_an_internal_error(
    migrated: Settings, store: Sessions, tmp_path: Path
) -> None:
    from bot.commands.quarantine import reprocess
    from bot.receive import store_raw
    from intake.message import InboundMessage

    received = await store_raw(
        store, InboundMessage(Channel.EMAIL, make_email(), datetime.now(UTC), "test", "x")
    )
    async with store() as session:  # as the dispatcher leaves a message after a bug
        await session.exec(
            update(Message)
            .where(Message.id == received.message_id)
            .values(
                state=MessageState.QUARANTINED, error_kind="processing_error", error_detail="bug"
            )
        )
        await session.commit()
    assert await reprocess(migrated, [received.message_id]) == 0
    async with store() as session:
        row = await session.get_one(Message, received.message_id)
    assert row.state == MessageState.PROCESSED and row.ticket_id is not None


def test_attachments_are_stored_with_metadata(settings: Settings, tmp_path: Path) -> None:
    assert bot(settings, "migrate").returncode == 0
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "pat@saaq.example"
    msg["To"] = "csc@itq.example"
    msg["Subject"] = "Capture d'écran de l'erreur"
    msg["Message-ID"] = "<att@saaq.example>"
    msg.set_content("Voici l'erreur que j'obtiens dans SAGIR.")
    msg.add_attachment(
        b"\x89PNG fake image", maintype="image", subtype="png", filename="erreur.png"
    )
    path = tmp_path / "att.eml"
    path.write_bytes(msg.as_bytes())
    assert bot(settings, "ingest", str(path)).returncode == 0

    import asyncio

    from bot.store.db import create_engine, sessions

    async def attachments() -> list[Attachment]:
        engine = create_engine(settings.sqlalchemy_url)
        async with sessions(engine)() as session:
            found = list((await session.exec(select(Attachment))).all())
        await engine.dispose()
        return found

    [attachment] = asyncio.run(attachments())
    assert attachment.filename == "erreur.png"
    assert attachment.content_type == "image/png"
    assert attachment.content == b"\x89PNG fake image" and attachment.size == 15


def _now() -> datetime:
    return datetime.now(UTC)


async def _queue(store: Sessions, key: str, to: str, ticket_id: int | None = None) -> int:
    message = OutboundMessage(Channel.EMAIL, (to,), "Sujet", "Texte", f"{key}@guichet.example")
    async with store() as session:
        row = queue(message, kind=NoticeKind.ACK, key=key, ticket_id=ticket_id, now=_now())
        session.add(row)
        await session.commit()
        assert row.id is not None
        return row.id


async def test_suppressed_address_is_not_written_to(store: Sessions) -> None:
    async with store() as session:
        await suppress(
            session,
            ("Gone@SAAQ.example",),
            until=_now() + timedelta(days=30),
            reason="hard bounce 5.1.1",
        )
        await session.commit()
        assert (
            await session.get_one(Suppression, "gone@saaq.example")
        ).reason == "hard bounce 5.1.1"
    row_id = await _queue(store, "s1", "gone@saaq.example")
    sender = RecordingSender()
    outbox = OutboxWorker(store, {Channel.EMAIL: sender}, policy=RetryPolicy(), now=_now)
    await outbox.deliver_due()
    async with store() as session:
        row = await session.get_one(Outbox, row_id)
    assert row.status == OutboxStatus.DEAD and "suppressed" in (row.last_error or "")
    assert sender.sent == []


async def test_send_cap_per_recipient_stops_a_loop(store: Sessions) -> None:
    sender = RecordingSender()
    outbox = OutboxWorker(
        store,
        {Channel.EMAIL: sender},
        policy=RetryPolicy(),
        now=_now,
        caps=SendCaps(per_recipient_per_hour=3),
    )
    ids = [await _queue(store, f"loop{i}", "robot@saaq.example") for i in range(5)]
    while await outbox.deliver_due() > 0:
        pass
    async with store() as session:
        statuses = [(await session.get_one(Outbox, i)).status for i in ids]
    assert statuses == ["sent"] * 3 + ["dead"] * 2
    assert len(sender.sent) == 3


async def test_hard_bounce_suppresses_the_address(migrated: Settings, store: Sessions) -> None:
    from bot.app import build
    from bot.receive import store_raw
    from bot.triager import LanguageOnlyTriager
    from intake.message import InboundMessage

    bounce = (
        b"From: MAILER-DAEMON@mx.saaq.example\r\nTo: csc@itq.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.saaq.example\r\n\r\n"
        b"Final-Recipient: rfc822; gone@saaq.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B--\r\n"
    )
    parts = await build(migrated, triager=LanguageOnlyTriager())
    await store_raw(parts.sessions, InboundMessage(Channel.EMAIL, bounce, _now(), "test", "b"))
    await parts.dispatcher.process_pending()
    await parts.engine.dispose()
    async with store() as session:
        suppressed = await session.get(Suppression, "gone@saaq.example")
        message = (await session.exec(select(Message))).one()
    assert message.state == MessageState.AUTOMATED and message.automated == "bounce"
    assert suppressed is not None and "5.1.1" in suppressed.reason
