"""Client organisations as data: mail domain → organisation, or "unknown"."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError

UNKNOWN = "unknown"
DEFAULT_FILE = Path(__file__).parent / "data" / "organisations.toml"


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name_fr: str
    name_en: str
    domains: tuple[str, ...] = Field(min_length=1)
    report_contacts: tuple[str, ...] = ()


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: list[Organisation]


@dataclass(frozen=True, slots=True)
class Directory:
    """All known organisations, and the lookup from an address to one of them."""

    organisations: tuple[Organisation, ...]
    _by_domain: dict[str, str] = field(init=False, repr=False, compare=False)
    """Each known domain (lower case) and its organisation: the first to name it."""

    def __post_init__(self) -> None:
        by_domain: dict[str, str] = {}
        for org in self.organisations:
            for known in org.domains:
                by_domain.setdefault(known.lower(), org.id)
        object.__setattr__(self, "_by_domain", by_domain)

    def by_id(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def organisation_of(self, address: str) -> str:
        """The id of the organisation an address belongs to (parent domains count), or UNKNOWN."""
        domain = address.rpartition("@")[2].strip().lower().rstrip(".")
        while True:  # the domain, then each parent: the longest known one wins
            found = self._by_domain.get(domain)
            if found is not None:
                return found
            if "." not in domain:
                return UNKNOWN
            domain = domain.partition(".")[2]


def load_directory(path: Path) -> Directory:
    """Read the organisations file; `ConfigError` says which file and what is wrong."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        parsed = _File.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"organisations file {path}: cannot read it ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"organisations file {path}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise ConfigError(f"organisations file {path}: {exc}") from exc
    ids = [o.id for o in parsed.organisation]
    if len(set(ids)) != len(ids) or UNKNOWN in ids:
        raise ConfigError(f"organisations file {path}: ids must be unique and not '{UNKNOWN}'")
    return Directory(tuple(parsed.organisation))
