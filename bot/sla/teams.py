"""The teams' mailboxes for service-level warnings, read from ``bot/data/teams.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.sla.errors import PolicyError
from bot.tickets.labels import language_of
from nlp.labels import Language, Team

DEFAULT_TEAMS_FILE = Path(__file__).parents[1] / "data" / "teams.toml"


class TeamContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name_fr: str
    name_en: str
    language: Literal["fr", "en"] = "fr"

    def name(self, language: str) -> str:
        return self.name_en if language_of(language) == Language.EN else self.name_fr


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: TeamContact
    teams: dict[str, TeamContact] = {}

    @field_validator("teams")
    @classmethod
    def _known(cls, teams: dict[str, TeamContact]) -> dict[str, TeamContact]:
        unknown = sorted(set(teams) - {t.value for t in Team})
        if unknown:
            known = ", ".join(t.value for t in Team)
            raise ValueError(f"unknown team(s) {unknown}; the teams are {known}")
        return teams


@dataclass(frozen=True, slots=True)
class TeamDirectory:
    """Team label → contact, with a default for incidents without a (known) team."""

    default: TeamContact
    teams: dict[str, TeamContact]

    def contact(self, team: str | None) -> TeamContact:
        return self.teams.get(team or "", self.default)


def load_teams(path: Path | str | None = None) -> TeamDirectory:
    """Read the teams file (default: the shipped example); `PolicyError` names what is wrong."""
    where = Path(path) if path is not None else DEFAULT_TEAMS_FILE
    try:
        with where.open("rb") as handle:
            parsed = _File.model_validate(tomllib.load(handle))
    except OSError as exc:
        raise PolicyError(f"teams file {where}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"teams file {where}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        raise PolicyError(f"teams file {where}: {exc}") from None
    return TeamDirectory(parsed.default, dict(parsed.teams))
