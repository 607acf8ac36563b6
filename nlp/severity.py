"""The guide's decision table: from the factors found in a message to a P1–P5 severity.

The table lives here once; the corpus generator labels with it and the runtime applies it to the
factors that `nlp.factors` finds, so the severity is always explained by named factors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from nlp.labels import Severity


class Scope(StrEnum):
    ORGANISATION = "organisation"
    SYSTEM = "system"
    SITE = "site"
    GROUP = "group"
    PERSON = "person"


class Impact(StrEnum):
    TOTAL = "total"
    MAJOR = "major"
    MINOR = "minor"
    NONE = "none"


class Security(StrEnum):
    """Security situations the decision table names, from the gravest down."""

    SPREADING = "spreading"  # compromise spreading across the organisation
    DATA_EXPOSED = "data_exposed"  # citizens' personal data exposed
    CONFIRMED = "confirmed"  # confirmed compromise of a few accounts or devices, still active
    POSSIBLE = "possible"  # link clicked, malware alert, lost or stolen device
    REPORT = "report"  # phishing received, not clicked
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Factors:
    """What the text shows. Defaults are what a message that says nothing implies."""

    scope: Scope = Scope.PERSON
    impact: Impact = Impact.TOTAL
    mission: bool = False
    workaround: bool = False
    security: Security = Security.NONE
    protective: bool = False  # loss of a protective function (backups, monitoring)
    schedulable: bool = False  # asks for the work to be planned, or preventive work


# Learned factor models: they fill in where no pattern shows the factor, and they raise the
# doubts the cost-aware decision weighs (`nlp.caution`). Booleans are learned as "yes"/"no".
FACTOR_TASKS: dict[str, tuple[str, ...]] = {
    "scope": tuple(s.value for s in Scope),
    "impact": tuple(i.value for i in Impact),
    "mission": ("yes", "no"),
    "workaround": ("yes", "no"),
    "security": tuple(s.value for s in Security),
}

_WIDE = (Scope.ORGANISATION, Scope.SYSTEM)


def decide(f: Factors) -> Severity:
    """Apply the guide's decision table; rows in order, first match wins (P5 before P4)."""
    sec = f.security
    if sec in (Security.SPREADING, Security.DATA_EXPOSED):
        return Severity.P1
    if f.impact is Impact.TOTAL and f.scope in _WIDE and f.mission and not f.workaround:
        return Severity.P1
    if sec is Security.CONFIRMED:
        return Severity.P2
    if f.impact is Impact.TOTAL and f.mission and f.scope in (*_WIDE, Scope.SITE):
        return Severity.P2
    if f.impact in (Impact.TOTAL, Impact.MAJOR) and f.scope is Scope.ORGANISATION:
        return Severity.P2
    if f.impact is Impact.MAJOR and f.scope is Scope.SYSTEM and f.mission:
        return Severity.P2
    if sec is Security.POSSIBLE:
        return Severity.P3
    if f.impact is Impact.MINOR and f.scope is Scope.ORGANISATION:
        return Severity.P3
    if f.impact is not Impact.NONE and f.scope is Scope.SITE:
        return Severity.P3
    if f.impact is Impact.TOTAL and f.scope is Scope.GROUP:
        return Severity.P3
    if f.scope in _WIDE and not f.mission and f.impact is not Impact.NONE:
        return Severity.P3
    if f.protective and f.scope in (*_WIDE, Scope.SITE):
        return Severity.P3
    if f.impact is Impact.NONE and f.schedulable:
        return Severity.P5
    return Severity.P4


TABLE_WEIGHT = 0.35
"""How much the table's proposal weighs against the second reader's distribution (`nlp.reader`).
At 0.35 the reader overrules the table only when it prefers another severity by more than 0.54
of probability (0.35 / 0.65). Triage v4 (the former blind sets trained on, each scored by a
model trained without it): 0.35 read E and F better than 0.4 (macro-F1 +0.03 on each, P1+P2
recall equal or better) and authored-dev the same. Before that, at 0.4: Swept from 0.3 to 0.5, apart for texts whose words showed both scope and
impact and for the others, with the severity doubt of `nlp.caution`, on authored-dev, the
corrections pool, blind set E (after its one blind score) and the hand-written sets: 0.3 read
E better (macro-F1 0.91 against 0.88) but overruled the words of guide cases the tests hold
("25 personnes … ne peuvent pas se connecter" is P3, not the reader's P4); either reader alone
does worse."""


def blend(table: Severity, read: Mapping[str, float]) -> dict[str, float]:
    """The severity distribution: the table's proposal, weighed against the second reader."""
    w = TABLE_WEIGHT
    return {s.value: w * (s is table) + (1 - w) * read.get(s.value, 0.0) for s in Severity}
