"""The SLA watcher on a real migrated store: each threshold once, only while the calendar is open."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, timedelta

from sqlmodel import col, select

from bot.outbox_queue import from_payload
from bot.sla.teams import load_teams
from bot.sla.watcher import SlaWatcher
from bot.store.db import Sessions
from bot.store.models import Outbox, TicketEvent
from tests.conftest import eventually

from .builders import add_ticket
from .helpers import CALENDARS, POLICY, t

MONDAY = t("2026-02-02T08:30:00-05:00")


def watcher(store: Sessions, woken: list[int] | None = None) -> SlaWatcher:
    calls = woken if woken is not None else []
    return SlaWatcher(
        store,
        policy=POLICY,
        calendars=CALENDARS,
        teams=load_teams(),
        now=lambda: MONDAY,
        mail_domain="guichet.example",
        on_queued=lambda: calls.append(1),
    )


async def outbox(store: Sessions) -> list[Outbox]:
    async with store() as session:
        return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


async def warnings(store: Sessions) -> list[tuple[int, int]]:
    async with store() as session:
        rows = await session.exec(
            select(TicketEvent)
            .where(TicketEvent.type == "sla_warning")
            .order_by(col(TicketEvent.id))
        )
        return [(e.ticket_id, e.data["threshold"]) for e in rows]


async def test_each_threshold_once_and_only_while_open(store: Sessions) -> None:
    woken: list[int] = []
    number = await add_ticket(store, MONDAY, severity="P3", team="network")
    sla = watcher(store, woken)
    assert await sla.check(t("2026-02-02T13:29:00-05:00")) == 0
    assert await sla.check(t("2026-02-02T13:30:00-05:00")) == 1  # 5 h of 10
    assert await sla.check(t("2026-02-02T13:31:00-05:00")) == 0  # never twice
    # 75 % was crossed at 16:00, but at 20:00 the business calendar is closed.
    assert await sla.check(t("2026-02-02T20:00:00-05:00")) == 0
    assert await sla.check(t("2026-02-03T08:30:00-05:00")) == 1
    # The watcher was down from 8:31 to noon: 90 % and the breach come due together.
    assert await sla.check(t("2026-02-03T12:00:00-05:00")) == 1
    assert await sla.check(t("2026-02-03T15:00:00-05:00")) == 0
    assert [w for _, w in await warnings(store)] == [50, 75, 90, 100]
    rows = await outbox(store)
    assert [r.key for r in rows] == [f"sla:{number}:{p}" for p in (50, 75, 100)]
    assert len(woken) == 3
    first = from_payload(rows[0].payload)
    assert first.to == ("reseau-telecom@itq.example",)
    assert first.subject.startswith(f"[Alerte SLA 50\u00a0%] {number} P3")
    assert "a consommé 50" in first.text and "Réseau et télécom" in first.text
    assert "dépassé" in from_payload(rows[2].payload).subject
    assert first.message_id.endswith("@guichet.example")
    assert not first.message_id.lower().startswith("csc-")  # replies must not thread in


async def test_paused_resolved_and_untargeted_tickets_are_left_alone(store: Sessions) -> None:
    paused_at = MONDAY + timedelta(hours=1)
    await add_ticket(
        store,
        MONDAY,
        status="waiting_on_user",
        events=[(paused_at, "status_changed", {"from": "open", "to": "waiting_on_user"})],
    )
    await add_ticket(store, MONDAY, kind="request", severity=None, team="workstation")
    await add_ticket(store, MONDAY, status="resolved")
    assert await watcher(store).check(t("2026-02-05T12:00:00-05:00")) == 0
    assert await outbox(store) == []


async def test_24_7_priorities_warn_at_night_in_the_team_language(store: Sessions) -> None:
    saturday = t("2026-02-07T01:00:00-05:00")
    number = await add_ticket(store, saturday, severity="P1", team="security")
    sla = watcher(store)
    assert await sla.check(saturday + timedelta(hours=2, minutes=15)) == 1  # 75 %: 50 folded in
    assert [w for _, w in await warnings(store)] == [50, 75]
    message = from_payload((await outbox(store))[0].payload)
    assert message.subject.startswith(f"[SLA warning 75%] {number} P1")
    assert "has used 75%" in message.text
    # An agent lowers it to P3 (recomputed from the opening, on business hours): nothing more
    # on a Saturday night, and the thresholds already sent are not repeated on Monday.
    async with store() as session:
        session.add(
            TicketEvent(
                ticket_id=1,
                at=(saturday + timedelta(hours=2, minutes=20)).astimezone(UTC),
                type="severity_set",
                data={"from": "P1", "to": "P3", "by": "ana"},
            )
        )
        await session.commit()
    assert await sla.check(saturday + timedelta(hours=3)) == 0
    assert await sla.check(t("2026-02-09T14:00:00-05:00")) == 0  # 5.5 h of 10: 50 % already sent


async def test_a_racing_watcher_cannot_queue_the_same_key(store: Sessions) -> None:
    await add_ticket(store, MONDAY)
    at = t("2026-02-02T13:30:00-05:00")
    first, second = watcher(store), watcher(store)
    assert await first.check(at) == 1
    assert await second.check(at) == 0
    assert len(await outbox(store)) == 1
    assert len(await warnings(store)) == 1


async def test_run_keeps_watching_until_cancelled(store: Sessions) -> None:
    await add_ticket(store, MONDAY)
    woken: list[int] = []
    sla = SlaWatcher(
        store,
        policy=POLICY,
        calendars=CALENDARS,
        teams=load_teams(),
        now=lambda: t("2026-02-02T13:30:00-05:00"),
        mail_domain="guichet.example",
        on_queued=lambda: woken.append(1),
        interval_seconds=0.05,
    )
    task = asyncio.create_task(sla.run())
    try:
        await eventually(lambda: woken)
        sla.wake.set()  # an extra pass finds nothing new
        await asyncio.sleep(0.2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(woken) == 1
    assert [r.key for r in await outbox(store)] == ["sla:CSC-000001:50"]
