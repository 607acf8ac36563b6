"""Agent actions append the log entries the clocks read; `sla show` prints them from the store."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.settings import Settings
from bot.sla.clock import ClockState
from bot.sla.events import escalated, severity_decision
from bot.sla.show import show_ticket
from bot.sla.store import load_logs
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Ticket, TicketEvent
from bot.tickets.actions import confirm_proposal, record_answer, set_level, set_severity, set_status
from bot.tickets.errors import TicketRuleError
from nlp.labels import Kind, Level, Severity

from .builders import add_ticket
from .helpers import CALENDARS, HOUR, POLICY, t

MONDAY = t("2026-02-02T08:30:00-05:00")


async def ticket(store: Sessions, number: str) -> tuple[Sessions, Ticket]:
    async with store() as session:
        found = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
    return store, found


async def test_actions_write_the_vocabulary(store: Sessions) -> None:
    number = await add_ticket(store, MONDAY, severity="P4", status="new", level="N1")
    async with store() as session:
        row = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        await confirm_proposal(session, row, "ana", MONDAY + timedelta(minutes=2))
        await record_answer(session, row, True, MONDAY + timedelta(minutes=3), actor="ana")
        assert await set_status(session, row, "waiting_on_user", "ana", MONDAY + timedelta(hours=1))
        assert not await set_status(
            session, row, "waiting_on_user", "ana", MONDAY + timedelta(hours=1)
        )
        await set_status(session, row, "in_progress", "ana", MONDAY + timedelta(hours=2))
        await set_severity(session, row, Severity.P3, "bob", MONDAY + timedelta(hours=2))
        assert await set_level(session, row, Level.N2, "bob", MONDAY + timedelta(hours=2))
        await session.commit()
        assert (row.status, row.severity, row.level) == ("in_progress", "P3", "N2")
        with pytest.raises(ValueError):
            await set_status(session, row, "nonsense", "ana", MONDAY)
        assert row.id is not None
        logs = await load_logs(session, [row.id])
        types = (await session.exec(select(TicketEvent.type).order_by(col(TicketEvent.id)))).all()
    assert types == [
        "opened",
        "proposed",
        "severity_set",
        "status_changed",
        "agent_reply",
        "status_changed",
        "status_changed",
        "severity_set",
        "level_set",
    ]
    log = logs[row.id]
    assert severity_decision(log.events) == "confirmed"
    assert escalated(log.events)
    clocks = log.clocks(POLICY, CALENDARS, MONDAY + timedelta(hours=4))
    assert clocks is not None
    assert clocks.severity is Severity.P3 and clocks.state is ClockState.RUNNING
    assert clocks.elapsed_seconds == 3 * HOUR and clocks.paused_seconds == 1 * HOUR
    assert clocks.first_person_answer_seconds == 180


async def test_a_request_takes_no_severity(store: Sessions) -> None:
    number = await add_ticket(store, MONDAY, kind="request", severity=None)
    async with store() as session:
        row = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        with pytest.raises(TicketRuleError) as refused:
            await set_severity(session, row, Severity.P2, "ana", MONDAY)
        assert refused.value.render("fr") == (
            "un billet de type « request » n'a pas de priorité ; reclassez-le d'abord en incident"
        )
        await set_severity(session, row, Severity.P2, "ana", MONDAY, kind=Kind.INCIDENT)
        assert row.kind == "incident"


def test_sla_show_prints_the_clocks(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))

    async def fill() -> str:
        engine = create_engine(migrated.sqlalchemy_url)
        try:
            return await add_ticket(
                sessions(engine),
                MONDAY,
                ack_sent=MONDAY + timedelta(seconds=3),
                events=[(MONDAY + timedelta(hours=6), "sla_warning", {"threshold": 50})],
            )
        finally:
            await engine.dispose()

    number = asyncio.run(fill())
    out, err = io.StringIO(), io.StringIO()
    at = t("2026-02-02T14:30:00-05:00")
    assert show_ticket(number.lower(), at=at, out=out, err=err) == 0, err.getvalue()
    text = out.getvalue()
    assert f"{number}  incident P3" in text
    assert "budget        10 h 00 min" in text
    assert "elapsed       6 h 00 min" in text
    assert "due           2026-02-03 10:30" in text
    assert "state         running" in text
    assert "first, any    3 s" in text and "met" in text
    assert "Warnings sent   50 %" in text
    assert show_ticket("CSC-999999", out=out, err=err) == 1
    assert "no ticket CSC-999999" in err.getvalue()
