"""API bearer tokens: shown once when made, kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts.principal import Principal
from bot.store.models import Account, ApiToken

PREFIX = "gch_"
MAX_CHARS = 128
"""Longer bearer values are refused before any work (ours are 47 characters)."""


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def issue(session: AsyncSession, account: Account, label: str, now: datetime) -> str:
    """A new token for `account` (the caller commits); the only time the token is seen."""
    assert account.id is not None
    token = new_token()
    session.add(
        ApiToken(account_id=account.id, digest=digest(token), label=label[:200], created_at=now)
    )
    return token


async def principal_for(session: AsyncSession, token: str, now: datetime) -> Principal | None:
    """The active account a bearer token belongs to, or None (unknown, revoked, disabled,
    malformed). Marks the token used (the caller commits)."""
    if not token.startswith(PREFIX) or len(token) > MAX_CHARS:
        return None
    wanted = digest(token)
    row = (
        await session.exec(
            select(ApiToken, Account)
            .join(Account, col(Account.id) == col(ApiToken.account_id))
            .where(ApiToken.digest == wanted, col(ApiToken.revoked_at).is_(None))
        )
    ).first()
    if row is None:
        return None
    found, account = row
    if not hmac.compare_digest(found.digest, wanted) or not account.active:
        return None
    found.last_used_at = now.astimezone(UTC)
    session.add(found)
    return Principal.of(account)


async def listed(
    session: AsyncSession, *, account_id: int | None = None
) -> Sequence[tuple[ApiToken, Account]]:
    """Every token (revoked ones too) with its account, oldest first; one account's if given."""
    query = (
        select(ApiToken, Account)
        .join(Account, col(Account.id) == col(ApiToken.account_id))
        .order_by(col(ApiToken.id))
    )
    if account_id is not None:
        query = query.where(ApiToken.account_id == account_id)
    return (await session.exec(query)).all()


async def revoke(session: AsyncSession, token_id: int, now: datetime) -> ApiToken | None:
    """Revoke a token for good (the caller commits); None if there is no such token. A token
    already revoked keeps its first revocation time."""
    found = await session.get(ApiToken, token_id)
    if found is not None and found.revoked_at is None:
        found.revoked_at = now.astimezone(UTC)
        session.add(found)
    return found
