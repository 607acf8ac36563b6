"""Is a new report about an outage we already know? Pure: text in, outage (or None) out.

A report matches an outage of its organisation (or of all organisations) when it names one of
the outage's services (strong evidence by itself), or when enough other evidence adds up: words
of the outage's titles, its sites, the team the classifier proposed. The team alone never
matches: "network" is too broad to say which outage a person means. Text is compared without
case or accents, and French and English plurals meet their singular.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.outages.draft import OutageStatus
from bot.store.models import Outage
from nlp.text import singular, spaced

SERVICE = 2
"""A named service is enough by itself."""
NEEDED = 2
"""Two pieces of evidence: a service, or a title word with the team, a site or another word."""
MAX_KEYWORDS = 3

# Words of titles that say "something is down" rather than what: they match every outage.
_GENERIC_WORDS = """
    panne pannes interruption planifiee planned outage outages service services
    indisponible indisponibles unavailable probleme problem erreur error lent lente slow
    degradation degraded partielle partiel partial maintenance mise jour update fonctionne
    fonctionnent working work down acces access utilisateur user tous toutes with from
    that this dans depuis pour avec sans chez since plus more nous vous votre your their
    leur leurs bonjour hello merci thanks aucun none coupure affecte affected touche
"""
GENERIC = frozenset(_GENERIC_WORDS.split())


def fold(text: str) -> str:
    """Lower case, accents removed, everything but letters and digits turned into spaces
    (œ and æ included: see `nlp.text`)."""
    return spaced(text, ligatures=False)


def keywords(texts: Iterable[str]) -> set[str]:
    """The distinctive words of `texts` (4 letters or more, not generic, not numbers)."""
    found: set[str] = set()
    for text in texts:
        for word in fold(text).split():
            stem = singular(word)
            if len(word) >= 4 and not word.isdigit() and GENERIC.isdisjoint((word, stem)):
                found.add(stem)
    return found


def _mentions(haystack: str, name: str) -> bool:
    """Whether `name` (folded) appears in the folded `haystack` as whole words."""
    needle = fold(name)
    return bool(needle) and f" {needle} " in haystack


def score(outage: Outage, folded: str, words: set[str], team: str | None) -> float:
    """How strongly a report (`folded` text, its stemmed `words`) points at `outage`; 0 when
    there is nothing but the team."""
    haystack = f" {folded} "
    services = sum(SERVICE for s in outage.services if _mentions(haystack, s))
    sites = sum(1 for s in outage.sites if _mentions(haystack, s))
    shared = len(keywords((outage.title_fr, outage.title_en)) & words)
    if not (services or sites or shared):
        return 0
    same_team = 1 if team and outage.team and team == outage.team else 0
    return services + sites + min(shared, MAX_KEYWORDS) + same_team


def concerns(outage: Outage, organisation: str | None) -> bool:
    return organisation is None or not outage.organisations or organisation in outage.organisations


def matching(
    outages: Sequence[Outage], text: str, team: str | None, organisation: str | None
) -> Outage | None:
    """The known outage a report is about, or None (see module doc). Ties go to an active
    outage, then to the most recent start."""
    folded = fold(text)
    words = {singular(w) for w in folded.split()}
    best: tuple[float, bool, float] | None = None
    chosen: Outage | None = None
    for outage in outages:
        if outage.status == OutageStatus.RESOLVED or not concerns(outage, organisation):
            continue
        points = score(outage, folded, words, team)
        if points < NEEDED:
            continue
        rank = (points, outage.status == OutageStatus.ACTIVE, outage.starts_at.timestamp())
        if best is None or rank > best:
            best, chosen = rank, outage
    return chosen
