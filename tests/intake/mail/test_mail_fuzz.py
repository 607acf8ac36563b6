"""Whatever the bytes, `parse_email` has exactly one outcome, a `ParsedEmail` or a `SenderError`
(never another exception), and `inspect_bytes` never raises.

Inputs: random bytes, our samples mutated byte-wise, and messages built from generated headers
(encoded-words in any charset, addresses quoted or encoded, raw 8-bit bytes). Bounded: a few
hundred examples per test, no deadline (the suite stays under ~20 s).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.inspect import inspect_bytes
from intake.errors import SenderError
from intake.mail.headers import addr_spec
from intake.mail.parse import parse_email
from intake.mail.parsed import ParsedEmail, Unreadable
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


def outcome(raw: bytes) -> ParsedEmail | SenderError:
    """The one outcome of parsing `raw`; any other exception fails the test."""
    try:
        return parse_email(raw, our_domain="guichet.example", attachment_cap=1000)
    except SenderError as exc:
        return exc


def storable(text: str) -> bool:
    """Unicode the store can hold: no lone surrogate (the database driver would raise)."""
    text.encode("utf-8")
    return True


def check(raw: bytes) -> None:
    result = outcome(raw)
    if isinstance(result, SenderError):
        assert result.reason in set(Unreadable), result.reason
    else:
        assert isinstance(result, ParsedEmail)
        assert all(storable(t) for t in (result.body, result.full_text, result.sender_name))
        assert storable(result.subject) and not any(c in result.subject for c in "\r\n\x00")
        # An address is an addr-spec as written, never decoded (RFC 2047 §5): no CR/LF in it.
        for address in (result.sender, result.reply_to, *result.to, *result.cc):
            assert storable(address) and "\n" not in address and "\r" not in address
            assert "@" not in address or addr_spec(address) == address, address
    again = outcome(raw)  # one outcome per input: parsing is a function of the bytes
    assert type(again) is type(result)
    inspected = inspect_bytes(raw)
    assert set(inspected) >= {"message_id", "from", "subject", "body", "error"}


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


# Generated headers: the fields the bot acts on, with values built from the hostile shapes
# the probe of issue #14 used (encoded-words in addresses, bogus charsets, raw 8-bit bytes).
FIELDS = [
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Sender",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Auto-Submitted",
]
CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "x-bogus",
    "unknown-8bit",
    "utf-7",
    "unicode-escape",
    "utf-16",
    "gb2312",
    "",
    "utf-8*fr",
]
encoded_word = st.builds(
    lambda charset, kind, payload: f"=?{charset}?{kind}?{payload}?=".encode(),
    st.sampled_from(CHARSETS),
    st.sampled_from("qQbB"),
    st.text(alphabet="=ABCDEF0123456789_abc/+-@.:\r\n", max_size=30),
)
local_part = st.sampled_from(
    [b"marie", b'"john smith"', b'"a\\"b"', b"x.y+z", b"\xc3\xa9l\xc3\xa9"]
)
address = st.one_of(
    st.builds(lambda lp: lp + b"@msss.example", local_part | encoded_word),
    st.builds(lambda name, lp: name + b" <" + lp + b"@msss.example>", encoded_word, local_part),
    st.builds(lambda ew: b"<" + ew + b"@msss.example>", encoded_word),
)
header_value = st.lists(
    st.one_of(
        encoded_word,
        address,
        st.sampled_from(NASTY),
        st.binary(max_size=12),
        st.sampled_from([b" ", b", ", b"\r\n ", b"\xe9t\xe9", b"l\xe2\x80\x99\xc3\xa9cran"]),
    ),
    max_size=8,
).map(b"".join)
headers = st.lists(st.tuples(st.sampled_from(FIELDS), header_value), min_size=1, max_size=10)


@FAST
@given(headers, st.sampled_from([b"", *SEEDS[:3]]), st.binary(max_size=200))
def test_generated_headers(fields: list[tuple[str, bytes]], seed: bytes, body: bytes) -> None:
    head = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in fields)
    check(head + b"\r\n" + body if not seed else head + seed)
