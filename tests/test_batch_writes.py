"""The batch write path: a storm is stored and dispatched with a few transactions per batch, and
one bad message still never blocks the others (issue 13). Commits are counted with SQLAlchemy's
own `commit` event on the real engine; nothing of ours is patched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import Parts, build
from bot.channels import consume
from bot.dispatch.opening import ticket_number
from bot.dispatch.service import Dispatcher
from bot.receive import store_raw
from bot.settings import Settings
from bot.store.models import Message, MessageState, Outbox, Ticket, TicketEvent
from bot.triager import LanguageOnlyTriager
from intake.folder import FolderSource
from intake.message import Channel, InboundMessage
from nlp import Triage, TriageInput
from nlp.labels import Kind
from tests.conftest import eventually
from tests.mail import drop, make_email


@pytest.fixture
async def parts(migrated: Settings) -> AsyncIterator[Parts]:
    made = await build(migrated, triager=LanguageOnlyTriager())
    yield made
    await made.engine.dispose()


def count_commits(parts: Parts) -> Callable[[], int]:
    commits: list[int] = []

    def counted(_connection: Any) -> None:
        commits.append(1)

    event.listen(parts.engine.sync_engine, "commit", counted)
    return lambda: len(commits)


def mail(index: int, subject: str = "Mon Outlook ne s'ouvre plus") -> bytes:
    return make_email(
        sender=f"Personne {index} <personne{index}@msss.example>",
        subject=f"{subject} ({index})",
        message_id=f"<batch{index}@msss.example>",
    )


async def receive(parts: Parts, raws: list[bytes]) -> None:
    for index, raw in enumerate(raws):
        inbound = InboundMessage(Channel.EMAIL, raw, datetime.now(UTC), "test", str(index))
        await store_raw(parts.sessions, inbound)


async def test_a_batch_is_dispatched_in_one_transaction(parts: Parts) -> None:
    await receive(parts, [mail(i) for i in range(20)])
    commits = count_commits(parts)
    assert await parts.dispatcher.process_pending() == 20
    assert commits() <= 2  # the batch's writes (and, at most, one read-only session)
    async with parts.sessions() as session:
        assert len((await session.exec(select(Ticket))).all()) == 20
        assert len((await session.exec(select(Outbox))).all()) == 20
        states = (await session.exec(select(Message.state))).all()
    assert set(states) == {MessageState.PROCESSED}


class Poison:
    """An opened-ticket hook that fails on one subject: a bug that strikes one message."""

    async def opened(
        self, session: AsyncSession, ticket: Ticket, author: str, now: datetime
    ) -> bool:
        if "poison" in ticket.subject:
            raise RuntimeError("this hook cannot handle that ticket")
        return False


async def test_one_failing_message_never_blocks_its_batch(parts: Parts) -> None:
    dispatcher = Dispatcher(
        parts.sessions,
        directory=parts.directory,
        domain="guichet.example",
        triager=LanguageOnlyTriager(),
        now=lambda: datetime.now(UTC),
        on_opened=[Poison()],
    )
    raws = [mail(i) for i in range(4)] + [mail(9, subject="poison")]
    await receive(parts, raws)
    assert await dispatcher.process_pending() == 5
    async with parts.sessions() as session:
        tickets = (await session.exec(select(Ticket))).all()
        bad = (
            await session.exec(select(Message).where(col(Message.subject).contains("poison")))
        ).all()
        kinds = await session.exec(select(Message.error_kind).where(Message.direction == "in"))
        errors = [k for k in kinds.all() if k]
    assert sorted(t.subject for t in tickets) == sorted(
        f"Mon Outlook ne s'ouvre plus ({i})" for i in range(4)
    )
    assert errors == ["processing_error"]
    assert bad == [] or all(m.ticket_id is None for m in bad)
    assert await dispatcher.process_pending() == 0  # nothing left behind, nothing retried


async def test_a_folder_storm_is_stored_in_few_transactions(
    migrated: Settings, parts: Parts
) -> None:
    raws = [mail(i) for i in range(60)]
    for index, raw in enumerate(raws):
        drop(migrated.inbox, f"{index:03d}.eml", raw)
    drop(migrated.inbox, "twin.eml", raws[0])  # the same bytes again, in the same batch
    commits = count_commits(parts)
    source = FolderSource(migrated.inbox, poll_seconds=0.05)
    woken: list[int] = []
    task = asyncio.create_task(
        consume(source, parts.sessions, lambda: woken.append(1), max_bytes=1 << 20)
    )
    try:
        await eventually(lambda: len(list((migrated.inbox / "done").glob("*.eml"))) == 61)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    async with parts.sessions() as session:
        stored = (await session.exec(select(Message.message_id))).all()
    assert sorted(m or "" for m in stored) == sorted(f"batch{i}@msss.example" for i in range(60))
    assert commits() <= 10  # a few batches, never one commit per file
    assert woken


async def test_a_batch_costs_the_same_statements_whatever_its_size(parts: Parts) -> None:
    """Tickets, their log entries and acknowledgements go in with one statement per table and
    batch: ten times the messages, not ten times the round trips."""
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(args[2])

    costs = []
    for size, first in ((6, 0), (60, 100)):
        await receive(parts, [mail(first + i) for i in range(size)])
        statements.clear()
        event.listen(parts.engine.sync_engine, "before_cursor_execute", counted)
        try:
            assert await parts.dispatcher.process_pending() == size
        finally:
            event.remove(parts.engine.sync_engine, "before_cursor_execute", counted)
        costs.append(len(statements))
    async with parts.sessions() as session:
        tickets = (await session.exec(select(Ticket))).all()
        acks = (await session.exec(select(Outbox))).all()
        events = (await session.exec(select(TicketEvent))).all()
    assert len(tickets) == len(acks) == 66
    assert sorted(t.number or "" for t in tickets) == sorted(
        ticket_number(t.id or 0) for t in tickets
    )
    assert {e.ticket_id for e in events if e.type == "opened"} == {t.id for t in tickets}
    assert costs[1] <= costs[0] + 2, costs


async def test_each_message_row_says_what_it_became_in_one_update(parts: Parts) -> None:
    """The batch's messages are written back with one statement: who sent each, its subject and
    text, the ticket it opened, processed, and no lease left on it."""
    await receive(parts, [mail(i) for i in range(30)])
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(args[2])

    event.listen(parts.engine.sync_engine, "before_cursor_execute", counted)
    try:
        assert await parts.dispatcher.process_pending() == 30
    finally:
        event.remove(parts.engine.sync_engine, "before_cursor_execute", counted)
    assert sum(1 for s in statements if s.startswith("UPDATE message SET state=")) == 1
    async with parts.sessions() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
        numbers = {t.id: t.number for t in (await session.exec(select(Ticket))).all()}
    assert len(rows) == 30
    for index, row in enumerate(rows):
        assert row.state == MessageState.PROCESSED
        assert row.sender == f"personne{index}@msss.example"
        assert row.subject == f"Mon Outlook ne s'ouvre plus ({index})"
        assert row.body.strip() and row.ticket_id in numbers
        assert row.lease_owner is None and row.lease_until is None
    assert len({row.ticket_id for row in rows}) == 30


class HeldTriager(LanguageOnlyTriager):
    """The fake triager, held until released: a dispatcher caught in the middle of a batch."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.go = asyncio.Event()

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        self.started.set()
        await self.go.wait()
        return await super().triage(items)


async def test_a_dispatcher_stopped_mid_batch_hands_its_messages_back(parts: Parts) -> None:
    """Its batch was leased (another worker would pass over it); stopped before the commit, it
    hands the lease back, and the next dispatcher takes the messages at once."""
    held = HeldTriager()
    first = Dispatcher(
        parts.sessions,
        directory=parts.directory,
        domain="guichet.example",
        triager=held,
        now=lambda: datetime.now(UTC),
    )
    await receive(parts, [mail(i) for i in range(5)])
    batch = asyncio.create_task(first.process_pending())
    await asyncio.wait_for(held.started.wait(), 20)
    async with parts.sessions() as session:
        owners = (await session.exec(select(Message.lease_owner))).all()
    assert len(set(owners)) == 1 and None not in owners  # leased, all to the first
    assert await parts.dispatcher.process_pending() == 0  # a second one passes over them
    batch.cancel()
    with pytest.raises(asyncio.CancelledError):
        await batch
    async with parts.sessions() as session:
        owners = (await session.exec(select(Message.lease_owner))).all()
    assert owners == [None] * 5
    assert await parts.dispatcher.process_pending() == 5
    async with parts.sessions() as session:
        assert len((await session.exec(select(Ticket))).all()) == 5


class StatusTriager(LanguageOnlyTriager):
    """Reads a message whose subject says `Suivi` as a status question, the rest as incidents."""

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        found = await super().triage(items)
        return [
            replace(t, kind=Kind.STATUS if i.subject.startswith("Suivi") else Kind.INCIDENT)
            for t, i in zip(found, items, strict=True)
        ]


async def test_status_questions_of_one_batch_each_get_their_own_tickets_only(
    migrated: Settings,
) -> None:
    """Many "where do my tickets stand?" in one batch are read together (issue 13), and each
    person is told of their own tickets, never of another's (one batch, one query)."""
    parts = await build(migrated, triager=StatusTriager())
    try:
        people = {"alice": 2, "bruno": 1}
        opening = [
            make_email(
                sender=f"{who} <{who}@msss.example>",
                subject=f"Outlook en panne {n}",
                message_id=f"<open-{who}-{n}@msss.example>",
            )
            for who, count in people.items()
            for n in range(count)
        ]
        await receive(parts, opening)
        assert await parts.dispatcher.process_pending() == 3
        asking = [
            make_email(
                sender=f"{who} <{who}@msss.example>",
                subject="Suivi",
                body="Bonjour, où en sont mes demandes?",
                message_id=f"<ask-{who}@msss.example>",
            )
            for who in ("alice", "bruno", "chloe")
        ]
        await receive(parts, asking)
        assert await parts.dispatcher.process_pending() == 3
        async with parts.sessions() as session:
            tickets = (await session.exec(select(Ticket).order_by(col(Ticket.id)))).all()
            answers = (await session.exec(select(Outbox).where(col(Outbox.kind) == "answer"))).all()
        assert len(tickets) == 3  # the questions opened none
        own = {"alice": [t.number for t in tickets[:2]], "bruno": [tickets[2].number]}
        told = {a.recipient.split("@")[0]: a.payload["text"] for a in answers}
        assert set(told) == {"alice", "bruno", "chloe"}
        for who, numbers in own.items():
            for ticket in tickets:
                assert (ticket.number in told[who]) == (ticket.number in numbers), who
        assert "aucun billet ouvert" in told["chloe"]
    finally:
        await parts.engine.dispose()


async def test_plain_acknowledgements_wait_for_one_insert_unless_their_person_is_answered(
    migrated: Settings,
) -> None:
    """Follow-ups among new tickets in one batch: the plain acknowledgements are not inserted
    before each follow-up (each was a round trip on the store's one connection), yet a person
    answered after their own acknowledgement in the same batch gets the two in that order."""
    parts = await build(migrated, triager=StatusTriager())
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split()))

    try:
        await receive(
            parts,
            [
                make_email(
                    sender=f"P{i} <p{i}@msss.example>",
                    subject=f"Outlook en panne {i}",
                    message_id=f"<open{i}@msss.example>",
                )
                for i in range(4)
            ],
        )
        assert await parts.dispatcher.process_pending() == 4
        async with parts.sessions() as session:
            opened = (await session.exec(select(Ticket).order_by(col(Ticket.id)))).all()
        asked = "Bonjour, où en sont mes demandes?"
        batch = [
            make_email(
                sender="Chloé <chloe@msss.example>", subject="Suivi", body=asked, message_id="<c@x>"
            )
        ]
        for i, ticket in enumerate(opened):
            batch.append(mail(100 + i))  # a new ticket: a plain acknowledgement
            batch.append(  # a follow-up from someone with no acknowledgement pending
                make_email(
                    sender=f"P{i} <p{i}@msss.example>",
                    subject=f"RE: [{ticket.number}] Outlook en panne {i}",
                    body="Toujours en panne, merci.",
                    message_id=f"<again{i}@msss.example>",
                )
            )
        batch.append(mail(7))  # personne7: acknowledged, then answered in the same batch
        batch.append(
            make_email(
                sender="P7 <personne7@msss.example>",
                subject="Suivi",
                body=asked,
                message_id="<s@x>",
            )
        )
        batch.append(mail(200))
        await receive(parts, batch)
        event.listen(parts.engine.sync_engine, "before_cursor_execute", counted)
        try:
            assert await parts.dispatcher.process_pending() == len(batch)
        finally:
            event.remove(parts.engine.sync_engine, "before_cursor_execute", counted)
        async with parts.sessions() as session:
            followed = (
                await session.exec(
                    select(Message.ticket_id).where(col(Message.message_id).startswith("again"))
                )
            ).all()
            rows = (
                await session.exec(
                    select(Outbox).where(Outbox.recipient == "personne7@msss.example")
                )
            ).all()
    finally:
        await parts.engine.dispose()
    assert sorted(followed) == sorted(t.id for t in opened)  # each joined its ticket
    assert [r.kind for r in sorted(rows, key=lambda r: r.id or 0)] == ["ack", "answer"]
    inserts = [s for s in statements if s.startswith("INSERT INTO outbox")]
    assert len(inserts) <= 4, inserts  # not one more per follow-up
