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


def test_a_large_body_is_not_read_to_find_the_headers() -> None:
    body = b"x" * 76 + b"\r\n"
    raw = b"From: Ana <ana@msss.example>\r\nMessage-ID: <big@msss.example>\r\n\r\n" + body * 100_000
    assert header_block(raw).endswith(b"\r\n\r\n") and len(header_block(raw)) < 100
    headers = read_headers(raw, {"message-id"})
    assert headers is not None and headers.get("message-id") == "<big@msss.example>"
