"""What the ticket page shows, from the rows the API reads (`bot.api.tickets.thread`): the
messages in order with their attachments, the proposal with its confidences and its evidence
marked in the first message, and the log. Pure; every text is escaped by the template, except
the first message, escaped here before its evidence is wrapped in <mark>."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from bot.console.highlight import marked
from bot.store.models import Attachment, Message, Ticket, TicketEvent


@dataclass(frozen=True, slots=True)
class Shown:
    """One message of the thread."""

    direction: str
    channel: str
    at: str
    sender: str
    subject: str
    body: Markup
    attachments: list[Attachment] = field(default_factory=list)
    whole: str = ""
    """The whole mail, quoted history included, when the body is a cut of it (folded)."""


def ticket_context(
    ticket: Ticket,
    messages: Sequence[Message],
    attachments: Sequence[Attachment],
    events: Sequence[TicketEvent],
    whole: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    proposal: Mapping[str, Any] = ticket.triage or {}
    evidence = [e for e in proposal.get("evidence") or () if isinstance(e, Mapping)]
    quotes = [str(e.get("text", "")) for e in evidence]
    by_message: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    first_in = next((m.id for m in messages if m.direction == "in"), None)
    shown = [
        Shown(
            direction=m.direction,
            channel=m.channel,
            at=f"{m.received_at:%Y-%m-%d %H:%M} UTC",
            sender=m.sender,
            subject=m.subject,
            body=marked(m.body, quotes) if m.id == first_in else escape(m.body),
            attachments=by_message.get(m.id or 0, []),
            whole=(whole or {}).get(m.id or 0, ""),
        )
        for m in messages
    ]
    confidence = proposal.get("confidence")
    return {
        "ticket": ticket,
        "messages": shown,
        "proposal": proposal,
        "confidence": confidence if isinstance(confidence, Mapping) else {},
        "evidence": evidence,
        "events": [
            {
                "type": e.type,
                "at": f"{e.at:%Y-%m-%d %H:%M:%S} UTC",
                "actor": e.actor,
                "data": json.dumps(e.data, ensure_ascii=False, sort_keys=True),
            }
            for e in events
        ],
    }
