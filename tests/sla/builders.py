"""Tickets written into a real store the way the bot writes them (for watcher and show tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus, Requester, Ticket, TicketEvent
from bot.tickets.outbox import NoticeKind

_serial = count(1)


async def add_ticket(
    store: Sessions,
    opened: datetime,
    *,
    kind: str = "incident",
    severity: str | None = "P3",
    team: str | None = "network",
    status: str = "open",
    level: str = "N2",
    channel: str = "email",
    organisation: str = "msss",
    events: list[tuple[datetime, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    ack_sent: datetime | None = None,
) -> str:
    """One ticket with its opening, proposal and extra `events`; returns its number.

    Instants are written in UTC, as the bot does (SQLite drops offsets)."""
    opened = opened.astimezone(UTC)
    events = [(at.astimezone(UTC), type_, data) for at, type_, data in events]
    ack_sent = ack_sent.astimezone(UTC) if ack_sent else None
    async with store() as session:
        address = f"user{next(_serial)}@msss.example"
        requester = Requester(address=address, organisation=organisation, created_at=opened)
        session.add(requester)
        await session.flush()
        assert requester.id is not None
        ticket = Ticket(
            status=status,
            kind=kind,
            severity=severity,
            level=level,
            team=team,
            channel=channel,
            language="fr",
            subject="Réseau lent au 3e",
            requester_id=requester.id,
            organisation=organisation,
            triage={"kind": kind, "severity": severity, "level": level, "team": team},
            created_at=opened,
            updated_at=opened,
        )
        session.add(ticket)
        await session.flush()
        assert ticket.id is not None
        ticket.number = f"CSC-{ticket.id:06d}"
        log = [
            (opened, "opened", {"message": None, "channel": channel}),
            (opened, "proposed", {"kind": kind, "severity": severity, "level": level}),
            *events,
        ]
        for at, type_, data in log:
            session.add(TicketEvent(ticket_id=ticket.id, at=at, type=type_, data=data))
        if ack_sent is not None:
            session.add(
                Outbox(
                    key=f"ack:{ticket.number}",
                    kind=NoticeKind.ACK,
                    audience=NoticeKind.ACK.audience,
                    ticket_id=ticket.id,
                    channel="email",
                    payload={},
                    status=OutboxStatus.SENT,
                    next_attempt_at=opened,
                    created_at=opened,
                    sent_at=ack_sent,
                )
            )
        await session.commit()
        return ticket.number
