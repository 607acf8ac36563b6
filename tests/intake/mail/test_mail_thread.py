"""Threading: our Message-IDs first, then the ticket tag wherever it sits in the subject."""

from __future__ import annotations

import pytest

from intake.mail.parse import parse_email
from intake.mail.thread import (
    find_thread,
    new_message_id,
    ticket_in_subject,
    ticket_of_message_id,
)


def test_new_message_id_round_trips() -> None:
    ident = new_message_id("CSC-000123", "guichet.example")
    assert ident.startswith("csc-000123.") and ident.endswith("@guichet.example")
    assert ticket_of_message_id(ident, "guichet.example") == "CSC-000123"
    assert ticket_of_message_id(f"<{ident}>") == "CSC-000123"
    assert ticket_of_message_id(ident, "other.example") is None
    assert new_message_id("CSC-000123", "guichet.example") != ident


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
    ],
)
def test_tag_in_subject(subject: str) -> None:
    assert ticket_in_subject(subject) == "CSC-000123"


@pytest.mark.parametrize("subject", ["CSC-12345 trop court", "CSC-1234567", "ABCCSC-000123", ""])
def test_no_tag(subject: str) -> None:
    assert ticket_in_subject(subject) is None


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
