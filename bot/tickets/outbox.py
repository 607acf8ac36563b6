"""What an outbox row is for: its kind, and who reads it. Stored as columns on the row, so no
meaning hides in the key (a new kind must say whom it is for, or it does not type-check)."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    REQUESTER = "requester"
    """The person who wrote in: a delivered row counts as an answer for the clocks."""
    STAFF = "staff"
    """Agents and teams (cards, SLA warnings, report mails, burst cards)."""
    PUBLIC = "public"
    """Client organisations' distribution lists and channels (outage broadcasts)."""
    INTEGRATION = "integration"
    """The operator's own systems (webhooks): never an answer to anyone, never capped."""


class NoticeKind(StrEnum):
    ACK = "ack"
    ANSWER = "answer"
    """An answer to a message that opened no ticket (a status question)."""
    RELAY = "relay"
    """An agent's words, relayed to the requester."""
    SELF_SERVICE = "self_service"
    REDIRECT = "redirect"
    VERDICT = "verdict"
    STATUS_UPDATE = "status_update"
    OUTAGE_KNOWN = "outage_known"
    """To a requester whose report was linked to a known outage."""
    OUTAGE_DONE = "outage_done"
    """To a linked requester, when the outage is resolved."""
    CARD = "card"
    SLA_WARNING = "sla_warning"
    REPORT = "report"
    BURST = "burst"
    OUTAGE_BROADCAST = "outage_broadcast"
    WEBHOOK = "webhook"
    """A ticket event POSTed to an operator's endpoint (`bot.webhooks`)."""

    @property
    def audience(self) -> Audience:
        if self in _STAFF:
            return Audience.STAFF
        if self is NoticeKind.OUTAGE_BROADCAST:
            return Audience.PUBLIC
        if self is NoticeKind.WEBHOOK:
            return Audience.INTEGRATION
        return Audience.REQUESTER


_STAFF = frozenset({NoticeKind.CARD, NoticeKind.SLA_WARNING, NoticeKind.REPORT, NoticeKind.BURST})
