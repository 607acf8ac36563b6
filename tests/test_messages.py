"""The message catalogue: French and English say the same things, and code asks only for keys
that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.messages import catalogue, fields_of, say
from bot.sla.calendar import WEEKDAYS
from bot.tickets.labels import Status, language_of
from nlp.labels import Kind, Language, Severity

ROOT = Path(__file__).resolve().parents[1]
SAY = re.compile(r"""\bsay\(\s*["']([\w.]+)["']""")
RULE = re.compile(r"""\bTicketRuleError\(\s*["']([\w.]+)["']""")


def _keys_used_in_code() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for key in SAY.findall(text):
            used.setdefault(key, []).append(where)
        for key in RULE.findall(text):
            used.setdefault(f"rule.{key}", []).append(where)
    return used


def test_french_and_english_have_the_same_keys() -> None:
    fr, en = catalogue(Language.FR), catalogue(Language.EN)
    assert sorted(set(fr) - set(en)) == [], "in fr.toml only"
    assert sorted(set(en) - set(fr)) == [], "in en.toml only"
    assert len(fr) > 4


def test_each_message_has_the_same_fields_in_both_languages() -> None:
    fr, en = catalogue(Language.FR), catalogue(Language.EN)
    differ = {
        key: (sorted(fields_of(fr[key])), sorted(fields_of(en[key])))
        for key in fr
        if key in en and fields_of(fr[key]) != fields_of(en[key])
    }
    assert differ == {}


@pytest.mark.parametrize("language", [Language.FR, Language.EN])
def test_no_message_is_empty(language: Language) -> None:
    empty = [key for key, text in catalogue(language).items() if not text.strip()]
    assert empty == []


def test_every_key_code_asks_for_exists() -> None:
    used = _keys_used_in_code()
    assert "status.none_open" in used
    known = set(catalogue(Language.FR))
    missing = {key: where for key, where in used.items() if key not in known}
    assert missing == {}


# Keys code builds from a value (`f"status.label.{status}"`): every value has its message.
FAMILIES = {
    "status.label": [s.value for s in Status],
    "ack.priority": [s.value for s in Severity],
    "ack.kind": [k.value for k in Kind],
    "calendar.day": list(WEEKDAYS),
    "calendar.month": [str(m) for m in range(1, 13)],
    "outage.heading": ["outage", "planned", "update", "reminder", "resolved", "over", "cancelled"],
    "outage.requester_subject": ["outage", "planned", "resolved"],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_value_of_a_family_has_its_message(family: str) -> None:
    known = set(catalogue(Language.FR))
    missing = [f"{family}.{v}" for v in FAMILIES[family] if f"{family}.{v}" not in known]
    assert missing == []


def test_say_fills_the_fields_in_the_language_asked() -> None:
    fr = say("rule.transition", Language.FR, number="CSC-000042", old="closed", new="new")
    en = say("rule.transition", language_of("en-CA"), number="CSC-000042", old="closed", new="new")
    assert fr == "CSC-000042 : impossible de passer de « closed » à « new »"
    assert en == "CSC-000042: cannot go from closed to new"
    assert language_of("fr-CA") is Language.FR
    assert language_of(None) is Language.FR
    assert language_of("EN_us") is Language.EN
