"""The knowledge base: end-user articles, and which one answers a message.

Articles live in `bot/data/kb/<slug>.<fr|en>.md`: TOML front matter between `+++` lines, then a
Markdown body written for the person who asked. Front matter keys:

- `title`, `team` (a team label of the triage guide);
- `phrases`: words that name the problem on their own ("mot de passe expiré");
- `keywords`: words that only hint at it ("portail"): they add to the score of an article
  that has a phrase in the message, never match on their own;
- `not`: phrases that rule the article out ("nouvel employé" for a password reset).

Both languages' phrases are matched whatever the message's language (people mix them); the
answer is the article in the asked language, French when there is no translation. An optional
`exclusions.toml` beside the articles lists phrases that rule out every article: a widespread
outage, a security incident or a follow-up is not a self-service question.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.selfservice.errors import SelfServiceDataError
from bot.selfservice.phrases import STRONG, WEAK, Entry, best, compile_all
from nlp.labels import Language, Team
from nlp.text import stems

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "kb"
DEFAULT_THRESHOLD = 0.5
EXCLUSIONS_FILE = "exclusions.toml"

_NAME = re.compile(r"^(?P<slug>[a-z0-9][a-z0-9-]*)\.(?P<lang>fr|en)\.md$")
_FENCE = "+++"


class _FrontMatter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    title: str = Field(min_length=1)
    team: Team
    phrases: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = Field(default=(), alias="not")


class _Exclusions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    exclude: tuple[str, ...] = Field(default=(), alias="not")


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    language: Language
    title: str
    team: Team
    body: str  # Markdown, for end users
    phrases: tuple[str, ...]
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KbMatch:
    article: Article
    score: float  # 0-1
    evidence: tuple[str, ...]  # the phrases found, as written in the articles


class KnowledgeBase:
    """All the articles, and `match()` from a message to the one that answers it."""

    def __init__(
        self,
        articles: Iterable[Article],
        exclusions: Sequence[str] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.threshold = threshold
        self._articles: dict[tuple[str, Language], Article] = {}
        for article in articles:
            self._articles[(article.slug, article.language)] = article
        self._exclusions = compile_all(exclusions, 1.0)
        self._entries = tuple(self._entry(slug) for slug in self.slugs)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(sorted({slug for slug, _ in self._articles}))

    def article(self, slug: str, language: Language | str) -> Article | None:
        """The article in `language`, else in French, else None."""
        lang = Language(language) if language in tuple(Language) else Language.FR
        return self._articles.get((slug, lang)) or self._articles.get((slug, Language.FR))

    def match(self, text: str, language: Language | str) -> KbMatch | None:
        """The best article for `text` at or above the threshold, or None."""
        found = best(self._entries, text, self._exclusions, self.threshold)
        chosen = self.article(found.key, language) if found else None
        if found is None or chosen is None:  # every slug has a French article
            return None
        return KbMatch(chosen, found.score, found.evidence)

    def _entry(self, slug: str) -> Entry[str]:
        versions = [a for (s, _), a in sorted(self._articles.items()) if s == slug]
        signals = [p for a in versions for p in compile_all(a.phrases, STRONG)]
        signals += [p for a in versions for p in compile_all(a.keywords, WEAK)]
        exclude = [p for a in versions for p in compile_all(a.exclude, 1.0)]
        return Entry(slug, tuple(signals), tuple(exclude))


def load_kb(path: Path = DEFAULT_DIR, *, threshold: float = DEFAULT_THRESHOLD) -> KnowledgeBase:
    """Read every `<slug>.<fr|en>.md` of `path`; `SelfServiceDataError` names the bad file."""
    if not path.is_dir():
        raise SelfServiceDataError(path, "knowledge-base folder not found")
    articles = [read_article(file) for file in sorted(path.glob("*.md"))]
    if not articles:
        raise SelfServiceDataError(path, "no article (<slug>.<fr|en>.md) in the folder")
    by_slug: dict[str, dict[Language, Article]] = {}
    for article in articles:
        by_slug.setdefault(article.slug, {})[article.language] = article
    for slug, versions in by_slug.items():
        if Language.FR not in versions:
            raise SelfServiceDataError(path / f"{slug}.en.md", "has no French version")
        teams = {a.team for a in versions.values()}
        if len(teams) > 1:
            raise SelfServiceDataError(path / f"{slug}.en.md", "team differs from French version")
    exclusions = _read_exclusions(path / EXCLUSIONS_FILE)
    return KnowledgeBase(articles, exclusions, threshold=threshold)


def read_article(file: Path) -> Article:
    """One article file; `SelfServiceDataError` says what is wrong with it."""
    name = _NAME.match(file.name)
    if name is None:
        raise SelfServiceDataError(file, "file name must be <slug>.<fr|en>.md (lower case)")
    try:
        raw = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SelfServiceDataError(file, f"cannot read it ({exc})") from exc
    head, body = _split(file, raw)
    try:
        meta = _FrontMatter.model_validate(tomllib.loads(head))
    except tomllib.TOMLDecodeError as exc:
        raise SelfServiceDataError(file, f"front matter is not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise SelfServiceDataError(file, f"front matter: {_first_error(exc)}") from exc
    for phrase in (*meta.phrases, *meta.keywords, *meta.exclude):
        if not stems(phrase):
            raise SelfServiceDataError(file, f"phrase {phrase!r} has no content word")
    return Article(
        slug=name["slug"],
        language=Language(name["lang"]),
        title=meta.title.strip(),
        team=meta.team,
        body=body,
        phrases=meta.phrases,
        keywords=meta.keywords,
        exclude=meta.exclude,
    )


def _split(file: Path, raw: str) -> tuple[str, str]:
    lines = raw.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != _FENCE:
        raise SelfServiceDataError(file, "must start with a '+++' line (TOML front matter)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise SelfServiceDataError(file, "front matter has no closing '+++' line") from None
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise SelfServiceDataError(file, "the article body is empty")
    return "\n".join(lines[1:end]), body


def _read_exclusions(file: Path) -> tuple[str, ...]:
    if not file.exists():
        return ()
    try:
        with file.open("rb") as handle:
            parsed = _Exclusions.model_validate(tomllib.load(handle))
    except OSError as exc:
        raise SelfServiceDataError(file, f"cannot read it ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SelfServiceDataError(file, f"not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise SelfServiceDataError(file, _first_error(exc)) from exc
    for phrase in parsed.exclude:
        if not stems(phrase):
            raise SelfServiceDataError(file, f"phrase {phrase!r} has no content word")
    return parsed.exclude


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "(top)"
    return f"{where}: {err['msg']}"
