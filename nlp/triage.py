"""The one entry point of nlp: text in, a `Triage` proposal out.

Kind, team and level come from the trained text categorisers; severity comes from the guide's
decision table applied to the factors found in the text (scope, impact, mission, workaround),
each backed by evidence. Every proposal carries its scores and, per label, whether its confidence
clears the threshold set on the dev split (`auto_apply`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from nlp.clean import compose
from nlp.labels import TASKS, Channel, Kind, Language, Level, Severity, Team, distributions
from nlp.language import detect_language
from nlp.severity import FACTOR_TASKS, Factors, Impact, Scope, Security, blend, decide

if TYPE_CHECKING:  # spaCy and the model load only in processes that triage
    from spacy.tokens import Doc

    from nlp.factors import Hit
    from nlp.model import Model, Pipeline
    from nlp.services import ServiceHit

Factor = Literal[
    "scope", "impact", "mission", "workaround", "service", "kind", "team", "level", "severity"
]

MODEL_VERSION = "textcat-bow+decision-table-1"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a proposal: the factor, the label it supports, the text that shows it."""

    factor: Factor
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Confidence:
    kind: float | None = None
    severity: float | None = None
    level: float | None = None
    team: float | None = None


@dataclass(frozen=True, slots=True)
class Triage:
    """A proposal for one message. `severity` is None unless `kind` is incident.

    `scores` holds the full score distribution per task; `auto_apply` says, per task, whether the
    proposal's confidence clears the model's threshold for that label (else an agent confirms).
    """

    language: Language
    model: str
    kind: Kind | None = None
    severity: Severity | None = None
    level: Level | None = None
    team: Team | None = None
    confidence: Confidence = field(default_factory=Confidence)
    evidence: tuple[Evidence, ...] = ()
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    auto_apply: Mapping[str, bool] = field(default_factory=dict)
    # True when the severity was raised to P1/P2 on ambiguous evidence (missing a critical
    # incident costs far more than an agent's click): an agent must confirm it, and it is shown
    # first. Its severity confidence is low and `auto_apply["severity"]` is False.
    to_confirm: bool = False


@dataclass(frozen=True, slots=True)
class TriageInput:
    subject: str
    text: str
    channel: Channel = Channel.EMAIL


def triage(subject: str, text: str, channel: Channel = Channel.EMAIL) -> Triage:
    """Propose labels for one message."""
    return triage_batch([TriageInput(subject, text, channel)])[0]


def triage_batch(items: Sequence[TriageInput], model: Model | None = None) -> list[Triage]:
    """Propose labels for many messages at once (the fast path: models run on batches)."""
    from nlp.model import get_model

    model = model or get_model()
    texts = [compose(item.subject, item.text) for item in items]
    langs = [detect_language(t) for t in texts]
    analysed: list[Analysis | None] = [None] * len(items)
    for lang in (Language.FR, Language.EN):
        idx = [i for i, lg in enumerate(langs) if lg is lang]
        if not idx:
            continue
        pipe = model.pipelines[lang.value]
        lowered = [texts[i].lower() for i in idx]
        docs = pipe.nlp.pipe(lowered, batch_size=256)
        for i, low, doc in zip(idx, lowered, docs, strict=True):
            analysed[i] = analyse(pipe, doc, low)
    done = [a for a in analysed if a is not None]
    scores = model.categoriser.scores([a.features for a in done])
    read = model.reader.read([t.lower() for t in texts])
    return [
        _propose(model, a, cats, read[i], texts[i], langs[i])
        for i, (a, cats) in enumerate(zip(done, scores, strict=True))
    ]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the language pipeline and the matchers found in one message."""

    doc: Doc
    services: list[ServiceHit]
    hits: tuple[Hit, ...]
    features: list[str]


def analyse(pipe: Pipeline, doc: Doc, text: str | None = None) -> Analysis:
    from nlp.pipeline import features

    services = pipe.catalogue.find(doc)
    hits = pipe.factors.hits(doc, text)
    tags = [f"svc:{s.service.team}" for s in services]
    tags += [f"f:{h.category}:{h.value}" for h in hits]
    return Analysis(doc, services, hits, features(doc, tags))


TEAM_SERVICE_WEIGHT = 0.5
TEAM_READER_WEIGHT = 0.7  # v5, swept 0.5–0.8 on E, F and G (each scored by a model not trained
# on it) and authored-dev: 0.7 read team better on three of the four (+0.008 F, +0.009 G)
CONFIRM_CERTAINTY = 0.35


def fuse_team(
    scores: Mapping[str, float], services: list[ServiceHit], read: Mapping[str, float]
) -> dict[str, float]:
    """Blend the categoriser's team scores with the teams of the services named in the text,
    then with the second reader's (`nlp.reader`)."""
    fused = dict(scores)
    if services:
        votes: dict[str, float] = {}
        for s in services:
            votes[s.service.team] = votes.get(s.service.team, 0.0) + 1.0 / len(services)
        w = TEAM_SERVICE_WEIGHT
        fused = {lb: (1 - w) * p + w * votes.get(lb, 0.0) for lb, p in fused.items()}
    r = TEAM_READER_WEIGHT
    return {lb: (1 - r) * p + r * read.get(lb, 0.0) for lb, p in fused.items()}


def _expert_work(f: Factors, team: str) -> bool:
    """The guide's level table: a security incident or an outage of a site, a system or the
    organisation goes to experts."""
    if f.security is not Security.NONE:
        return True
    wide = f.scope in (Scope.SITE, Scope.SYSTEM, Scope.ORGANISATION)
    return wide and f.impact in (Impact.TOTAL, Impact.MAJOR) and team != Team.PRINTING.value


def _guide_team(
    team: str, team_p: float, kind: str, factors: Factors, hits: tuple[Hit, ...]
) -> tuple[str, float]:
    """Where the guide names the team outright, it wins over the learned proposal: a security
    situation goes to security; an access, a permission or a group membership asked for, or
    refused to one person, goes to identity."""
    if kind == Kind.INCIDENT.value and factors.security is not Security.NONE:
        return Team.SECURITY.value, max(team_p, 0.9)
    person = kind == Kind.REQUEST.value or (
        kind == Kind.INCIDENT.value and factors.scope is Scope.PERSON
    )
    if person and team != Team.SECURITY.value and any(h.category == "access" for h in hits):
        return Team.IDENTITY.value, max(team_p, 0.8)
    return team, team_p


def _argmax(scores: Mapping[str, float]) -> tuple[str, float]:
    label = max(scores, key=lambda k: scores[k])
    return label, scores[label]


def _propose(
    model: Model,
    a: Analysis,
    cats: Mapping[str, float],
    read: Mapping[str, Mapping[str, float]],
    text: str,
    lang: Language,
) -> Triage:
    lowered = text.lower()  # what the pipeline saw; the same length except for rare letters
    source = text if len(text) == len(lowered) else lowered
    services = a.services
    scores = distributions(cats, TASKS)
    scores["team"] = fuse_team(scores["team"], services, read["team"])
    kind, kind_p = _argmax(scores["kind"])
    if kind == Kind.REQUEST.value and any(h.category == "preventive" for h in a.hits):
        # the guide: preventive work on something that exists (a failing battery, a disk nearly
        # full, a certificate about to expire) is an incident, usually P5, even when asked for
        kind, kind_p = Kind.INCIDENT.value, max(kind_p, scores["kind"].get("incident", 0.0))
    team, team_p = _argmax(scores["team"])
    dists = distributions(cats, FACTOR_TASKS)
    from nlp.caution import (  # spaCy: not at import time
        cautious,
        graver,
        rests_on_learning,
        words_stand,
    )
    from nlp.factors import decide_factors

    found = decide_factors(
        a.hits,
        any(s.service.mission for s in services),
        {task: _argmax(dist) for task, dist in dists.items()},
    )
    level, level_p = _argmax(scores["level"])
    if kind in (Kind.QUESTION.value, Kind.STATUS.value):
        # the guide's N1: how-to and status answers are given at first contact
        level, level_p = Level.N1.value, max(level_p, scores["level"].get("N1", 0.0))
    evidence: list[Evidence] = []
    seen: set[tuple[str, str, str]] = set()

    def add(factor: Factor, label: str, start: int, end: int) -> None:
        ev = Evidence(factor, label, source[start:end])
        if (ev.factor, ev.label, ev.text.lower()) not in seen:
            seen.add((ev.factor, ev.label, ev.text.lower()))
            evidence.append(ev)

    for hit in found.hits:
        if hit.category == "cue" and hit.value == kind:
            add("kind", kind, hit.start_char, hit.end_char)
    for s in services:
        add("service", s.service.team, s.start_char, s.end_char)
        if s.service.team == team:
            add("team", team, s.start_char, s.end_char)
    severity: Severity | None = None
    sev_p: float | None = None
    to_confirm = False
    factors = found.factors
    if kind == Kind.INCIDENT.value:
        table = decide(found.factors)
        blended = blend(table, read["severity"])
        severity = words_stand(found, table, Severity(max(blended, key=lambda s: blended[s])))
        if severity is not table:  # the second reader overruled the table's reading
            evidence.append(Evidence("severity", severity.value, ""))
        severity, raised_by = cautious(found, severity, {**dists, "severity": read["severity"]})
        if raised_by:
            factors, to_confirm = graver(found.factors, raised_by), True
        to_confirm = to_confirm or rests_on_learning(found, severity, table)
        for hit in found.hits:
            if hit.category in ("scope", "impact", "mission", "workaround"):
                add(hit.category, hit.value, hit.start_char, hit.end_char)  # type: ignore[arg-type]
            elif hit.category in ("security", "preventive", "protective", "schedule"):
                label = f"security-{hit.value}" if hit.category == "security" else hit.category
                add("impact", label, hit.start_char, hit.end_char)
        for s in services:
            if s.service.mission:
                add("mission", "yes", s.start_char, s.end_char)
        for factor in found.learned:
            value = getattr(found.factors, factor)
            evidence.append(_learned_evidence(factor, value))
        for doubt in raised_by:
            evidence.append(_learned_evidence(doubt.factor, doubt.label))
        # A proposal raised on doubts is as unsure as the doubts: an agent must confirm it.
        certainty = CONFIRM_CERTAINTY if to_confirm else blended[severity.value]
        sev_p = round(kind_p * certainty, 4)
    wide = [h for h in found.hits if h.category == "scope" and h.value != Scope.PERSON.value]
    if severity is not None and level != Level.N3.value and _expert_work(factors, team):
        # The guide's level table: an outage of a site, a system or the organisation, or a
        # security incident, goes to experts. A rule may raise the proposal, never lower it.
        level, level_p = Level.N3.value, max(level_p, sev_p or 0.0)
        scores["level"] = {**scores["level"], "N3": level_p}
    team, team_p = _guide_team(team, team_p, kind, factors, found.hits)
    scores["team"] = {**scores["team"], team: max(scores["team"].get(team, 0.0), team_p)}
    if level == "N3" and wide:
        add("level", level, wide[0].start_char, wide[0].end_char)
    elif services:
        add("level", level, services[0].start_char, services[0].end_char)
    th = model.thresholds
    # A status follow-up names what it follows up (a number, "des nouvelles", "any update"):
    # without such words, a status reading is never applied on the model's word alone.
    named = kind != Kind.STATUS.value or any(
        h.category == "cue" and h.value == Kind.STATUS.value for h in a.hits
    )
    auto = {
        "kind": named and kind_p >= th.get("kind", {}).get(kind, 1.0),
        "team": team_p >= th.get("team", {}).get(team, 1.0),
        "level": level_p >= th.get("level", {}).get(level, 1.0),
    }
    if severity is not None and sev_p is not None:
        auto["severity"] = not to_confirm and sev_p >= th.get("severity", {}).get(
            severity.value, 1.0
        )
    if severity is not None:
        scores["severity"] = {severity.value: sev_p or 0.0}
    return Triage(
        language=lang,
        model=model.version,
        kind=Kind(kind),
        severity=severity,
        level=Level(level),
        team=Team(team),
        confidence=Confidence(
            kind=round(kind_p, 4), severity=sev_p, level=round(level_p, 4), team=round(team_p, 4)
        ),
        evidence=tuple(evidence),
        scores=scores,
        auto_apply=auto,
        to_confirm=to_confirm,
    )


def _learned_evidence(factor: str, value: object) -> Evidence:
    """A factor a learned model supplied: no words of the message to show, the text is empty."""
    label = value.value if isinstance(value, StrEnum) else str(value)
    if factor == "mission":
        label = "yes" if label in ("True", "yes") else "no"
    if factor == "security":
        return Evidence("impact", f"security-{label}", "")
    if factor == "workaround":
        return Evidence("workaround", "yes" if label in ("True", "yes") else "no", "")
    return Evidence(factor, label, "")  # type: ignore[arg-type]
