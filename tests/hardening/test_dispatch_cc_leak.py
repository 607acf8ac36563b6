"""Issue #14, item 2: a stranger cannot make himself a viewer of someone else's ticket.

The attack, end to end through the real service (mail dropped in its inbox folder, answers
read from a real SMTP server): a stranger answers `[CSC-000001]` with himself in Cc, then asks
where CSC-000001 stands. He must learn nothing: the same text as for a number that does not
exist. A person the requester herself put in copy still follows the ticket.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.settings import Settings
from bot.status import unknown_answer
from bot.store.db import Sessions
from bot.store.models import Message
from tests.answers_helpers import Desk, running, text_of
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer

JEANNE = "Jeanne Tremblay <jeanne.tremblay@msss.example>"
VICTOR = "Victor Intrus <victor@mcn.example>"
MARC = "Marc Roy <marc.roy@msss.example>"
SUBJECT = "Mon Outlook ne s'ouvre plus"


@pytest.fixture
async def desk(migrated: Settings, smtp_server: SmtpServer, store: Sessions) -> AsyncIterator[Desk]:
    async with running(migrated, smtp_server, store) as desk:
        yield desk


def send(desk: Desk, name: str, sender: str, subject: str, body: str, **headers: str) -> str:
    """Drop one email with extra headers (Cc…); return its Message-ID without brackets."""
    domain = sender.rsplit("@", 1)[1].rstrip(">")
    message_id = f"{name}@{domain}"
    raw = make_email(
        sender=sender,
        subject=subject,
        body=body,
        message_id=f"<{message_id}>",
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    )
    drop(desk.settings.inbox, f"{name}.eml", raw)
    return message_id


async def processed(desk: Desk, message_id: str) -> bool:
    async with desk.store() as session:
        query = select(Message.state).where(Message.message_id == message_id)
        return (await session.exec(query)).first() not in (None, "received")


async def test_follow_up_with_cc_from_a_stranger_reveals_nothing(desk: Desk) -> None:
    first = send(desk, "jeanne1", JEANNE, SUBJECT, "Depuis ce matin Outlook plante au démarrage.")
    ack = await desk.answer_to(first)
    assert "[CSC-000001]" in ack["Subject"]

    # The attack: a follow-up with himself in copy, then the status question.
    intrusion = send(
        desk,
        "victor1",
        VICTOR,
        f"RE: [CSC-000001] {SUBJECT}",
        "Je confirme, même problème ici.",
        Cc="victor@mcn.example",
    )
    await eventually(lambda: processed(desk, intrusion))
    asked = send(desk, "victor2", VICTOR, "où en est CSC-000001 ?", "Où en est CSC-000001 ?")
    in_thread = send(
        desk,
        "victor3",
        VICTOR,
        f"RE: [CSC-000001] {SUBJECT}",
        "Des nouvelles ? Où en est le billet ?",
        Cc="victor@mcn.example",
        In_Reply_To=str(ack["Message-ID"]),
    )
    missing = send(desk, "victor4", VICTOR, "où en est CSC-000999 ?", "Où en est CSC-000999 ?")

    told = text_of(await desk.answer_to(asked)).strip()
    told_in_thread = text_of(await desk.answer_to(in_thread)).strip()
    told_missing = text_of(await desk.answer_to(missing)).strip()
    assert told == unknown_answer("CSC-000001", "fr")
    assert told.replace("CSC-000001", "CSC-000999") == told_missing
    assert told_in_thread == told
    assert "Outlook" not in told + told_in_thread

    # His follow-up was not attached to Jeanne's ticket: it opened his own, marked for agents.
    assert (await desk.message(intrusion)).ticket_id != 1
    assert (await desk.message(in_thread)).ticket_id is None  # a status question opens none
    assert await desk.events("CSC-000001", "message_added") == []
    assert await desk.events("CSC-000002", "not_on_ticket") == [{"claimed": "CSC-000001"}]
    assert (await desk.ticket("CSC-000002")).organisation == "mcn"
    assert "[CSC-000002]" in (await desk.answer_to(intrusion))["Subject"]


async def test_a_person_the_requester_put_in_copy_still_follows_the_ticket(desk: Desk) -> None:
    first = send(
        desk,
        "jeanne2",
        JEANNE,
        SUBJECT,
        "Depuis ce matin Outlook plante au démarrage.",
        Cc="Marc Roy <marc.roy@msss.example>",
    )
    ack = await desk.answer_to(first)
    added = send(
        desk,
        "marc1",
        MARC,
        f"RE: {ack['Subject']}",
        "J'ai le même message d'erreur sur mon poste.",
        In_Reply_To=str(ack["Message-ID"]),
    )
    asked = send(desk, "marc2", MARC, "où en est CSC-000001 ?", "Où en est CSC-000001 ?")
    told = text_of(await desk.answer_to(asked))
    assert f"CSC-000001 « {SUBJECT} »" in told
    assert (await desk.message(added)).ticket_id == 1
    assert [t.number for t in await desk.tickets()] == ["CSC-000001"]
