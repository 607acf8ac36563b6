"""Opening a ticket: its requester, its number, the proposal as stored, the opening events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.incoming import Incoming
from bot.organisations import Directory
from bot.store import search
from bot.store.models import Message, Requester, Ticket
from bot.tickets import Language, Status, TicketNumber
from bot.tickets.log import EventType, record
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
    return asdict(triage)


async def open_ticket(
    session: AsyncSession,
    message: Message,
    incoming: Incoming,
    triage: Triage | None,
    now: datetime,
    directory: Directory,
) -> Ticket:
    """A new ticket for `message` (its requester found or made), with its opening events."""
    language = triage.language if triage else detect_language(incoming.body)
    requester = await _requester(session, incoming, language, now, directory)
    applied = triage is not None and auto_applies(triage)
    ticket = Ticket(
        status=Status.OPEN if applied else Status.NEW,
        kind=triage.kind if triage else None,
        severity=triage.severity if triage else None,
        level=triage.level if triage else None,
        team=triage.team if triage else None,
        channel=incoming.channel,
        language=language,
        subject=incoming.subject[:998],
        requester_id=requester.id or 0,
        organisation=requester.organisation,
        triage=proposal_json(triage) if triage else None,
        model_version=triage.model if triage else None,
        reply_to=incoming.reply.to_json(),
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    await session.flush()
    assert ticket.id is not None
    ticket.number = ticket_number(ticket.id)
    message.ticket_id = ticket.id
    await search.index(session, ticket.id, ticket.subject, incoming.body)
    record(
        session,
        ticket,
        now,
        EventType.OPENED,
        message=message.id,
        channel=incoming.channel,
        organisation=requester.organisation,
    )
    if triage is not None:
        record(
            session,
            ticket,
            now,
            EventType.PROPOSED,
            model=triage.model,
            kind=triage.kind,
            severity=triage.severity,
            level=triage.level,
            team=triage.team,
            **({"to_confirm": True} if triage.to_confirm else {}),
        )
        if applied:
            record(session, ticket, now, EventType.STATUS_CHANGED, **{"from": "new", "to": "open"})
    return ticket


async def _requester(
    session: AsyncSession,
    incoming: Incoming,
    language: Language,
    now: datetime,
    directory: Directory,
) -> Requester:
    address = incoming.sender or "unknown@invalid"
    found = (await session.exec(select(Requester).where(Requester.address == address))).first()
    if found is None:
        found = Requester(
            address=address,
            name=incoming.sender_name[:200],
            organisation=directory.organisation_of(address),
            language=language,
            created_at=now,
        )
        session.add(found)
        await session.flush()
    else:
        found.language = language
        found.name = incoming.sender_name[:200] or found.name
    return found
