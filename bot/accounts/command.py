"""`python -m bot users …` and `python -m bot tokens …`: the operator's hands on accounts.

Passwords are read from standard input (one line), or typed twice at a terminal prompt; never
from the command line (other users see it in `ps`), never printed, never logged. A token is
printed once, on standard output alone, after it is stored; only its SHA-256 is kept.
Wire both with `register(subparsers)`; each action sets `handler`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from datetime import datetime
from enum import StrEnum
from typing import Any, TextIO

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import passwords
from bot.accounts.cli_store import existing, guarded, table, with_store
from bot.accounts.fields import InvalidAccount, email_of
from bot.accounts.manage import add_account, ensure_new, profile_of, set_active, set_password
from bot.accounts.token_command import register_tokens
from bot.store.models import Account, Role
from bot.tickets import Language, Level, Team

USERS_EPILOG = """\
examples:
  printf '%s\\n' "$NEW_PASSWORD" | python -m bot users add pat@desk.example --role agent \\
      --teams network,printing --levels N1,N2 --name "Pat Tremblay" --language fr
  python -m bot users add lee@desk.example --role lead          (asks for the password twice)
  python -m bot users add grafana@desk.example --role agent --no-password   (API tokens only)
  python -m bot users list --json
  python -m bot users disable pat@desk.example     (sign-in and API tokens refused)
  python -m bot users enable pat@desk.example
  python -m bot users password pat@desk.example    (new password on standard input)

Passwords: 12 to 1024 characters, one line on standard input or typed twice at the prompt;
never on the command line. Agents act on their teams and levels (none given: all of them);
leads and admins act everywhere, admins also manage accounts.
exit status: 0 success, 1 the store cannot be used, 2 bad input (the message says what to fix).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `users` (add, list, disable, enable, password) and `tokens` (create, list,
    revoke) to the CLI."""
    _register_users(subparsers)
    register_tokens(subparsers)


def _register_users(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = subparsers.add_parser(
        "users",
        help="console and API accounts (add, list, disable, enable, password)",
        description="Accounts of the people who work in the console or through the API.",
        epilog=USERS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add an account (password on standard input)",
        epilog=USERS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("email", metavar="EMAIL", help="how they sign in (stored lower-cased)")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--teams", default="", metavar="A,B", help=_listing("agents only", Team))
    add.add_argument("--levels", default="", metavar="N1,N2", help=_listing("agents only", Level))
    add.add_argument("--name", default="", help="the name shown to colleagues")
    add.add_argument("--language", default=Language.FR.value, choices=[x.value for x in Language])
    add.add_argument(
        "--no-password", action="store_true", help="no password: an account for API tokens only"
    )
    add.set_defaults(handler=guarded(run_add))

    listing = actions.add_parser("list", help="list the accounts (never their hashes)")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.set_defaults(handler=guarded(run_list_users))

    for action, what in (
        ("disable", "refuse the account's sign-in and API tokens (nothing is deleted)"),
        ("enable", "accept a disabled account again"),
        ("password", "set a new password (read from standard input)"),
    ):
        parser = actions.add_parser(action, help=what)
        parser.add_argument("email", metavar="EMAIL")
        parser.set_defaults(handler=guarded(run_password if action == "password" else run_active))


def _listing(who: str, labels: type[StrEnum]) -> str:
    return f"comma-separated, {who}: {', '.join(x.value for x in labels)} (default: all)"


# What the operator typed, checked.


def read_password(stream: TextIO | None, *, hint: str = "") -> str:
    """One line of `stream` (or two matching prompts at a terminal), checked against the
    length rule. Never echoed."""
    if stream is not None and stream.isatty():
        first = getpass.getpass("Password (12 characters or more): ")
        if first != getpass.getpass("Same password again: "):
            raise InvalidAccount("the two passwords differ: run the command again")
        password = first
    else:
        line = stream.readline() if stream is not None else ""
        if not line.strip("\r\n"):
            raise InvalidAccount(f"no password on standard input: pipe it as one line{hint}")
        password = line.removesuffix("\n").removesuffix("\r")
    passwords.check(password)
    return password


# The actions.


def run_add(args: argparse.Namespace) -> int:
    email = email_of(args.email)
    profile = profile_of(
        name=args.name,
        role=Role(args.role),
        teams=args.teams,
        levels=args.levels,
        language=Language(args.language),
    )

    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        await ensure_new(session, email)
        hashed = None
        if not args.no_password:
            hint = ", or use --no-password for an account that only uses API tokens"
            password = await asyncio.to_thread(read_password, sys.stdin, hint=hint)
            hashed = await asyncio.to_thread(passwords.hash, password)
        account = await add_account(session, email, profile, password_hash=hashed, now=now)
        role, teams, levels = profile.role, profile.teams, profile.levels
        scope = ", ".join(teams or ["all teams"]) + " · " + ", ".join(levels or ["all levels"])
        where = f" ({scope})" if role is Role.AGENT else ""
        signs_in = "with a password" if hashed else "API tokens only"
        return f"added {role.value} {email}{where}, id {account.id}, {signs_in}", ""

    return with_store(work)


def run_list_users(args: argparse.Namespace) -> int:
    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        accounts = (await session.exec(select(Account).order_by(col(Account.id)))).all()
        if args.json:
            rows = [_account_json(a) for a in accounts]
            return json.dumps(rows, ensure_ascii=False, indent=1), ""
        header = ("id", "email", "name", "role", "teams", "levels", "lang", "sign-in", "status")
        table(
            header,
            (
                (
                    str(a.id),
                    a.email,
                    a.name,
                    a.role,
                    ",".join(a.teams) or ("all" if a.role == Role.AGENT else "–"),
                    ",".join(a.levels) or ("all" if a.role == Role.AGENT else "–"),
                    a.language,
                    "password" if a.password_hash else "tokens only",
                    "active" if a.active else "disabled",
                )
                for a in accounts
            ),
        )
        return "", "" if accounts else "no account yet: python -m bot users add --help"

    return with_store(work)


def run_active(args: argparse.Namespace) -> int:
    email = email_of(args.email)
    active = args.users_command == "enable"

    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        account = await existing(session, email)
        if not await set_active(session, account, active):
            return f"{email} is already {'active' if active else 'disabled'}", ""
        if active:
            return f"{email} enabled: sign-in and its API tokens are accepted again", ""
        return f"{email} disabled: sign-in and its API tokens are refused", ""

    return with_store(work)


def run_password(args: argparse.Namespace) -> int:
    email = email_of(args.email)

    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        account = await existing(session, email)
        password = await asyncio.to_thread(read_password, sys.stdin)
        await set_password(session, account, password)
        return f"password of {email} changed", ""

    return with_store(work)


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "email": account.email,
        "name": account.name,
        "role": account.role,
        "teams": account.teams,
        "levels": account.levels,
        "language": account.language,
        "has_password": account.password_hash is not None,
        "active": account.active,
        "created": account.created_at.isoformat(),
    }
