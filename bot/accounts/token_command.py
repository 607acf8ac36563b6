"""`python -m bot tokens …`: API bearer tokens, each tied to an account. A token is printed
once, on standard output alone, after it is stored; only its SHA-256 is kept."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import tokens
from bot.accounts.cli_store import existing, guarded, minute, table, with_store
from bot.accounts.fields import InvalidAccount, bounded, email_of
from bot.store.models import Account, ApiToken

TOKENS_EPILOG = """\
examples:
  python -m bot tokens create --user grafana@desk.example --label "Grafana dashboard"
  python -m bot tokens list --user grafana@desk.example
  python -m bot tokens revoke 3

The token is printed once, on standard output: store it at once (only its SHA-256 is kept).
A client sends it as `Authorization: Bearer <token>`. A disabled account's tokens are refused.
exit status: 0 success, 1 the store cannot be used, 2 bad input (the message says what to fix).
"""


def register_tokens(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tokens_parser = subparsers.add_parser(
        "tokens",
        help="API bearer tokens (create, list, revoke)",
        description="Bearer tokens for the tickets API, each tied to an account.",
        epilog=TOKENS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = tokens_parser.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a token and print it, once")
    create.add_argument("--user", required=True, metavar="EMAIL", help="the account it acts as")
    create.add_argument("--label", default="", metavar="TEXT", help="what it is for")
    create.set_defaults(handler=guarded(run_create_token))

    listing = actions.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.add_argument("--user", metavar="EMAIL", help="only this account's")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.set_defaults(handler=guarded(run_list_tokens))

    revoke = actions.add_parser("revoke", help="refuse a token from now on, for good")
    revoke.add_argument("id", type=int, metavar="ID", help="the token's id (from list)")
    revoke.set_defaults(handler=guarded(run_revoke_token))


def run_create_token(args: argparse.Namespace) -> int:
    email = email_of(args.user)
    label = bounded(args.label, "--label")

    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        account = await existing(session, email)
        if not account.active:
            raise InvalidAccount(
                f"{email} is disabled, its tokens would be refused: "
                f"`python -m bot users enable {email}` first"
            )
        token = await tokens.issue(session, account, label, now)
        await session.flush()
        made = (
            await session.exec(select(ApiToken).where(ApiToken.digest == tokens.digest(token)))
        ).one()
        return token, (
            f"token {made.id} for {email}{f' ({label})' if label else ''}: "
            "copy it now, it will not be shown again"
        )

    return with_store(work)


def run_list_tokens(args: argparse.Namespace) -> int:
    email = email_of(args.user) if args.user else None

    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        account_id = (await existing(session, email)).id if email else None
        rows = await tokens.listed(session, account_id=account_id)
        if args.json:
            listed = [_token_json(t, a) for t, a in rows]
            return json.dumps(listed, ensure_ascii=False, indent=1), ""
        table(
            ("id", "user", "label", "created", "last used", "revoked"),
            (
                (
                    str(t.id),
                    a.email,
                    t.label,
                    minute(t.created_at),
                    minute(t.last_used_at) or "never",
                    minute(t.revoked_at) or "–",
                )
                for t, a in rows
            ),
        )
        return "", "" if rows else "no token: python -m bot tokens create --help"

    return with_store(work)


def run_revoke_token(args: argparse.Namespace) -> int:
    async def work(session: AsyncSession, now: datetime) -> tuple[str, str]:
        already = await session.get(ApiToken, args.id)
        was = None if already is None else already.revoked_at
        found = await tokens.revoke(session, args.id, now)
        if found is None:
            raise InvalidAccount(f"no token {args.id}: see `python -m bot tokens list`")
        if was is not None:
            return f"token {args.id} was already revoked ({minute(was)})", ""
        return f"token {args.id} revoked: it is refused from now on", ""

    return with_store(work)


def _token_json(token: ApiToken, account: Account) -> dict[str, Any]:
    return {
        "id": token.id,
        "user": account.email,
        "label": token.label,
        "created": token.created_at.isoformat(),
        "last_used": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked_at.isoformat() if token.revoked_at else None,
    }
