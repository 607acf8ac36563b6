"""The tables. Portable SQL only: SQLite by default, PostgreSQL for several workers.

`message.raw` keeps the exact bytes of every inbound message; `ticket_event` is an append-only
log of every change (the SLA clocks are computed from it); `outbox` holds notifications written
in the same transaction as the change that causes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from bot.tickets.labels import Channel, Kind, Language, Level, Severity, Status, Team
from bot.tickets.outbox import Audience, NoticeKind


class UtcDateTime(TypeDecorator[datetime]):
    """Aware instants in, aware UTC instants out, on every database.

    SQLite keeps only the wall-clock digits of a datetime and gives them back naive; writing
    everything in UTC and reading it back as UTC makes the store portable and the SLA log exact.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pass an aware instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UtcDateTime(), nullable=nullable, index=index),
    )


def _label(
    enum: type[StrEnum],
    length: int,
    *,
    nullable: bool = False,
    index: bool = False,
    default: StrEnum | None = None,
) -> Any:
    """A column holding one of `enum`'s values (VARCHAR on every database, checked by a CHECK
    constraint from `one_of`); read back as the enum member."""
    kind = SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
    return Field(
        default=default if default is not None or nullable else ...,
        sa_column=Column(kind, nullable=nullable, index=index),
    )


def one_of(table: str, column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The CHECK constraint `ck_<table>_<column>`: the column holds one of `enum`'s values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=f"ck_{table}_{column}")


class MessageState(StrEnum):
    RECEIVED = "received"
    """Raw bytes committed, not acted on yet (a crash here is recovered at start-up)."""
    PROCESSED = "processed"
    AUTOMATED = "automated"
    QUARANTINED = "quarantined"
    SENT = "sent"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    """Gave up: permanent refusal or too many attempts. Kept, visible, never silently dropped."""


class Requester(SQLModel, table=True):
    __table_args__ = (one_of("requester", "language", Language),)

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    organisation: str = Field(max_length=64, index=True)
    language: Language = _label(Language, 8, default=Language.FR)
    created_at: datetime = _when()


class Ticket(SQLModel, table=True):
    __table_args__ = (
        one_of("ticket", "status", Status),
        one_of("ticket", "kind", Kind),
        one_of("ticket", "severity", Severity),
        one_of("ticket", "level", Level),
        one_of("ticket", "team", Team),
        one_of("ticket", "channel", Channel),
        one_of("ticket", "language", Language),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=16, unique=True)
    status: Status = _label(Status, 24, index=True)
    kind: Kind | None = _label(Kind, 16, nullable=True)
    severity: Severity | None = _label(Severity, 4, nullable=True)
    level: Level | None = _label(Level, 4, nullable=True)
    team: Team | None = _label(Team, 24, nullable=True, index=True)
    channel: Channel = _label(Channel, 16)
    language: Language = _label(Language, 8)
    subject: str = Field(default="", max_length=998)
    requester_id: int = Field(foreign_key="requester.id", index=True)
    organisation: str = Field(max_length=64, index=True)
    triage: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    """The proposal as the classifier made it: labels, scores, evidence, model version."""
    model_version: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=200)
    """Who took the ticket (a Slack user ID, or an agent's name from the console)."""
    outage_id: int | None = Field(default=None, foreign_key="outage.id", index=True)
    """The outage this ticket is a report of (a linked child)."""
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    """The ticket this duplicate was merged into (`bot.tickets.merge`): mail to it goes there."""
    reply_to: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    """Where the requester is answered (`bot.tickets.reply.ReplyTo`), written when the ticket
    opens; None for tickets opened before it was stored (read from their first message)."""
    created_at: datetime = _when(index=True)
    updated_at: datetime = _when()


class Message(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("direction", "sha256", name="uq_message_direction_sha256"),
        # A Message-ID names a message only together with its sender: another sender reusing
        # it is another message (RFC 5322 §3.6.4 asks for unique ids, nothing enforces it).
        UniqueConstraint(
            "direction", "message_id", "sender", name="uq_message_direction_message_id_sender"
        ),
        Index("ix_message_message_id", "message_id"),
        # The dispatcher's claim (`bot.store.claims`): received inbound rows in id order, a
        # small partial index whatever the size of the table.
        Index(
            "ix_message_received",
            "id",
            sqlite_where=text("direction = 'in' AND state = 'received'"),
            postgresql_where=text("direction = 'in' AND state = 'received'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=4)
    channel: str = Field(max_length=16)
    state: str = Field(max_length=16, index=True)
    source: str = Field(default="", max_length=200)
    source_ref: str = Field(default="", max_length=500)
    message_id: str | None = Field(default=None, max_length=500)
    sha256: str = Field(max_length=64)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    sender: str = Field(default="", max_length=320)
    """Inbound: the From address, set when the raw bytes are stored (Slack: the requester's key)."""
    subject: str = Field(default="", max_length=998)
    body: str = Field(default="")
    thread_reason: str | None = Field(default=None, max_length=24)
    automated: str | None = Field(default=None, max_length=24)
    error_kind: str | None = Field(default=None, max_length=64)
    error_detail: str | None = Field(default=None)
    received_at: datetime = _when(index=True)
    lease_owner: str | None = Field(default=None, max_length=64)
    """The worker processing this received message (`bot.store.claims`), while `lease_until`."""
    lease_until: datetime | None = _when(nullable=True)


class TicketEvent(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted."""

    __table_args__ = (
        Index("ix_ticket_event_ticket_at", "ticket_id", "at"),
        Index("ix_ticket_event_type_ticket", "type", "ticket_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = _when()
    type: str = Field(max_length=32)
    actor: str = Field(default="bot", max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Outbox(SQLModel, table=True):
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        one_of("outbox", "audience", Audience),
        one_of("outbox", "kind", NoticeKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    """Which cause this notification is for (`ack:CSC-000001`): the same one never queues twice.
    Never read for meaning: `kind` and `audience` say what the row is."""
    kind: NoticeKind = _label(NoticeKind, 24)
    audience: Audience = _label(Audience, 16)
    """Who reads it: the requester (counts as an answer for the clocks), staff, or the public."""
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    channel: str = Field(max_length=16)
    recipient: str = Field(default="", max_length=320, index=True)
    """The first address or channel written to (send caps and suppressions look at it)."""
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _when()
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None)


class MailboxCheckpoint(SQLModel, table=True):
    """How far an IMAP reader got: UIDs are only meaningful with their UIDVALIDITY (RFC 3501
    §2.3.1.1), so both are kept; a new UIDVALIDITY means the folder was rebuilt, start over
    (dedupe stops any repeat)."""

    mailbox: str = Field(primary_key=True, max_length=200)
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = _when()


class GraphDeltaLink(SQLModel, table=True):
    """How far a Microsoft Graph reader got: the `@odata.deltaLink` of its folder's last
    delta round (an opaque URL, kept as Graph gave it)."""

    mailbox: str = Field(primary_key=True, max_length=200)
    link: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _when()


class LogCursor(SQLModel, table=True):
    """How far a reader of the ticket log got (`bot.webhooks.watcher`): the id of the last
    `ticket_event` row it handled, moved in the same transaction as what it wrote for them."""

    name: str = Field(primary_key=True, max_length=64)
    last_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = _when()


class Attachment(SQLModel, table=True):
    """A file that came with a message. Over the size cap only the metadata is kept."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    filename: str = Field(default="", max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    inline: bool = False
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Suppression(SQLModel, table=True):
    """An address we do not write to until `until` (a hard bounce, or a send cap reached)."""

    address: str = Field(primary_key=True, max_length=320)
    until: datetime = _when()
    reason: str = Field(max_length=200)


class Outage(SQLModel, table=True):
    """A declared outage or planned interruption (`bot.outages`): what is down, where, until when.

    `organisations` empty means every client organisation; `status` is ``planned`` until a
    planned interruption starts, ``active`` while the service is down, then ``resolved``.
    """

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=16, unique=True)
    """``PANNE-0001``, set from the id once the row is flushed."""
    kind: str = Field(max_length=16)
    title_fr: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    text_fr: str
    text_en: str
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    organisations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sites: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    team: str | None = Field(default=None, max_length=24)
    status: str = Field(max_length=16, index=True)
    starts_at: datetime = _when()
    expected_end: datetime | None = _when(nullable=True)
    resolved_at: datetime | None = _when(nullable=True)
    declared_by: str = Field(max_length=200)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class OutageNotice(SQLModel, table=True):
    """One announcement of an outage, in both languages. Append-only; `seq` counts from 1."""

    __table_args__ = (UniqueConstraint("outage_id", "seq", name="uq_outage_notice_outage_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    outage_id: int = Field(foreign_key="outage.id", index=True)
    seq: int
    kind: str = Field(max_length=16)
    text_fr: str
    text_en: str
    at: datetime = _when()
    actor: str = Field(default="bot", max_length=200)


class Role(StrEnum):
    AGENT = "agent"
    """Acts on the tickets of their teams and levels."""
    LEAD = "lead"
    """Acts on every ticket."""
    ADMIN = "admin"
    """A lead who also manages accounts."""


class Account(SQLModel, table=True):
    """Someone who works in the console or through the API (`python -m bot users add`)."""

    __table_args__ = (one_of("account", "role", Role),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    """Lower-cased; how the person signs in and how the log names them (`console:<email>`)."""
    name: str = Field(default="", max_length=200)
    role: Role = _label(Role, 8)
    teams: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The teams an agent acts on (empty: every team); leads and admins act everywhere."""
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: Language = _label(Language, 8, default=Language.FR)
    password_hash: str | None = Field(default=None, max_length=200)
    """argon2id; None for an account that only uses API tokens."""
    active: bool = True
    created_at: datetime = _when()


class ApiToken(SQLModel, table=True):
    """A bearer token of an account: only its SHA-256 is kept (the token is shown once)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    digest: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=200)
    created_at: datetime = _when()
    last_used_at: datetime | None = _when(nullable=True)
    revoked_at: datetime | None = _when(nullable=True)


class ConsoleSession(SQLModel, table=True):
    """A signed-in console session: only the SHA-256 of the cookie's random id is kept, with
    the CSRF token its forms carry; it stops at `expires_at` or when the account is disabled."""

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = _when()
    expires_at: datetime = _when()


class CannedResponse(SQLModel, table=True):
    """An answer agents reuse from the ticket page, in French and English, edited by leads in
    the console (`bot.console.canned`). `$number`, `$name` and `$agent` are filled in on use."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120, unique=True)
    body_fr: str = Field(max_length=10_000)
    body_en: str = Field(max_length=10_000)
    updated_by: str = Field(max_length=200)
    updated_at: datetime = _when()
