"""One channel-neutral view of an inbound message, read back from its committed raw bytes.

Email and Slack messages are read into `Incoming`; the decisions and the ticket writer only ever
see this type. Reading is pure and raises only `SenderError`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.tickets.reply_to import ReplyTo
from bot.tickets.thread import find_thread
from intake.errors import SenderError
from intake.mail.parse import parse_email
from intake.mail.parsed import Attachment, Automated, Bounce, ParsedEmail
from intake.message import Channel
from intake.slack.envelope import SlackEnvelope, any_team, message_id_for, parse_envelope
from nlp import Channel as TextChannel


@dataclass(frozen=True, slots=True)
class Incoming:
    channel: Channel
    sender: str
    """Lower-cased address (for Slack, the user's email); empty when unknown."""
    sender_name: str
    subject: str
    body: str
    """What the person wrote now (quotes and signature removed for email)."""
    message_id: str | None
    ticket: str | None
    """The ticket the message names itself (our Message-ID, the subject tag)."""
    thread_reason: str | None
    parents: tuple[str, ...]
    """Message IDs it answers (looked up in the store when `ticket` is None)."""
    reply: ReplyTo
    automated: Automated | None = None
    attachments: tuple[Attachment, ...] = ()
    bounce: Bounce | None = None
    author: str = ""
    """Slack: the author's user ID (to tell agents from requesters); empty for email."""

    @property
    def text_channel(self) -> TextChannel:
        """How the classifier should read it: long email, or short chat."""
        return TextChannel.EMAIL if self.channel == Channel.EMAIL else TextChannel.CHAT


@dataclass(frozen=True, slots=True)
class Read:
    """A stored message read back: its `Incoming`, or why it could not be (the reason and
    detail its message is quarantined with)."""

    message_id: int
    channel: str
    incoming: Incoming | None
    error: tuple[str, str] | None = None


def read_all(
    rows: Sequence[tuple[int, str, bytes]], domain: str, attachment_cap: int
) -> list[Read]:
    """Read each (id, channel, raw bytes) of a batch (pure: it runs in a thread). A message
    that breaks the reader itself (a bug) is refused like bad input, with the error's
    type: one message never holds up the others."""
    out = []
    for message_id, channel, raw in rows:
        try:
            incoming = read_incoming(channel, raw, domain=domain, attachment_cap=attachment_cap)
        except SenderError as exc:
            out.append(Read(message_id, channel, None, (exc.reason, exc.detail)))
        except Exception as exc:
            out.append(Read(message_id, channel, None, ("unreadable", type(exc).__name__)))
        else:
            out.append(Read(message_id, channel, incoming))
    return out


def read_incoming(channel: str, raw: bytes, *, domain: str, attachment_cap: int) -> Incoming:
    """Read committed raw bytes back as `Incoming`. Raises `SenderError` on bad input."""
    if channel == Channel.EMAIL:
        return from_email(
            parse_email(raw, our_domain=domain, attachment_cap=attachment_cap), domain
        )
    if channel == Channel.SLACK:
        return from_slack(parse_envelope(raw))
    raise SenderError("unsupported_channel", f"no reader for channel {channel!r}")


def from_email(parsed: ParsedEmail, domain: str) -> Incoming:
    thread = find_thread(parsed, domain)
    parents = tuple(dict.fromkeys((*parsed.in_reply_to, *reversed(parsed.references))))
    return Incoming(
        channel=Channel.EMAIL,
        sender=parsed.sender,
        sender_name=parsed.sender_name,
        subject=parsed.subject,
        body=parsed.body,
        message_id=parsed.message_id,
        ticket=thread.ticket,
        thread_reason=thread.reason,
        parents=parents,
        reply=ReplyTo(
            channel=Channel.EMAIL,
            address=parsed.sender,  # never Reply-To: it could point the answer at anyone
            name=parsed.sender_name,
            in_reply_to=parsed.message_id,
            references=(*parsed.references, *((parsed.message_id,) if parsed.message_id else ()))[
                -10:
            ],
        ),
        automated=parsed.automated,
        attachments=parsed.attachments,
        bounce=parsed.bounce,
    )


_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_MENTION = re.compile(r"<[@#!][^>]*>")
_SUBJECT_CHARS = 80


def slack_text(text: str) -> str:
    """Slack's mrkdwn as plain text: links shown by their label, mentions dropped."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _MENTION.sub("", text)
    return html.unescape(text).strip()


def slack_sender(envelope: SlackEnvelope) -> str:
    """The requester's key: their email when Slack tells it, else their Slack identity."""
    email = envelope.user_email.strip().lower()
    return email or f"slack:{envelope.team}:{envelope.user}"


def from_slack(envelope: SlackEnvelope) -> Incoming:
    body = slack_text(envelope.text)
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    subject = first if len(first) <= _SUBJECT_CHARS else first[: _SUBJECT_CHARS - 1] + "…"
    root = envelope.thread_ts or envelope.ts
    parents = (
        (
            message_id_for(envelope.team, envelope.channel, envelope.thread_ts),
            any_team(envelope.channel, envelope.thread_ts),  # under one of our posts (a card)
        )
        if envelope.is_reply
        else ()
    )
    return Incoming(
        channel=Channel.SLACK,
        sender=slack_sender(envelope),
        sender_name=envelope.user_name,
        subject=subject,
        body=body,
        message_id=envelope.message_id,
        ticket=None,
        thread_reason=None,
        parents=parents,
        reply=ReplyTo(
            channel=Channel.SLACK, address=envelope.channel, name=envelope.user_name, thread=root
        ),
        author=envelope.user,
    )
