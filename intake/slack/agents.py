"""Who is an agent in Slack: a pure directory built from configuration.

Configuration names Slack user IDs and/or user-group IDs, each with the teams and levels it
covers, given here as `AgentGrant`s (the bot checks the settings and builds them: intake does not
read settings). Group members are resolved at start-up (`SlackConnector.usergroup_members`) and
added with `with_members`; a user in several entries gets the union of their teams and levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from intake.slack.ports import SlackReply


@dataclass(frozen=True, slots=True)
class AgentGrant:
    """One configured entry: a Slack user ID (`user`) or a user group ID (`group`), exactly one,
    and the team and level labels it covers (empty: all)."""

    user: str = ""
    group: str = ""
    teams: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.user) == bool(self.group):
            raise ValueError(f"an agent grant names a user or a group, exactly one: {self!r}")


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
    def from_config(cls, grants: Iterable[AgentGrant]) -> AgentDirectory:
        """The agents named by user ID; a grant to a group is kept aside: see `groups()`."""
        directory = cls()
        for grant in grants:
            if grant.user:
                directory = directory.with_members(
                    [grant.user], teams=grant.teams, levels=grant.levels
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


def groups(grants: Iterable[AgentGrant]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(group ID, teams, levels) of the grants to a user group."""
    return [(g.group, g.teams, g.levels) for g in grants if g.group]


def refusal(locale: str) -> SlackReply:
    """The ephemeral answer to someone who is not an agent (the bot logs the refusal)."""
    if locale.lower().startswith("en"):
        return SlackReply("Only service desk agents can use this button.", ephemeral=True)
    return SlackReply(
        "Seuls les agents du centre de service peuvent utiliser ce bouton.", ephemeral=True
    )
