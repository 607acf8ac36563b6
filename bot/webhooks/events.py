"""Which entries of the ticket log an integration hears of, and what it is sent. Pure.

`ticket.opened` for ``opened``; `ticket.changed` for a change an integration can act on: the
status, the labels and their corrections (severity, kind, level, team), the assignment, a
public reply sent to the requester, a follow-up from the requester, a redirection, a link to an
outage, a merge (on both tickets, each naming the other). Never an internal note
(``note_added``: the desk's own words stay inside, whoever is subscribed), nor the bot's own
notices and the watchers' memories. The proposal is part of the
opening (written with it), so it is in `ticket.opened`'s ticket, not an event of its own.

The body is the tickets API's summary of the ticket (`bot.api.views.summary`, the same JSON),
as it stands when the event is queued, with the change that caused it: its type, actor and the
label values it moved (``from``/``to``…); never message texts (read them from the API).
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from bot.api.views import summary
from bot.settings_webhooks import WebhookEvent
from bot.store.models import Ticket, TicketEvent
from bot.tickets.log import EventType

CHANGES = frozenset(
    {
        EventType.STATUS_CHANGED,
        EventType.SEVERITY_SET,
        EventType.LEVEL_SET,
        EventType.TEAM_SET,
        EventType.ASSIGNED,
        EventType.AGENT_REPLY,
        EventType.MESSAGE_ADDED,
        EventType.REDIRECTED,
        EventType.OUTAGE_LINKED,
        EventType.MERGED_INTO,
        EventType.MERGED_FROM,
    }
)
"""Log entries sent as `ticket.changed`."""
_SHOWN = ("from", "to", "kind", "confirmed", "reason", "outage", "into", "duplicate")
"""The keys of an entry's data an integration sees (labels and statuses, never message ids)."""


def event_of(entry: TicketEvent) -> WebhookEvent | None:
    """The webhook event a log entry is, or None when integrations do not hear of it."""
    try:
        type_ = EventType(entry.type)
    except ValueError:  # a type this version does not know: not ours to announce
        return None
    if type_ is EventType.OPENED:
        return WebhookEvent.OPENED
    return WebhookEvent.CHANGED if type_ in CHANGES else None


def body(delivery: str, event: WebhookEvent, entry: TicketEvent, ticket: Ticket) -> str:
    """The JSON sent for `entry` (compact, keys in a fixed order: the bytes are signed)."""
    payload: dict[str, Any] = {
        "id": delivery,
        "event": event.value,
        "occurred_at": entry.at.astimezone(UTC).isoformat(),
        "ticket": summary(ticket),
        "change": None,
    }
    if event is WebhookEvent.CHANGED:
        payload["change"] = {
            "type": entry.type,
            "actor": entry.actor,
            "data": {k: entry.data[k] for k in _SHOWN if k in entry.data},
        }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
