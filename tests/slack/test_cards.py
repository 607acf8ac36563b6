"""Block Kit shapes of the cards, the agent directory and the envelope round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from intake.slack import cards
from intake.slack.agents import AgentDirectory, AgentGrant, groups, refusal
from intake.slack.envelope import SlackEnvelope, SlackFile, parse_envelope
from intake.slack.interactive import ticket_of

CARD = cards.CardData(
    ticket="CSC-000123",
    summary="Le VPN <coupe> toutes les 5 minutes & plus",
    requester="Marie Tremblay",
    requester_user="U1",
    kind="incident",
    severity="P3",
    level="N2",
    team="network",
    confidence={"kind": 0.91, "severity": 0.62, "level": 0.7, "team": 0.88},
    evidence=("VPN", "toutes les 5 minutes"),
    sla_due=datetime(2026, 12, 1, 20, 30, tzinfo=UTC),
)


def _elements(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert actions["block_id"] == "ticket:CSC-000123"
    return actions["elements"]  # type: ignore[return-value]


def test_triage_card_shape() -> None:
    blocks = cards.triage_card(CARD)
    json.dumps(blocks)  # serialisable as-is for OutboundMessage.blocks
    text = json.dumps(blocks, ensure_ascii=False)
    assert "&lt;coupe&gt;" in text and "&amp;" in text  # Slack's control characters escaped
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Sévérité*\nP3 · Modérée (62 %)" in fields
    assert "*Équipe*\nRéseau et télécom (88 %)" in fields
    assert "*Demandeur*\n<@U1>" in fields
    assert "*Échéance SLA*\n2026-12-01 15:30" in fields  # Quebec time (EST)
    assert "« toutes les 5 minutes »" in blocks[2]["elements"][0]["text"]
    elements = _elements(blocks)
    ids = [e["action_id"] for e in elements]
    assert ids == [
        cards.CONFIRM,
        cards.TAKE,
        cards.RESOLVE,
        cards.SEVERITY,
        cards.TEAM,
        cards.LEVEL,
    ]
    buttons = [e for e in elements if e["type"] == "button"]
    assert [b["text"]["text"] for b in buttons] == ["Confirmer", "Prendre", "Résoudre"]
    assert all(b["value"] == "CSC-000123" for b in buttons)
    selects = {e["action_id"]: e for e in elements if e["type"] == "static_select"}
    assert [o["value"] for o in selects[cards.SEVERITY]["options"]] == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]
    assert selects[cards.SEVERITY]["initial_option"]["value"] == "P3"
    teams = [o["text"]["text"] for o in selects[cards.TEAM]["options"]]
    assert len(teams) == 8 and "Applications d'affaires" in teams and "Sécurité" in teams
    assert [o["value"] for o in selects[cards.LEVEL]["options"]] == ["N1", "N2", "N3"]
    assert ticket_of(blocks[-1]["block_id"], "") == "CSC-000123"


def test_decided_card_logs_decisions_and_closes() -> None:
    decision = cards.Decision(
        "UAGENT", datetime(2026, 12, 1, 14, 5, tzinfo=UTC), "severity", "P3", "P2"
    )
    blocks = cards.decided_card(CARD, [decision])
    log = blocks[-2]["elements"][0]["text"]
    assert log == "<@UAGENT> · 2026-12-01 09:05 · Sévérité : P3 · Modérée → P2 · Élevé"
    assert blocks[-1]["type"] == "actions"
    closed = cards.decided_card(CARD, [decision], closed=True)
    assert all(b["type"] != "actions" for b in closed)


def test_agent_directory() -> None:
    entries = [
        AgentGrant(user="UA", teams=("network",), levels=("N2",)),
        AgentGrant(user="UA", teams=("security",)),
        AgentGrant(group="S1", levels=("N1",)),
    ]
    directory = AgentDirectory.from_config(entries)
    assert directory.is_agent("UA") and not directory.is_agent("UB")
    agent = directory.get("UA")
    assert agent is not None and agent.teams == {"network", "security"}
    assert agent.covers(team="network", level="N2") and not agent.covers(level="N3")
    [(group, teams, levels)] = groups(entries)
    directory = directory.with_members(["UB", "UC"], teams=teams, levels=levels)
    assert group == "S1" and directory.is_agent("UC")
    assert directory.get("UC").covers(team="printing", level="N1")  # type: ignore[union-attr]
    assert refusal("en-US").text.startswith("Only") and refusal("fr-CA").ephemeral


def test_envelope_round_trip() -> None:
    envelope = SlackEnvelope(
        kind="reaction",
        message_id="slack:T:C:1.2",
        event_id="Ev",
        team="T",
        channel="C",
        channel_type="channel",
        user="U1",
        text="é",
        ts="1.2",
        reacted_by="U2",
        files=(SlackFile(id="F1", name="capture.png", mimetype="image/png", size=10),),
    )
    raw = envelope.to_bytes()
    assert parse_envelope(raw) == envelope
    assert raw == parse_envelope(raw).to_bytes()  # canonical


def test_the_card_quotes_the_first_500_characters_and_says_replies_are_notes() -> None:
    words = "Bonjour, l'imprimante du 3e <ne répond plus> & affiche une erreur. " * 20
    data = cards.CardData(
        ticket="CSC-000321",
        summary="Imprimante",
        requester="Léa",
        kind="incident",
        level="N1",
        team="printing",
        severity="P4",
        excerpt=f"{words}\n\n\nMerci",
    )
    blocks = cards.triage_card(data)
    quoted = blocks[1]["text"]["text"]
    assert quoted.startswith("> Bonjour, l'imprimante du 3e &lt;ne répond plus&gt; &amp;")
    assert quoted.endswith(" …") and "Merci" not in quoted
    assert len(quoted) < 600  # 500 characters of text, escaped
    hint = json.dumps(blocks[-2], ensure_ascii=False)
    assert "note interne" in hint and "/csc répondre CSC-000321" in hint
    assert blocks[-1]["type"] == "actions"
