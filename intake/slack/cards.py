"""Block Kit builders, pure: the agents' triage card and its decided form.

Inputs are plain dataclasses (not the bot's types). Every interactive element sits in one
`actions` block whose block_id is `ticket:<number>`, and each button's value is the ticket
number, so `BlockAction.ticket` is known without a lookup. Action IDs start with `guichet.`.
Agent cards are in French (the service desk works in French); the requester's answers come from
the bot's templates, in the requester's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Toronto")  # Quebec's time (no America/Montreal zone in tzdata)

CONFIRM = "guichet.confirm"
TAKE = "guichet.take"
RESOLVE = "guichet.resolve"
SEVERITY = "guichet.severity"
TEAM = "guichet.team"
LEVEL = "guichet.level"

SEVERITIES = {
    "P1": "P1 · Critique",
    "P2": "P2 · Élevé",
    "P3": "P3 · Modérée",
    "P4": "P4 · Faible",
    "P5": "P5 · Planifié",
}
TEAMS = {
    "workstation": "Poste de travail",
    "collaboration": "Messagerie et collaboration",
    "identity": "Identité et accès",
    "network": "Réseau et télécom",
    "printing": "Impression",
    "applications": "Applications d'affaires",
    "hosting": "Hébergement et infrastructure",
    "security": "Sécurité",
}
LEVELS = {"N1": "N1 · Centre de service", "N2": "N2 · Soutien spécialisé", "N3": "N3 · Experts"}
KINDS = {
    "incident": "Incident",
    "request": "Demande de service",
    "question": "Question",
    "status": "Suivi",
}
FIELDS = {
    "severity": "Sévérité",
    "team": "Équipe",
    "level": "Niveau",
    "kind": "Type",
    "status": "Statut",
    "assignee": "Responsable",
}

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CardData:
    """What an agent needs to confirm a proposal. `confidence` maps kind/severity/level/team to
    0–1; `evidence` are the spans of text behind the proposal."""

    ticket: str
    summary: str
    requester: str
    kind: str
    level: str
    team: str
    severity: str = ""
    requester_user: str = ""
    """Slack user ID of the requester, when known (shown as a mention)."""
    confidence: Mapping[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    sla_due: datetime | None = None
    link: str = ""
    to_confirm: bool = False
    """The severity was raised on ambiguous evidence and awaits an agent: shown before all else."""
    excerpt: str = ""
    """What the person wrote (the start of it: `EXCERPT_CHARS`), quoted under the title."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision logged on the ticket: `field` went from `before` to `after`."""

    user: str
    at: datetime
    field: str
    before: str = ""
    after: str = ""


def triage_card(card: CardData) -> list[Block]:
    """The card posted to the triage channel of the ticket's level."""
    return [*_body(card), _actions(card)]


def decided_card(
    card: CardData, decisions: Sequence[Decision], *, closed: bool = False
) -> list[Block]:
    """The card after decisions (for chat.update): values as now, the log, buttons unless closed."""
    blocks = _body(card)
    if decisions:
        lines = [_decision_line(d) for d in decisions[-10:]]
        blocks.append({"type": "context", "elements": [_mrkdwn("\n".join(lines))]})
    if not closed:
        blocks.append(_actions(card))
    return blocks


def card_text(card: CardData) -> str:
    """The notification fallback of the card (`OutboundMessage.text`)."""
    flag = f"⚠️ À confirmer · {card.severity} · " if card.to_confirm else ""
    return f"{flag}{card.ticket} · {_clip(card.summary, 150)} ({card.severity or KINDS.get(card.kind, card.kind)})"


def local_time(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def to_confirm_line(severity: str) -> str:
    """The card's first line when a severity was raised on ambiguous evidence."""
    return (
        f"⚠️ *À confirmer : {severity} proposé sur des indices ambigus* — un critique manqué coûte"
        f" plus cher qu'un clic / _To confirm: {severity} proposed on ambiguous evidence_"
    )


# -- pieces -----------------------------------------------------------------------------------


def _body(card: CardData) -> list[Block]:
    requester = f"<@{card.requester_user}>" if card.requester_user else _escape(card.requester)
    title = f"*{card.ticket}* · {_escape(_clip(card.summary, 200))}"
    if card.link:
        title = f"*<{card.link}|{card.ticket}>* · {_escape(_clip(card.summary, 200))}"
    proposed = [
        _mrkdwn(f"*Type*\n{KINDS.get(card.kind, card.kind)}{_pct(card, 'kind')}"),
        _mrkdwn(
            f"*Sévérité*\n{SEVERITIES.get(card.severity, card.severity or '—')}{_pct(card, 'severity')}"
        ),
        _mrkdwn(f"*Niveau*\n{LEVELS.get(card.level, card.level)}{_pct(card, 'level')}"),
        _mrkdwn(f"*Équipe*\n{TEAMS.get(card.team, card.team)}{_pct(card, 'team')}"),
        _mrkdwn(f"*Demandeur*\n{requester}"),
        _mrkdwn(f"*Échéance SLA*\n{local_time(card.sla_due) if card.sla_due else '—'}"),
    ]
    title_block: Block = {"type": "section", "text": _mrkdwn(title)}
    blocks: list[Block] = [title_block, {"type": "section", "fields": proposed}]
    if card.to_confirm:
        # first, before the title: the agent sees why this one needs a click before anything else
        blocks.insert(0, {"type": "section", "text": _mrkdwn(to_confirm_line(card.severity))})
    if card.excerpt.strip():
        quoted = "\n".join(f"> {_escape(line)}" for line in _excerpt(card.excerpt).splitlines())
        blocks.insert(blocks.index(title_block) + 1, {"type": "section", "text": _mrkdwn(quoted)})
    if card.evidence:
        spans = " · ".join(f"« {_escape(_clip(e, 120))} »" for e in card.evidence[:6])
        blocks.append({"type": "context", "elements": [_mrkdwn(f"Indices : {spans}")]})
    hint = (
        "Une réponse dans ce fil est une *note interne* (jamais envoyée). Pour écrire au "
        f"demandeur : `/csc répondre {card.ticket} votre texte`"
    )
    blocks.append({"type": "context", "elements": [_mrkdwn(hint)]})
    return blocks


EXCERPT_CHARS = 500


def _excerpt(text: str) -> str:
    """The first `EXCERPT_CHARS` characters, blank lines dropped, cut at a word when it can."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    kept = "\n".join(line for line in lines if line)
    if len(kept) <= EXCERPT_CHARS:
        return kept
    cut = kept[:EXCERPT_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > EXCERPT_CHARS * 0.8 else cut) + " …"


def _actions(card: CardData) -> Block:
    return {
        "type": "actions",
        "block_id": f"ticket:{card.ticket}",
        "elements": [
            _button("Confirmer", CONFIRM, card.ticket, style="primary"),
            _button("Prendre", TAKE, card.ticket),
            _button("Résoudre", RESOLVE, card.ticket),
            _select("Sévérité", SEVERITY, SEVERITIES, card.severity),
            _select("Équipe", TEAM, TEAMS, card.team),
            _select("Niveau", LEVEL, LEVELS, card.level),
        ],
    }


def _button(label: str, action_id: str, ticket: str, *, style: str = "") -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": ticket,
    }
    if style:
        button["style"] = style
    return button


def _select(label: str, action_id: str, options: Mapping[str, str], current: str) -> Block:
    choices = [_option(value, text) for value, text in options.items()]
    select: Block = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": label},
        "options": choices,
    }
    if current in options:
        select["initial_option"] = _option(current, options[current])
    return select


def _option(value: str, text: str) -> Block:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _decision_line(decision: Decision) -> str:
    name = FIELDS.get(decision.field, decision.field)
    change = ""
    if decision.before or decision.after:
        change = f" : {_label(decision.field, decision.before) or '—'} → {_label(decision.field, decision.after)}"
    return f"<@{decision.user}> · {local_time(decision.at)} · {name}{change}"


def _label(field_name: str, value: str) -> str:
    table = {"severity": SEVERITIES, "team": TEAMS, "level": LEVELS, "kind": KINDS}.get(
        field_name, {}
    )
    return table.get(value, value)


def _pct(card: CardData, key: str) -> str:
    value = card.confidence.get(key)
    return "" if value is None else f" ({round(value * 100)} %)"


def _mrkdwn(text: str) -> Block:
    # Slack caps a text object at 3000 characters; keep the newlines (they lay the card out).
    return {"type": "mrkdwn", "text": text if len(text) <= 2900 else text[:2899] + "…"}


def _escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
