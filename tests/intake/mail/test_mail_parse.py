"""`parse_email` on structures: attachments and the cap, TNEF, broken MIME, limits."""

from __future__ import annotations

import base64

import pytest

from intake.errors import SenderError
from intake.mail.parse import message_id_of, parse_email
from intake.mail.tnef import decompress_rtf, rtf_to_text


def multipart(*parts: str, ctype: str = "multipart/mixed") -> bytes:
    body = "".join(f"--b\n{part}\n" for part in parts) + "--b--\n"
    return (
        f"From: a@b.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: {ctype}; boundary=b\n\n{body}"
    ).encode()


def test_attachment_over_the_cap_keeps_metadata_only() -> None:
    data = base64.b64encode(b"x" * 5000).decode()
    raw = multipart(
        "Content-Type: text/plain\n\nVoir la pièce jointe.",
        f"Content-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n"
        f"Content-Transfer-Encoding: base64\n\n{data}",
    )
    small = parse_email(raw, attachment_cap=10_000).attachments[0]
    big = parse_email(raw, attachment_cap=1000).attachments[0]
    assert (small.size, small.content) == (5000, b"x" * 5000)
    assert (big.size, big.content, big.filename) == (5000, None, "a.pdf")


def test_windows_path_in_filename_is_reduced_to_the_name() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nx",
        "Content-Type: application/octet-stream\nContent-Disposition: attachment; "
        'filename="C:\\\\Users\\\\jean\\\\rapport.xlsx"\n\nabc',
    )
    assert parse_email(raw).attachments[0].filename == "rapport.xlsx"


def test_rfc2047_in_filename_parameter() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nx",
        'Content-Type: application/pdf; name="=?utf-8?Q?relev=C3=A9.pdf?="\n'
        "Content-Disposition: attachment\n\nabc",
    )
    assert parse_email(raw).attachments[0].filename == "relevé.pdf"


def test_the_html_twin_not_shown_still_gives_its_inline_images() -> None:
    """Plain text shown, its HTML twin (multipart/related: markup and a logo) walked for its
    files only: the image is kept, the markup is neither the text nor the message's HTML."""
    logo = base64.b64encode(b"\x89PNG fake").decode()
    related = (
        "Content-Type: multipart/related; boundary=r\n\n"
        "--r\nContent-Type: text/html\n\n<p>Le <b>HTML</b> <img src='cid:logo@x'></p>\n"
        "--r\nContent-Type: image/png\nContent-ID: <logo@x>\n"
        f"Content-Transfer-Encoding: base64\n\n{logo}\n--r--"
    )
    raw = multipart(
        "Content-Type: text/plain\n\nLe texte brut.", related, ctype="multipart/alternative"
    )
    parsed = parse_email(raw)
    assert parsed.body == "Le texte brut."
    assert "HTML" not in parsed.full_text and parsed.html == ""
    assert [(a.content_type, a.content, a.inline) for a in parsed.attachments] == [
        ("image/png", b"\x89PNG fake", True)
    ]


def test_alternative_prefers_plain_unless_it_is_a_placeholder() -> None:
    alt = "multipart/alternative"
    good = multipart(
        "Content-Type: text/plain\n\nTexte brut.",
        "Content-Type: text/html\n\n<p>Texte <b>HTML</b>.</p>",
        ctype=alt,
    )
    assert parse_email(good).body == "Texte brut."
    empty = multipart(
        "Content-Type: text/plain\n\n",
        "Content-Type: text/html\n\n<p>Texte <b>HTML</b>.</p>",
        ctype=alt,
    )
    assert parse_email(empty).body == "Texte HTML."
    placeholder = multipart(
        "Content-Type: text/plain\n\nThis is an HTML message. Please use an HTML mail client.",
        "Content-Type: text/html\n\n<p>Le vrai texte.</p>",
        ctype=alt,
    )
    assert parse_email(placeholder).body == "Le vrai texte."


def test_calendar_invite_is_an_attachment_not_the_body() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nRéunion.",
        "Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR",
    )
    parsed = parse_email(raw)
    assert parsed.body == "Réunion."
    assert parsed.attachments[0].content_type == "text/calendar"


def test_signature_part_is_not_an_attachment() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nSigné.",
        "Content-Type: application/pkcs7-signature; name=smime.p7s\n\nMIIB",
        ctype='multipart/signed; protocol="application/pkcs7-signature"',
    )
    parsed = parse_email(raw)
    assert parsed.body == "Signé." and parsed.attachments == ()


def test_boundary_that_never_appears_is_recovered() -> None:
    raw = (
        b"From: a@b.example\nSubject: x\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="declared"\n\n'
        b"--actual\nContent-Type: text/plain\n\nLe texte perdu.\n--actual--\n"
    )
    assert parse_email(raw).body == "Le texte perdu."


def test_deep_nesting_is_bounded() -> None:
    depth = 200
    head = "".join(
        f"Content-Type: multipart/mixed; boundary=b{n}\n\n--b{n}\n" for n in range(depth)
    )
    tail = "".join(f"\n--b{n}--" for n in reversed(range(depth)))
    raw = (
        f"From: a@b.example\nSubject: x\nMIME-Version: 1.0\n{head}"
        f"Content-Type: text/plain\n\nfond{tail}\n"
    )
    parsed = parse_email(raw.encode())  # must not raise RecursionError
    assert parsed.sender == "a@b.example"


def test_tnef_rtf_decompression_of_a_stored_stream() -> None:
    rtf = b"{\\rtf1\\ansi Bonjour\\par le\\'e9cran {\\*\\generator X;}noir}"
    stored = (len(rtf) + 12).to_bytes(4, "little") + len(rtf).to_bytes(4, "little")
    stored += b"MELA" + b"\x00" * 4 + rtf
    assert rtf_to_text(decompress_rtf(stored)) == "Bonjour\nleécran noir"


def test_winmail_dat_that_is_not_tnef_stays_an_attachment() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nx",
        "Content-Type: application/ms-tnef; name=winmail.dat\n"
        "Content-Disposition: attachment; filename=winmail.dat\n\nnot tnef",
    )
    assert parse_email(raw).attachments[0].filename == "winmail.dat"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"\r\n\r\n  ", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "outlook_msg"),
        (b"just some text without headers\n", "not_an_email"),
        (b"\x00\x01\x02", "not_an_email"),
    ],
)
def test_sender_errors(raw: bytes, reason: str) -> None:
    with pytest.raises(SenderError) as info:
        parse_email(raw)
    assert info.value.reason == reason


def test_mbox_from_line_and_bom_are_tolerated() -> None:
    parsed = parse_email(
        b"\xef\xbb\xbfFrom jean@x Mon Jan  1 00:00:00 2024\nFrom: jean@x.example\n"
        b"Subject: Bonjour\n\nTexte.\n"
    )
    assert (parsed.sender, parsed.subject, parsed.body) == ("jean@x.example", "Bonjour", "Texte.")


def test_headers_only_message() -> None:
    parsed = parse_email(b"From: jean@x.example\nSubject: Vide")
    assert parsed.body == "" and parsed.subject == "Vide"


def test_message_id_of() -> None:
    assert message_id_of(b"Message-ID: <abc@x>\nFrom: a@b\n\nx") == "abc@x"
    assert message_id_of(b"Message-ID: abc@x\n\nx") == "abc@x"
    assert message_id_of(b"\x00\xff") is None


def test_addresses_with_odd_display_names() -> None:
    parsed = parse_email(
        b'From: "Tremblay, Jos\xc3\xa9e" <JOSEE@Example>\n'
        b"To: =?iso-8859-1?Q?C=F4t=E9=2C_Luc?= <luc@x.example>, b@y.example\n"
        b"Cc: undisclosed-recipients:;\nSubject: x\n\ny\n"
    )
    assert parsed.sender == "josee@example"
    assert parsed.sender_name == "Tremblay, Josée"
    assert parsed.to == ("luc@x.example", "b@y.example")
    assert parsed.cc == ()


def test_plain_and_html_twins_in_mixed_are_shown_once() -> None:
    raw = multipart(
        "Content-Type: text/plain\n\nLe poste est en panne.",
        "Content-Type: text/html\n\n<p>Le poste est en panne.</p>",
    )
    assert parse_email(raw).body == "Le poste est en panne."


def test_html_labelled_as_plain_text_is_converted() -> None:
    raw = b"From: a@b.example\nSubject: x\nContent-Type: text/plain\n\n<html><body><p>Texte</p></body>"
    assert parse_email(raw).body == "Texte"


@pytest.mark.parametrize(
    "raw",
    [
        b"From: " + b"a" * 100_000 + b"\nSubject: x\n\nx",  # was quadratic: 48 s
        b"From: " + b"a@" * 50_000 + b"\nTo: " + b"a." * 50_000 + b"\nSubject: x\n\nx",
        b"From: MAILER-DAEMON@x.com\nSubject: Undeliverable\n\n" + b"a" * 200_000,
        b"From: a@b.example\nSubject: x\nContent-Type: text/html\n\n" + b"<div>" * 50_000 + b"x",
        b"From: a@b.example\nSubject: x\n\n" + b"From: x\nSent: y\n" * 20_000,
    ],
    ids=["long-from", "at-soup", "bounce-token", "deep-html", "header-blocks"],
)
def test_pathological_input_is_time_boxed(raw: bytes) -> None:
    import time

    started = time.monotonic()
    parse_email(raw)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("charset", ["latin-1", "utf-8"])
def test_raw_8bit_filename(charset: str) -> None:
    name = "relevé.pdf".encode(charset)
    raw = multipart(
        "Content-Type: text/plain\n\nx",
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="@@"\n\nabc',
    ).replace(b"@@", name)
    assert parse_email(raw).attachments[0].filename == "relevé.pdf"
