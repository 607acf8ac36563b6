"""The redirection catalogue: other centres and providers, and which one a message belongs to.

`bot/data/redirects.toml` lists them (see the comments at its top). A destination matches when
one of its keyword phrases occurs in the message (both languages are tried: people mix them)
and none of its `not` phrases, nor the catalogue-wide ones, do: an ordinary IT incident or
request stays with the service desk.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.selfservice.errors import SelfServiceDataError
from bot.selfservice.phrases import STRONG, Entry, best, compile_all
from bot.tickets.labels import language_of
from nlp.labels import Language
from nlp.text import stems

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "redirects.toml"
DEFAULT_THRESHOLD = 0.5


class Redirect(BaseModel):
    """One destination, as written in the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name_fr: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    handles_fr: str = Field(min_length=1)
    handles_en: str = Field(min_length=1)
    keywords_fr: tuple[str, ...] = Field(min_length=1)
    keywords_en: tuple[str, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = Field(default=(), alias="not")
    email: str = ""
    phone: str = ""
    url: str = ""
    hours_fr: str = ""
    hours_en: str = ""

    @model_validator(mode="after")
    def _reachable(self) -> Redirect:
        if not (self.email or self.phone or self.url):
            raise ValueError("give at least one of email, phone or url")
        return self

    def name(self, language: Language | str) -> str:
        return self.name_en if language_of(language) == Language.EN else self.name_fr

    def handles(self, language: Language | str) -> str:
        return self.handles_en if language_of(language) == Language.EN else self.handles_fr

    def hours(self, language: Language | str) -> str:
        return self.hours_en if language_of(language) == Language.EN else self.hours_fr


class _CatalogueWide(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    exclude: tuple[str, ...] = Field(default=(), alias="not")


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    catalogue: _CatalogueWide = _CatalogueWide()
    redirect: list[Redirect] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class RedirectMatch:
    redirect: Redirect
    score: float  # 0-1
    evidence: tuple[str, ...]  # the keyword phrases found, as written in the catalogue
    language: Language  # the language asked for: `name`, `handles` and `hours` speak it

    @property
    def name(self) -> str:
        return self.redirect.name(self.language)

    @property
    def handles(self) -> str:
        return self.redirect.handles(self.language)

    @property
    def hours(self) -> str:
        return self.redirect.hours(self.language)


class Catalogue:
    """All destinations, and `match()` from a message to the one it belongs to."""

    def __init__(
        self,
        redirects: tuple[Redirect, ...] | list[Redirect],
        exclusions: tuple[str, ...] | list[str] = (),
        *,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.threshold = threshold
        self.redirects = tuple(redirects)
        self._exclusions = compile_all(exclusions, 1.0)
        self._entries = tuple(
            Entry(
                r,
                compile_all((*r.keywords_fr, *r.keywords_en), STRONG),
                compile_all(r.exclude, 1.0),
            )
            for r in self.redirects
        )

    def by_id(self, redirect_id: str) -> Redirect | None:
        return next((r for r in self.redirects if r.id == redirect_id), None)

    def match(self, text: str, language: Language | str) -> RedirectMatch | None:
        """The destination `text` belongs to, at or above the threshold, or None."""
        found = best(self._entries, text, self._exclusions, self.threshold)
        if found is None:
            return None
        return RedirectMatch(found.key, found.score, found.evidence, language_of(language))


def load_catalogue(path: Path = DEFAULT_FILE, *, threshold: float = DEFAULT_THRESHOLD) -> Catalogue:
    """Read the catalogue; `SelfServiceDataError` names the file and what is wrong."""
    try:
        with path.open("rb") as handle:
            parsed = _File.model_validate(tomllib.load(handle))
    except OSError as exc:
        raise SelfServiceDataError(path, f"cannot read it ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SelfServiceDataError(path, f"not valid TOML ({exc})") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"]) or "(top)"
        raise SelfServiceDataError(path, f"{where}: {err['msg']}") from exc
    ids = [r.id for r in parsed.redirect]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SelfServiceDataError(path, f"redirect ids must be unique: {', '.join(duplicates)}")
    for redirect in parsed.redirect:
        for phrase in (*redirect.keywords_fr, *redirect.keywords_en, *redirect.exclude):
            if not stems(phrase):
                raise SelfServiceDataError(
                    path, f"redirect {redirect.id}: phrase {phrase!r} has no content word"
                )
    for phrase in parsed.catalogue.exclude:
        if not stems(phrase):
            raise SelfServiceDataError(
                path, f"catalogue.not: phrase {phrase!r} has no content word"
            )
    return Catalogue(parsed.redirect, parsed.catalogue.exclude, threshold=threshold)
