"""Weighted phrases found in a message, and the score they add up to.

A phrase matches when all its stems occur close together in the message, in any order, so
"compte verrouillé" matches "mon compte Windows est verrouillé" and "account locked" matches
"locked out of my account". The score is a noisy-or of the weights of the phrases found: one
strong phrase crosses the default threshold, keywords only add confidence (and ranking); the
callers require at least one strong phrase, so a pile of vague words never matches alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from nlp.text import stems

STRONG = 0.6  # a phrase that names the problem on its own
WEAK = 0.25  # a keyword that only hints at it: three of them are needed
SLACK = 2  # how many other words may sit between the words of a phrase


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # as written in the data file: shown as evidence
    stems: frozenset[str]
    size: int
    weight: float


def compile_phrase(text: str, weight: float) -> Phrase:
    """Raise ValueError when the phrase has no word left once fillers are dropped."""
    found = stems(text)
    if not found:
        raise ValueError(f"phrase {text!r} has no content word")
    return Phrase(text=text, stems=frozenset(found), size=len(set(found)), weight=weight)


def compile_all(texts: Iterable[str], weight: float) -> tuple[Phrase, ...]:
    return tuple(compile_phrase(t, weight) for t in texts)


def occurs(phrase: Phrase, tokens: Sequence[str]) -> bool:
    """All the phrase's stems within a window of size + SLACK tokens of the message."""
    width = phrase.size + SLACK if phrase.size > 1 else 1
    for start, token in enumerate(tokens):
        if token in phrase.stems and phrase.stems <= set(tokens[start : start + width]):
            return True
    return False


def found(
    phrases: Iterable[Phrase], tokens: Sequence[str], present: frozenset[str]
) -> list[Phrase]:
    """The phrases that occur in `tokens`, in the given order; two phrases with the same stems
    ("printer", "printing") count once. `present` is the set of `tokens`: most phrases miss a
    stem outright, and need no window looked through."""
    seen: set[frozenset[str]] = set()
    hits: list[Phrase] = []
    for phrase in phrases:
        if phrase.stems not in seen and phrase.stems <= present and occurs(phrase, tokens):
            seen.add(phrase.stems)
            hits.append(phrase)
    return hits


def score(hits: Iterable[Phrase]) -> float:
    """Noisy-or of the weights: 1 - Π(1 - w), in [0, 1)."""
    miss = 1.0
    for phrase in hits:
        miss *= 1.0 - phrase.weight
    return round(1.0 - miss, 4)


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Entry(Generic[K]):
    """One candidate answer (an article's slug, a destination) and the phrases for and against."""

    key: K
    signals: tuple[Phrase, ...]
    exclude: tuple[Phrase, ...] = ()
    strong_stems: frozenset[str] = field(init=False)
    """Every stem of the strong signals: a message holding none of them cannot match."""

    def __post_init__(self) -> None:
        strong = (p.stems for p in self.signals if p.weight >= STRONG)
        object.__setattr__(self, "strong_stems", frozenset().union(*strong))


@dataclass(frozen=True, slots=True)
class Best(Generic[K]):
    key: K
    score: float
    evidence: tuple[str, ...]  # the phrases found, as written in the data file


def best(
    entries: Iterable[Entry[K]], text: str, exclusions: Sequence[Phrase], threshold: float
) -> Best[K] | None:
    """The entry `text` matches best at or above `threshold`: at least one strong phrase, no
    excluding phrase; ties go to more evidence, then to the first entry."""
    tokens = stems(text)
    present = frozenset(tokens)
    if not tokens or found(exclusions, tokens, present):
        return None
    chosen: Best[K] | None = None
    for entry in entries:
        if entry.strong_stems.isdisjoint(present):
            continue  # no strong phrase: most entries, for most messages
        hits = found(entry.signals, tokens, present)
        if not any(h.weight >= STRONG for h in hits) or found(entry.exclude, tokens, present):
            continue
        value = score(hits)
        if value < threshold:
            continue
        if chosen is None or (value, len(hits)) > (chosen.score, len(chosen.evidence)):
            chosen = Best(entry.key, value, tuple(h.text for h in hits))
    return chosen
