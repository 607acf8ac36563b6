"""Issue #14 item 9: an address is never RFC 2047-decoded (RFC 2047 §5: an encoded-word never
appears in an addr-spec); only display names are. A quoted local part (RFC 5322 §3.4.1) is an
address like any other.

Through the real parser, then through the real service: an .eml dropped in the inbox folder opens
a ticket whose requester, and whose acknowledgement's recipient, is the address as written.
"""

from __future__ import annotations

import email.policy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Requester, Ticket
from intake.mail.compose import compose
from intake.mail.parse import parse_email
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually, running_service
from tests.mail import drop

SMUGGLED = "=?utf-8?q?x=0D=0ABcc=3A_v=40a.example?=@msss.example"
"""Decoded, this local part would read `x\\r\\nBcc: v@a.example`: a different mailbox and a
header injection. Literally, it is a (strange) mailbox at msss.example."""


def raw_mail(sender: str, *, message_id: str = "<addr.1@msss.example>") -> bytes:
    return (
        f"From: {sender}\r\nTo: csc@itq.example\r\nSubject: Imprimante en panne\r\n"
        f"Date: Mon, 23 Nov 2026 09:00:00 -0500\r\nMessage-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Bonjour, l'imprimante du 3e étage ne répond plus depuis ce matin.\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("header", "sender", "name"),
    [
        (f"Marie <{SMUGGLED}>", SMUGGLED.lower(), "Marie"),
        (SMUGGLED, SMUGGLED.lower(), ""),
        ('"john smith"@msss.example', '"john smith"@msss.example', ""),
        ('John Smith <"john smith"@msss.example>', '"john smith"@msss.example', "John Smith"),
        # A quoted local part that needs no quotes is the same mailbox as the bare one.
        ('"john"@msss.example', "john@msss.example", ""),
        # Display names are still decoded (RFC 2047 §5 (1) and (2)).
        (
            "=?utf-8?q?Fran=C3=A7ois_B=C3=A9dard?= <f@msss.example>",
            "f@msss.example",
            "François Bédard",
        ),
        ('"=?utf-8?q?Fran=C3=A7ois?=" <f@msss.example>', "f@msss.example", "François"),
    ],
)
def test_parser_never_decodes_an_address(header: str, sender: str, name: str) -> None:
    parsed = parse_email(raw_mail(header))
    assert (parsed.sender, parsed.sender_name) == (sender, name)


def test_cc_and_to_are_not_decoded_either() -> None:
    raw = raw_mail("a@msss.example").replace(
        b"To: csc@itq.example", f"To: csc@itq.example, {SMUGGLED}\r\nCc: <{SMUGGLED}>".encode()
    )
    parsed = parse_email(raw)
    assert parsed.to == ("csc@itq.example", SMUGGLED.lower())
    assert parsed.cc == (SMUGGLED.lower(),)


@pytest.mark.parametrize("to", [SMUGGLED.lower(), '"john smith"@msss.example'])
def test_composed_recipient_is_the_address_as_written(to: str) -> None:
    message = OutboundMessage(
        channel=Channel.EMAIL,
        to=(to,),
        to_name="Marie",
        subject="Accusé",
        text="x",
        message_id="csc-000001.1@guichet.example",
    )
    raw = compose(
        message,
        sender="csc@itq.example",
        sender_name="CSC",
        now=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
    )
    assert f"To: Marie <{to}>\r\n".encode() in raw


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[None]:
    async with running_service(migrated):
        yield


def _recipient(path: Path) -> str:
    # compat32 reads the header as written: the modern parser would itself decode the local
    # part (CPython's _header_value_parser does), which is exactly the mistake under test.
    msg = message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    return str(msg["To"])


@pytest.mark.parametrize(
    ("header", "address"),
    [
        (f"Marie <{SMUGGLED}>", SMUGGLED.lower()),
        ('"john smith"@msss.example', '"john smith"@msss.example'),
    ],
)
async def test_service_ticket_and_acknowledgement_go_to_the_address_as_written(
    header: str, address: str, service: None, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "addr.eml", raw_mail(header))
    [ack] = await eventually(lambda: sorted(migrated.outbox.glob("*.eml")), timeout=30)
    async with store() as session:
        [(ticket, requester)] = (
            await session.exec(
                select(Ticket, Requester).where(col(Ticket.requester_id) == col(Requester.id))
            )
        ).all()
    assert requester.address == address
    assert ticket.number is not None
    assert _recipient(ack).endswith(f"<{address}>") or _recipient(ack) == address
    assert b"v@a.example" not in ack.read_bytes()
    assert b"Bcc" not in ack.read_bytes()
