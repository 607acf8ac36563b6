"""The dispatcher: takes committed raw messages and turns them into tickets, follow-ups and
outbox rows. Each message is applied in its own transaction: one poison message never blocks
the others, and a crash before the commit leaves it `received`, to be processed again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlmodel import col, select, update

from bot.dispatch.decide import Action, Decision, decide
from bot.dispatch.tickets import TicketWriter
from bot.faults import crash_point
from bot.organisations import Directory
from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState, Ticket
from bot.triager import Triager
from intake.errors import SenderError
from intake.mail.parse import parse_email
from intake.mail.parsed import ParsedEmail
from intake.mail.thread import ThreadRef, find_thread
from nlp import Channel as TextChannel
from nlp import Triage, TriageInput

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Parsed:
    message_id: int
    parsed: ParsedEmail | None
    error: SenderError | None
    thread: ThreadRef


class Dispatcher:
    def __init__(
        self,
        sessions: Sessions,
        *,
        directory: Directory,
        domain: str,
        triager: Triager,
        now: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
        attachment_cap: int = 10 * 1024 * 1024,
        bounce_suppression: timedelta = timedelta(days=30),
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self._domain = domain
        self._triager = triager
        self._now = now
        self._on_queued = on_queued
        self._attachment_cap = attachment_cap
        self._writer = TicketWriter(
            directory=directory, domain=domain, bounce_suppression=bounce_suppression
        )
        self.wake = asyncio.Event()

    async def run(self, *, idle_seconds: float = 5.0) -> None:
        """Process forever: at once when woken, and every `idle_seconds` to catch stragglers."""
        while True:
            self.wake.clear()
            try:
                while await self.process_pending() > 0:
                    pass
            except OperationalError as exc:
                log.error("the store is unavailable, retrying in %ss: %s", idle_seconds, exc.orig)
            except Exception:  # a bug must not stop intake: log it loudly, try again later
                log.exception("dispatcher failed; retrying in %ss", idle_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), idle_seconds)

    async def process_pending(self, limit: int = 64) -> int:
        """Process up to `limit` received messages; return how many were handled."""
        async with self._sessions() as session:
            rows = (
                await session.exec(
                    select(Message.id, Message.raw)
                    .where(
                        Message.direction == Direction.IN, Message.state == MessageState.RECEIVED
                    )
                    .order_by(col(Message.id))
                    .limit(limit)
                )
            ).all()
        if not rows:
            return 0
        batch = await asyncio.to_thread(self._parse_all, [(i, raw) for i, raw in rows if i])
        statuses = await self._ticket_statuses({p.thread.ticket for p in batch if p.thread.ticket})
        decisions = {
            p.message_id: decide(
                p.parsed,
                p.thread,
                statuses.get(p.thread.ticket or ""),
                self._directory.organisation_of(p.parsed.sender),
            )
            for p in batch
            if p.parsed is not None
        }
        fresh = [
            p for p in batch if p.parsed and decisions[p.message_id].action == Action.NEW_TICKET
        ]
        proposals = dict(zip((p.message_id for p in fresh), await self._triage(fresh), strict=True))
        queued = False
        for item in batch:
            queued |= await self._apply_isolated(item, decisions.get(item.message_id), proposals)
        if queued:
            self._on_queued()
        return len(batch)

    def _parse_all(self, rows: Sequence[tuple[int, bytes]]) -> list[_Parsed]:
        out = []
        for message_id, raw in rows:
            try:
                parsed = parse_email(
                    raw, our_domain=self._domain, attachment_cap=self._attachment_cap
                )
            except SenderError as exc:
                out.append(_Parsed(message_id, None, exc, ThreadRef(None, None)))
                continue
            out.append(_Parsed(message_id, parsed, None, find_thread(parsed, self._domain)))
        return out

    async def _ticket_statuses(self, numbers: set[str]) -> dict[str, str]:
        if not numbers:
            return {}
        async with self._sessions() as session:
            found = await session.exec(
                select(Ticket.number, Ticket.status).where(col(Ticket.number).in_(numbers))
            )
            return {number: status for number, status in found.all() if number}

    async def _triage(self, items: Sequence[_Parsed]) -> list[Triage | None]:
        if not items:
            return []
        inputs = [
            TriageInput(p.parsed.subject, p.parsed.body, TextChannel.EMAIL)
            for p in items
            if p.parsed is not None
        ]
        try:
            found: list[Triage | None] = [*await self._triager.triage(inputs)]
            return found
        except Exception:
            # The operator's problem (a broken model): tickets still open, without a proposal.
            log.exception(
                "triage failed for %d message(s); tickets open without a proposal", len(inputs)
            )
            return [None] * len(inputs)

    async def _apply_isolated(
        self, item: _Parsed, decision: Decision | None, proposals: dict[int, Triage | None]
    ) -> bool:
        try:
            async with self._sessions() as session:
                if item.error is not None or item.parsed is None or decision is None:
                    error = item.error or SenderError("unparsed", "no parse result")
                    await self._writer.quarantine(
                        session, item.message_id, error.reason, error.detail
                    )
                    log.info("message %s quarantined: %s", item.message_id, error.reason)
                    queued = False
                else:
                    queued = await self._writer.apply(
                        session,
                        item.message_id,
                        item.parsed,
                        decision,
                        proposals.get(item.message_id),
                        self._now(),
                    )
                await session.commit()
            crash_point("after-ticket-commit")
            return queued
        except OperationalError:
            raise  # the store itself is down: stop the batch, the loop retries later
        except Exception as exc:
            log.exception("message %s could not be processed; quarantined", item.message_id)
            async with self._sessions() as session:
                await session.exec(
                    update(Message)
                    .where(col(Message.id) == item.message_id)
                    .values(
                        state=MessageState.QUARANTINED,
                        error_kind="processing_error",
                        error_detail=f"{exc.__class__.__name__}: {exc}"[:2000],
                    )
                )
                await session.commit()
            return False
