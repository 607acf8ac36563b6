"""Notice a burst of similar reports: many people writing about the same thing at once.

Pure and deterministic: the caller passes the new report and the recent ones (with their
times); nothing here reads a clock or a database. Similarity is the cosine of accent-folded,
lightly stemmed word counts, French and English stopwords removed. The new report is compared
with each recent one (no chaining: A like B like C does not make A like C), and a burst is the
new report plus the recent ones close enough in time, in team and in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nlp.text import STOPWORDS, cosine, stem, words

LABEL_TERMS = 3


@dataclass(frozen=True, slots=True)
class Report:
    number: str  # ticket number
    text: str
    team: str | None  # a team label, or None when triage proposed none
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GatherConfig:
    window: timedelta = timedelta(minutes=30)  # how far apart in time two members may be
    threshold: float = 0.5  # cosine similarity to the new report, 0-1
    min_count: int = 3  # members, the new report included
    same_team: bool = True  # members must share the new report's (non-empty) team


@dataclass(frozen=True, slots=True)
class Burst:
    numbers: tuple[str, ...]  # the members' ticket numbers, oldest first
    team: str | None  # the team all members share, or None
    label: str  # the top shared terms, "outlook · répond"
    terms: tuple[str, ...]
    first_at: datetime
    last_at: datetime


def vector(text: str) -> Counter[str]:
    """Stem counts of the topic words of `text`."""
    return Counter(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1)


def find_burst(
    new: Report, recent: Sequence[Report], config: GatherConfig | None = None
) -> Burst | None:
    """The burst `new` belongs to, or None when too few recent reports are like it."""
    cfg = config or GatherConfig()
    if cfg.same_team and not new.team:
        return None
    target = vector(new.text)
    members = [new]
    for report in recent:
        if report.number == new.number or abs(report.created_at - new.created_at) > cfg.window:
            continue
        if cfg.same_team and report.team != new.team:
            continue
        if cosine(target, vector(report.text)) >= cfg.threshold:
            members.append(report)
    if len(members) < cfg.min_count:
        return None
    members.sort(key=lambda r: (r.created_at, r.number))
    teams = {m.team for m in members}
    terms = shared_terms([m.text for m in members])
    return Burst(
        numbers=tuple(m.number for m in members),
        team=teams.pop() if len(teams) == 1 else None,
        label=" · ".join(terms),
        terms=terms,
        first_at=members[0].created_at,
        last_at=members[-1].created_at,
    )


def shared_terms(texts: Sequence[str], limit: int = LABEL_TERMS) -> tuple[str, ...]:
    """The words most members use, each shown as most people wrote it (accents kept)."""
    in_members: Counter[str] = Counter()
    total: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for text in texts:
        seen: set[str] = set()
        for word, folded in _pairs(text):
            key = stem(folded)
            total[key] += 1
            shown.setdefault(key, Counter())[word] += 1
            if key not in seen:
                seen.add(key)
                in_members[key] += 1
    ranked = sorted(in_members, key=lambda k: (-in_members[k], -total[k], k))
    best = [k for k in ranked if in_members[k] >= 2 or len(texts) < 2][:limit]
    return tuple(min(shown[k].items(), key=lambda item: (-item[1], item[0]))[0] for k in best)


def _pairs(text: str) -> list[tuple[str, str]]:
    """(word as written, lower-cased; its folded form) for the topic words of `text`."""
    out: list[tuple[str, str]] = []
    for raw in text.lower().replace("’", "'").split():
        for piece in raw.split("'"):
            word = piece.strip('.,;:!?()[]{}«»"…-–—/')
            folded_words = words(word)
            if len(folded_words) != 1:
                continue
            folded = folded_words[0]
            if folded not in STOPWORDS and len(folded) > 1:
                out.append((word, folded))
    return out
