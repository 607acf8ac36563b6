"""Issue #14, item 4: one oversized message no longer removes triage from its whole batch.

spaCy refuses a text over 1,000,000 characters; a 2 MB subject made the whole batch of 64
raise, and all 64 tickets opened without a proposal. Subject and body are now capped before
triage, and a failure on one text fails that text only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.receive import store_raw
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.triager import ThreadTriager
from intake.message import Channel, InboundMessage
from nlp import TriageInput
from nlp.clean import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, compose
from tests.conftest import eventually, running_service

HUGE = "imprimante bloquée au bureau " * 72_000  # about 2 MB, twice spaCy's limit
BIG = 17
"""Where the oversized message sits in the batch."""


def inputs() -> list[TriageInput]:
    items = [
        TriageInput(f"Imprimante {i} en panne", f"Bonjour, l'imprimante {i} ne fonctionne plus.")
        for i in range(64)
    ]
    items[BIG] = TriageInput(HUGE, "Bonjour, l'imprimante ne fonctionne plus.")
    items[BIG + 1] = TriageInput("Outlook plante", HUGE)
    return items


def test_the_triaged_text_is_capped() -> None:
    assert len(compose(HUGE, HUGE)) <= MAX_SUBJECT_CHARS + 1 + MAX_BODY_CHARS
    assert MAX_SUBJECT_CHARS + MAX_BODY_CHARS < 1_000_000


async def test_a_huge_subject_does_not_remove_triage_from_the_batch() -> None:
    triager = ThreadTriager()
    try:
        found = await triager.triage(inputs())
    finally:
        triager.close()
    assert len(found) == 64
    assert all(t is not None and t.kind is not None for t in found), [
        i for i, t in enumerate(found) if t is None or t.kind is None
    ]


async def test_a_text_that_fails_fails_alone() -> None:
    items = inputs()
    # Not text at all (no caller sends this; it stands for any input the model chokes on).
    items[5] = TriageInput(None, "Bonjour")  # type: ignore[arg-type]
    triager = ThreadTriager()
    try:
        found = await triager.triage(items)
    finally:
        triager.close()
    assert len(found) == 64
    assert found[5] is None
    assert all(t is not None and t.kind is not None for i, t in enumerate(found) if i != 5)


def raw_mail(i: int, subject: str) -> bytes:
    words = subject.split(" ")
    lines = [" ".join(words[j : j + 8]) for j in range(0, len(words), 8)]
    head = (
        f"From: Agent {i} <agent{i}@msss.example>\r\n"
        "To: csc@itq.example\r\n"
        f"Message-ID: <big{i}@msss.example>\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 -0500\r\n"
        "Subject: " + "\r\n ".join(lines) + "\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    body = f"Bonjour, l'imprimante du poste {i} ne fonctionne plus depuis ce matin.\r\n"
    return (head + body).encode()


@pytest.fixture
async def service(migrated: Settings, store: Sessions) -> AsyncIterator[str]:
    # The 64 messages are stored before the service starts, so they are read as one batch.
    now = datetime.now(UTC)
    for i in range(64):
        subject = HUGE if i == BIG else f"Imprimante {i} en panne"
        inbound = InboundMessage(Channel.EMAIL, raw_mail(i, subject), now, "test", f"m{i}")
        await store_raw(store, inbound)
    async with running_service(migrated) as url:
        yield url


async def test_the_service_triages_a_batch_with_a_huge_subject(
    service: str, store: Sessions
) -> None:
    async def opened() -> list[Ticket] | None:
        async with store() as session:
            rows = list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())
        return rows if len(rows) == 64 else None

    tickets = await eventually(opened, timeout=120)
    without = [t.number for t in tickets if t.triage is None]
    assert without == []
