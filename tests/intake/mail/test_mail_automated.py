"""Automated mail: RFC 3834 and the headers real servers use, one rule per case."""

from __future__ import annotations

import pytest

from intake.mail.automated import LOOP_HEADER
from intake.mail.parse import parse_email
from intake.mail.parsed import Automated


def mail(headers: str, body: str = "Bonjour, mon poste ne démarre plus.\n") -> bytes:
    base = "From: Jean <jean@example>\nTo: csc@guichet.example\n"
    if "Message-ID" not in headers:
        base += "Message-ID: <m1@example>\n"
    return (base + headers + "Content-Type: text/plain; charset=utf-8\n\n" + body).encode()


def kind(headers: str, body: str = "Bonjour, mon poste ne démarre plus.\n") -> str | None:
    parsed = parse_email(mail(headers, body), our_domain="guichet.example")
    return None if parsed.automated is None else str(parsed.automated)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("Subject: Poste en panne\n", None),
        ("Subject: x\nAuto-Submitted: no\n", None),
        ("Subject: x\nAuto-Submitted: auto-replied\n", "auto_reply"),
        ("Subject: x\nAuto-Submitted: auto-generated\n", "auto_reply"),
        ("Subject: x\nAuto-Submitted: auto-notified; owner-email=x@y\n", "auto_reply"),
        ("Subject: x\nX-Autoreply: yes\n", "auto_reply"),
        ("Subject: x\nX-Autorespond: yes\n", "auto_reply"),
        ("Subject: x\nPrecedence: auto_reply\n", "auto_reply"),
        ("Subject: x\nReturn-Path: <>\n", "auto_reply"),
        ("Subject: x\nX-MS-Exchange-Inbox-Rules-Loop: jean@example\n", "auto_reply"),
        ("Subject: x\nX-Auto-Response-Suppress: All\nReturn-Path: <>\n", "auto_reply"),
        ("Subject: Réponse automatique : x\n", "out_of_office"),
        ("Subject: Absence du bureau\n", "out_of_office"),
        ("Subject: Automatic reply: x\n", "out_of_office"),
        ("Subject: Out of Office: x\n", "out_of_office"),
        ("Subject: Bonjour\nAuto-Submitted: auto-replied\n", "out_of_office"),  # body says so
        ("Subject: x\nX-Auto-Response-Suppress: All\n", "auto_reply"),
        ("Subject: Absence de réseau au 3e étage\n", None),
        ("Subject: Vacances\nAuto-Submitted: auto-replied\n", "out_of_office"),
        ("Subject: x\nList-Id: <l.example>\nAuto-Submitted: auto-generated\n", "list"),
        ("Subject: Auto reply\n", "auto_reply"),
        ("Subject: x\nX-MS-Exchange-Inbox-Rules-Loop: csc@guichet.example\n", "loop"),
        ("Subject: x\nPrecedence: bulk\n", "list"),
        ("Subject: x\nPrecedence: junk\n", "list"),
        ("Subject: x\nPrecedence: list\n", "list"),
        ("Subject: x\nList-Id: <annonces.example>\n", "list"),
        ("Subject: x\nList-Unsubscribe: <mailto:u@example>\n", "list"),
        ("Subject: x\nX-Failed-Recipients: a@b.example\n", "bounce"),
        ("Subject: Undeliverable: x\nReturn-Path: <>\n", "bounce"),
        ("Subject: Non remis : x\nAuto-Submitted: auto-replied\n", "bounce"),
        ("Subject: x\nMessage-ID: <csc-000001.ab12@guichet.example>\n", "loop"),
        (f"Subject: x\n{LOOP_HEADER}: guichet.example\n", "loop"),
    ],
)
def test_headers(headers: str, expected: str | None) -> None:
    body = "Je suis absent du bureau jusqu'au 3 avril.\n" if "Bonjour" in headers else None
    assert kind(headers, body or "Bonjour, mon poste ne démarre plus.\n") == expected


def test_mailer_daemon_sender_is_a_bounce() -> None:
    raw = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example>\nTo: csc@g.example\n"
        b"Subject: Returned mail: see transcript\n\nUser unknown: <gone@example.com>\n"
    )
    parsed = parse_email(raw)
    assert parsed.automated is not None and parsed.automated.value == "bounce"
    assert parsed.bounce is not None and parsed.bounce.recipients == ("gone@example.com",)
    assert parsed.bounce.permanent


def test_a_person_complaining_about_bounces_is_not_a_bounce() -> None:
    assert kind("Subject: Undeliverable emails since this morning\n") is None
    assert kind("Subject: RE: Non remis : mon courriel au ministère\n") is None


def test_read_receipt_is_an_auto_reply() -> None:
    raw = (
        b"From: jean@example\nTo: csc@g.example\nSubject: Lu : [CSC-000001] x\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/report; "
        b"report-type=disposition-notification; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        b"Lu.\n--b\nContent-Type: message/disposition-notification\n\n"
        b"Final-Recipient: rfc822;jean@example\nDisposition: manual-action/MDN-sent-"
        b"manually; displayed\n--b--\n"
    )
    parsed = parse_email(raw)
    assert parsed.automated is not None and parsed.automated.value == "auto_reply"


def test_our_message_id_shape_without_a_domain() -> None:
    raw = mail("Subject: x\nMessage-ID: <csc-000001.ab12@guichet.example>\n")
    assert parse_email(raw).automated is Automated.LOOP
    assert parse_email(raw, our_domain="other.example").automated is None
