"""A ticket as the API shows it: the queue's line, and the whole ticket with its thread
(texts, never raw bytes), attachments' metadata, the proposal and the log. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.dispatch.opening import awaits_confirmation
from bot.store.models import Attachment, Message, Ticket, TicketEvent


def summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "kind": ticket.kind,
        "severity": ticket.severity,
        "level": ticket.level,
        "team": ticket.team,
        "organisation": ticket.organisation,
        "language": ticket.language,
        "channel": ticket.channel,
        "subject": ticket.subject,
        "assignee": ticket.assignee,
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "to_confirm": awaits_confirmation(ticket),
    }


def detail(
    ticket: Ticket,
    messages: Sequence[Message],
    attachments: Sequence[Attachment],
    events: Sequence[TicketEvent],
) -> dict[str, Any]:
    by_message: dict[int, list[dict[str, Any]]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "inline": attachment.inline,
            }
        )
    return {
        **summary(ticket),
        "proposal": ticket.triage,
        "model_version": ticket.model_version,
        "messages": [
            {
                "direction": m.direction,
                "channel": m.channel,
                "at": _when(m.received_at),
                "sender": m.sender,
                "subject": m.subject,
                "body": m.body,
                "attachments": by_message.get(m.id or 0, []),
            }
            for m in messages
        ],
        "events": [
            {"type": e.type, "at": _when(e.at), "actor": e.actor, "data": e.data} for e in events
        ],
    }


def _when(at: datetime) -> str:
    """ISO 8601 in UTC (the store holds UTC; SQLite gives it back without an offset)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
