"""The signed-in person as the console and the API see them: pure, no store."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.models import Account, Role, Ticket
from bot.tickets.labels import Language

ACTOR_PREFIX = "console:"


def actor_of(email: str) -> str:
    """How the ticket log names the account with this address (actor, assignee)."""
    return f"{ACTOR_PREFIX}{email}"


def email_of(actor: str | None) -> str | None:
    """The address in a log name written by `actor_of`; None for the bot, Slack users…"""
    if actor is None or not actor.startswith(ACTOR_PREFIX):
        return None
    return actor.removeprefix(ACTOR_PREFIX)


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    email: str
    role: Role
    teams: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    language: Language = Language.FR
    name: str = ""
    """As the requester reads it under an answer ("Léa, Centre de service…"); may be empty."""

    @property
    def actor(self) -> str:
        """How the ticket log names them."""
        return actor_of(self.email)

    def covers(self, *, team: str | None, level: str | None) -> bool:
        """Leads and admins act on every ticket; an agent on their teams and levels (empty:
        all). A ticket without a team or level yet is everyone's to look at."""
        if self.role is not Role.AGENT:
            return True
        return (not team or not self.teams or team in self.teams) and (
            not level or not self.levels or level in self.levels
        )

    def may_act_on(self, ticket: Ticket) -> bool:
        return self.covers(team=ticket.team, level=ticket.level)

    @classmethod
    def of(cls, account: Account) -> Principal:
        assert account.id is not None
        return cls(
            account_id=account.id,
            email=account.email,
            role=Role(account.role),
            teams=frozenset(account.teams),
            levels=frozenset(account.levels),
            language=Language(account.language),
            name=account.name,
        )
