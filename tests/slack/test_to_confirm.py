"""A severity raised to P1/P2 on ambiguous evidence (`Triage.to_confirm`), end to end: the ticket
is not auto-applied and runs on the raised severity, its card opens with the to-confirm line, and
`python -m bot tickets` lists it first (and alone with `--to-confirm`) until an agent decides."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.dispatch.incoming import Read, read_all
from bot.settings import Settings
from bot.sla.store import utc
from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.tickets.labels import Status
from bot.triager import Rows
from intake.slack.cards import CardData, card_text, local_time, to_confirm_line, triage_card
from nlp import Confidence, Kind, Language, Level, Severity, Team, Triage, TriageInput
from tests.conftest import eventually
from tests.servers.slack_api import FakeSlack
from tests.slack.payloads import message
from tests.slack.service import Service, slack_service
from tests.test_cli import bot

AMBIGUOUS = "Le système de paie ne marche plus, je crois que d'autres sont touchés aussi."
CLEAR = "Le VPN coupe toutes les cinq minutes depuis ce matin, pour moi seulement."

RAISED = Triage(
    language=Language.FR,
    model="fake-1",
    kind=Kind.INCIDENT,
    severity=Severity.P1,
    level=Level.N3,
    team=Team.APPLICATIONS,
    confidence=Confidence(kind=0.9, severity=0.35, level=0.8, team=0.9),
    auto_apply={"kind": True, "team": True, "level": True, "severity": False},
    to_confirm=True,
)
SURE = Triage(
    language=Language.FR,
    model="fake-1",
    kind=Kind.INCIDENT,
    severity=Severity.P4,
    level=Level.N2,
    team=Team.NETWORK,
    confidence=Confidence(kind=0.95, severity=0.9, level=0.9, team=0.95),
    auto_apply={"kind": True, "team": True, "level": True, "severity": True},
)
TOP_LINE = (
    "⚠️ *À confirmer : P1 proposé sur des indices ambigus* — un critique manqué coûte plus cher"
    " qu'un clic / _To confirm: P1 proposed on ambiguous evidence_"
)


class ScriptedTriager:
    """The `Triager` port, answering with fixed proposals: RAISED for the ambiguous text."""

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage | None]:
        return [RAISED if "paie" in item.text else SURE for item in items]

    async def warm_up(self) -> None:
        return None

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        return read_all(rows, domain, attachment_cap)

    def close(self) -> None:
        return None


@pytest.fixture
async def service(migrated: Settings, fake: FakeSlack, store: Sessions) -> AsyncIterator[Service]:
    async with slack_service(migrated, fake, store, ScriptedTriager()) as running:
        yield running


def _blocks(post: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = post["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


async def _open(service: Service, text: str, ts: str, event_id: str) -> Ticket:
    before = len(await service.tickets())
    await service.event(message(text, ts=ts), event_id)

    async def opened() -> list[Ticket]:
        tickets = await service.tickets()
        return tickets if len(tickets) > before else []

    tickets: list[Ticket] = await eventually(opened)
    return tickets[-1]


async def test_raised_proposal_waits_for_an_agent_and_is_shown_first(service: Service) -> None:
    raised = await _open(service, AMBIGUOUS, "1700000100.000100", "EvC1")
    sure = await _open(service, CLEAR, "1700000200.000100", "EvC2")

    # not auto-applied, stored with the flag, running on the raised severity
    assert raised.status == Status.NEW and raised.severity == "P1"
    assert raised.triage is not None and raised.triage["to_confirm"] is True
    assert sure.status == Status.OPEN and sure.triage is not None
    assert sure.triage["to_confirm"] is False

    [card] = await eventually(lambda: service.posts("CN3"))
    blocks = _blocks(card)
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": TOP_LINE}}
    assert card["text"].startswith("⚠️ À confirmer · P1 · ")  # the notification too
    assert blocks[2]["text"]["text"].startswith("> ")  # what the person wrote, quoted
    fields = [f["text"] for f in blocks[3]["fields"]]
    due = local_time(utc(raised.created_at) + timedelta(hours=3))  # P1: 3 h, 24/7
    assert f"*Échéance SLA*\n{due}" in fields
    actions = blocks[-1]
    assert actions["type"] == "actions"
    assert actions["elements"][0]["action_id"] == "guichet.confirm"  # one click

    [plain] = await eventually(lambda: service.posts("CN2"))
    assert "À confirmer" not in json.dumps(_blocks(plain), ensure_ascii=False)
    assert _blocks(plain)[0]["text"]["text"].startswith(f"*{sure.number}*")

    # `bot tickets`: the to-confirm ticket first (though older), marked; the filter keeps it alone
    listed = await asyncio.to_thread(bot, service.settings, "tickets", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["number"], r["to_confirm"]) for r in rows] == [
        (raised.number, True),
        (sure.number, False),
    ]
    table = await asyncio.to_thread(bot, service.settings, "tickets")
    lines = [line for line in table.stdout.splitlines() if "CSC-" in line]
    assert str(raised.number) in lines[0] and "à confirmer / to confirm" in lines[0]
    assert str(sure.number) in lines[1] and "confirmer" not in lines[1]
    only = await asyncio.to_thread(bot, service.settings, "tickets", "--json", "--to-confirm")
    assert [r["number"] for r in json.loads(only.stdout)] == [raised.number]
    helped = await asyncio.to_thread(bot, service.settings, "tickets", "--help")
    assert "--to-confirm" in helped.stdout

    # one click confirms: the ticket opens on P1, the card loses its line, the list its mark
    status, _ = await service.click(
        {
            "type": "button",
            "action_id": "guichet.confirm",
            "block_id": f"ticket:{raised.number}",
            "value": raised.number,
        },
        channel="CN3",
        message_ts="1700009999.000001",
    )
    assert status == 200
    updates = await eventually(lambda: service.fake.called("chat.update"))
    assert "À confirmer" not in json.dumps(updates[-1].params["blocks"], ensure_ascii=False)
    [confirmed, _] = await service.tickets()
    assert confirmed.status == Status.OPEN and confirmed.severity == "P1"
    after = await asyncio.to_thread(bot, service.settings, "tickets", "--json", "--to-confirm")
    assert json.loads(after.stdout) == []


def test_to_confirm_is_never_auto_applied_whatever_the_scores() -> None:
    from bot.dispatch.opening import auto_applies

    confident = replace(
        RAISED, auto_apply=dict.fromkeys(("kind", "team", "level", "severity"), True)
    )
    assert not auto_applies(confident)
    assert auto_applies(SURE)
    assert not auto_applies(replace(SURE, to_confirm=True))


def test_card_line_first_only_when_to_confirm() -> None:
    data = CardData(
        ticket="CSC-000007",
        summary="La paie ne marche plus",
        requester="Marie Tremblay",
        kind="incident",
        severity="P2",
        level="N3",
        team="applications",
    )
    plain = triage_card(data)
    flagged = triage_card(replace(data, to_confirm=True))
    assert flagged[0]["text"]["text"] == to_confirm_line("P2")
    assert to_confirm_line("P2").startswith("⚠️ *À confirmer : P2 proposé")
    assert "To confirm: P2 proposed on ambiguous evidence" in to_confirm_line("P2")
    assert flagged[1:] == plain  # the rest of the card as it was, buttons included
    assert card_text(replace(data, to_confirm=True)) == "⚠️ À confirmer · P2 · " + card_text(data)
