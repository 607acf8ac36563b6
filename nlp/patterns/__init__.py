"""Phrases that show the guide's severity factors, French and English.

Written in plain words; `nlp.factors` runs them through the same pipeline as the messages and
matches on accent-free lemmas (`NORM`), so "touchées", "touché" and "touche" all match. When two
phrases overlap, the longer wins ("tous les employés du bureau de" is a site, "tous les employés"
the organisation).

One module per factor: `scope`, `impact` (with preventive, planned and protective work),
`mission`, `workaround`, `security`; `negation` holds the negator words and `kind` the cues for
the message kind. The token-shape patterns and the matcher assembly live in `nlp.factors`.
"""

from __future__ import annotations

from nlp.patterns.impact import FAILING, IMPACT, PREVENTIVE, PROTECTED, PROTECTIVE, SCHEDULE
from nlp.patterns.kind import KIND_CUES
from nlp.patterns.mission import MISSION
from nlp.patterns.negation import (
    MISSION_NEGATED_BY,
    NEGATORS,
    SCOPE_NEGATED_BY,
    SCOPE_NEGATORS,
)
from nlp.patterns.scope import PEOPLE, SCOPE
from nlp.patterns.security import SECURITY
from nlp.patterns.team import ACCESS
from nlp.patterns.workaround import EQUIVALENT, MANUAL_FALLBACK, NO_WORKAROUND, WORKAROUND

__all__ = [
    "ACCESS",
    "EQUIVALENT",
    "FAILING",
    "IMPACT",
    "KIND_CUES",
    "MANUAL_FALLBACK",
    "MISSION",
    "MISSION_NEGATED_BY",
    "NEGATORS",
    "NO_WORKAROUND",
    "PEOPLE",
    "PREVENTIVE",
    "PROTECTED",
    "PROTECTIVE",
    "SCHEDULE",
    "SCOPE",
    "SCOPE_NEGATED_BY",
    "SCOPE_NEGATORS",
    "SECURITY",
    "WORKAROUND",
]
