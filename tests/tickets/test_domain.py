"""The ticket domain's types: one number format of any width, one log writer with the allowed
status transitions, outbox rows that say whom they are for, label columns the store checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import col, select

from bot.dispatch.replies import fill_reply_targets
from bot.settings import Settings
from bot.status import ticket_numbers
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Ticket, TicketEvent
from bot.tickets import Language, Status, TicketNumber, language_of
from bot.tickets.errors import TicketRuleError
from bot.tickets.log import ALLOWED, EventType, move, record
from bot.tickets.outbox import Audience, NoticeKind
from bot.tickets.reply import reply_target
from bot.tickets.reply_to import ReplyTo
from intake.message import Channel
from tests.conftest import eventually, running_service
from tests.mail import drop, make_email
from tests.sla.builders import add_ticket

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def test_one_format_of_any_width() -> None:
    assert str(TicketNumber(123)) == "CSC-000123"
    assert str(TicketNumber(1_000_000)) == "CSC-1000000"
    assert TicketNumber.parse(" csc-12 ") == TicketNumber.parse("CSC12") == TicketNumber(12)
    assert TicketNumber.parse("CSC-1000000") == TicketNumber(1_000_000)
    for bad in ("CSC-", "CSC-0", "ABC-123", "CSC-1234567890123", "CSC-12a", ""):
        assert TicketNumber.of(bad) is None
    with pytest.raises(ValueError, match="CSC-000123"):
        TicketNumber.parse("billet 12")


def test_numbers_in_text_once_each_in_order() -> None:
    text = "Suivi de CSC-1000001, csc-12 et CSC-000012 (pas csc 12 ni XCSC-5)"
    assert ticket_numbers(text) == ["CSC-1000001", "CSC-000012"]


def test_language_falls_back_to_french() -> None:
    assert [language_of(v) for v in ("en", "en-CA", "EN_us", "fr", "es", "", None)] == [
        Language.EN,
        Language.EN,
        Language.EN,
        Language.FR,
        Language.FR,
        Language.FR,
        Language.FR,
    ]


def test_the_workflow() -> None:
    assert all(Status.NEW not in targets for targets in ALLOWED.values())
    assert ALLOWED[Status.CLOSED] == {Status.OPEN}
    assert Status.OPEN in ALLOWED[Status.RESOLVED] and Status.CLOSED in ALLOWED[Status.RESOLVED]
    assert set(ALLOWED) == set(Status)


def test_every_notice_has_an_audience() -> None:
    staff = {k for k in NoticeKind if k.audience is Audience.STAFF}
    public = {k for k in NoticeKind if k.audience is Audience.PUBLIC}
    assert staff == {NoticeKind.CARD, NoticeKind.SLA_WARNING, NoticeKind.REPORT, NoticeKind.BURST}
    assert public == {NoticeKind.OUTAGE_BROADCAST}
    assert NoticeKind.ACK.audience is Audience.REQUESTER


def test_reply_target_round_trip() -> None:
    reply = ReplyTo(Channel.EMAIL, "lea@msss.example", "Léa", "<a@x.example>", ("<r@x.example>",))
    assert ReplyTo.from_json(reply.to_json()) == reply
    with pytest.raises((KeyError, ValueError)):
        ReplyTo.from_json({"channel": "pigeon", "address": "x"})


async def test_one_writer_logs_moves_and_refuses(store: Sessions) -> None:
    number = await add_ticket(store, NOW, status="open")
    async with store() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        assert move(session, ticket, Status.RESOLVED, "ana", NOW)
        assert not move(session, ticket, Status.RESOLVED, "ana", NOW)  # already there
        assert move(session, ticket, Status.CLOSED, "ana", NOW)
        with pytest.raises(TicketRuleError) as refused:
            move(session, ticket, Status.IN_PROGRESS, "ana", NOW)
        assert refused.value.render("en") == f"{number}: cannot go from closed to in_progress"
        record(session, ticket, NOW, EventType.ASSIGNED, "ana", **{"from": None, "to": Status.NEW})
        await session.commit()
        rows = (
            await session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(col(TicketEvent.id))
            )
        ).all()
    moves = [(r.data["from"], r.data["to"]) for r in rows if r.type == "status_changed"]
    assert moves == [("open", "resolved"), ("resolved", "closed")]
    assert rows[-1].data == {"from": None, "to": "new"}  # enums stored by value


async def test_the_store_refuses_a_label_outside_its_type(store: Sessions) -> None:
    number = await add_ticket(store, NOW)
    async with store() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        ticket.team = "reseau"  # type: ignore[assignment]
        with pytest.raises(StatementError):
            await session.commit()
    async with store() as session:
        with pytest.raises(IntegrityError):  # the CHECK constraint, below the ORM
            await session.exec(text("UPDATE ticket SET severity = 'P9'"))  # type: ignore[call-overload]
            await session.commit()


async def test_the_reply_target_is_read_from_the_ticket_not_the_message(store: Sessions) -> None:
    number = await add_ticket(store, NOW)  # no inbound message at all
    reply = ReplyTo(Channel.SLACK, "D1", "Léa", thread="1700000500.000100")
    async with store() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        assert reply_target(ticket) is None
        ticket.reply_to = reply.to_json()
        assert reply_target(ticket) == reply


async def test_tickets_from_before_0007_get_their_reply_target_once(migrated: Settings) -> None:
    drop(migrated.inbox, "a.eml", make_email())
    async with running_service(migrated):
        [ticket] = await eventually(_tickets(migrated))
    stored = ticket.reply_to
    assert stored is not None and stored["address"] == "jeanne.tremblay@msss.example"
    engine = create_engine(migrated.sqlalchemy_url)
    store = sessions(engine)
    try:
        async with store() as session:  # as migration 0007 leaves an older ticket
            await session.exec(text("UPDATE ticket SET reply_to = NULL"))  # type: ignore[call-overload]
            await session.commit()
        assert await fill_reply_targets(store) == 1
        assert await fill_reply_targets(store) == 0
        async with store() as session:
            [again] = (await session.exec(select(Ticket))).all()
        assert again.reply_to == stored
    finally:
        await engine.dispose()


def _tickets(settings: Settings) -> Callable[[], Awaitable[list[Ticket]]]:
    async def probe() -> list[Ticket]:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                return list((await session.exec(select(Ticket))).all())
        finally:
            await engine.dispose()

    return probe
