"""Charsets: wrong, missing, unknown labels and RFC 2047 headers."""

from __future__ import annotations

import pytest

from intake.mail.charset import decode_bytes, decode_header_text, normalise_label

FRENCH = "Bonjour, la réunion de demain à côté est annulée « vraiment » — désolé…"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (FRENCH.encode("utf-8"), "iso-8859-1"),  # UTF-8 under a Latin label
        (FRENCH.encode("utf-8"), None),
        (FRENCH.encode("cp1252"), "iso-8859-1"),  # Outlook's Windows-1252 under latin-1
        (FRENCH.encode("cp1252"), "us-ascii"),
        (FRENCH.encode("cp1252"), "utf-8"),  # labelled UTF-8, really Windows
        (FRENCH.encode("cp1252"), "x-unknown"),
        (FRENCH.encode("cp1252"), "no-such-charset"),
        (FRENCH.encode("cp1252"), None),
    ],
)
def test_french_text_survives_bad_labels(data: bytes, label: str | None) -> None:
    assert decode_bytes(data, label) == FRENCH


def test_asian_supersets() -> None:
    assert decode_bytes("服务器".encode("gb18030"), "gb2312") == "服务器"
    assert decode_bytes("서버".encode("cp949"), "ks_c_5601-1987") == "서버"


def test_never_raises_on_garbage() -> None:
    assert isinstance(decode_bytes(bytes(range(256)), "utf-8"), str)
    assert isinstance(decode_bytes(bytes(range(256)), "utf-16"), str)


def test_dangerous_or_non_text_codecs_are_refused() -> None:
    assert normalise_label("utf-7") is None
    assert normalise_label("base64") is None
    assert normalise_label("rot13") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?iso-8859-1?Q?R=E9ponse_automatique?=", "Réponse automatique"),
        ("=?UTF-8?B?w4ljaGVjIGRlIGxhIHJlbWlzZQ==?=", "Échec de la remise"),
        ("=?utf-8?q?=C3=89cran?= =?utf-8?q?_noir?=", "Écran noir"),  # RFC 2047 §6.2
        ("Re: =?utf-8?Q?acc=C3=A8s?= refusé", "Re: accès refusé"),
        ("=?utf-8?B?w4k=?=\n =?utf-8?B?Y3Jhbg==?=", "Écran"),
        ("=?unknown-8bit?Q?caf=E9?=", "café"),
        ("=?utf-8?Q?broken", "=?utf-8?Q?broken"),
        ("plain subject", "plain subject"),
    ],
)
def test_rfc2047_headers(raw: str, expected: str) -> None:
    assert decode_header_text(raw) == expected


def test_multibyte_character_split_across_encoded_words() -> None:
    # "é" is C3 A9; some clients cut encoded words inside a character.
    assert decode_header_text("=?utf-8?B?w6k=?=") == "é"
    assert decode_header_text("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=") == "café"


def test_raw_8bit_header_bytes() -> None:
    raw = "Écran".encode().decode("ascii", "surrogateescape")
    assert decode_header_text(raw) == "Écran"


def test_utf16_declared() -> None:
    assert decode_bytes("Écran noir".encode("utf-16"), "utf-16") == "Écran noir"
    assert decode_bytes("Hello".encode("utf-16-le"), "UTF-16LE") == "Hello"
