"""The ticket log's reader for webhooks: every new log entry an integration hears of becomes one
outbox row per subscribed endpoint, written in the same transaction that moves the cursor.

Why a reader of the log rather than a row queued by each writer: the log has one writer
(`bot.tickets.log.record`) but many callers (dispatch, the API, the console, Slack, outages),
each with its own transaction; reading the log after the fact needs none of them to change and
cannot miss one added later. Nothing is lost or queued twice: the cursor (`LogCursor`) and the
rows move in one commit, so a crash before it redoes the batch and a crash after it has nothing
left to do; a second process waits on the cursor's row lock (PostgreSQL), and the rows' unique
keys stop anything queued twice all the same. The outbox then delivers with its retries, backoff and lease.

Ids are handed out in commit order on SQLite (one writer at a time). On PostgreSQL a sequence
may hand out an id whose transaction commits after a later one: a hole in the ids is waited for
(`Holes`, 30 s) before it is passed over as a rolled-back insert.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox_queue import queue
from bot.settings_webhooks import WebhookEntry
from bot.store.db import Sessions
from bot.store.models import LogCursor, Outbox, Ticket, TicketEvent
from bot.store.unavailable import Unavailable
from bot.tickets.outbox import NoticeKind
from bot.webhooks.events import body, event_of
from intake.lifecycle import wait_set
from intake.message import Channel, OutboundMessage

log = logging.getLogger(__name__)

CURSOR = "webhooks"
_BATCH = 200


class Holes:
    """Which ids past the cursor are safe to read: up to the first hole, unless that hole has
    been there for `grace` seconds (its insert was rolled back, or will never commit)."""

    def __init__(self, grace: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._grace = grace
        self._clock = clock
        self._seen: dict[int, float] = {}

    def ready(self, after: int, ids: Sequence[int]) -> int:
        """How many of `ids` (ascending, all past `after`) to take now."""
        now = self._clock()
        self._seen = {k: v for k, v in self._seen.items() if k > after}
        expected = after + 1
        for index, found in enumerate(ids):
            if found != expected:
                first = self._seen.setdefault(expected, now)
                if now - first < self._grace:
                    return index
            expected = found + 1
        return len(ids)


class WebhookWatcher:
    def __init__(
        self,
        sessions: Sessions,
        endpoints: Sequence[WebhookEntry],
        *,
        now: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
        holes: Holes | None = None,
    ) -> None:
        self._sessions = sessions
        self._endpoints = tuple(endpoints)
        self._now = now
        self._on_queued = on_queued
        self._holes = holes or Holes()
        self.wake = asyncio.Event()

    async def run(self, *, idle_seconds: float = 1.0) -> None:
        """Read the log forever: at once when woken, otherwise every `idle_seconds`."""
        down = Unavailable(log, "webhook watcher")
        while True:
            self.wake.clear()
            try:
                await self.catch_up()
                down.working()
            except OperationalError as exc:
                down.failed(exc, f"every {idle_seconds:g}s")
            except Exception:  # a bug: never stop reading for good
                log.exception("webhook watcher failed; retrying in %ss", idle_seconds)
            await wait_set(self.wake, idle_seconds)

    async def catch_up(self) -> int:
        """Queue every entry past the cursor that is ready; how many outbox rows were written."""
        total = 0
        while True:
            read, queued = await self._batch()
            total += queued
            if queued:
                self._on_queued()
            if read < _BATCH:
                return total

    async def _batch(self) -> tuple[int, int]:
        """(entries read, rows queued) for one batch, committed with the cursor."""
        now = self._now()
        async with self._sessions() as session:
            # FOR UPDATE (PostgreSQL): a second process waits here, then reads the moved cursor.
            locked = select(LogCursor).where(LogCursor.name == CURSOR).with_for_update()
            cursor = (await session.exec(locked)).first()
            if cursor is None:
                # Never migrated (0012 sets it): announce from now on, not the whole history.
                last = (await session.exec(select(func.max(col(TicketEvent.id))))).one()
                session.add(LogCursor(name=CURSOR, last_id=last or 0, updated_at=now))
                await _commit_once(session)
                return 0, 0
            if not self._endpoints:  # nothing to announce: keep up with the log, cheaply
                last = (await session.exec(select(func.max(col(TicketEvent.id))))).one() or 0
                if last > cursor.last_id:
                    cursor.last_id, cursor.updated_at = last, now
                    await _commit_once(session)
                return 0, 0
            entries = (
                await session.exec(
                    select(TicketEvent)
                    .where(col(TicketEvent.id) > cursor.last_id)
                    .order_by(col(TicketEvent.id))
                    .limit(_BATCH)
                )
            ).all()
            ready = entries[: self._holes.ready(cursor.last_id, [e.id or 0 for e in entries])]
            if not ready:
                return 0, 0
            rows = [row for entry in ready for row in await self._rows(session, entry, now)]
            # A cursor moved back (a restored backup) must not stop on rows already queued.
            keys = [row.key for row in rows]
            taken = set(
                (await session.exec(select(Outbox.key).where(col(Outbox.key).in_(keys)))).all()
                if keys
                else ()
            )
            fresh = [row for row in rows if row.key not in taken]
            session.add_all(fresh)
            cursor.last_id = ready[-1].id or cursor.last_id
            cursor.updated_at = now
            if not await _commit_once(session):
                return 0, 0
            return len(ready), len(fresh)

    async def _rows(self, session: AsyncSession, entry: TicketEvent, now: datetime) -> list[Outbox]:
        """The outbox rows for one log entry: one per endpoint that wants its event."""
        event = event_of(entry)
        wanted = [e for e in self._endpoints if event is not None and e.wants(event)]
        if event is None or not wanted:
            return []
        ticket = await session.get(Ticket, entry.ticket_id)
        if ticket is None:  # the log never outlives its ticket; nothing to describe
            return []
        rows = []
        for endpoint in wanted:
            delivery = str(uuid.uuid4())
            message = OutboundMessage(
                channel=Channel.WEBHOOK,
                to=(endpoint.name,),
                subject=event.value,
                text=body(delivery, event, entry, ticket),
                message_id=delivery,
            )
            # No ticket_id: the per-ticket send cap is a guard against mail loops; it must
            # neither stop an integration nor count an integration's rows against a requester.
            rows.append(
                queue(
                    message,
                    kind=NoticeKind.WEBHOOK,
                    key=f"webhook:{endpoint.name}:{entry.id}",
                    ticket_id=None,
                    now=now,
                )
            )
        return rows


async def _commit_once(session: AsyncSession) -> bool:
    """Commit; False when another process queued the same rows first (it moved the cursor)."""
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        log.info("webhook rows already queued by another process; reading on from its cursor")
        return False
    return True
