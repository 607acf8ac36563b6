"""Queueing a notification: an outbox row written in the transaction that makes the change it
announces (`bot.outbox` delivers it). The payload is the `OutboundMessage` as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.store.models import Outbox, OutboxStatus
from bot.store.values import as_dict
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage


def to_payload(message: OutboundMessage) -> dict[str, Any]:
    return as_dict(message)


def from_payload(payload: Mapping[str, Any]) -> OutboundMessage:
    data = dict(payload)
    data["channel"] = Channel(data["channel"])
    data["to"] = tuple(data["to"])
    data["references"] = tuple(data.get("references", ()))
    data["headers"] = tuple(tuple(h) for h in data.get("headers", ()))
    return OutboundMessage(**data)


def queue(
    message: OutboundMessage,
    *,
    kind: NoticeKind,
    key: str,
    ticket_id: int | None,
    now: datetime,
) -> Outbox:
    """A new outbox row; add it to the session that makes the change it announces. `kind` says
    what it is, and so whom it is for (`NoticeKind.audience`); `key` only makes it unique."""
    return Outbox(**queued_row(message, kind=kind, key=key, ticket_id=ticket_id, now=now))


def queued_row(
    message: OutboundMessage,
    *,
    kind: NoticeKind,
    key: str,
    ticket_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """`queue`'s row as column values, for a batch that inserts many at once
    (`bot.store.bulk.insert_rows`)."""
    return {
        "key": key,
        "kind": kind,
        "audience": kind.audience,
        "ticket_id": ticket_id,
        "channel": message.channel,
        "recipient": (message.to[0] if message.to else "")[:320],
        "payload": to_payload(message),
        "status": OutboxStatus.PENDING,
        "next_attempt_at": now,
        "created_at": now,
    }
