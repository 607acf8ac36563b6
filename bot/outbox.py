"""Transactional outbox: notifications are rows written with the change that causes them
(`bot.outbox_queue`); this worker delivers them, with retries and backoff, and marks a row sent
only once the far end accepted it.

Claiming a row moves its `next_attempt_at` forward by a lease before delivery: if the process
dies mid-send, the row comes due again after the lease (at-least-once; the Message-ID is fixed
when the row is written, so a rare duplicate is recognisable by the recipient's mail client).

Several workers may share one PostgreSQL database: a claim locks the due rows it reads
(`FOR UPDATE SKIP LOCKED`, so workers take disjoint rows without waiting on each other), and
its lease is written only where the row is still pending and due, keeping just the ids it did
write (`RETURNING`). The instant a lease runs to is its owner's token: a worker hands back only
the rows still carrying its own lease, never a row another worker has since leased.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError
from functools import partial

from sqlalchemy.exc import OperationalError
from sqlmodel import col, select, update

from bot.faults import crash_point
from bot.guards import Budget, SendCaps, read_budget
from bot.outbox_links import has_links, resolve_links
from bot.outbox_queue import from_payload
from bot.outbox_sent import SentMarks
from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus
from bot.store.unavailable import Unavailable
from intake.errors import DeliveryRefused, OperatorError, SenderError
from intake.lifecycle import wait_set
from intake.message import Channel, OutboundMessage
from intake.ports import Closable, Sender

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)
"""Longer than one delivery can take (the SMTP timeout), short enough to recover from a crash."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 5
    max_seconds: float = 3600
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        """Exponential backoff with full jitter, capped (attempts counts the failed tries)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=max(self.base_seconds, random.uniform(0, ceiling)))


Lane = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Claim:
    """Rows leased together, by lane, and what the send caps allow them."""

    lanes: dict[Lane, list[Outbox]] = field(default_factory=dict)
    budget: Budget = field(default_factory=lambda: Budget(SendCaps()))


"""(channel, recipient): the rows of one lane are delivered in order, lanes side by side."""
_SCAN = 500
_MAX_LANES = 256
"""Lanes delivering at once: enough that a paced Slack channel holds nothing up, and that a
storm's acknowledgements leave as fast as tickets open. A storm's claims wait for the store's
one SQLite connection, which the dispatcher holds for about half of the storm: with 16 lanes
half of a 2,000-message storm's acknowledgements waited for the dispatcher to finish; with 64,
64 left every half second while tickets opened at 300 a second. 256 against 64, 5,000-message
storm, three paired runs: 379/371/410 against 327/364/305 messages/s, p95 9.1 s against
10.8 s. Their marks are one commit per batch of lanes (`bot.outbox_sent`), so more lanes cost
the store little."""


class OutboxWorker:
    def __init__(
        self,
        sessions: Sessions,
        senders: Mapping[Channel, Sender],
        *,
        policy: RetryPolicy,
        now: Callable[[], datetime],
        caps: SendCaps | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        """`lease`: how long a claimed row is this worker's before another may try it."""
        self._sessions = sessions
        self._lease = lease
        self._caps = caps or SendCaps()
        self._senders = senders
        self._policy = policy
        self._now = now
        self.wake = asyncio.Event()
        self._claimed: dict[int, datetime] = {}
        """Rows leased (or being leased) by this worker and not yet tried, each with the instant
        its lease runs to: what `_release` may hand back."""
        self._marks = SentMarks(sessions, now, storable)
        self._down = Unavailable(log, "delivering notifications")

    async def run(self, *, idle_seconds: float = 2.0) -> None:
        """Deliver forever: at once when woken, otherwise every `idle_seconds` for retries.

        Each recipient (a mailbox, a Slack channel) is a lane delivered in order; lanes run side
        by side, so a channel held by Slack's pacing never holds up the others.
        """
        lanes: dict[Lane, asyncio.Task[None]] = {}

        def finished(lane: Lane) -> Callable[[asyncio.Task[None]], None]:
            def done(_task: asyncio.Task[None]) -> None:
                lanes.pop(lane, None)
                self.wake.set()

            return done

        try:
            while True:
                self.wake.clear()
                try:
                    room = _MAX_LANES - len(lanes)
                    if lanes and room < _MAX_LANES // 2:
                        room = 0  # claim for many lanes at once, not one per finished lane
                    began = self._down.now()  # lanes fail meanwhile: only a later claim counts
                    claim = await self._claim(_SCAN, busy=lanes.keys(), lanes=room)
                    if room > 0:  # else the claim did not read the store
                        self._down.working(began)
                    for lane, rows in claim.lanes.items():
                        lanes[lane] = asyncio.create_task(self._lane(rows, claim.budget))
                        lanes[lane].add_done_callback(finished(lane))
                except OperationalError as exc:
                    self._down.failed(exc, f"every {idle_seconds:g}s")
                except Exception:  # a bug: never stop delivering for good
                    log.exception("outbox worker failed; retrying in %ss", idle_seconds)
                await wait_set(self.wake, idle_seconds)
        finally:
            running = list(lanes.values())
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            # A lane cancelled before it ever ran never handed its rows back: do it here, so a
            # restart sends them at once instead of after the lease (the store is down: after it).
            with contextlib.suppress(OperationalError):
                await self._release(dict(self._claimed), self._now())
            self._claimed.clear()
            for sender in self._senders.values():
                if isinstance(sender, Closable):
                    with contextlib.suppress(Exception):  # stopping: a failed QUIT is no matter
                        await asyncio.wait_for(sender.close(), 5)

    async def deliver_due(self, limit: int = 100) -> int:
        """Claim and deliver the rows that are due, then return how many were tried."""
        claim = await self._claim(limit, busy=())
        count = sum(len(rows) for rows in claim.lanes.values())
        await asyncio.gather(*(self._lane(rows, claim.budget) for rows in claim.lanes.values()))
        return count

    async def _claim(
        self, limit: int, *, busy: Collection[Lane], lanes: int | None = None
    ) -> Claim:
        """Lease the due rows of up to `lanes` lanes not busy, grouped by lane, in order, with
        what the send caps allow them."""
        if lanes is not None and lanes <= 0:
            return Claim()
        now = self._now()
        until = now + self._lease
        async with self._sessions() as session:
            due = (
                await session.exec(
                    select(Outbox.id, Outbox.channel, Outbox.recipient)
                    .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)
                    .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
                    .limit(limit)
                    # PostgreSQL: rows another worker is leasing are passed over, not waited
                    # for. SQLite has one writer and no row locks: the clause is left out.
                    .with_for_update(skip_locked=True)
                )
            ).all()
            chosen: set[Lane] = set()
            ids: list[int] = []
            for row_id, channel, to in due:
                lane = (channel, to)
                if row_id is None or lane in busy:
                    continue
                if lane not in chosen and lanes is not None and len(chosen) >= lanes:
                    continue
                chosen.add(lane)
                ids.append(row_id)
            if not ids:
                return Claim()
            # Known as leased before the lease is written: a stop cancelling this claim at
            # any await below still hands the rows back (`run`'s finally), instead of
            # leaving them to wait out the lease after a restart.
            self._claimed.update(dict.fromkeys(ids, until))
            # Only rows still pending and due: another worker may have leased (or sent) one
            # since it was read, when the select's lock was not there to stop it (SQLite, or a
            # row whose lock was released by a commit in between).
            leased = set(
                (
                    await session.exec(
                        update(Outbox)
                        .where(
                            col(Outbox.id).in_(ids),
                            col(Outbox.status) == OutboxStatus.PENDING,
                            col(Outbox.next_attempt_at) <= now,
                        )
                        .values(next_attempt_at=until)
                        .returning(col(Outbox.id))
                    )
                ).scalars()
            )
            await session.commit()
            for lost in set(ids) - leased:
                self._claimed.pop(lost, None)
            if not leased:
                return Claim()
            rows = (await session.exec(select(Outbox).where(col(Outbox.id).in_(leased)))).all()
            budget = await read_budget(session, rows, self._caps, now)
        claimed: dict[Lane, list[Outbox]] = {}
        for row in sorted(rows, key=lambda r: r.id or 0):
            claimed.setdefault((row.channel, row.recipient), []).append(row)
        return Claim(claimed, budget)

    async def _lane(self, rows: list[Outbox], budget: Budget) -> None:
        """Deliver one recipient's rows in order."""
        pending = list(rows)
        while pending:
            row = pending.pop(0)
            delivery = asyncio.ensure_future(self._deliver(row, budget))
            delivery.add_done_callback(partial(_forget, self._claimed, row.id or 0))
            try:
                await asyncio.shield(delivery)
            except asyncio.CancelledError:
                # Stopping: finish the delivery in flight (bounded by the server's timeout) so
                # nothing accepted is left unmarked and sent twice, then hand back what was
                # claimed but not tried, so a restart sends it at once.
                try:
                    with contextlib.suppress(Exception):  # the lease brings its row back
                        await delivery
                finally:
                    await self._release(
                        {r.id: self._claimed[r.id] for r in pending if r.id in self._claimed},
                        self._now(),
                    )
                raise
            except OperationalError as exc:
                # The store went away mid-delivery: this row, delivered or not, and the rest of
                # the lane come due again after their lease. Going on would deliver rows that
                # cannot be marked sent, each to be sent twice.
                self._down.failed(exc, f"after the lease ({self._lease.total_seconds():g}s)")
                for left in pending:
                    self._claimed.pop(left.id or 0, None)
                return
            except Exception:  # a bug: the lease brings the row back
                log.exception("outbox delivery failed; the row comes due again after its lease")

    async def _release(self, leases: Mapping[int, datetime], now: datetime) -> None:
        """Make the rows of `leases` due `now` again, each only while it still carries that
        lease: a row whose lease was never written, or ran out and was taken by another
        worker, is left alone."""
        by_until: dict[datetime, list[int]] = {}
        for row_id, until in leases.items():
            by_until.setdefault(until, []).append(row_id)
        if not by_until:
            return
        async with self._sessions() as session:
            for until, ids in by_until.items():
                await session.exec(
                    update(Outbox)
                    .where(
                        col(Outbox.id).in_(sorted(ids)),
                        col(Outbox.status) == OutboxStatus.PENDING,
                        col(Outbox.next_attempt_at) == until,
                    )
                    .values(next_attempt_at=now)
                )
            await session.commit()

    async def _deliver(self, row: Outbox, budget: Budget) -> None:
        """Try one row once; whatever goes wrong is counted and recorded on the row.

        Only a failure of the store itself escapes (the lease brings the row back): anything
        the sender or the payload raises, even a programming error, is an attempt with its
        error, so no row can stay pending for ever with nothing to show why.
        """
        try:
            message = from_payload(row.payload)
        except (KeyError, TypeError, ValueError) as exc:
            await self._mark_failed(row, "unreadable payload: " + describe(exc), permanent=True)
            return
        sender = self._senders.get(message.channel)
        error: str | None = None
        permanent = False
        raw = b""
        waiting = ""
        blocked = budget.why_blocked(row, self._now())
        if blocked is None and has_links(message):
            async with self._sessions() as session:
                message, waiting = await resolve_links(session, message)
        if blocked is not None:
            error, permanent = blocked, True
        elif waiting:
            error = f"waiting for {waiting} to be sent first"
        elif sender is None:
            error, permanent = f"no sender configured for channel {message.channel}", False
        else:
            try:
                raw = await sender.send(message)
            except Exception as exc:  # every failure is recorded, see above
                error, permanent = describe(exc), is_permanent(exc)
                if not isinstance(exc, OperatorError | SenderError):
                    # A bug: where it happened, but not the exception's text (it may quote
                    # the message; the row keeps a bounded start of it).
                    log.error(
                        "outbox %s (%s): unexpected %s while sending, at:\n%s",
                        row.id,
                        row.key,
                        type(exc).__name__,
                        "".join(traceback.format_tb(exc.__traceback__, limit=-6)),
                    )
        crash_point("after-send")
        if error is None:
            budget.spend(row)
            await self._mark_sent(row, message, raw)
        else:
            await self._mark_failed(row, error, permanent=permanent)

    async def _mark_sent(self, row: Outbox, message: OutboundMessage, raw: bytes) -> None:
        await self._marks.mark(row, message, raw)

    async def _mark_failed(self, row: Outbox, error: str, *, permanent: bool) -> None:
        attempts = row.attempts + 1
        dead = permanent or attempts >= self._policy.max_attempts
        next_at = self._now() + self._policy.delay(attempts)
        async with self._sessions() as session:
            await session.exec(
                update(Outbox)
                .where(col(Outbox.id) == row.id)
                .values(
                    status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
                    attempts=attempts,
                    next_attempt_at=next_at,
                    last_error=storable(error[:ERROR_CHARS]),
                )
            )
            await session.commit()
        if dead:
            log.error(
                "outbox %s (%s) given up after %d attempt(s): %s", row.id, row.key, attempts, error
            )
        else:
            log.warning(
                "outbox %s (%s) attempt %d failed, next at %s: %s",
                row.id,
                row.key,
                attempts,
                next_at.isoformat(timespec="seconds"),
                error,
            )


ERROR_CHARS = 300
"""What a row keeps of an error: enough to act on, never a whole message (an exception's text
may quote what it choked on)."""

_PERMANENT = (SenderError, ValueError, TypeError, LookupError, MessageError)
"""Failures that the same message meets again on every try: it cannot be composed (a
character no codec encodes, an unknown charset, a header the encoder refuses)."""


def is_permanent(exc: Exception) -> bool:
    """Whether trying the same row again can only fail the same way: a 5xx refusal, an invalid
    recipient, a message that cannot be composed. Anything else (a server down, an error we do
    not know) is retried with backoff, and given up after the policy's attempts."""
    if isinstance(exc, DeliveryRefused):
        return exc.permanent
    return isinstance(exc, _PERMANENT)


def describe(exc: BaseException) -> str:
    """The error in one bounded line: its type and the start of its text, controls escaped."""
    text = f"{type(exc).__name__}: {exc}" if not isinstance(exc, OperatorError) else str(exc)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:ERROR_CHARS])


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with each lone surrogate, which the database driver cannot encode, replaced by
    U+FFFD, as composition does."""
    return _SURROGATE.sub("\ufffd", text)


def _forget(claimed: dict[int, datetime], row_id: int, _done: asyncio.Future[None]) -> None:
    claimed.pop(row_id, None)
