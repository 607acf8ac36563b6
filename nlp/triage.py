"""The one entry point of nlp: text in, a `Triage` proposal out.

v0: language detection only; kind, severity, level and team are left for an agent. The trained
pipeline (issue "Triage") replaces the body of `triage_batch` and keeps these signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from nlp.labels import Channel, Kind, Language, Level, Severity, Team
from nlp.language import detect_language

Factor = Literal["scope", "impact", "mission", "workaround", "service", "kind", "team", "level"]

MODEL_VERSION = "rules-v0"


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
    """A proposal for one message. `severity` is None unless `kind` is incident."""

    language: Language
    model: str
    kind: Kind | None = None
    severity: Severity | None = None
    level: Level | None = None
    team: Team | None = None
    confidence: Confidence = field(default_factory=Confidence)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class TriageInput:
    subject: str
    text: str
    channel: Channel = Channel.EMAIL


def triage(subject: str, text: str, channel: Channel = Channel.EMAIL) -> Triage:
    """Propose labels for one message."""
    return triage_batch([TriageInput(subject, text, channel)])[0]


def triage_batch(items: Sequence[TriageInput]) -> list[Triage]:
    """Propose labels for many messages at once (the fast path: models run on batches)."""
    return [
        Triage(language=detect_language(f"{item.subject}\n{item.text}"), model=MODEL_VERSION)
        for item in items
    ]
