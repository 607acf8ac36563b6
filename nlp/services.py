"""The service catalogue's data: the names people use for a service, its sector and how much it
matters. No spaCy here: the service reads and checks the file without loading the language
pipelines (they load where the model runs, `nlp.catalogue`).

It is data the desk edits: `data/services.toml` is shipped, and a desk may name its own file
(the bot's GUICHET_SERVICES_FILE, given to `nlp.model.configure`). The file's header comment
documents every field. `load_services` reads and checks a file; a mistake is one
`CatalogueError` naming the file, the service and what is wrong.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from nlp.labels import Level, Team
from nlp.text import unaccent

SERVICES_PATH = Path(__file__).parent / "data" / "services.toml"

Criticality = Literal["mission", "business", "support"]
CRITICALITIES: tuple[str, ...] = get_args(Criticality)
FIELDS = ("id", "name_fr", "name_en", "team", "default_level", "criticality", "synonyms")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CatalogueError(ValueError):
    """A services file cannot be used: the message names the file, the service and the problem,
    on one line."""

    def __init__(self, path: Path, problem: str, service: str | None = None) -> None:
        where = f"services file {path}: " + (f"service {service!r}: " if service else "")
        super().__init__(where + problem)
        self.path = path
        self.service = service


@dataclass(frozen=True, slots=True)
class Service:
    """One service of the catalogue. `name` is its French name; `mission` is true for a mission
    or citizen-facing system (the guide's mission factor)."""

    id: str
    name_fr: str
    name_en: str
    team: Team
    default_level: Level
    criticality: Criticality
    synonyms: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.name_fr

    @property
    def mission(self) -> bool:
        return self.criticality == "mission"


@dataclass(frozen=True, slots=True)
class ServiceHit:
    service: Service
    start_char: int
    end_char: int


def load_services(path: Path = SERVICES_PATH) -> tuple[Service, ...]:
    """Read and check a services file (see the header of data/services.toml)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise CatalogueError(path, f"cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(path, f"not valid TOML ({exc})") from None
    for key in data:
        if key != "service":
            raise CatalogueError(path, f"unknown key {key!r}: the file holds [[service]] tables")
    entries = data.get("service")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(path, "no [[service]] table: list each service as a [[service]] table")
    services: list[Service] = []
    owners: dict[str, str] = {}  # synonym, lower-case and accent-free → service id
    for index, entry in enumerate(entries):
        service = _service(path, index, entry)
        if any(s.id == service.id for s in services):
            raise CatalogueError(path, "duplicate id: another service has this id", service.id)
        for synonym in service.synonyms:
            key = _key(synonym)
            owner = owners.setdefault(key, service.id)
            if owner != service.id:
                raise CatalogueError(
                    path,
                    f"synonym {synonym!r} is already a synonym of service {owner!r} "
                    "(compared lower-case, without accents): keep it in one service",
                    service.id,
                )
        services.append(service)
    return tuple(services)


def _key(synonym: str) -> str:
    return " ".join(unaccent(synonym.removeprefix("=").lower()).split())


def _service(path: Path, index: int, entry: Any) -> Service:
    sid = entry.get("id") if isinstance(entry, dict) else None
    label = sid if isinstance(sid, str) and sid.strip() else f"#{index + 1}"

    def fail(problem: str) -> CatalogueError:
        return CatalogueError(path, problem, label)

    if not isinstance(entry, dict):
        raise fail("not a table: write it as [[service]] followed by its keys")
    for key in entry:
        if key not in FIELDS:
            close = difflib.get_close_matches(key, FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (keys: {', '.join(FIELDS)})"
            raise fail(f"unknown key {key!r}{hint}")
    for key in FIELDS:
        if key not in entry:
            raise fail(f"missing {key}")
    text = {key: entry[key] for key in FIELDS[:-1]}
    for key, value in text.items():
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{key} must be text, not empty")
    if not _ID.match(text["id"]):
        raise fail("id must be lower-case letters, digits and '-' (e.g. 'paie')")
    team = _choice(fail, "team", text["team"], [t.value for t in Team])
    level = _choice(fail, "default_level", text["default_level"], [lv.value for lv in Level])
    criticality = _choice(fail, "criticality", text["criticality"], CRITICALITIES)
    synonyms = entry["synonyms"]
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        raise fail('synonyms must be a list of texts, e.g. ["paie", "payroll"]')
    if not synonyms:
        raise fail("no synonyms: give at least one word people use for this service")
    if any(not s.removeprefix("=").strip() for s in synonyms):
        raise fail("empty synonym: remove it or write the word")
    unique = tuple(dict.fromkeys(s.strip() for s in synonyms))
    return Service(
        text["id"],
        text["name_fr"].strip(),
        text["name_en"].strip(),
        Team(team),
        Level(level),
        criticality,  # type: ignore[arg-type]  # checked against CRITICALITIES above
        unique,
    )


def _choice(
    fail: Callable[[str], CatalogueError], key: str, value: str, allowed: Sequence[str]
) -> str:
    if value not in allowed:
        raise fail(f"unknown {key} {value!r}: one of {', '.join(allowed)}")
    return value
