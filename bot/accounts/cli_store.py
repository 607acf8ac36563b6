"""What the `users` and `tokens` commands share: one transaction on the store, bad input as
one line with exit status 2, and tables printed through `bot.terminal`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts.fields import InvalidAccount
from bot.accounts.passwords import PasswordRefused
from bot.store.models import Account
from bot.terminal import printable, unfiltered

Work = Callable[[AsyncSession, datetime], Awaitable[tuple[str, str]]]
"""A command's work in one transaction: what to print on stdout, then on stderr."""
Handler = Callable[[argparse.Namespace], int]


def with_store(work: Work) -> int:
    """Run `work` in one transaction; print only once it is committed."""
    from bot.settings import Settings
    from bot.store.db import open_store, sessions

    settings = Settings()

    async def go() -> tuple[str, str]:
        engine = await open_store(settings.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                printed = await work(session, datetime.now(UTC))
                await session.commit()
                return printed
        finally:
            await engine.dispose()

    out, err = asyncio.run(go())
    if out:
        print(out, flush=True)
    if err:
        print(err, file=sys.stderr)
    return 0


def guarded(handler: Callable[[argparse.Namespace], int]) -> Handler:
    """`handler`, with the operator's bad input as one line on stderr and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (InvalidAccount, PasswordRefused) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run


async def find(session: AsyncSession, email: str) -> Account | None:
    return (await session.exec(select(Account).where(Account.email == email))).first()


async def existing(session: AsyncSession, email: str) -> Account:
    account = await find(session, email)
    if account is None:
        raise InvalidAccount(
            f"no account {email}: see `python -m bot users list`", reason="unknown"
        )
    return account


def minute(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}Z"


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for name in header:
        table.add_column(name, no_wrap=True)
    for row in rows:
        # Cleaned here: rich writes past the CLI's printable stream (bot.terminal).
        table.add_row(*(Text(printable(cell)) for cell in row))
    out = unfiltered(sys.stdout)
    Console(file=out, width=None if out.isatty() else 200).print(table)
