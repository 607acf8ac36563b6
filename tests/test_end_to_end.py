"""The walking skeleton, in-process: the real service, a real inbox folder, real outbox files."""

from __future__ import annotations

import asyncio
import email.policy
from collections.abc import AsyncIterator, Awaitable
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Message, Outbox, Ticket, TicketEvent
from bot.tickets.thread import ticket_of_message_id
from tests.conftest import eventually, running_service
from tests.mail import drop, make_email


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[str]:
    async with running_service(migrated) as url:
        yield url


def outbox_files(settings: Settings) -> list[Path]:
    return sorted(settings.outbox.glob("*.eml"))


def read_mail(path: Path) -> EmailMessage:
    msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


async def tickets(store: Sessions) -> list[Ticket]:
    async with store() as session:
        return list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())


async def test_healthz_answers(service: str) -> None:
    async def healthz() -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(service + "healthz") as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body

    # the connectors start just after the service says it listens
    body = await eventually(lambda: _running(healthz()), timeout=20)
    assert body["status"] == "ok"
    assert body["connectors"]["folder:inbox"]["state"] == "running"


async def _running(pending: Awaitable[dict[str, Any]]) -> dict[str, Any] | None:
    body = await pending
    return body if body["connectors"]["folder:inbox"]["state"] == "running" else None


async def test_dropped_email_becomes_ticket_and_acknowledgement(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "a.eml", make_email())
    [ack_path] = await eventually(lambda: outbox_files(migrated))
    [ticket] = await tickets(store)
    assert ticket.number == "CSC-000001"
    assert ticket.organisation == "msss"
    assert ticket.language == "fr"
    ack = read_mail(ack_path)
    assert ack["To"].addresses[0].addr_spec == "jeanne.tremblay@msss.example"
    assert "[CSC-000001]" in ack["Subject"]
    assert "Accusé de réception" in ack["Subject"]
    assert ack["In-Reply-To"] == "<m1.example@msss.example>"
    assert "<m1.example@msss.example>" in ack["References"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ticket_of_message_id(ack["Message-ID"], "guichet.example") == "CSC-000001"
    assert "CSC-000001" in ack.get_content()
    # the file was filed under done/ after the commit
    await eventually(lambda: (migrated.inbox / "done" / "a.eml").exists())
    assert not (migrated.inbox / "a.eml").exists()


async def test_reply_to_acknowledgement_threads_into_same_ticket(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "first.eml", make_email())
    [ack_path] = await eventually(lambda: outbox_files(migrated))
    ack = read_mail(ack_path)
    reply = make_email(
        subject="RE: " + str(ack["Subject"]).replace("[CSC-000001]", "").strip(),
        body="Merci, j'ai redémarré et c'est pareil.\n\n> Nous avons bien reçu votre message",
        message_id="<m2.example@msss.example>",
        headers={"In-Reply-To": ack["Message-ID"], "References": ack["Message-ID"]},
    )
    drop(migrated.inbox, "reply.eml", reply)

    async def attached() -> bool:
        async with store() as session:
            row = (
                await session.exec(
                    select(Message).where(Message.message_id == "m2.example@msss.example")
                )
            ).first()
            return row is not None and row.ticket_id is not None

    await eventually(attached)
    assert len(await tickets(store)) == 1
    async with store() as session:
        events = (await session.exec(select(TicketEvent.type))).all()
        reply_row = (
            await session.exec(
                select(Message).where(Message.message_id == "m2.example@msss.example")
            )
        ).one()
    assert "message_added" in events
    assert reply_row.thread_reason == "in_reply_to"
    await asyncio.sleep(0.5)
    assert len(outbox_files(migrated)) == 1  # follow-ups are not acknowledged again


async def test_same_file_twice_makes_one_ticket(
    service: str, migrated: Settings, store: Sessions
) -> None:
    raw = make_email()
    drop(migrated.inbox, "one.eml", raw)
    await eventually(lambda: (migrated.inbox / "done" / "one.eml").exists())
    drop(migrated.inbox, "one.eml", raw)
    await eventually(lambda: (migrated.inbox / "done" / "one.1.eml").exists())
    # same Message-ID, different bytes (delivered twice through two relays)
    drop(migrated.inbox, "two.eml", raw.replace(b"Merci!", b"Merci !"))
    await eventually(lambda: (migrated.inbox / "done" / "two.eml").exists())
    await asyncio.sleep(0.3)
    assert len(await tickets(store)) == 1
    assert len(outbox_files(migrated)) == 1


async def test_unknown_domain_gets_ticket_but_no_acknowledgement(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(
        migrated.inbox,
        "x.eml",
        make_email(sender="someone@example.net", message_id="<x@example.net>"),
    )
    await eventually(lambda: tickets(store))
    [ticket] = await tickets(store)
    assert ticket.organisation == "unknown"
    async with store() as session:
        events = (
            await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        ).all()
        queued = (await session.exec(select(Outbox))).all()
    assert {e.type for e in events} >= {"opened", "ack_withheld"}
    assert queued == []


async def test_english_message_gets_english_acknowledgement(
    service: str, migrated: Settings
) -> None:
    raw = make_email(
        sender="Pat Smith <pat.smith@saaq.example>",
        subject="Excel keeps crashing",
        body="Hi, Excel crashes every time I open the budget workbook since this morning. "
        "Can you please have a look? Thanks",
        message_id="<en@saaq.example>",
    )
    drop(migrated.inbox, "en.eml", raw)
    [ack_path] = await eventually(lambda: outbox_files(migrated))
    ack = read_mail(ack_path)
    assert "Acknowledgement" in ack["Subject"]
    text = ack.get_content()
    assert "We have received your message and opened ticket CSC-000001" in text
    assert "Service Desk hours: Monday to Friday" in text
    assert "keep [CSC-000001] in the subject" in text


async def test_header_injection_in_subject_and_name_stays_in_one_header(
    service: str, migrated: Settings
) -> None:
    raw = make_email(
        sender='"Evil\\r\\nBcc: victim@example.org" <jeanne.tremblay@msss.example>',
        subject="=?utf-8?q?Panne=0D=0ABcc=3A_victim=40example=2Eorg?=",
        message_id="<inj@msss.example>",
    )
    drop(migrated.inbox, "inj.eml", raw)
    [ack_path] = await eventually(lambda: outbox_files(migrated))
    ack = read_mail(ack_path)
    assert ack["Bcc"] is None
    assert "victim@example.org" not in [a.addr_spec for a in ack["To"].addresses]
    assert b"\nBcc:" not in ack_path.read_bytes()


async def test_empty_and_temporary_files(service: str, migrated: Settings, store: Sessions) -> None:
    drop(migrated.inbox, "empty.eml", b"")
    (migrated.inbox / "partial.eml.tmp").write_bytes(make_email())
    (migrated.inbox / ".hidden.eml").write_bytes(make_email())
    await eventually(lambda: (migrated.inbox / "failed" / "empty.eml").exists())
    await asyncio.sleep(0.3)
    assert (migrated.inbox / "partial.eml.tmp").exists()
    assert (migrated.inbox / ".hidden.eml").exists()
    assert await tickets(store) == []


async def test_colleague_reply_opens_its_own_ticket_and_out_of_office_attaches(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "first.eml", make_email())
    await eventually(lambda: outbox_files(migrated))
    # Marc is not on Jeanne's ticket (she did not copy him): his message is not attached to it
    # but opens his own ticket, marked with the one it named, for an agent to link.
    colleague = make_email(
        sender="Marc Roy <marc.roy@msss.example>",
        subject="TR: RE : [CSC-000001] Mon Outlook ne s'ouvre plus",
        body="J'ai le même problème sur le poste d'à côté.",
        message_id="<colleague@msss.example>",
    )
    away = make_email(
        subject="Réponse automatique : [CSC-000001] Accusé de réception",
        body="Je suis absente jusqu'au 2 décembre.",
        message_id="<ooo@msss.example>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    drop(migrated.inbox, "colleague.eml", colleague)
    drop(migrated.inbox, "away.eml", away)

    async def both_processed() -> bool:
        async with store() as session:
            rows = (await session.exec(select(Message).where(Message.direction == "in"))).all()
            return len(rows) == 3 and all(r.state != "received" for r in rows)

    await eventually(both_processed)
    async with store() as session:
        rows = {
            r.message_id: r
            for r in (await session.exec(select(Message).where(Message.direction == "in"))).all()
        }
        first, second = (await session.exec(select(Ticket).order_by(col(Ticket.id)))).all()
        marked = (
            await session.exec(select(TicketEvent.data).where(TicketEvent.type == "not_on_ticket"))
        ).all()
    assert rows["colleague@msss.example"].ticket_id == second.id
    assert rows["ooo@msss.example"].state == "automated"
    assert rows["ooo@msss.example"].ticket_id == first.id
    assert first.status == "new"
    assert marked == [{"claimed": "CSC-000001"}]
    # Marc's own ticket is acknowledged; the auto-reply is not
    await eventually(lambda: len(outbox_files(migrated)) == 2)
    await asyncio.sleep(0.3)
    assert len(outbox_files(migrated)) == 2


async def test_answer_to_own_first_message_threads_through_the_store(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "first.eml", make_email())
    await eventually(lambda: outbox_files(migrated))
    nudge = make_email(
        subject="Re: Mon Outlook ne s'ouvre plus",
        body="Des nouvelles?",
        message_id="<nudge@msss.example>",
        headers={"In-Reply-To": "<m1.example@msss.example>"},
    )
    drop(migrated.inbox, "nudge.eml", nudge)

    async def attached() -> str | None:
        async with store() as session:
            row = (
                await session.exec(
                    select(Message).where(Message.message_id == "nudge@msss.example")
                )
            ).first()
            return row.thread_reason if row is not None and row.ticket_id == 1 else None

    assert await eventually(attached) == "in_reply_to"
    assert len(await tickets(store)) == 1
