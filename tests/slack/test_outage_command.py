"""`/csc panne déclarer …`: the text syntax agents type, read into a draft (pure); and what the
running service answers to a declaration it refuses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.outages.draft import OutageKind
from bot.slack.outage_command import declaration
from bot.store.models import Outage
from tests.slack.payloads import slash_body
from tests.slack.service import Service

BASE = "Panne Outlook | Outlook outage | Outlook ne répond pas. | Outlook is down."


def test_four_parts_make_an_outage_now() -> None:
    draft = declaration(BASE)
    assert (draft.title_fr, draft.title_en) == ("Panne Outlook", "Outlook outage")
    assert draft.kind == OutageKind.OUTAGE and draft.starts_at is None


def test_options_give_scope_and_a_planned_window() -> None:
    draft = declaration(
        BASE + " | services=outlook, teams; organisations=msss,saaq; sites=Québec; "
        "équipe=collaboration; début=2026-12-05T20:00-05:00; fin=2026-12-05T23:00-05:00; planifiée"
    )
    assert draft.kind == OutageKind.PLANNED
    assert draft.services == ("outlook", "teams") and draft.organisations == ("msss", "saaq")
    assert draft.sites == ("Québec",) and draft.team == "collaboration"
    assert draft.starts_at == datetime(2026, 12, 5, 20, tzinfo=timezone(timedelta(hours=-5)))
    assert draft.expected_end is not None and draft.expected_end - draft.starts_at == timedelta(
        hours=3
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Panne | Outage | Texte", "4 parties"),
        ("Panne |  | Texte | Text", "vide"),
        (BASE + " | couleur=rouge", "option inconnue"),
        (BASE + " | début=demain", "ISO 8601"),
        (BASE + " | début=2026-12-05T20:00", "fuseau"),
    ],
)
def test_mistakes_say_what_to_fix(text: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        declaration(text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("panne déclarer Panne \x1b[2J Outlook | Outlook outage | Texte. | Text.", "title_fr"),
        ("panne déclarer Panne | Outlook \u202eoutage | Texte. | Text.", "title_en"),
        ("panne déclarer Panne | Outage | Texte\x07. | Text.", "text_fr"),
        ("panne déclarer " + BASE + " | sites=Qu\x85ébec", "sites"),
    ],
)
async def test_control_characters_get_a_private_answer_naming_the_field(
    service: Service, text: str, field: str
) -> None:
    body = slash_body(text, user="UAGENT", response_url=f"{service.fake.base_url}/response/c")
    status, raw = await service.post(body, "application/x-www-form-urlencoded")
    assert status == 200
    answer = json.loads(raw)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert field in answer["text"] and "control character" in answer["text"]
    async with service.store() as session:
        assert (await session.exec(select(Outage))).all() == []
    assert not [p for p in service.posts("CANNOUNCE")]
