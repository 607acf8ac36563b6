"""The cost-aware decision: missing a P1/P2 costs far more than an agent's click.

The decision table first runs on what the text shows (patterns, and learned factors where no
pattern spoke and the model is sure). Then the doubts: for each factor the patterns did not
settle, the learned factor model's probability of a graver value (a wider scope, a mission
effect, an active compromise). When the graver values the models find plausible would, taken
together, make the incident P1 or P2 while the proposal is milder, the proposal is raised to
that severity and marked to confirm, with a low confidence; the doubts are its evidence. An
agent then settles it in one click, and the ticket runs on the graver clock meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from nlp.factors import Found
from nlp.labels import Severity
from nlp.severity import Factors, Scope, Security, decide

# The least probability of a graver value that counts as a doubt (set on the dev sets; a
# lower bar raises more proposals to confirm: more clicks, fewer critical incidents missed).
# The severity bar was swept with the blend's weight (`nlp.severity.TABLE_WEIGHT`). Triage v5
# lowered security (0.4) and severity (0.3): on the former blind sets, each scored by a model
# not trained on it, P1+P2 recall +0.008 (F), +0.056 (G), the same on E.
DOUBT_AT: dict[str, float] = {
    "scope": 0.5,
    "scope_of_mission": 0.1,  # a mission effect stated, nobody said who: a wide outage is likely
    "mission": 0.45,
    "security": 0.3,
    "severity": 0.25,  # the second reader's P1+P2 mass (`nlp.reader`)
}
_WIDE = (Scope.ORGANISATION, Scope.SYSTEM, Scope.SITE)
_GRAVE = (Security.SPREADING, Security.DATA_EXPOSED, Security.CONFIRMED)
_CRITICAL = (Severity.P1, Severity.P2)


@dataclass(frozen=True, slots=True)
class Doubt:
    """A graver value a learned factor model finds plausible, with its probability."""

    factor: str
    label: str
    probability: float


def doubts(found: Found, learned: Mapping[str, Mapping[str, float]]) -> tuple[Doubt, ...]:
    """The graver values the patterns did not rule out and the factor models find plausible."""
    f = found.factors
    out: list[Doubt] = []
    scope = learned.get("scope", {})
    if not found.explicit_scope and f.scope is Scope.PERSON:
        widest = max(_WIDE, key=lambda s: scope.get(s.value, 0.0))
        bar = DOUBT_AT["scope_of_mission" if f.mission else "scope"]
        if scope.get(widest.value, 0.0) >= bar:
            out.append(Doubt("scope", widest.value, round(scope[widest.value], 4)))
    mission = learned.get("mission", {}).get("yes", 0.0)
    denied = any(h.category == "mission" and h.value == "no" for h in found.hits)
    if not f.mission and not denied and mission >= DOUBT_AT["mission"]:
        out.append(Doubt("mission", "yes", round(mission, 4)))
    security = learned.get("security", {})
    grave = sum(security.get(s.value, 0.0) for s in _GRAVE)
    if f.security not in _GRAVE and grave >= DOUBT_AT["security"]:
        gravest = max(_GRAVE, key=lambda s: security.get(s.value, 0.0))
        out.append(Doubt("security", gravest.value, round(grave, 4)))
    return tuple(out)


def graver(factors: Factors, found_doubts: tuple[Doubt, ...]) -> Factors:
    """The factors with every doubt resolved the grave way."""
    for d in found_doubts:
        if d.factor == "scope":
            factors = replace(factors, scope=Scope(d.label))
        elif d.factor == "mission":
            factors = replace(factors, mission=True)
        elif d.factor == "security":
            factors = replace(factors, security=Security(d.label))
    return factors


def cautious(
    found: Found, severity: Severity, learned: Mapping[str, Mapping[str, float]]
) -> tuple[Severity, tuple[Doubt, ...]]:
    """The severity to propose and, when it was raised to P1/P2, the doubts that raised it.

    First the factor doubts, through the decision table; then the learned severity read
    straight from the text, when it puts enough weight on P1+P2 and the text did not show both
    who is affected and how much (when it did, the table's reading of those words stands).
    """
    found_doubts = doubts(found, learned)
    if found_doubts:
        raised = decide(graver(found.factors, found_doubts))
        if raised in _CRITICAL and _rank(raised) < _rank(severity):
            return raised, found_doubts
    direct = learned.get("severity", {})
    critical = sum(direct.get(s.value, 0.0) for s in _CRITICAL)
    shown = found.explicit_scope and found.explicit_impact
    if severity not in _CRITICAL and not shown and critical >= DOUBT_AT["severity"]:
        top = max(_CRITICAL, key=lambda s: direct.get(s.value, 0.0))
        return top, (Doubt("severity", top.value, round(critical, 4)),)
    return severity, ()


WORDS_STAND = (Severity.P1, Severity.P2)


def words_stand(found: Found, table: Severity, blended: Severity) -> Severity:
    """Where the table's reading rests on words, the second reader does not lower it: a P1/P2
    where the words show who is affected (a scope no model supplied), and any severity where
    they show both who and how much, none of it learned ("25 personnes ne peuvent pas se
    connecter, le wifi ne marche plus" is the guide's P3). Missing a critical incident costs
    more than an agent's click ("personne au ministère ne peut ouvrir le système de paie" stays
    P1). Measured with models that had not trained on the set scored (F, E, authored-dev), for
    P1/P2: P1+P2 recall +0.024 / 0 / +0.020, severity macro-F1 +0.007 / -0.043 / +0.013 (E:
    P2s that the table read as P1); for the rest: E -0.003, the others unchanged."""
    if _rank(table) >= _rank(blended):
        return blended
    who = found.explicit_scope and "scope" not in found.learned
    if who and (table in WORDS_STAND or (found.explicit_impact and not found.learned)):
        return table
    return blended


def rests_on_learning(found: Found, severity: Severity, table: Severity) -> bool:
    """A P1/P2 that stands on a scope no words of the message show, or that the second reader
    raised above the table's reading (`table`), must be confirmed too."""
    if severity not in _CRITICAL:
        return False
    return "scope" in found.learned or _rank(severity) < _rank(table)


def _rank(s: Severity) -> int:
    return int(s.value[1])
