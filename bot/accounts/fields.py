"""What an account's fields accept, one rule for every place an account is made or changed
(`python -m bot users`, and the console's account pages when admins get them).

The messages name the option or field given by the caller and say what to type instead."""

from __future__ import annotations

from enum import StrEnum

from bot.errors import GuichetError
from bot.store.models import Role

MAX_EMAIL = 320
"""64 for the local part, 1 for `@`, 255 for the domain (RFC 3696 section 3)."""
MAX_TEXT = 200
"""Names and token labels (the store's column widths)."""


class InvalidAccount(GuichetError):
    """What someone typed for an account cannot be used (for the CLI: exit status 2).

    `reason` names the rule broken (`email`, `label`, `scope`, `text`, `duplicate`, `unknown`),
    so a page can say it in its reader's language; the message is the CLI's English."""

    def __init__(self, message: str, *, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


def email_of(text: str) -> str:
    """The address lower-cased; `InvalidAccount` unless it looks like one: one `@`, something
    before it, a dotted domain after it, no spaces or controls, at most 320 characters."""
    email = text.strip().lower()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not local
        or "@" in local
        or len(labels) < 2
        or not all(labels)
        or len(email) > MAX_EMAIL
        or not email.isprintable()
        or any(c.isspace() for c in email)
    ):
        raise InvalidAccount(
            f"not an email address: {text!r} (expected name@domain.example, "
            f"at most {MAX_EMAIL} characters)",
            reason="email",
        )
    return email


def labels_of(text: str, kind: type[StrEnum], option: str) -> list[str]:
    """`a,b` as known values of `kind` (any case), in order, without repeats; `InvalidAccount`
    naming the unknown one and the accepted ones."""
    known = {x.value.lower(): x.value for x in kind}
    chosen: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item.lower() not in known:
            raise InvalidAccount(
                f"{option}: unknown value {item!r}; use some of: {', '.join(known.values())}",
                reason="label",
            )
        if known[item.lower()] not in chosen:
            chosen.append(known[item.lower()])
    return chosen


def check_scope(role: Role, teams: list[str], levels: list[str]) -> None:
    """Teams and levels narrow an agent only: leads and admins act everywhere."""
    if role is not Role.AGENT and (teams or levels):
        raise InvalidAccount(
            f"--teams and --levels are for agents: a {role.value} acts on every team and "
            "level (drop them, or use --role agent)",
            reason="scope",
        )


def bounded(text: str, option: str) -> str:
    """A name or a label, stripped; `InvalidAccount` past `MAX_TEXT` characters."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidAccount(
            f"{option}: at most {MAX_TEXT} characters (got {len(text)})", reason="text"
        )
    return text
