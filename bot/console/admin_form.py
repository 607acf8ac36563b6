"""The account forms of the admin pages (`bot.console.admin`): what was typed, kept to show it
again (never a password), checked by the CLI's own rules (`bot.accounts.fields`,
`bot.accounts.manage`, `bot.accounts.passwords`), and why a form is refused, as a catalogue key
said in the admin's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

from bot.accounts import passwords
from bot.accounts.fields import InvalidAccount
from bot.accounts.manage import Profile, profile_of
from bot.accounts.passwords import PasswordRefused
from bot.store.models import Account, Role
from bot.tickets import Language

FormData = MultiDictProxy[Any]


@dataclass(frozen=True, slots=True)
class Typed:
    """What the admin typed in an account form, kept to show it again (never a password)."""

    email: str = ""
    name: str = ""
    role: str = Role.AGENT.value
    teams: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    language: str = Language.FR.value

    @classmethod
    def of(cls, account: Account) -> Typed:
        return cls(
            account.email,
            account.name,
            account.role,
            tuple(account.teams),
            tuple(account.levels),
            account.language,
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a form was refused: a catalogue key, its fields, the HTTP status."""

    key: str
    status: int = 400
    fields: Mapping[str, object] = field(default_factory=dict)


def typed_from(form: FormData) -> Typed:
    return Typed(
        email=text_of(form.get("email")).strip(),
        name=text_of(form.get("name")),
        role=text_of(form.get("role")),
        teams=tuple(text_of(x) for x in form.getall("teams", [])),
        levels=tuple(text_of(x) for x in form.getall("levels", [])),
        language=text_of(form.get("language")),
    )


def checked_profile(typed: Typed) -> Profile:
    """The CLI's checks on what the form says; `InvalidAccount` (its `reason` says which)."""
    if typed.role not in {r.value for r in Role}:
        raise InvalidAccount(f"unknown role {typed.role!r}", reason="role")
    if typed.language not in {x.value for x in Language}:
        raise InvalidAccount(f"unknown language {typed.language!r}", reason="language")
    return profile_of(
        name=typed.name,
        role=Role(typed.role),
        teams=",".join(typed.teams),
        levels=",".join(typed.levels),
        language=Language(typed.language),
        options="",
    )


def new_password(form: FormData) -> str:
    """The password typed twice, checked by the CLI's rule; `PasswordRefused` or
    `InvalidAccount` (reason `mismatch`)."""
    password, again = text_of(form.get("password")), text_of(form.get("password_again"))
    if password != again:
        raise InvalidAccount("the two passwords differ", reason="mismatch")
    passwords.check(password)
    return password


def refusal_of(error: InvalidAccount | PasswordRefused) -> Refusal:
    if isinstance(error, PasswordRefused):
        return Refusal(
            "console.admin.invalid.password",
            fields={"min": passwords.MIN_CHARS, "max": passwords.MAX_CHARS},
        )
    status = 409 if error.reason == "duplicate" else 400
    return Refusal(f"console.admin.invalid.{error.reason}", status)


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""
