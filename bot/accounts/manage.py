"""The changes made to accounts, one function each, for every place that makes them
(`python -m bot users`, and the console's account pages): nothing here prints or exits; bad
input is `InvalidAccount` (its `reason` says which rule, for a message in the reader's language),
the caller commits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import passwords
from bot.accounts.cli_store import find
from bot.accounts.fields import InvalidAccount, bounded, check_scope, labels_of
from bot.store.models import Account, ConsoleSession, Role
from bot.tickets import Language, Level, Team


@dataclass(frozen=True, slots=True)
class Profile:
    """What an account says about the person, checked: who they are and what they act on."""

    name: str
    role: Role
    teams: list[str]
    levels: list[str]
    language: Language


def profile_of(
    *, name: str, role: Role, teams: str, levels: str, language: Language, options: str = "--"
) -> Profile:
    """The checked profile (`teams` and `levels` comma-separated); `InvalidAccount` naming the
    field (`options`: `--` for the CLI's `--teams`, empty for a form's `teams`)."""
    chosen_teams = labels_of(teams, Team, f"{options}teams")
    chosen_levels = labels_of(levels, Level, f"{options}levels")
    check_scope(role, chosen_teams, chosen_levels)
    return Profile(bounded(name, f"{options}name"), role, chosen_teams, chosen_levels, language)


async def ensure_new(session: AsyncSession, email: str) -> None:
    """`InvalidAccount` (reason `duplicate`) when an account has this address already."""
    if await find(session, email) is not None:
        raise duplicate(email)


async def add_account(
    session: AsyncSession,
    email: str,
    profile: Profile,
    *,
    password_hash: str | None,
    now: datetime,
) -> Account:
    """A new account (flushed, so it has its id); `InvalidAccount` when the address is taken."""
    await ensure_new(session, email)
    account = Account(
        email=email,
        name=profile.name,
        role=profile.role,
        teams=profile.teams,
        levels=profile.levels,
        language=profile.language,
        password_hash=password_hash,
        created_at=now,
    )
    session.add(account)
    try:
        await session.flush()
    except IntegrityError:
        raise duplicate(email) from None
    return account


def change_profile(account: Account, profile: Profile) -> None:
    account.name, account.role, account.language = profile.name, profile.role, profile.language
    account.teams, account.levels = profile.teams, profile.levels


async def set_active(session: AsyncSession, account: Account, active: bool) -> bool:
    """Accept or refuse the account's sign-in and API tokens; False when it already was so.
    Disabling also forgets its console sessions: enabling it again revives none of them."""
    if account.active == active:
        return False
    account.active = active
    session.add(account)
    if not active:
        await session.exec(
            delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id)
        )
    return True


async def set_password(session: AsyncSession, account: Account, password: str) -> None:
    """Store the argon2id hash of `password` (hashed off the event loop); `PasswordRefused`
    when it breaks the length rule."""
    account.password_hash = await asyncio.to_thread(passwords.hash, password)
    session.add(account)


def duplicate(email: str) -> InvalidAccount:
    return InvalidAccount(
        f"an account {email} already exists: to change its password, "
        f"`python -m bot users password {email}`; to stop it, `python -m bot users disable {email}`",
        reason="duplicate",
    )
