"""Planned interruptions: announced once at their lead time, reminded once as they start."""

from __future__ import annotations

from datetime import timedelta

from bot.outages import registry
from bot.outages.draft import NoticeKind
from bot.outages.watcher import OutageWatcher, due_notice
from bot.outbox_links import LINK
from bot.store.db import Sessions
from tests.outages.helpers import BROADCAST, NOW, SLACK, outbox, planned

LEAD = timedelta(hours=48)
START = NOW + timedelta(days=5)


def watcher(store: Sessions, woken: list[int] | None = None) -> OutageWatcher:
    calls = woken if woken is not None else []
    return OutageWatcher(
        store, BROADCAST, lambda: NOW, lead=LEAD, on_queued=lambda: calls.append(1)
    )


async def test_announced_at_lead_time_then_reminded_at_start_once_each(store: Sessions) -> None:
    async with store() as session:
        outage = await registry.declare(
            session, planned(START, expected_end=START + timedelta(hours=4)), "a", NOW, BROADCAST
        )
        await session.commit()
    woken: list[int] = []
    first = watcher(store, woken)
    assert await first.check(NOW) == 0
    assert await first.check(START - LEAD - timedelta(minutes=1)) == 0
    assert await outbox(store) == {}

    assert await first.check(START - LEAD) == 1
    assert await first.check(START - LEAD + timedelta(hours=1)) == 0
    # A restarted watcher (a new instance) remembers through the store.
    assert await watcher(store).check(START - timedelta(minutes=1)) == 0
    announce = await outbox(store)
    assert sorted(announce) == sorted(
        [
            "outage:PANNE-0001:2:slack",
            "outage:PANNE-0001:2:mail:tous-csc@itq.example",
            "outage:PANNE-0001:2:mail:pilotes@msss.example",
        ]
    )
    post = announce["outage:PANNE-0001:2:slack"]
    assert post.to == (SLACK,) and post.thread is None
    assert "Interruption planifiée" in post.text and "Planned interruption" in post.text

    assert await first.check(START) == 1
    assert await watcher(store).check(START + timedelta(minutes=5)) == 0
    sent = await outbox(store)
    assert len(sent) == 6
    reminder = sent["outage:PANNE-0001:3:slack"]
    assert reminder.thread == f"{LINK}outage:PANNE-0001:2:slack"
    assert "Début de l'interruption planifiée" in reminder.text
    mail = sent["outage:PANNE-0001:3:mail:tous-csc@itq.example"]
    assert mail.in_reply_to == announce["outage:PANNE-0001:2:mail:tous-csc@itq.example"].message_id
    async with store() as session:
        now_active = await registry.get(session, outage.number or "")
        kinds = [n.kind for n in await registry.notices(session, now_active)]
    assert now_active.status == "active"
    assert kinds == ["declared", "announce", "reminder"]
    assert woken == [1, 1]


async def test_watcher_down_past_the_start_only_reminds(store: Sessions) -> None:
    async with store() as session:
        await registry.declare(session, planned(START), "a", NOW, BROADCAST)
        await session.commit()
    assert await watcher(store).check(START + timedelta(hours=1)) == 1
    async with store() as session:
        kinds = [n.kind for n in await registry.notices(session, await registry.get(session, "1"))]
    assert kinds == ["declared", "reminder"]
    assert "outage:PANNE-0001:2:slack" in await outbox(store)


async def test_cancelled_before_announcement_is_never_broadcast(store: Sessions) -> None:
    async with store() as session:
        outage = await registry.declare(session, planned(START), "a", NOW, BROADCAST)
        await registry.post_update(session, outage, "Reportée.", "Postponed.", "a", NOW, BROADCAST)
        await registry.resolve(
            session, outage, "a", NOW, BROADCAST, text_fr="Annulée.", text_en="Cancelled."
        )
        await session.commit()
    assert await watcher(store).check(START) == 0
    assert await outbox(store) == {}


def test_due_notice() -> None:
    assert due_notice(START, {"declared"}, START - LEAD - timedelta(seconds=1), LEAD) is None
    assert due_notice(START, {"declared"}, START - LEAD, LEAD) == NoticeKind.ANNOUNCE
    assert due_notice(START, {"declared", "announce"}, START - LEAD, LEAD) is None
    assert due_notice(START, {"declared", "announce"}, START, LEAD) == NoticeKind.REMINDER
    assert due_notice(START, {"declared", "reminder"}, START, LEAD) is None
