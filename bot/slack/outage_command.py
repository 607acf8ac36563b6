"""`/csc panne …` for agents: list, declare, update and resolve outages from Slack.

    /csc panne                                         the outages in force
    /csc panne déclarer Titre FR | Title EN | Texte FR | Text EN
    /csc panne maj PANNE-0001 Texte FR | Text EN
    /csc panne résolue PANNE-0001 [Texte FR | Text EN]

Anyone else is refused (and the refusal logged). Mistakes get the usage back, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.outages import registry
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft
from bot.outages.errors import OutageError
from bot.store.db import Sessions
from bot.store.models import Outage
from intake.slack.agents import AgentDirectory, refusal
from intake.slack.ports import SlackReply, SlashCommand

log = logging.getLogger(__name__)

USAGE = (
    "`/csc panne` (pannes en cours) · "
    "`/csc panne déclarer Titre FR | Title EN | Texte FR | Text EN` · "
    "`/csc panne maj PANNE-0001 Texte FR | Text EN` · "
    "`/csc panne résolue PANNE-0001 [Texte FR | Text EN]`"
)
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
    ) -> None:
        self._sessions = sessions
        self._agents = agents
        self._broadcast = broadcast
        self._now = now
        self._on_queued = on_queued

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
                    title_fr, title_en, text_fr, text_en = _parts(rest, 4)
                    draft = OutageDraft(title_fr, title_en, text_fr, text_en)
                    outage = await registry.declare(session, draft, actor, now, self._broadcast)
                    answer = f"Panne *{outage.number}* déclarée et diffusée."
                elif verb in _UPDATE or verb in _RESOLVE:
                    number, _, texts = rest.strip().partition(" ")
                    if verb in _UPDATE:
                        fr, en = _parts(texts, 2)
                        await registry.post_update(
                            session, number, fr, en, actor, now, self._broadcast
                        )
                        answer = f"Mise à jour de *{number.upper()}* diffusée."
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
                        answer = f"*{number.upper()}* résolue; les personnes touchées sont avisées."
                else:
                    return SlackReply(f"Commande inconnue. {USAGE}")
                await session.commit()
        except (OutageError, _Usage) as exc:
            return SlackReply(f"Impossible : {exc}\n{USAGE}")
        self._on_queued()
        return SlackReply(answer, ephemeral=False)


class _Usage(ValueError):
    pass


def _parts(text: str, count: int) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split("|"))
    if len(parts) != count or not all(parts):
        raise _Usage(f"{count} parties séparées par « | » attendues")
    return parts


def _listing(outages: list[Outage]) -> str:
    if not outages:
        return "Aucune panne en cours ni interruption annoncée."
    lines = [f"• *{o.number}* ({o.status}) {o.title_fr}" for o in outages]
    return "Pannes en cours :\n" + "\n".join(lines)
