"""`/csc panne …` for agents: list, declare, update and resolve outages from Slack.

    /csc panne                                         the outages in force
    /csc panne déclarer Titre FR | Title EN | Texte FR | Text EN [| options]
    /csc panne maj PANNE-0001 Texte FR | Text EN
    /csc panne résolue PANNE-0001 [Texte FR | Text EN]

Options, separated by `;`: `services=outlook,teams`, `organisations=msss,saaq`,
`sites=Québec`, `équipe=collaboration`, `début=2026-12-05T20:00-05:00`, `fin=…`, and `planifiée`
(a planned interruption: announced ahead, reminded at its start; needs `début`).

Anyone else is refused (and the refusal logged). Mistakes get the usage back, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.messages import catalogue, say
from bot.outages import registry, render
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft, OutageKind
from bot.outages.errors import InvalidOutage, OutageError
from bot.store.db import Sessions
from bot.store.models import Outage
from intake.slack.agents import AgentDirectory, refusal
from intake.slack.ports import SlackReply, SlashCommand
from nlp.labels import Language

log = logging.getLogger(__name__)

_FR = Language.FR
"""The command answers agents in French (the catalogue has the English text too)."""
USAGE = say("outage_command.usage", _FR)
_DECLARE = {"déclarer", "declarer", "declare", "nouvelle", "new"}
_UPDATE = {"maj", "update", "mise-à-jour", "mise-a-jour"}
_RESOLVE = {"résolue", "resolue", "résolu", "resolu", "resolve", "resolved", "fin"}


class OutageCommand:
    def __init__(
        self,
        sessions: Sessions,
        *,
        agents: Callable[[], AgentDirectory],
        broadcast: Broadcast,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
        on_planned: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._agents = agents
        self._broadcast = broadcast
        self._now = now
        self._on_queued = on_queued
        self._on_planned = on_planned

    async def __call__(self, cmd: SlashCommand, text: str) -> SlackReply:
        if not self._agents().is_agent(cmd.user):
            log.warning("slack: refused /csc panne to %s (not an agent)", cmd.user)
            return refusal(cmd.locale)
        verb, _, rest = text.partition(" ")
        actor = f"slack:{cmd.user}"
        now = self._now()
        try:
            async with self._sessions() as session:
                if not verb or verb.lower() in {"liste", "list"}:
                    return SlackReply(_listing(await registry.current(session, now)))
                verb = verb.lower()
                if verb in _DECLARE:
                    draft = declaration(rest)
                    outage = await registry.declare(session, draft, actor, now, self._broadcast)
                    said = "planned" if draft.kind == OutageKind.PLANNED else "declared"
                    answer = say(f"outage_command.{said}", _FR, number=outage.number)
                elif verb in _UPDATE or verb in _RESOLVE:
                    number, _, texts = rest.strip().partition(" ")
                    if verb in _UPDATE:
                        fr, en = _parts(texts, 2)
                        await registry.post_update(
                            session, number, fr, en, actor, now, self._broadcast
                        )
                        answer = say("outage_command.updated", _FR, number=number.upper())
                    else:
                        fr_en = _parts(texts, 2) if texts.strip() else (None, None)
                        await registry.resolve(
                            session,
                            number,
                            actor,
                            now,
                            self._broadcast,
                            text_fr=fr_en[0],
                            text_en=fr_en[1],
                        )
                        answer = say("outage_command.resolved", _FR, number=number.upper())
                else:
                    return SlackReply(say("outage_command.unknown", _FR, usage=USAGE))
                await session.commit()
        except InvalidOutage as exc:
            where = _where(exc.field)
            return SlackReply(
                say("outage_command.invalid", _FR, where=where, detail=exc.detail, usage=USAGE)
            )
        except (OutageError, _Usage) as exc:
            return SlackReply(say("outage_command.failed", _FR, reason=exc, usage=USAGE))
        self._on_queued()
        self._on_planned()  # a planned interruption inside its lead time is announced at once
        return SlackReply(answer, ephemeral=False)


class _Usage(ValueError):
    pass


def _where(field: str) -> str:
    """Where, in what the agent typed, is the field an `InvalidOutage` names."""
    part = catalogue(_FR).get(f"outage_command.part.{field}")
    return say("outage_command.where", _FR, part=part, field=field) if part else field


_LISTS = {
    "services": "services",
    "organisations": "organisations",
    "orgs": "organisations",
    "sites": "sites",
}
_WHEN = {
    "début": "starts_at",
    "debut": "starts_at",
    "start": "starts_at",
    "fin": "expected_end",
    "end": "expected_end",
}


def declaration(text: str) -> OutageDraft:
    """`Titre FR | Title EN | Texte FR | Text EN [| options]` as a draft (see module doc)."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) == 5:
        options = parts.pop()
    elif len(parts) == 4:
        options = ""
    else:
        raise _Usage(say("outage_command.four_parts", _FR))
    if not all(parts):
        raise _Usage(say("outage_command.empty_part", _FR))
    values: dict[str, Any] = {}
    for option in (o.strip() for o in options.split(";") if o.strip()):
        name, _, value = option.partition("=")
        name, value = name.strip().lower(), value.strip()
        if name in ("planifiée", "planifiee", "planned"):
            values["kind"] = OutageKind.PLANNED
        elif name in _LISTS and value:
            values[_LISTS[name]] = tuple(v.strip() for v in value.split(",") if v.strip())
        elif name in _WHEN and value:
            values[_WHEN[name]] = _instant(value)
        elif name in ("équipe", "equipe", "team") and value:
            values["team"] = value
        else:
            raise _Usage(say("outage_command.unknown_option", _FR, option=option))
    return OutageDraft(parts[0], parts[1], parts[2], parts[3], **values)


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Usage(say("outage_command.not_iso", _FR, value=value)) from None
    if moment.tzinfo is None:
        raise _Usage(say("outage_command.no_zone", _FR, value=value))
    return moment


def _parts(text: str, count: int) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split("|"))
    if len(parts) != count or not all(parts):
        raise _Usage(say("outage_command.parts", _FR, count=count))
    return parts


def _listing(outages: list[Outage]) -> str:
    if not outages:
        return say("outage_command.none", _FR)
    lines = [f"• *{o.number}* ({o.status}) {render.title(o, _FR)}" for o in outages]
    return "\n".join([say("outage_command.listing", _FR), *lines])
