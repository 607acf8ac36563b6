"""Console sessions kept on the server: the browser holds a random id in an HttpOnly cookie,
the store only its SHA-256 (a copy of the table signs no one in), with the account, the CSRF
token of the session's forms and an expiry 8 hours after sign-in. A disabled account's
sessions stop at its next request."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import Principal
from bot.store.models import Account, ConsoleSession

LIFETIME = timedelta(hours=8)
PATH = "/console"
COOKIE = "guichet_console"
LOGIN_COOKIE = "guichet_login"
"""Before sign-in there is no session: the sign-in form's CSRF token is a second cookie of the
same value (double submit), so another site cannot post a sign-in of its own."""
MAX_ID_CHARS = 64


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: who, and the token its forms must carry."""

    principal: Principal
    csrf: str
    sid: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token (missing: False)."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def open_session(session: AsyncSession, account: Account, now: datetime) -> Signed:
    """A new session for `account` (the caller commits); the id is seen only here."""
    assert account.id is not None
    sid, csrf = new_secret(), new_secret()
    session.add(
        ConsoleSession(
            digest=digest(sid),
            account_id=account.id,
            csrf=csrf,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return Signed(Principal.of(account), csrf, sid)


async def signed_in(session: AsyncSession, sid: str | None, now: datetime) -> Signed | None:
    """The live session of this cookie value: None when unknown, expired or the account is
    disabled."""
    if not sid or len(sid) > MAX_ID_CHARS:
        return None
    row = (
        await session.exec(
            select(ConsoleSession, Account)
            .join(Account, col(Account.id) == col(ConsoleSession.account_id))
            .where(ConsoleSession.digest == digest(sid))
        )
    ).first()
    if row is None:
        return None
    found, account = row
    expires = found.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if not account.active or expires <= now:
        return None
    return Signed(Principal.of(account), found.csrf, sid)


async def close(session: AsyncSession, sid: str) -> None:
    """Forget the session (sign-out); the caller commits."""
    await session.exec(delete(ConsoleSession).where(col(ConsoleSession.digest) == digest(sid)))


async def purge(session: AsyncSession, now: datetime) -> None:
    """Forget the expired sessions (at each sign-in; the caller commits)."""
    await session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) <= now))


def secure_cookies(request: web.Request) -> bool:
    """Cookies carry `Secure` unless the request is plain http from loopback (tests, a desk on
    the same machine). A TLS proxy on the same host says so with `X-Forwarded-Proto: https`."""
    if request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https":
        return True
    try:
        return not ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return True


def set_cookie(
    response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
    )
