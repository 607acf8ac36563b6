"""Who is an agent in Slack: a pure directory built from configuration.

Configuration names Slack user IDs and/or user-group IDs, each with the teams and levels it
covers. Group members are resolved at start-up (`SlackConnector.usergroup_members`) and added
with `with_group`; a user in several entries gets the union of their teams and levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from intake.slack.ports import SlackReply


@dataclass(frozen=True, slots=True)
class Agent:
    user: str
    teams: frozenset[str] = field(default_factory=frozenset)
    levels: frozenset[str] = field(default_factory=frozenset)

    def covers(self, *, team: str = "", level: str = "") -> bool:
        """Empty teams/levels in configuration mean "all"."""
        return (not team or not self.teams or team in self.teams) and (
            not level or not self.levels or level in self.levels
        )


@dataclass(frozen=True, slots=True)
class AgentDirectory:
    agents: Mapping[str, Agent] = field(default_factory=dict)

    @classmethod
    def from_config(cls, entries: Iterable[Mapping[str, object]]) -> AgentDirectory:
        """Entries like `{"user": "U123", "teams": ["network"], "levels": ["N2"]}`.

        An entry with `"group": "S123"` instead of `"user"` is kept aside: see `groups()`.
        """
        directory = cls()
        for entry in entries:
            user = entry.get("user")
            if isinstance(user, str) and user:
                directory = directory.with_members(
                    [user], teams=_strings(entry.get("teams")), levels=_strings(entry.get("levels"))
                )
        return directory

    def with_members(
        self, users: Iterable[str], *, teams: Iterable[str] = (), levels: Iterable[str] = ()
    ) -> AgentDirectory:
        """A new directory where `users` (e.g. a group's members) also cover teams/levels."""
        merged = dict(self.agents)
        for user in users:
            old = merged.get(user, Agent(user))
            merged[user] = Agent(user, old.teams | frozenset(teams), old.levels | frozenset(levels))
        return AgentDirectory(merged)

    def is_agent(self, user: str) -> bool:
        return user in self.agents

    def get(self, user: str) -> Agent | None:
        return self.agents.get(user)


def groups(
    entries: Iterable[Mapping[str, object]],
) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(group ID, teams, levels) of the configuration entries that name a user group."""
    found = []
    for entry in entries:
        group = entry.get("group")
        if isinstance(group, str) and group:
            found.append((group, _strings(entry.get("teams")), _strings(entry.get("levels"))))
    return found


def refusal(locale: str) -> SlackReply:
    """The ephemeral answer to someone who is not an agent (the bot logs the refusal)."""
    if locale.lower().startswith("en"):
        return SlackReply("Only service desk agents can use this button.", ephemeral=True)
    return SlackReply(
        "Seuls les agents du centre de service peuvent utiliser ce bouton.", ephemeral=True
    )


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return ()
