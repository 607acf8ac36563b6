"""Opening a ticket: its requester, its number, the proposal as stored, the opening events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.incoming import Incoming
from bot.organisations import Directory
from bot.store import search
from bot.store.bulk import insert_returning_ids
from bot.store.models import Requester, Ticket
from bot.store.upsert import insert_new
from bot.store.values import as_dict
from bot.tickets import Language, Status, TicketNumber
from bot.tickets.log import EventType, append, row
from nlp import Triage, detect_language


def ticket_number(ticket_id: int) -> str:
    return str(TicketNumber(ticket_id))


def auto_applies(triage: Triage) -> bool:
    """Apply the proposal without an agent only when every label clears its threshold (set
    from the dev split and stored with the model); otherwise the ticket waits as `new`.

    A severity raised to P1/P2 on ambiguous evidence (`to_confirm`) always waits for an agent,
    whatever its scores say: missing a critical incident costs more than a click."""
    if triage.kind is None or triage.to_confirm:
        return False
    needed = ["kind", "team", "level"] + (["severity"] if triage.severity is not None else [])
    return all(triage.auto_apply.get(label) for label in needed)


def awaits_confirmation(ticket: Ticket) -> bool:
    """The ticket's proposal was raised on ambiguous evidence and no agent has decided yet (any
    decision on the severity, or taking or closing the ticket, moves it out of `new`). Until
    then the ticket runs on the raised severity, and the card and lists show it first."""
    proposal = ticket.triage or {}
    return ticket.status == Status.NEW and proposal.get("to_confirm") is True


def awaiting_confirmation() -> ColumnElement[bool]:
    """`awaits_confirmation` as a SQL condition (JSON path: SQLite and PostgreSQL alike)."""
    flag = col(Ticket.triage)["to_confirm"].as_boolean()
    return and_(col(Ticket.status) == Status.NEW, flag.is_(True))


def proposal_json(triage: Triage) -> dict[str, Any]:
    """The proposal as stored on the ticket: labels, confidences, evidence, model version, and
    `to_confirm` (read back by `awaits_confirmation`; absent from proposals stored before it)."""
    return as_dict(triage)


@dataclass(frozen=True, slots=True)
class Opening:
    """A message that opens a ticket, with what triage proposed for it."""

    message_id: int
    incoming: Incoming
    triage: Triage | None


async def open_tickets(
    session: AsyncSession,
    openings: Sequence[Opening],
    now: datetime,
    directory: Directory,
) -> list[Ticket]:
    """A new ticket for each opening (its requester found or made), with its opening events, in
    the order given. A batch costs a handful of statements whatever its size: the requesters
    are read and made together, the tickets inserted in one statement under a provisional
    number (their message's id) that gives back their ids, then read back and numbered."""
    if not openings:
        return []
    languages = [
        o.triage.language if o.triage else detect_language(o.incoming.body) for o in openings
    ]
    requesters = await _requesters(session, openings, languages, now, directory)
    made: list[dict[str, Any]] = []
    for opening, language in zip(openings, languages, strict=True):
        triage, incoming = opening.triage, opening.incoming
        requester = requesters[_address(incoming)]
        requester.language = language
        requester.name = incoming.sender_name[:200] or requester.name
        applied = triage is not None and auto_applies(triage)
        made.append(
            {
                "number": f"~{opening.message_id}",  # until its id is known: never committed
                "status": Status.OPEN if applied else Status.NEW,
                "kind": triage.kind if triage else None,
                "severity": triage.severity if triage else None,
                "level": triage.level if triage else None,
                "team": triage.team if triage else None,
                "channel": incoming.channel,
                "language": language,
                "subject": incoming.subject[:998],
                "requester_id": requester.id or 0,
                "organisation": requester.organisation,
                "triage": proposal_json(triage) if triage else None,
                "model_version": triage.model if triage else None,
                "reply_to": incoming.reply.to_json(),
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = await insert_returning_ids(session, Ticket, made, key="number")
    found = await session.exec(select(Ticket).where(col(Ticket.id).in_(ids)))
    by_id = {t.id: t for t in found.all()}
    tickets = [by_id[i] for i in ids]
    entries: list[dict[str, Any]] = []
    for opening, ticket in zip(openings, tickets, strict=True):
        assert ticket.id is not None
        ticket.number = ticket_number(ticket.id)
        entries += _opening_entries(ticket, opening, now)
    await append(session, entries)
    bodies = [o.incoming.body for o in openings]
    await search.index_many(
        session, [(t.id or 0, t.subject, body) for t, body in zip(tickets, bodies, strict=True)]
    )
    return tickets


def _opening_entries(ticket: Ticket, opening: Opening, now: datetime) -> list[dict[str, Any]]:
    """The log entries a new ticket opens with: opened, what triage proposed, and the move to
    `open` when the proposal applied itself."""
    assert ticket.id is not None
    triage, incoming = opening.triage, opening.incoming
    entries = [
        row(
            ticket.id,
            now,
            EventType.OPENED,
            message=opening.message_id,
            channel=incoming.channel,
            organisation=ticket.organisation,
        )
    ]
    if triage is not None:
        entries.append(
            row(
                ticket.id,
                now,
                EventType.PROPOSED,
                model=triage.model,
                kind=triage.kind,
                severity=triage.severity,
                level=triage.level,
                team=triage.team,
                **({"to_confirm": True} if triage.to_confirm else {}),
            )
        )
        if ticket.status == Status.OPEN:
            entries.append(
                row(ticket.id, now, EventType.STATUS_CHANGED, **{"from": "new", "to": "open"})
            )
    return entries


def _address(incoming: Incoming) -> str:
    return incoming.sender or "unknown@invalid"


async def _requesters(
    session: AsyncSession,
    openings: Sequence[Opening],
    languages: Sequence[Language],
    now: datetime,
    directory: Directory,
) -> dict[str, Requester]:
    """The requester of each address, those not known yet made first. The insert skips an
    address another worker has just made, so two workers never collide on one requester."""
    wanted = {_address(o.incoming) for o in openings}
    found = await _known(session, wanted)
    missing: dict[str, dict[str, object]] = {}
    for opening, language in zip(openings, languages, strict=True):
        address = _address(opening.incoming)
        if address in found or address in missing:
            continue
        missing[address] = {
            "address": address,
            "name": opening.incoming.sender_name[:200],
            "organisation": directory.organisation_of(address),
            "language": language,
            "created_at": now,
        }
    if missing:
        await insert_new(session, Requester, [*missing.values()], key="address")
        found |= await _known(session, set(missing))
    return found


async def _known(session: AsyncSession, addresses: set[str]) -> dict[str, Requester]:
    rows = await session.exec(select(Requester).where(col(Requester.address).in_(addresses)))
    return {r.address: r for r in rows.all()}
