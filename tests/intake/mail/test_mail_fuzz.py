"""Whatever the bytes, `parse_email` raises only SenderError and `inspect_bytes` never raises."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.errors import SenderError
from intake.mail.inspect import inspect_bytes
from intake.mail.parse import parse_email
from tests.intake.mail.conftest import SAMPLES

SEEDS = [path.read_bytes() for path in sorted(SAMPLES.glob("*.eml"))]
# MAIL_FUZZ_EXAMPLES=5000 for a longer run by hand; the suite stays fast.
FAST = settings(
    max_examples=int(os.environ.get("MAIL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Fragments that exercise the parser's lenient paths when spliced into real mail.
NASTY = [
    b"\r\n",
    b"\n\n",
    b"--",
    b"=?utf-8?B?",
    b"=?x?Q?=FF?=",
    b"; boundary=",
    b"Content-Type: ",
    b"multipart/mixed",
    b"message/rfc822",
    b"base64",
    b"quoted-printable",
    b"=\r\n",
    b"\xff\xfe",
    b"\x00",
    b"<",
    b">",
    b'"',
    b"charset=utf-7",
    b"filename*=",
    b"''%",
    b"\x80\xc3",
    b":",
    b"Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n",
    b"\ttab",
]


def check(raw: bytes) -> None:
    try:
        parsed = parse_email(raw, our_domain="guichet.example", attachment_cap=1000)
    except SenderError:
        pass
    else:
        assert isinstance(parsed.body, str) and isinstance(parsed.full_text, str)
    result = inspect_bytes(raw)
    assert set(result) >= {"message_id", "from", "subject", "body", "error"}


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


@FAST
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(
            st.floats(0, 1), st.integers(0, 40), st.sampled_from(NASTY) | st.binary(max_size=8)
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_samples(seed: bytes, edits: list[tuple[float, int, bytes]]) -> None:
    raw = bytearray(seed)
    for where, cut, insert in edits:
        at = int(where * len(raw))
        raw[at : at + cut] = insert
    check(bytes(raw))


@FAST
@given(st.lists(st.sampled_from(NASTY), max_size=30))
def test_header_soup(fragments: list[bytes]) -> None:
    check(b"From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n" + b"".join(fragments))
