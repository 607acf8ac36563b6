"""The Slack settings' types: channel IDs, and the agents (`AgentEntry`), strict and frozen.

An entry names a Slack user (`user`, U… or W…) or a user group (`group`, S…), exactly one, with
the teams and levels it covers. Anything mis-spelt or unknown refuses the start with one line
that names the entry (index and ID), the key and what to write: before, `team` for `teams` was
dropped and the agent covered every team.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.tickets import Level, Team


def _channel_id(value: str) -> str:
    if not re.fullmatch(r"[CG][A-Z0-9]+", value):
        raise ValueError(
            f"{value!r} is not a Slack channel ID: write its ID (C…, or G… for an older private "
            "channel), shown at the bottom of the channel's details"
        )
    return value


def _channel_id_or_none(value: str) -> str:
    return value and _channel_id(value)


ChannelId = Annotated[str, AfterValidator(_channel_id)]
ChannelIdOrNone = Annotated[str, AfterValidator(_channel_id_or_none)]
"""A channel ID, or "" for none (the outage announcement channel is optional)."""
USER_ID = r"^[UW][A-Z0-9]+$"  # W…: Enterprise Grid
GROUP_ID = r"^S[A-Z0-9]+$"
_AGENT_KEYS = ("user", "group", "teams", "levels")


class AgentEntry(BaseModel):
    """One `slack_agents` entry: a Slack user (`user`) or user group (`group`), exactly one, and
    the teams and levels it covers. Empty or left-out `teams` / `levels` mean every team / every
    level (a chief of the desk); anything mis-spelt or unknown refuses the start, never widens.
    A single name stands for a list of one (`teams = "network"`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: str | None = Field(default=None, pattern=USER_ID)
    group: str | None = Field(default=None, pattern=GROUP_ID)
    teams: tuple[Team, ...] = ()
    levels: tuple[Level, ...] = ()

    @field_validator("teams", "levels", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="wrap")
    @classmethod
    def _one_line(cls, data: Any, handler: ModelWrapValidatorHandler[AgentEntry]) -> AgentEntry:
        """Every problem of the entry as one message naming it (its user or group ID): the
        index is added by `explain`."""
        try:
            entry = handler(data)
        except ValidationError as exc:
            problems = [_agent_problem(item) for item in exc.errors(include_url=False)]
            raise _entry_error(data, "; ".join(problems)) from None
        if entry.user and entry.group:
            raise _entry_error(data, "names a user and a group: not both — write two entries")
        if not entry.user and not entry.group:
            raise _entry_error(
                data,
                'names no one: write user = "U…" (a member ID, from the profile\'s ⋮ → '
                '"Copy member ID") or group = "S…" (a user group ID)',
            )
        return entry


def _entry_error(data: Any, problem: str) -> PydanticCustomError:
    named = []
    if isinstance(data, dict):
        for key in ("user", "group"):
            value = data.get(key)
            if value is not None:
                text = str(value)[:40]
                named.append(
                    f"{key} {text}" if re.fullmatch("[A-Z0-9]+", text) else f"{key} {text!r}"
                )
    said = f"{' and '.join(named)}: {problem}" if named else problem
    return PydanticCustomError("agent_entry", "{said}", {"said": said})


def _agent_problem(item: Any) -> str:
    loc, kind, value = item["loc"], item["type"], item.get("input")
    key = str(loc[0]) if loc else ""
    if kind == "extra_forbidden":
        found = difflib.get_close_matches(key, _AGENT_KEYS, n=1)
        fix = f"write {found[0]!r}" if found else "remove it"
        return f"unknown key {key!r}; {fix} (the keys are user or group, teams, levels)"
    if kind == "enum" and key in ("teams", "levels"):
        names = [str(x.value) for x in (Team if key == "teams" else Level)]
        found = difflib.get_close_matches(str(value), names, n=1)
        hint = f" (did you mean {found[0]!r}?)" if found else ""
        return f"unknown {key[:-1]} {value!r} in {key}{hint}; write one of {', '.join(names)}"
    if kind == "string_pattern_mismatch" and key == "user":
        return (
            "user is not a Slack member ID: write U… (W… on Enterprise Grid), from "
            'the profile\'s ⋮ → "Copy member ID"'
        )
    if kind == "string_pattern_mismatch" and key == "group":
        return "group is not a Slack user group ID: write S… (from usergroups.list)"
    if kind in ("tuple_type", "list_type") and key in ("teams", "levels"):
        return f'{key} must be a list of names, e.g. {key} = ["{"network" if key == "teams" else "N2"}"]'
    if not loc:
        return 'not a table: write {"user": "U…", "teams": […], "levels": […]}'
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return f"{where}: {str(item['msg'])[:1].lower()}{str(item['msg'])[1:]}"


def triage_levels(value: Any) -> Any:
    """Refuses a triage channel for no level (`n2`, `N4`): it would never be used."""
    if isinstance(value, dict):
        names = [str(x.value) for x in Level]
        for key in value:
            if key not in names:
                raise ValueError(f"unknown level {key!r}; write {', '.join(names)}")
    return value
