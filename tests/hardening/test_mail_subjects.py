"""Issue #14 item 3 (mail half) and the header-folding finding.

- Header decoding always gives Unicode: an unknown charset, raw 8-bit bytes next to encoded-words,
  non-Latin-1 text between encoded-words, controls. So a subject reused in "RE: …" can always be
  composed again.
- `compose` never raises on any Python text in a subject, a name or a body (lone surrogates, the
  surrogate escapes of undecodable bytes, control characters).
- A composed subject reads back exactly, space for space (CPython 3.11's refolding dropped the
  space between two encoded-words: "Impossibled'accéder" in about 10 % of French subjects).
"""

from __future__ import annotations

import email.policy
import random
from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.mail.charset import decode_header_text
from intake.mail.compose import compose
from intake.mail.headers import first_address
from intake.mail.parse import parse_email
from intake.message import Channel, OutboundMessage

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ack(subject: str, *, name: str = "Marie Tremblay", text: str = "Bonjour") -> bytes:
    message = OutboundMessage(
        channel=Channel.EMAIL,
        to=("marie.tremblay@msss.example",),
        to_name=name,
        subject=subject,
        text=text,
        message_id="csc-000001.0123456789abcdef@guichet.example",
        in_reply_to="m1@msss.example",
        references=("m1@msss.example",),
    )
    return compose(message, sender="csc@itq.example", sender_name="Centre de service", now=NOW)


def read_back(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw, policy=email.policy.default)[name])


def is_unicode(text: str) -> bool:
    text.encode("utf-8")  # raises on a surrogate
    return not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text)


def mail_with_subject(subject: bytes) -> bytes:
    return (
        b"From: Marie <marie@msss.example>\r\nTo: csc@itq.example\r\nSubject: "
        + subject
        + b"\r\nMessage-ID: <s.1@msss.example>\r\n\r\nL'imprimante ne r\xc3\xa9pond plus.\r\n"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # The probe's subject: a bogus charset next to raw non-ASCII text.
        (b"=?x-bogus?q?caf=E9?= r\xc3\xa9seau en panne", "café réseau en panne"),
        (b"=?x-bogus?q?caf=E9?= r\xe9seau en panne", "café réseau en panne"),
        # Non-Latin-1 characters beside an encoded-word were turned into "\u2019" escapes.
        ("=?utf-8?q?Acc=C3=A8s?= à l’écran « bloqué »".encode(), "Accès à l’écran « bloqué »"),
        # A decoded CR/LF or escape sequence is no header text.
        (b"=?utf-8?q?a=0D=0ABcc=3A_x=1B[31m?= b", "a Bcc: x [31m b"),
        (b"=?unicode-escape?q?=5Cud800?=", "\\ud800"),
    ],
)
def test_subject_is_unicode_at_parse_time(raw: bytes, expected: str) -> None:
    subject = parse_email(mail_with_subject(raw)).subject
    assert subject == expected
    assert read_back(ack("RE: " + subject), "Subject") == "RE: " + subject


@BOUNDED
@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=200))
def test_header_decoding_always_gives_unicode(value: str) -> None:
    assert is_unicode(decode_header_text(value))


@BOUNDED
@given(st.binary(max_size=200))
def test_any_subject_bytes_parse_to_unicode_and_compose(subject: bytes) -> None:
    raw = mail_with_subject(subject.replace(b"\r", b"").replace(b"\n", b" "))
    parsed = parse_email(raw)
    assert is_unicode(parsed.subject)
    ack("RE: " + parsed.subject)


ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300) | (
    st.binary(max_size=100).map(lambda b: b.decode("utf-8", "surrogateescape"))
)


@BOUNDED
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_compose_never_raises_on_any_text(subject: str, name: str, text: str) -> None:
    raw = ack(subject, name=name, text=text)
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == "marie.tremblay@msss.example"
    assert str(parsed["Message-ID"]) == "<csc-000001.0123456789abcdef@guichet.example>"
    assert is_unicode(str(parsed["Subject"]))


PHRASES = (
    "Impossible d'accéder à l'application réseau l’imprimante du 3e étage ne répond plus écran "
    "bloqué après la mise à jour télétravail VPN déconnecté problème urgent Québec ministère "
    "santé services sociaux intranet authentification multifacteur réinitialisation mot de passe "
    "expiré anticonstitutionnellement hétérogénéité n° 12345 2026-11-23 09h30 (urgent) — "
    "«Outlook» « Teams » c'est qu'il aujourd'hui Œuvre cœur ÉCRAN À Ça où l'hôpital"
)
WORDS = PHRASES.split()


def french_subjects(count: int) -> list[str]:
    draw = random.Random(14)
    subjects = []
    for _ in range(count):
        words = [draw.choice(WORDS) for _ in range(draw.randint(1, 24))]
        prefix = draw.choice(["", "RE: ", "TR : ", "[CSC-000123] Accusé de réception : "])
        subjects.append(prefix + " ".join(words))
    return subjects


def test_french_subjects_fold_and_read_back_exactly() -> None:
    subjects = french_subjects(3000)
    wrong = [s for s in subjects if read_back(ack(s), "Subject") != s]
    assert wrong == []
    # The folded lines stay within RFC 5322 §2.1.1's 78 characters, and within RFC 2047 §2's
    # 76 where they hold a subject's encoded-words (each whole, never a character split).
    for subject in sorted(subjects, key=len)[-50:]:
        head = ack(subject).split(b"\r\n\r\n")[0].split(b"\r\n")
        assert all(len(line) <= 78 for line in head)
        start = next(i for i, line in enumerate(head) if line.startswith(b"Subject:"))
        end = next(i for i in range(start + 1, len(head)) if not head[i].startswith(b" "))
        assert all(len(line) <= 76 for line in head[start:end])


FIRST = ["Marie-Ève", "Geneviève", "François", "Zoé", "Jérôme", "Hélène", "Noël", "Chloé", "Luc"]
LAST = ["Bédard", "Côté", "O'Neil", "Gagné-Lévesque", "Tremblay", "Pelletier", "Dubé", "Brûlé"]


def test_french_display_names_read_back_exactly() -> None:
    draw = random.Random(14)
    for _ in range(500):
        name = f"{draw.choice(FIRST)} {draw.choice(LAST)}"
        if draw.random() < 0.3:
            name += f" ({draw.choice(['MSSS', 'Santé Québec', 'CISSS de l’Outaouais'])})"
        raw = ack("x", name=name)
        to = message_from_bytes(raw, policy=email.policy.default)["To"]
        assert to.addresses[0].display_name == name
        assert first_address(read_back(raw, "To")) == (name, "marie.tremblay@msss.example")
    # A name too long for one encoded-word still reads back exactly by RFC 2047 §6.2.
    for name in french_subjects(300):
        legacy = message_from_bytes(ack("x", name=name), policy=email.policy.compat32)
        assert first_address(str(legacy["To"]).replace("\r\n", "")) == (
            name,
            "marie.tremblay@msss.example",
        )
