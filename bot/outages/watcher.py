"""The planned-interruption watcher: announces each one when its lead time is reached, and once
more as it starts (then it is an active outage until someone resolves it).

Each pass reads the store, so a restart loses nothing: the ``announce`` and ``reminder`` notices
are the watcher's memory. Each announcement is one transaction (notice, status, outbox rows);
two watchers racing collide on the notice's unique ``(outage_id, seq)`` or the outbox key, and
the loser's transaction is rolled back whole. A watcher that was down past the start sends the
reminder only: announcing what has already begun would be noise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.outages.broadcast import Broadcast, queue_notice
from bot.outages.draft import NoticeKind, OutageStatus
from bot.outages.registry import DEFAULT_LEAD, add_notice
from bot.periodic import every
from bot.sla.store import utc
from bot.store.db import Sessions
from bot.store.models import Outage, OutageNotice

log = logging.getLogger(__name__)


def due_notice(starts_at: datetime, told: set[str], now: datetime, lead: timedelta) -> str | None:
    """The notice a planned interruption needs at `now`, given the kinds already sent. Pure."""
    if NoticeKind.REMINDER in told:
        return None
    if now >= starts_at:
        return NoticeKind.REMINDER
    if now >= starts_at - lead and NoticeKind.ANNOUNCE not in told:
        return NoticeKind.ANNOUNCE
    return None


class OutageWatcher:
    """Checks the planned interruptions every ``interval_seconds`` (see module doc)."""

    def __init__(
        self,
        sessions: Sessions,
        broadcast: Broadcast,
        now: Callable[[], datetime],
        *,
        lead: timedelta = DEFAULT_LEAD,
        on_queued: Callable[[], None] = lambda: None,
        interval_seconds: float = 60.0,
    ) -> None:
        self._sessions = sessions
        self._broadcast = broadcast
        self._now = now
        self._lead = lead
        self._on_queued = on_queued
        self._interval = interval_seconds
        self.wake = asyncio.Event()
        """Set it to check at once (after a planned interruption is declared)."""

    async def run(self) -> None:
        """Check forever (see `bot.periodic.every`), waking at the next planned moment."""
        await every(
            lambda: self.check(self._now()),
            name="planned interruption notices made",
            log=log,
            interval=self._interval,
            wake=self.wake,
            next_wait=lambda: self._until_next(self._now()),
        )

    async def _until_next(self, now: datetime) -> float:
        """Seconds until the next planned start or announcement (at most the interval), so a
        reminder goes out when the interruption starts, not up to an interval later."""
        now = utc(now)
        async with self._sessions() as session:
            starts = (
                await session.exec(
                    select(Outage.starts_at).where(Outage.status == OutageStatus.PLANNED)
                )
            ).all()
        moments = [m for s in starts for m in (utc(s), utc(s) - self._lead) if m > now]
        if not moments:
            return self._interval
        return max(0.05, min(self._interval, (min(moments) - now).total_seconds()))

    async def check(self, now: datetime) -> int:
        """One pass as of `now`; returns how many notices (announce, reminder) were made."""
        now = utc(now)
        async with self._sessions() as session:
            planned = (
                await session.exec(
                    select(Outage.id).where(
                        Outage.status == OutageStatus.PLANNED,
                        col(Outage.starts_at) <= now + self._lead,
                    )
                )
            ).all()
        made = 0
        for outage_id in planned:
            if outage_id is not None and await self._announce(outage_id, now):
                made += 1
        if made:
            self._on_queued()
        return made

    async def _announce(self, outage_id: int, now: datetime) -> bool:
        async with self._sessions() as session:
            outage = await session.get_one(Outage, outage_id)
            if outage.status != OutageStatus.PLANNED:
                return False  # resolved (cancelled) since the scan
            earlier = (
                await session.exec(
                    select(OutageNotice)
                    .where(OutageNotice.outage_id == outage_id)
                    .order_by(col(OutageNotice.seq))
                )
            ).all()
            told = {n.kind for n in earlier}
            kind = due_notice(utc(outage.starts_at), told, now, self._lead)
            if kind is None:
                return False
            if kind == NoticeKind.REMINDER:
                outage.status = OutageStatus.ACTIVE
            # The latest word on it: the description, or an update posted since.
            latest = earlier[-1] if earlier else outage
            notice = await add_notice(
                session, outage, NoticeKind(kind), latest.text_fr, latest.text_en, "bot", now
            )
            await queue_notice(session, outage, notice, self._broadcast, now)
            try:
                await session.commit()
            except IntegrityError:  # another watcher made this notice first
                await session.rollback()
                return False
        return True
