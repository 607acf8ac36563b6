"""Issue #14, operator trust: the acknowledgement says what a person needs, and the operator log
says when a ticket opens and whether it was acknowledged (or why not).

The acknowledgement gives the ticket number, the proposed priority in words, the target
instant for a first answer by a person (from the service-level policy, in Toronto time), the
centre's hours, the status page when a public URL is set, and how to add information. Through
the real service (mail dropped in its inbox, read back from a real SMTP server; Slack through
the recording fake Web API).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from bot.sla.policy import build_calendars, load_policy
from bot.store.db import Sessions
from bot.store.models import Suppression
from tests.answers_helpers import Desk, running, text_of
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer
from tests.slack.conftest import fake  # noqa: F401  (fixture)
from tests.slack.payloads import message
from tests.slack.service import Service, service  # noqa: F401  (fixture)

TORONTO = ZoneInfo("America/Toronto")
PRINTER = "L'imprimante du 2e étage n'imprime plus rien depuis ce matin, pour tout l'étage."
WORDS = {
    "fr": {"P1": "critique", "P2": "élevée", "P3": "modérée", "P4": "faible", "P5": "planifiée"},
    "en": {"P1": "critical", "P2": "high", "P3": "moderate", "P4": "low", "P5": "planned"},
}
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


@pytest.fixture
async def desk(
    migrated: Settings, smtp_server: SmtpServer, store: Sessions, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Desk]:
    caplog.set_level(logging.INFO, logger="bot")
    settings = migrated.model_copy(update={"public_url": "https://guichet.example/"})
    async with running(settings, smtp_server, store) as desk:
        yield desk


def first_answer_due(opened: datetime) -> datetime:
    """The policy's target for a first answer by a person, shown to the minute (rounded up)."""
    policy = load_policy()
    calendar = build_calendars(policy)[policy.answer.calendar]
    due = calendar.add_business_seconds(opened, policy.answer.seconds).astimezone(TORONTO)
    if due.second or due.microsecond:
        due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return due


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("bot.dispatch")]


async def test_french_acknowledgement_says_what_a_person_needs(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    sent = desk.send(PRINTER, subject="Imprimante du 2e")
    ack = await desk.answer_to(sent)
    text = " ".join(text_of(ack).split())
    [ticket] = await desk.tickets()
    assert ticket.severity is not None
    assert f"Priorité proposée : {ticket.severity[1]} — {WORDS['fr'][ticket.severity]}" in text
    due = first_answer_due(ticket.created_at)
    month = MONTHS_FR.split()[due.month - 1]
    clock = f"{due.hour} h {due.minute:02d}" if due.minute else f"{due.hour} h"
    assert f"{due.day} {month} {due.year} à {clock}" in text
    assert "heure de l'Est" in text
    assert "du lundi au vendredi, de 7 h 30 à 17 h" in text
    assert "https://guichet.example/status" in text
    assert "en gardant [CSC-000001] dans l'objet" in text

    assert any(
        line.startswith("ticket CSC-000001 opened: channel email, organisation msss, proposed")
        and f"severity {ticket.severity}" in line
        and f"team {ticket.team}" in line
        for line in lines(caplog)
    )
    assert "acknowledgement queued for CSC-000001 (email)" in lines(caplog)
    assert not [line for line in lines(caplog) if "@" in line or PRINTER in line]


async def test_english_acknowledgement(desk: Desk) -> None:
    sent = desk.send(
        "Hi, the printer on the 2nd floor stopped printing this morning for the whole floor.",
        sender="Pat Smith <pat.smith@saaq.example>",
        subject="Printer down",
    )
    text = " ".join(text_of(await desk.answer_to(sent)).split())
    [ticket] = await desk.tickets()
    assert ticket.language == "en" and ticket.severity is not None
    assert f"Proposed priority: {ticket.severity[1]} — {WORDS['en'][ticket.severity]}" in text
    due = first_answer_due(ticket.created_at)
    assert f"{due:%B} {due.day}, {due.year}" in text and "Eastern time" in text
    assert "Monday to Friday, 7:30 AM to 5:00 PM" in text
    assert "keep [CSC-000001] in the subject" in text


async def test_withheld_acknowledgements_are_logged_with_their_reason(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    async with desk.store() as session:
        session.add(
            Suppression(
                address="marc.roy@msss.example",
                until=datetime.now(TORONTO) + timedelta(days=3),
                reason="hard bounce 5.1.1",
            )
        )
        await session.commit()
    desk.send(PRINTER, sender="Quelqu'un <someone@example.net>", subject="Imprimante")
    desk.send(PRINTER, sender="Marc Roy <marc.roy@msss.example>", subject="Imprimante")
    away = make_email(
        subject="Réponse automatique : Imprimante",
        body="Je suis absente jusqu'au 2 décembre.",
        message_id="<ooo@msss.example>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    drop(desk.settings.inbox, "away.eml", away)

    def logged() -> list[str]:
        return [line for line in lines(caplog) if line.startswith("no acknowledgement")]

    await eventually(lambda: len(logged()) == 3)
    # The folder is read in any order: numbers aside, one line per reason.
    assert sorted(re.sub(r"\d+", "N", line) for line in logged()) == [
        "no acknowledgement for CSC-N: suppressed address",
        "no acknowledgement for CSC-N: the sender's domain is not a client organisation",
        "no acknowledgement: automated mail (out_of_office), message N",
    ]
    await asyncio.sleep(0.5)
    assert desk.mails() == []


async def test_chat_acknowledgement_in_the_thread(service: Service) -> None:  # noqa: F811
    text = "L'imprimante du 2e étage n'imprime plus rien depuis ce matin, pour tout l'étage."
    await service.event(message(text, ts="1700000100.000100"), "Ev1")
    [ack] = await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    assert ticket.severity is not None
    said = " ".join(ack["text"].split())
    assert f"*{ticket.number}*" in said
    assert f"priorité proposée : {ticket.severity[1]} — {WORDS['fr'][ticket.severity]}" in said
    assert "heure de l'Est" in said
    assert "répondez dans ce fil" in said
