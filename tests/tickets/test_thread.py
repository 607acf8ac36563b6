"""Threading: our Message-IDs first, then the ticket tag wherever it sits in the subject."""

from __future__ import annotations

import pytest

from bot.tickets.number import TicketNumber
from bot.tickets.thread import (
    find_thread,
    new_message_id,
    ticket_in_subject,
    ticket_of_message_id,
)
from intake.mail.automated import looks_like_ours
from intake.mail.parse import parse_email
from intake.mail.parsed import Automated


def test_new_message_id_round_trips() -> None:
    ident = new_message_id("CSC-000123", "guichet.example")
    assert ident.startswith("csc-000123.") and ident.endswith("@guichet.example")
    assert ticket_of_message_id(ident, "guichet.example") == "CSC-000123"
    assert ticket_of_message_id(f"<{ident}>") == "CSC-000123"
    assert ticket_of_message_id(ident, "other.example") is None
    assert new_message_id("CSC-000123", "guichet.example") != ident


@pytest.mark.parametrize("number", [1, 123, 999_999, 1_000_000, 999_999_999_999])
def test_message_ids_of_any_width_round_trip(number: int) -> None:
    ticket = TicketNumber(number)
    ident = new_message_id(ticket, "guichet.example")
    assert ident.startswith(f"{str(ticket).lower()}.")
    assert ticket_of_message_id(f"<{ident}>", "guichet.example") == str(ticket)


def test_ticket_one_million_threads_by_message_id() -> None:
    ident = new_message_id("CSC-1000000", "guichet.example")
    assert ident.startswith("csc-1000000.")
    parsed = parse_email(
        f"From: a@b.example\nSubject: Re: suivi\nIn-Reply-To: <{ident}>\n\nmerci\n".encode()
    )
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == ("CSC-1000000", "in_reply_to")


@pytest.mark.parametrize(
    "ident",
    [
        "<csc-0000000000000.ab@guichet.example>",  # 13 digits
        "<csc-000000.ab@guichet.example>",  # no ticket 0
        "<csc-.ab@guichet.example>",
        "<abc-000123.ab@guichet.example>",
        "<csc-000123@guichet.example>",
    ],
)
def test_not_our_message_id(ident: str) -> None:
    assert ticket_of_message_id(ident, "guichet.example") is None


@pytest.mark.parametrize(
    "subject",
    [
        "[CSC-000123] Imprimante",
        "RE: [CSC-000123] Imprimante",
        "RE : TR : [CSC-000123] Imprimante",
        "Réf. : [CSC-000123]",
        "FW: AW: Re: csc-000123 toujours",
        "Re[2]: CSC 000123",
        "TR:Imprimante (CSC‑000123)",  # non-breaking hyphen from Word
        "Suivi de la demande #CSC-000123",
        "Suivi – CSC–000123",  # en dash
        "[CSC123] sans tiret",
        "[ # csc-123 ]",
    ],
)
def test_tag_in_subject(subject: str) -> None:
    assert ticket_in_subject(subject) == "CSC-000123"


@pytest.mark.parametrize(
    ("subject", "ticket"),
    [
        ("RE: [CSC-1000000] Imprimante", "CSC-1000000"),
        ("TR : suivi csc‑1000000", "CSC-1000000"),  # non-breaking hyphen
        ("Re: CSC-12345 dossier", "CSC-012345"),
        ("[CSC-999999999999]", "CSC-999999999999"),
        ("[CSC 12] espace", "CSC-000012"),
        ("Re: CSC 1000000", "CSC-1000000"),
    ],
)
def test_tag_of_any_width(subject: str, ticket: str) -> None:
    assert ticket_in_subject(subject) == ticket


@pytest.mark.parametrize(
    "subject",
    [
        "ABCCSC-000123",
        "CSC-0000000000000 trop long",
        "[CSC-000000]",
        "x-CSC-000123",
        "Le CSC 24h sur 24 ne répond pas",  # prose, not a ticket
        "",
    ],
)
def test_no_tag(subject: str) -> None:
    assert ticket_in_subject(subject) is None


def test_subject_tag_wins_when_no_message_id_is_ours() -> None:
    parsed = parse_email(
        b"From: a@b.example\nSubject: RE: [CSC-1000000] x\n"
        b"In-Reply-To: <csc-000001.aa@evil.example>\n\nhello\n"
    )
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == ("CSC-1000000", "subject_tag")


def test_order_of_trust() -> None:
    parsed = parse_email(
        b"From: a@b.example\nSubject: RE: [CSC-000003] x\n"
        b"In-Reply-To: <csc-000001.aa@guichet.example>\n"
        b"References: <x@y> <csc-000002.bb@guichet.example>\n\nhello\n"
    )
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == ("CSC-000001", "in_reply_to")


def test_references_newest_first() -> None:
    parsed = parse_email(
        b"From: a@b.example\nSubject: x\nIn-Reply-To: <other@mail.example>\n"
        b"References: <csc-000001.aa@guichet.example> <csc-000002.bb@guichet.example> <o@m>\n\nhi\n"
    )
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == ("CSC-000002", "references")


def test_foreign_domain_is_ignored_when_domain_given() -> None:
    parsed = parse_email(
        b"From: a@b.example\nSubject: x\nIn-Reply-To: <csc-000001.aa@evil.example>\n\nhi\n"
    )
    assert find_thread(parsed, "guichet.example").ticket is None
    assert find_thread(parsed, None).ticket == "CSC-000001"


def test_nothing() -> None:
    parsed = parse_email(b"From: a@b.example\nSubject: Bonjour\n\nhi\n")
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == (None, None)


def test_bounce_of_our_notification_finds_its_ticket() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\nSubject: Delivery Status Notification (Failure)\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        b"boundary=b\n\n--b\nContent-Type: text/plain\n\nFailed.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        b"Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n"
        b"--b\nContent-Type: text/rfc822-headers\n\n"
        b"Message-ID: <csc-000777.0123abcd@guichet.example>\nSubject: Suivi\n--b--\n"
    )
    parsed = parse_email(raw)
    ref = find_thread(parsed, "guichet.example")
    assert (ref.ticket, ref.reason) == ("CSC-000777", "references")
    assert parsed.bounce is not None and parsed.bounce.recipients == ("gone@example.com",)
    assert parsed.attachments[0].filename == "original-headers.txt"


@pytest.mark.parametrize("number", [1, 1_000_000])
def test_intake_knows_our_message_id_shape(number: int) -> None:
    """intake cannot import bot: its own copy of the shape must accept what we write."""
    ident = new_message_id(TicketNumber(number), "guichet.example")
    assert looks_like_ours(ident) and looks_like_ours(f"<{ident.upper()}>")
    raw = f"From: a@b.example\nSubject: x\nMessage-ID: <{ident}>\n\nhi\n".encode()
    assert parse_email(raw).automated is Automated.LOOP  # no domain given: the shape tells


@pytest.mark.parametrize(
    "ident", ["<m1@example>", "<csc-000001@guichet.example>", "<csc.0a@guichet.example>"]
)
def test_other_message_ids_are_not_ours(ident: str) -> None:
    assert not looks_like_ours(ident)
