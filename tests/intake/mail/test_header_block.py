"""Reading headers before parsing looks at the header block only, and reads what a whole parse
reads: the store's duplicate key depends on it."""

from __future__ import annotations

from email.parser import BytesParser
from pathlib import Path

import pytest

from intake.mail.headers import Headers
from intake.mail.parse import header_block, read_headers
from intake.mail.policy import READING

SAMPLES = sorted((Path(__file__).parents[2] / "data" / "mail").glob("*.eml"))


@pytest.mark.parametrize(
    ("raw", "block"),
    [
        (
            b"From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n\r\nmore",
            b"From: a@b.example\r\nSubject: x\r\n\r\n",
        ),
        (b"From: a@b.example\nSubject: x\n\nbody\n\nmore", b"From: a@b.example\nSubject: x\n\n"),
        (b"From: a@b.example\nSubject: x\n\r\nbody", b"From: a@b.example\nSubject: x\n\r\n"),
        (b"From: a@b.example\r\nSubject: x\r\n", b"From: a@b.example\r\nSubject: x\r\n"),
        (b"", b""),
    ],
)
def test_the_header_block_ends_at_the_first_empty_line(raw: bytes, block: bytes) -> None:
    assert header_block(raw) == block


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_headers_read_before_parsing_are_those_a_whole_parse_reads(sample: Path) -> None:
    raw = sample.read_bytes()
    whole = Headers(BytesParser(policy=READING).parsebytes(raw, headersonly=True))
    early = read_headers(raw)
    assert early is not None
    for name in whole.names():
        assert early.get_all(name) == whole.get_all(name)
        assert early.raw(name) == whole.raw(name)
    only = read_headers(raw, {"message-id", "from"})
    assert only is not None and set(only.names()) <= {"message-id", "from"}
    assert only.get("from") == whole.get("from")


ODD_BLOCKS = [
    b"From bob@x.example Mon Jan  1 10:00:00 2024\nFrom: a@b.example\nMessage-ID: <1@b>\n\n",
    b" stray continuation\nMessage-ID:\n <2@b>\nFrom: a@b.example\n\tfolded <c@d.example>\n\n",
    b": no name\n continued\nFROM : A <a@b.example>\nmessage-id: <3@b>\nMessage-ID: <4@b>\n",
    b"Subject: x\r\nnot a header line\r\nMessage-ID: <5@b>\r\nFrom: a@b.example\r\n\r\n",
    b"Subject: x\rMessage-ID: <6@b>\rFrom: a@b.example\r\nSender: s@b.example\n\n",
    b"X-From: not@this.example\nFrom x: y\nReply-To: r@b.example\nSender:\xff s@b.example\n",
    b"Message-ID <7@b>\nFrom: a@b.example\n",
    b"From: a@b.example\nFrom bob Mon Jan  1 10:00:00 2024\n continued\nMessage-ID: <8@b>\n",
]


@pytest.mark.parametrize(
    "raw",
    [p.read_bytes() for p in SAMPLES] + ODD_BLOCKS,
    ids=[p.name for p in SAMPLES] + [f"odd-{i}" for i in range(len(ODD_BLOCKS))],
)
def test_headers_named_read_alone_are_those_a_whole_parse_reads(raw: bytes) -> None:
    """`only` hands the parser those headers' lines alone: the same values, odd blocks too."""
    names = {"message-id", "from", "sender"}
    whole = Headers(BytesParser(policy=READING).parsebytes(header_block(raw), headersonly=True))
    only = read_headers(raw, names)
    assert only is not None
    assert set(only.names()) == names & set(whole.names())
    for name in names:
        assert only.get_all(name) == whole.get_all(name)
        assert only.raw(name) == whole.raw(name)


def test_a_large_body_is_not_read_to_find_the_headers() -> None:
    body = b"x" * 76 + b"\r\n"
    raw = b"From: Ana <ana@msss.example>\r\nMessage-ID: <big@msss.example>\r\n\r\n" + body * 100_000
    assert header_block(raw).endswith(b"\r\n\r\n") and len(header_block(raw)) < 100
    headers = read_headers(raw, {"message-id"})
    assert headers is not None and headers.get("message-id") == "<big@msss.example>"
