"""Which answer a message gets, beyond "ticket opened". Pure: no I/O, no clock.

In order (the first that applies):
1. a status inquiry (kind `status`): with ticket numbers, their status; asking whether there is
   an outage, the current outages; otherwise the person's open tickets. No ticket is opened,
   so the reading must be sure: the text names a ticket, or says it asks for news (`où en
   est`, `des nouvelles`, `status of my ticket`…), or the classifier is confident (its own
   threshold for `status`, from the model's metadata). An unsure reading goes on down the
   list and the ticket opens: an incident report answered "you have no open ticket" would be
   lost;
2. an incident matching a declared outage: linked to it, answered with the outage notice;
3. something another support centre handles (the redirection catalogue): answered with where to
   go, the ticket closed as redirected;
4. a question, or an N1 incident, that a knowledge-base article answers: the article, and
   "is it solved?";
5. otherwise the acknowledgement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.outages.matching import concerns, matching
from bot.selfservice.kb import KbMatch, KnowledgeBase
from bot.selfservice.redirect import Catalogue, RedirectMatch
from bot.status import ticket_numbers
from bot.store.models import Outage
from nlp import Triage
from nlp.labels import Kind, Level

_OUTAGE_QUESTION = re.compile(
    r"\b(pannes?|interruptions?|outages?|is .{0,30}\bdown|services? (?:est|sont) (?:tomb|hors)"
    r"|hors (?:service|ligne)|en arr[eê]t)\b",
    re.IGNORECASE,
)


# Words people use to ask where something stands, French and English (no nested repetition:
# linear time on any input).
_STATUS_PHRASE = re.compile(
    r"\b(?:o[uù] en (?:est|sont|[eê]tes|sommes)|des nouvelles|du nouveau|avez-vous du neuf"
    r"|(?:suivi|[eé]tat|statut|avancement) (?:de|du|des) (?:ma |mon |mes |notre |nos |la |le )?"
    r"(?:demande|billet|requ[eê]te|dossier|ticket)"
    r"|status (?:of|on)|any (?:update|news|progress)|an update on|updates? on (?:my|our|the)"
    r"|where (?:is|are|do|does) (?:my|our|things)|follow[- ]up on (?:my|our))\b",
    re.IGNORECASE,
)


class Route(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    STATUS = "status"
    OUTAGES = "outages"
    KNOWN_OUTAGE = "known_outage"
    REDIRECT = "redirect"
    SELF_SERVICE = "self_service"


@dataclass(frozen=True, slots=True)
class Answer:
    route: Route
    numbers: tuple[str, ...] = ()
    outage: Outage | None = None
    redirect: RedirectMatch | None = None
    article: KbMatch | None = None
    outages: tuple[Outage, ...] = ()
    """For `OUTAGES`: the outages in force that concern the person's organisation."""

    @property
    def opens_ticket(self) -> bool:
        return self.route not in (Route.STATUS, Route.OUTAGES)


ACKNOWLEDGE = Answer(Route.ACKNOWLEDGE)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What the routes are chosen from: the data files and the outages in force."""

    kb: KnowledgeBase
    catalogue: Catalogue
    outages: Sequence[Outage] = ()


def choose(
    text: str, triage: Triage | None, organisation: str, knowledge: Knowledge | None
) -> Answer:
    if triage is None or knowledge is None:
        return ACKNOWLEDGE
    language = triage.language
    numbers = tuple(ticket_numbers(text)) if triage.kind == Kind.STATUS else ()
    if triage.kind == Kind.STATUS and (numbers or asks_status(text, triage)):
        if not numbers and _OUTAGE_QUESTION.search(text):
            return _outages(knowledge, organisation)
        return Answer(Route.STATUS, numbers=numbers)
    if triage.kind == Kind.QUESTION and _OUTAGE_QUESTION.search(text) and "?" in text:
        return _outages(knowledge, organisation)
    if triage.kind == Kind.INCIDENT:
        team = triage.team.value if triage.team else None
        outage = matching(knowledge.outages, text, team, organisation)
        if outage is not None:
            return Answer(Route.KNOWN_OUTAGE, outage=outage)
    redirect = knowledge.catalogue.match(text, language)
    if redirect is not None:
        return Answer(Route.REDIRECT, redirect=redirect)
    answerable = triage.kind in (Kind.QUESTION, Kind.REQUEST) or (
        triage.kind == Kind.INCIDENT and triage.level == Level.N1
    )
    if answerable:
        article = knowledge.kb.match(text, language)
        if article is not None:
            return Answer(Route.SELF_SERVICE, article=article)
    return ACKNOWLEDGE


def asks_status(text: str, triage: Triage) -> bool:
    """Is this surely a question about where something stands (beyond a ticket number)? A
    status phrase, or a classifier sure of `status` by the model's own threshold (`auto_apply`
    is set from the thresholds stored with the model, chosen on its dev split)."""
    return bool(_STATUS_PHRASE.search(text)) or bool(triage.auto_apply.get("kind"))


def _outages(knowledge: Knowledge, organisation: str) -> Answer:
    found = tuple(o for o in knowledge.outages if concerns(o, organisation))
    return Answer(Route.OUTAGES, outages=found)
