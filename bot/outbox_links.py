"""Links between outbox rows: a Slack post threaded under, or replacing, another row's post.

`OutboundMessage.thread`/`replaces` may name another outbox row (`outbox:<key>`) instead of a
Slack `ts` not known yet when the row is written (an update threaded under the first notice, a
card updated in place): the worker fills in that row's `ts` once it is sent, and waits for it.
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Direction, Message, Outbox, OutboxStatus
from intake.message import Channel, OutboundMessage
from intake.slack.envelope import any_team

LINK = "outbox:"


def has_links(message: OutboundMessage) -> bool:
    """Does `message` name another outbox row (and so need `resolve_links`)?"""
    return any(v and v.startswith(LINK) for v in (message.thread, message.replaces))


async def resolve_links(
    session: AsyncSession, message: OutboundMessage
) -> tuple[OutboundMessage, str]:
    """Replace `outbox:<key>` links with the linked post's `ts`; name the key still unsent."""
    thread, waiting = await linked_ts(session, message.thread)
    if waiting:
        return message, waiting
    replaces, waiting = await linked_ts(session, message.replaces)
    if waiting:
        return message, waiting
    return replace(message, thread=thread, replaces=replaces), ""


async def linked_ts(session: AsyncSession, value: str | None) -> tuple[str | None, str]:
    """(the value, with a link replaced by the linked post's ts; the key still unsent)."""
    if not (value and value.startswith(LINK)):
        return value, ""
    key = value[len(LINK) :]
    row = (await session.exec(select(Outbox).where(Outbox.key == key))).first()
    if row is None or row.status == OutboxStatus.DEAD:
        return None, ""  # never sent: post on its own rather than never
    if row.status != OutboxStatus.SENT:
        return value, key
    sent = (
        await session.exec(
            select(Message.raw).where(
                Message.direction == Direction.OUT,
                Message.source == "outbox",
                Message.source_ref == str(row.id),
            )
        )
    ).first()
    return _posted_ts(sent or b""), ""


def posted_id(message: OutboundMessage, raw: bytes) -> str:
    """The id a sent message is recorded under: ours for mail; for a Slack post, its place
    `slack:*:<channel>:<ts>` (the team is not in the answer), so that a reply in its thread
    (an agent answering under a triage card) finds the ticket."""
    if message.channel != Channel.SLACK or message.replaces:
        return message.message_id
    ts = _posted_ts(raw)
    return any_team(message.to[0], ts) if ts and message.to else message.message_id


def _posted_ts(raw: bytes) -> str | None:
    """The `ts` in the Web API's answer to chat.postMessage, as the Slack sender returns it."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    ts = data.get("ts") if isinstance(data, dict) else None
    return ts if isinstance(ts, str) and ts else None
