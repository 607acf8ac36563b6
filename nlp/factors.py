"""Find the guide's severity factors in a processed message, each with the words that show it.

Phrase lists live in `nlp.patterns`; they are matched on accent-free lemmas (`token.norm_`) with
spaCy's PhraseMatcher, plus a Matcher for token shapes (floors, fill percentages). A match
preceded or followed, in the same clause, by a negator ("pas", "aucun", "not") does not count:
"toute l'équipe n'est pas touchée" is no group scope, "aucun impact sur les citoyens" no mission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spacy.attrs import LIKE_NUM, LOWER, NORM
from spacy.language import Language as SpacyLanguage
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp import patterns as P
from nlp.quantified import quantified_scopes
from nlp.severity import Factors, Impact, Scope, Security
from nlp.text import unaccent

_SCOPE_ORDER = [Scope.ORGANISATION, Scope.SYSTEM, Scope.SITE, Scope.GROUP, Scope.PERSON]
_SECURITY_ORDER = [
    Security.SPREADING,
    Security.DATA_EXPOSED,
    Security.CONFIRMED,
    Security.POSSIBLE,
    Security.REPORT,
]
_CLAUSE_END = frozenset({".", "!", "?", ";", "\n", ":", ",", "mais", "but"})
_FR_ORDINAL = r"^\d{1,2}(e|er|eme|ième|ieme)$"
_EN_ORDINAL = r"^\d{1,2}(st|nd|rd|th)$"


@dataclass(frozen=True, slots=True)
class _Needs:
    """What a doc must hold for some shape patterns to match: a word of each set (the hashes
    of its lower-case forms and norms), a match of `text` in its text, a number-like token."""

    words: tuple[frozenset[int], ...]
    text: re.Pattern[str] | None
    number: bool

    def met(self, words: set[int], text: str, number: bool) -> bool:
        return (
            all(not group.isdisjoint(words) for group in self.words)
            and (self.text is None or self.text.search(text) is not None)
            and (number or not self.number)
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """One matched factor: category (e.g. "scope"), value (e.g. "group"), and the span."""

    category: str
    value: str
    start: int
    end: int
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class Found:
    factors: Factors
    hits: tuple[Hit, ...]
    explicit_scope: bool
    explicit_impact: bool
    learned: tuple[str, ...] = ()  # factors that came from the categorisers, not from patterns


def _negated(
    doc: Doc,
    span: Span,
    before: int,
    after: int,
    needs: frozenset[str] = frozenset(),
    negators: frozenset[str] = P.NEGATORS,
) -> bool:
    """A negator within `before` tokens before or `after` tokens after the span, in the same
    clause. With `needs`, one of those words must be in the same window too ("aucun impact sur
    les citoyens" negates a mission; "aucun citoyen ne peut se connecter" does not)."""
    windows = (
        range(span.start - 1, max(-1, span.start - 1 - before), -1),
        range(span.end, min(len(doc), span.end + after)),
    )
    for window in windows:
        negator = needed = False
        for i in window:
            tok = doc[i]
            if tok.text in _CLAUSE_END or "\n" in tok.text:
                break
            negator = negator or tok.norm_ in negators or tok.lower_ in negators
            needed = needed or not needs or tok.norm_ in needs
            if negator and needed:
                return True
    return False


# How far a negator reaches: "pas toute l'équipe" / "toute l'équipe n'est pas touchée";
# "aucun impact sur les citoyens" / "les citoyens ne sont pas touchés".
_NEGATION_REACH = {"mission": (5, 4)}


class FactorFinder:
    """Matchers built once per pipeline; `find` is then cheap."""

    def __init__(self, nlp: SpacyLanguage) -> None:
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        groups: dict[str, list[str]] = {}
        for scope, words in P.SCOPE.items():
            groups[f"scope|{scope}"] = words
        for impact, words in P.IMPACT.items():
            groups[f"impact|{impact}"] = words
        for sec, words in P.SECURITY.items():
            groups[f"security|{sec}"] = words
        groups.update(
            {
                "preventive|yes": P.PREVENTIVE,
                "schedule|yes": P.SCHEDULE,
                "protective|yes": P.PROTECTIVE,
                "mission|yes": P.MISSION,
                "workaround|yes": P.WORKAROUND,
                "workaround|no": P.NO_WORKAROUND,
                "workaround|manual-fallback": P.MANUAL_FALLBACK,
                "equivalent|yes": P.EQUIVALENT,
                "access|yes": P.ACCESS,
            }
        )
        for kind, words in P.KIND_CUES.items():
            groups[f"cue|{kind}"] = words
        for key, words in groups.items():
            self.phrases.add(key, list(nlp.pipe(w.lower() for w in words)))
        self.shapes = Matcher(nlp.vocab)
        self.strings = nlp.vocab.strings
        self._needs: list[_Needs] = []
        """What a doc must hold for each shape pattern to have a chance (`_may_have_shape`)."""
        at_the = ["au", "du", "le", "tout"]
        self._shape(
            "scope|group",
            [[{"LOWER": {"IN": at_the}}, {"LOWER": {"REGEX": _FR_ORDINAL}}]],
            at_the,
            text=r"\d(?:e|i)",
        )
        self._shape(
            "scope|group",
            [[{"LOWER": {"REGEX": _EN_ORDINAL}}, {"LOWER": "floor"}]],
            ["floor"],
            text=r"\d(?:st|nd|rd|th)",
        )
        teams = ["team", "unit", "branch", "division", "department", "floor"]
        self._shape(
            "scope|group_",
            [
                [
                    {"LOWER": {"IN": ["whole", "entire"]}},
                    {"IS_ALPHA": True, "OP": "{0,2}"},
                    {"NORM": {"IN": teams}},
                ],
            ],
            ["whole", "entire"],
            teams,
        )
        units = ["equipe", "direction", "section", "unite", "service", "etage", "aile", "division"]
        self._shape(
            "scope|group_",
            [[{"NORM": "tout"}, {"NORM": {"IN": ["le", "la", "l'"]}}, {"NORM": {"IN": units}}]],
            ["tout"],
            units,
        )
        people = [unaccent(w) for w in P.PEOPLE]
        ones = ["1", "un", "une", "one", "a", "an"]  # "une seule agente" is one person
        self._shape(
            "scope|group__",
            [
                [{"LIKE_NUM": True, "LOWER": {"NOT_IN": ones}}, {"NORM": {"IN": people}}],
                [
                    {"LIKE_NUM": True, "LOWER": {"NOT_IN": ones}},
                    {"IS_ALPHA": True},
                    {"NORM": {"IN": people}},
                ],
            ],
            people,
            number=True,
        )
        protected = [unaccent(w) for w in P.PROTECTED]
        failing = [unaccent(w) for w in P.FAILING]
        self._shape(
            "protective|yes",
            [[{"NORM": {"IN": protected}}, {"OP": "{0,6}"}, {"NORM": {"IN": failing}}]],
            protected,
            failing,
        )
        sites = ["bureau", "édifice", "centre"]
        self._shape(
            "scope|site",
            [
                [
                    {"LOWER": {"IN": ["au", "du", "le"]}},
                    {"LOWER": {"IN": sites}},
                    {"LOWER": {"IN": ["de", "d'"]}},
                    {"IS_ALPHA": True},
                ],
            ],
            sites,
        )
        offices = ["office", "building", "site"]
        self._shape(
            "scope|site",
            [
                [
                    {"LOWER": {"IN": ["the", "our"]}},
                    {"IS_ALPHA": True, "OP": "{1,2}"},
                    {"LOWER": {"IN": offices}},
                ],
            ],
            offices,
        )
        at = {"LOWER": {"IN": ["à", "a", "at", "is", "est", "to"]}}
        full = {"LOWER": {"IN": ["full", "plein", "pleine", "utilisé", "utilisée", "used", "d'"]}}
        self._shape(
            "preventive|yes",
            [  # a fill level: "à 92 %", "at 95%", "88 % plein", "91% full" (not "80 % des paiements")
                [at, {"LOWER": {"REGEX": r"^(8\d|9\d)$"}}, {"ORTH": "%"}],
                [at, {"LOWER": {"REGEX": r"^(8\d|9\d)%$"}}],
                [{"LOWER": {"REGEX": r"^(8\d|9\d)$"}}, {"ORTH": "%"}, full],
                [{"LOWER": {"REGEX": r"^(8\d|9\d)%$"}}, full],
            ],
            text=r"[89]\d\s*%",
        )

    def _shape(
        self,
        key: str,
        patterns: list[list[dict[str, Any]]],
        *words: list[str],
        text: str | None = None,
        number: bool = False,
    ) -> None:
        """Add token-shape patterns under `key`, with what a doc must hold for one of them to
        match: a word (lower case or norm) of each of `words`, a match of `text` in its text,
        a number-like token when `number`."""
        self.shapes.add(key, patterns)
        sets = tuple(frozenset(int(self.strings.add(w)) for w in group) for group in words)
        pattern = re.compile(text, re.IGNORECASE) if text is not None else None
        self._needs.append(_Needs(sets, pattern, number))

    @staticmethod
    def _negated(category: str, doc: Doc, span: Span) -> bool:
        """Is this match negated? A scope only by "pas toute l'équipe" or by a negated "being
        affected" after it ("toute l'équipe n'est pas touchée"), never by a negated ability
        ("toute l'équipe ne peut pas se connecter", "the whole team can't log in")."""
        if category == "scope":
            return _negated(doc, span, 1, 0, negators=P.SCOPE_NEGATORS) or _negated(
                doc, span, 0, 4, P.SCOPE_NEGATED_BY, P.SCOPE_NEGATORS
            )
        needs = P.MISSION_NEGATED_BY if category == "mission" else frozenset()
        before, after = _NEGATION_REACH.get(category, (4, 0))
        return _negated(doc, span, before, after, needs)

    def _may_have_shape(self, doc: Doc, text: str) -> bool:
        """Can one of the shape patterns match? Most docs hold none of the words they need, and
        a call of spaCy's Matcher costs about 20 µs plus 3–5 µs a token even when it finds
        nothing (its predicates are Python calls); a set look-up of the doc's words is cheap."""
        columns = doc.to_array([LOWER, NORM, LIKE_NUM])
        words = set(columns[:, 0].tolist())
        words.update(columns[:, 1].tolist())
        number = bool(columns[:, 2].any())
        return any(need.met(words, text, number) for need in self._needs)

    def hits(self, doc: Doc, text: str | None = None) -> tuple[Hit, ...]:
        """Every factor phrase in `doc` (`text`: the doc's text, when the caller has it)."""
        # The quantified scopes come first: where a fixed phrase covers the same words, the
        # reading of the quantifier wins ("toutes les directions" is not "toute la direction").
        by_category: dict[str, list[Span]] = {
            "scope": [
                Span(doc, q.start, q.end, label=f"scope|{q.scope.value}")
                for q in quantified_scopes(doc)
            ]
        }
        matches = list(self.phrases(doc))
        if self._may_have_shape(doc, doc.text if text is None else text):
            matches += self.shapes(doc)
        for match_id, start, end in matches:
            key = self.strings[match_id]
            span = Span(doc, start, end, label=key)
            by_category.setdefault(key.split("|")[0], []).append(span)
        out: list[Hit] = []
        for category, spans in by_category.items():
            # Security subtypes and negated phrases may overlap their positive twins on purpose.
            kept = spans if category in ("security", "workaround") else filter_spans(spans)
            for span in kept:
                # Only a scope is negated from behind ("toute l'équipe n'est pas touchée"); a
                # mission is not ("citizens can't file their requests" is a mission effect).
                value = span.label_.split("|")[1].rstrip("_")
                if category not in ("workaround", "cue", "equivalent", "access") and self._negated(
                    category, doc, span
                ):
                    if category != "mission":
                        continue
                    value = "no"  # "no impact on citizens": said, so no model may doubt it
                out.append(
                    Hit(category, value, span.start, span.end, span.start_char, span.end_char)
                )
        out.sort(key=lambda h: h.start)
        # "no workaround" also contains "workaround": the negative phrase wins.
        nos = [h for h in out if h.category == "workaround" and h.value == "no"]
        return tuple(
            h
            for h in out
            if not (
                h.category == "workaround"
                and h.value == "yes"
                and any(n.start <= h.start and h.end <= n.end for n in nos)
            )
        )


Learned = tuple[str, float]
LEARNED_MIN = {"scope": 0.8, "impact": 0.6, "workaround": 0.8}
"""The least probability at which a learned factor fills in where no pattern spoke. Impact had
no bar until v5: when no words show it, the impact model's reading (0.68–0.72 right on
authored-dev and blind set E) beats the default `total` (0.55–0.62). But an unsure "minor"
hid outages of the whole organisation ("emails take an hour to arrive, for everyone"): at 0.6,
P1+P2 recall +0.016 on the mean of the four former blind sets (each scored by a model not
trained on it), macro-F1 -0.003. Swept with the blend (`nlp.severity`)."""


def decide_factors(
    hits: tuple[Hit, ...],
    mission_service: bool,
    learned: Mapping[str, Learned] | None = None,
) -> Found:
    """The factors shown by `hits`; a learned scope, impact or workaround (label, probability)
    fills in only where no pattern spoke and the model is sure enough (`LEARNED_MIN`). Learned mission
    and security never decide here: they only raise doubts (`nlp.caution`), since a mission or a
    compromise claimed without words to show it must be confirmed. `mission_service` says a
    mission system was named."""
    learned_by = learned or {}
    learned_scope, learned_impact = learned_by.get("scope"), learned_by.get("impact")
    values: dict[str, set[str]] = {}
    for h in hits:
        values.setdefault(h.category, set()).add(h.value)
    scopes = values.get("scope", set())
    if Scope.SITE.value in scopes and Scope.ORGANISATION.value not in scopes:
        # "down for all agents at our Moncton office": the users named are the site's
        scopes = scopes - {Scope.SYSTEM.value}
    protective = "protective" in values
    scope = next(
        (s for s in _SCOPE_ORDER if s.value in scopes), Scope.SYSTEM if protective else Scope.PERSON
    )
    learned_names: list[str] = []
    if (
        not scopes
        and learned_scope
        and learned_scope[1] >= LEARNED_MIN["scope"]
        and not protective
        and learned_scope[0] != "person"
    ):
        scope = Scope(learned_scope[0])
        learned_names.append("scope")
    impacts = values.get("impact", set())
    preventive = "preventive" in values
    planned = "schedule" in values and "major" not in impacts
    mission = mission_service or "yes" in values.get("mission", set())
    # An equivalent device or room at hand makes the loss negligible, but not for a mission.
    equivalent = (
        "equivalent" in values and not mission and scope in (Scope.GROUP, Scope.SITE, Scope.PERSON)
    )
    if preventive or protective or planned or equivalent:
        impact = Impact.NONE
    elif "minor" in impacts:
        impact = Impact.MINOR
    elif "major" in impacts:
        impact = Impact.MAJOR
    elif not impacts and learned_impact and learned_impact[1] >= LEARNED_MIN["impact"]:
        impact = Impact(learned_impact[0])
        if impact is not Impact.TOTAL:
            learned_names.append("impact")
    else:
        impact = Impact.TOTAL
    secs = values.get("security", set())
    security = next((s for s in _SECURITY_ORDER if s.value in secs), Security.NONE)
    if security is Security.REPORT and not impacts:
        impact = Impact.NONE  # a phishing received and not clicked impairs nothing yet
    work = values.get("workaround", set())
    workaround = ("yes" in work or "equivalent" in values) and "no" not in work
    # A learned workaround only ever lowers P1 to P2 (the decision table's one use of it).
    sure_workaround = learned_by.get("workaround", ("no", 0.0))
    if not work and sure_workaround[0] == "yes" and sure_workaround[1] >= LEARNED_MIN["workaround"]:
        workaround = True
        learned_names.append("workaround")
    factors = Factors(
        scope=scope,
        impact=impact,
        mission=mission,
        workaround=workaround,
        security=security,
        protective=protective,
        schedulable=preventive or planned,
    )
    explicit_impact = (
        bool(impacts) or preventive or protective or equivalent or "impact" in learned_names
    )
    explicit_scope = bool(scopes) or "scope" in learned_names
    return Found(factors, hits, explicit_scope, explicit_impact, tuple(learned_names))
