"""The dispatcher: takes committed raw messages and turns them into tickets, follow-ups and
outbox rows. A batch is applied in one transaction; when one of its messages fails, the batch
is applied again one message per transaction: one poison message never blocks the others, and
a crash before the commit leaves the messages `received`, to be processed again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.answering import Answering
from bot.dispatch.decide import Action, Decision, decide
from bot.dispatch.incoming import Read
from bot.dispatch.routes import ACKNOWLEDGE, Answer, Knowledge, Route, choose
from bot.dispatch.tickets import OpenedHook, TicketWriter, Write
from bot.faults import crash_point
from bot.organisations import Directory
from bot.outages.registry import current
from bot.status import participants
from bot.store.claims import LEASE, claim_received, release
from bot.store.db import Sessions
from bot.store.models import Message, MessageState, Outage, Ticket
from bot.store.unavailable import Unavailable
from bot.tickets.merge import kept_numbers
from bot.triager import Triager
from intake.lifecycle import wait_set
from intake.message import Channel
from nlp import Triage, TriageInput

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Thread:
    ticket: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A batch read back and triaged, waiting for the store stage."""

    batch: list[Read]
    proposals: dict[int, Triage | None]


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
        on_opened: Sequence[OpenedHook] = (),
        is_agent: Callable[[str], bool] = lambda _user: False,
        answering: Answering | None = None,
        knowledge: Knowledge | None = None,
        outage_lead: timedelta = timedelta(hours=48),
        lease: timedelta = LEASE,
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self._domain = domain
        self._triager = triager
        self._now = now
        self._on_queued = on_queued
        self._attachment_cap = attachment_cap
        self._lease = lease
        self._owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        """Whose leases on received messages are ours (`bot.store.claims`): this dispatcher's
        alone, even beside another in the same process."""
        self._writer = TicketWriter(
            directory=directory,
            domain=domain,
            bounce_suppression=bounce_suppression,
            on_opened=on_opened,
            is_agent=is_agent,
            answering=answering,
        )
        self._knowledge = knowledge
        self._outage_lead = outage_lead
        self.wake = asyncio.Event()

    async def run(self, *, idle_seconds: float = 5.0) -> None:
        """Process forever: at once when woken, and every `idle_seconds` to catch stragglers."""
        down = Unavailable(log, "dispatching")
        while True:
            self.wake.clear()
            try:
                await self.drain()
                down.working()
            except OperationalError as exc:
                down.failed(exc, f"every {idle_seconds:g}s")
            except Exception:  # a bug must not stop intake: log it loudly, try again later
                log.exception("dispatcher failed; retrying in %ss", idle_seconds)
            await wait_set(self.wake, idle_seconds)

    async def process_pending(self, limit: int = 64) -> int:
        """Process up to `limit` received messages; return how many were handled.

        The batch is leased first (`bot.store.claims`): another worker sharing the database
        passes over it. What this one does not finish (the store went away, a stop) is handed
        back at once; if the process dies, the lease runs out and any worker takes it over."""
        rows = await self._claim(limit)
        if not rows:
            return 0
        try:
            return await self._finish(await self._prepare(rows))
        except BaseException:
            await self._release(rows)
            raise

    async def drain(self, limit: int = 160, *, ahead: int = 2) -> int:
        """Process every received message, batch after batch; return how many were handled.

        A pipeline: while one batch is written to the store (on the event loop), the next
        `ahead` ones are read and triaged (a thread, or the triage process when there is one,
        which then always has a batch waiting), so a storm keeps both cores busy. Everything
        that depends on the store (the thread a message belongs to, the ticket's status, the
        decision) waits for the previous batch's commit: a reply to a ticket the previous batch
        opened finds it. Leases are handed back as in `process_pending`: every batch claimed
        and not written, when anything fails or the service stops.

        A batch holds up to `limit` messages (what is there: one alone when intake is quiet).
        A batch's writes are a chain of round trips to the store, about the same number
        whatever its size: in a storm, larger batches spread them over more messages
        (`docs/capacity.md`)."""
        done = 0
        queued: deque[tuple[list[tuple[int, str, bytes]], asyncio.Future[_Prepared]]] = deque()
        try:
            await self._fill(queued, limit, ahead + 1)
            while queued:
                prepared = await queued[0][1]
                await self._fill(queued, limit, ahead + 1)
                done += await self._finish(prepared)
                queued.popleft()
        except BaseException:
            for _, future in queued:
                if future.done() and not future.cancelled():
                    future.exception()  # seen here: the batch is handed back, not lost
                future.cancel()
            await self._release([row for rows, _ in queued for row in rows])
            raise
        return done

    async def _fill(
        self,
        queued: deque[tuple[list[tuple[int, str, bytes]], asyncio.Future[_Prepared]]],
        limit: int,
        depth: int,
    ) -> None:
        """Claim batches and start preparing them until `depth` are queued or none is left."""
        while len(queued) < depth:
            rows = await self._claim(limit)
            if not rows:
                return
            queued.append((rows, asyncio.ensure_future(self._prepare(rows))))

    async def _claim(self, limit: int) -> list[tuple[int, str, bytes]]:
        return list(
            await claim_received(
                self._sessions, limit=limit, owner=self._owner, now=self._now(), lease=self._lease
            )
        )

    async def _release(self, rows: Sequence[tuple[int, str, bytes]]) -> None:
        if rows:
            with contextlib.suppress(Exception):  # the store is down: the lease runs out
                await asyncio.wait_for(
                    release(self._sessions, [r[0] for r in rows], self._owner), 5
                )

    async def _prepare(self, rows: Sequence[tuple[int, str, bytes]]) -> _Prepared:
        """The pure stage, where the triager runs (a thread, or its process): read each message
        back from its bytes, and triage the ones that can
        become tickets (all but automated mail: whether a message opens a ticket or follows one
        up is decided later, against the store)."""
        batch = await self._triager.read(rows, self._domain, self._attachment_cap)
        wanted = [p for p in batch if p.incoming is not None and p.incoming.automated is None]
        found = await self._triage(wanted)
        return _Prepared(batch, dict(zip((p.message_id for p in wanted), found, strict=True)))

    async def _finish(self, prepared: _Prepared) -> int:
        """The store stage: threads, decisions, answers, and the batch written at once."""
        batch = prepared.batch
        # What the decisions read from the store, in one turn with its one connection (each
        # turn waits for the connection in a storm, behind the outbox and intake).
        async with self._sessions() as session:
            threads = await self._threads(session, batch)
            facts = await self._ticket_facts(session, batch, threads)
            outages = (
                await current(session, self._now(), lead=self._outage_lead)
                if self._knowledge is not None
                else []
            )
        decisions = {}
        for item in batch:
            if item.incoming is None:
                continue
            thread = threads[item.message_id]
            status, on_ticket = facts.get(thread.ticket or "", (None, None))
            decisions[item.message_id] = decide(
                item.incoming,
                thread.ticket,
                thread.reason,
                status,
                self._directory.organisation_of(item.incoming.sender),
                on_ticket,
            )
        written = [
            p
            for p in batch
            if p.incoming
            and decisions[p.message_id].action in (Action.NEW_TICKET, Action.FOLLOW_UP)
        ]
        proposals = {p.message_id: prepared.proposals.get(p.message_id) for p in written}
        answers = self._answers(written, decisions, proposals, outages)
        queued = await self._apply_batch(batch, decisions, proposals, answers)
        if queued:
            self._on_queued()
        return len(batch)

    async def _threads(self, session: AsyncSession, batch: Sequence[Read]) -> dict[int, _Thread]:
        """The ticket each message belongs to: the one it names, else the ticket of a message
        it answers that we have stored (a reply to the requester's own first message, a Slack
        thread reply)."""
        out: dict[int, _Thread] = {}
        wanted: set[str] = set()
        for item in batch:
            incoming = item.incoming
            if incoming is not None and incoming.ticket is None:
                wanted.update(incoming.parents)
        known: dict[str, str] = {}
        if wanted:
            found = await session.exec(
                select(Message.message_id, Ticket.number)
                .join(Ticket, col(Ticket.id) == col(Message.ticket_id))
                .where(col(Message.message_id).in_(wanted))
                .order_by(col(Message.id))
            )
            # A Message-ID reused by another sender is another message: the first one stored
            # keeps the id, so a later copy cannot pull the thread to its ticket.
            for mid, number in found.all():
                if mid and number:
                    known.setdefault(mid, number)
        for item in batch:
            incoming = item.incoming
            if incoming is None:
                out[item.message_id] = _Thread(None, None)
            elif incoming.ticket is not None:
                out[item.message_id] = _Thread(incoming.ticket, incoming.thread_reason)
            else:
                parent = next((p for p in incoming.parents if p in known), None)
                reason = "in_reply_to" if parent and parent == incoming.parents[0] else "references"
                out[item.message_id] = _Thread(known.get(parent or ""), reason if parent else None)
        named = {t.ticket for t in out.values() if t.ticket}
        if named:  # a merged duplicate's number leads to the ticket it was merged into
            kept = await kept_numbers(session, named)
            for key, thread in out.items():
                if thread.ticket in kept:
                    out[key] = _Thread(kept[thread.ticket], thread.reason)
        return out

    def _answers(
        self,
        items: Sequence[Read],
        decisions: dict[int, Decision],
        proposals: dict[int, Triage | None],
        outages: Sequence[Outage],
    ) -> dict[int, Answer]:
        """How each message is answered (`bot.dispatch.routes`), with the outages in force."""
        if self._knowledge is None or not items:
            return {}
        knowledge = replace(self._knowledge, outages=tuple(outages))
        out: dict[int, Answer] = {}
        for item in items:
            incoming, decision = item.incoming, decisions[item.message_id]
            if incoming is None or decision.withheld is not None:
                continue
            text = f"{incoming.subject}\n{incoming.body}"
            organisation = self._directory.organisation_of(incoming.sender)
            answer = choose(text, proposals.get(item.message_id), organisation, knowledge)
            if decision.action == Action.FOLLOW_UP and answer.route != Route.STATUS:
                continue  # on a ticket's thread, only a status question gets its own answer
            out[item.message_id] = answer
        return out

    async def _ticket_facts(
        self, session: AsyncSession, batch: Sequence[Read], threads: dict[int, _Thread]
    ) -> dict[str, tuple[str, frozenset[str] | None]]:
        """For each ticket the batch points to: its status and, when an email points to it,
        the people on it (`bot.status.participants`)."""
        numbers = {t.ticket for t in threads.values() if t.ticket}
        if not numbers:
            return {}
        by_email = {
            threads[item.message_id].ticket
            for item in batch
            if item.incoming is not None and item.incoming.channel == Channel.EMAIL
        }
        out: dict[str, tuple[str, frozenset[str] | None]] = {}
        found = await session.exec(select(Ticket).where(col(Ticket.number).in_(numbers)))
        for ticket in found.all():
            if ticket.number is None:
                continue
            on_ticket = None
            if ticket.number in by_email:
                on_ticket = await participants(session, ticket)
            out[ticket.number] = (ticket.status, on_ticket)
        return out

    async def _triage(self, items: Sequence[Read]) -> list[Triage | None]:
        if not items:
            return []
        inputs = [
            TriageInput(p.incoming.subject, p.incoming.body, p.incoming.text_channel)
            for p in items
            if p.incoming is not None
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

    async def _apply_batch(
        self,
        batch: Sequence[Read],
        decisions: dict[int, Decision],
        proposals: dict[int, Triage | None],
        answers: dict[int, Answer],
    ) -> bool:
        """Write the whole batch in one transaction. If any message fails, nothing of the batch
        is kept and each message is applied again in its own transaction (`_apply_isolated`),
        so a poison message costs its batch one retry and never blocks the others."""
        if len(batch) > 1:
            try:
                async with self._sessions() as session:
                    queued = await self._apply(session, batch, decisions, proposals, answers)
                    await session.commit()
                crash_point("after-ticket-commit")
                return queued
            except OperationalError:
                raise  # the store itself is down: the loop retries later
            except Exception as exc:
                log.warning(
                    "a batch of %d messages failed (%s); applying them one by one",
                    len(batch),
                    exc.__class__.__name__,
                )
        queued = False
        for item in batch:
            queued |= await self._apply_isolated(item, decisions, proposals, answers)
        return queued

    async def _apply(
        self,
        session: AsyncSession,
        items: Sequence[Read],
        decisions: dict[int, Decision],
        proposals: dict[int, Triage | None],
        answers: dict[int, Answer],
    ) -> bool:
        """Write the messages' outcomes in the caller's transaction; True when one queued a
        notification. A message that could not be read is quarantined, saying why."""
        writes: list[Write] = []
        for item in items:
            decision = decisions.get(item.message_id)
            if item.error is not None or item.incoming is None or decision is None:
                reason, detail = item.error or ("unparsed", "no parse result")
                await self._writer.quarantine(session, item.message_id, reason, detail)
                log.info("message %s quarantined: %s", item.message_id, reason)
                continue
            answer = answers.get(item.message_id, ACKNOWLEDGE)
            triage = proposals.get(item.message_id)
            writes.append(Write(item.message_id, item.incoming, decision, triage, answer))
        if not writes:
            return False
        return await self._writer.apply(session, writes, self._now())

    async def _apply_isolated(
        self,
        item: Read,
        decisions: dict[int, Decision],
        proposals: dict[int, Triage | None],
        answers: dict[int, Answer],
    ) -> bool:
        try:
            async with self._sessions() as session:
                queued = await self._apply(session, [item], decisions, proposals, answers)
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
                        lease_owner=None,
                        lease_until=None,
                    )
                )
                await session.commit()
            return False
