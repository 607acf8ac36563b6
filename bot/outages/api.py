"""The outage HTTP API for agents' tools: declare, update, resolve, list (JSON in, JSON out).

Every call needs ``Authorization: Bearer <token>``, compared in constant time with each
configured token (RFC 6750). No token configured: the API is off (503). A bad token: 401. The
sender's mistakes are 400 with ``{"error", "field"}`` naming what to fix, an unknown number 404;
a 500 means a bug or the store is down. The actor recorded is ``api:`` and the first six hex
digits of the token's SHA-256: who did what, without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.jsonhttp import ApiError, bearer, error, parse_object, read_body
from bot.outages import registry
from bot.outages.broadcast import Broadcast
from bot.outages.draft import (
    OutageKind,
    OutageStatus,
    draft_from_json,
    resolution_from_json,
    update_from_json,
)
from bot.outages.errors import InvalidOutage, UnknownOutage
from bot.outages.status import notice_json, outage_json
from bot.store.db import Sessions
from bot.store.models import Outage

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def actor_for(header: str, tokens: Sequence[str]) -> str | None:
    """``api:<6 hex>`` when `header` carries one of `tokens`, else None. Every token is compared
    (no early exit), each in constant time: the answer's timing says nothing of the tokens."""
    given = bearer(header)
    if given is None:
        return None
    offered = given.encode()
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(offered, token.encode())
    return f"api:{hashlib.sha256(offered).hexdigest()[:6]}" if matched else None


class OutageApi:
    def __init__(
        self,
        sessions: Sessions,
        *,
        tokens: Sequence[str],
        broadcast: Broadcast,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
        on_planned: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._tokens = tuple(t for t in tokens if t)
        self._broadcast = broadcast
        self._now = now
        self._on_queued = on_queued
        self._on_planned = on_planned

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/outages", self._guard(self.declare)),
            web.get("/api/outages", self._guard(self.list)),
            web.get("/api/outages/{number}", self._guard(self.show)),
            web.post("/api/outages/{number}/updates", self._guard(self.update)),
            web.post("/api/outages/{number}/resolve", self._guard(self.resolve)),
        ]

    def _guard(self, handler: Callable[[web.Request, str], Awaitable[web.Response]]) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                actor = self._authorise(request)
                return await handler(request, actor)
            except ApiError as exc:
                return _error(exc.status, str(exc), exc.field)
            except InvalidOutage as exc:
                return _error(400, exc.detail, exc.field)
            except UnknownOutage as exc:
                return _error(404, str(exc), "number")

        return guarded

    def _authorise(self, request: web.Request) -> str:
        if not self._tokens:
            raise ApiError(
                503, "the outage API is disabled: set GUICHET_OUTAGE_API_TOKENS to enable it"
            )
        actor = actor_for(request.headers.get("Authorization", ""), self._tokens)
        if actor is None:
            raise ApiError(401, "missing or unknown bearer token", "Authorization")
        return actor

    async def declare(self, request: web.Request, actor: str) -> web.Response:
        draft = draft_from_json(await _body(request))
        now = self._now()
        async with self._sessions() as session:
            outage = await registry.declare(session, draft, actor, now, self._broadcast)
            await _commit(session)
            body = outage_json(outage, tuple(await registry.notices(session, outage)))
        (self._on_planned if outage.kind == OutageKind.PLANNED else self._on_queued)()
        response = web.json_response(body, status=201)
        response.headers["Location"] = f"/api/outages/{outage.number}"
        return response

    async def update(self, request: web.Request, actor: str) -> web.Response:
        texts = update_from_json(await _body(request))
        async with self._sessions() as session:
            notice = await registry.post_update(
                session,
                request.match_info["number"],
                texts.text_fr,
                texts.text_en,
                actor,
                self._now(),
                self._broadcast,
                expected_end=texts.expected_end,
            )
            outage = await session.get_one(Outage, notice.outage_id)
            await _commit(session)
            body = {"outage": outage_json(outage), "notice": notice_json(notice)}
        self._on_queued()
        return web.json_response(body, status=201)

    async def resolve(self, request: web.Request, actor: str) -> web.Response:
        raw = await read_body(request, MAX_BODY_BYTES)
        text_fr, text_en = resolution_from_json(
            parse_object(raw, MAX_DEPTH) if raw.strip() else None
        )
        async with self._sessions() as session:
            notice = await registry.resolve(
                session,
                request.match_info["number"],
                actor,
                self._now(),
                self._broadcast,
                text_fr=text_fr,
                text_en=text_en,
            )
            outage = await session.get_one(Outage, notice.outage_id)
            await _commit(session)
            body = {"outage": outage_json(outage), "notice": notice_json(notice)}
        self._on_queued()
        return web.json_response(body)

    async def list(self, request: web.Request, actor: str) -> web.Response:
        wanted = request.query.get("status", "")
        if wanted and wanted not in {s.value for s in OutageStatus}:
            raise ApiError(400, "use active, planned or resolved", "status")
        query = select(Outage).order_by(col(Outage.id).desc()).limit(200)
        if wanted:
            query = query.where(Outage.status == wanted)
        async with self._sessions() as session:
            outages = (await session.exec(query)).all()
        return web.json_response({"outages": [outage_json(o) for o in outages]})

    async def show(self, request: web.Request, actor: str) -> web.Response:
        async with self._sessions() as session:
            outage = await registry.get(session, request.match_info["number"])
            notices = tuple(await registry.notices(session, outage))
        return web.json_response(outage_json(outage, notices))


MAX_BODY_BYTES = 256 * 1024
"""The largest declaration (two titles of 200 characters, two texts of 4,000, two lists of 50
names of 100) is about 20,000 characters, 120 KB even with every character escaped as \\uXXXX."""
MAX_DEPTH = 8
"""Our bodies are one object holding strings and lists of strings (depth 2)."""


async def _body(request: web.Request) -> object:
    return parse_object(await read_body(request, MAX_BODY_BYTES), MAX_DEPTH)


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:  # another writer changed the same outage at the same instant
        await session.rollback()
        raise ApiError(409, "the outage changed at the same time; send the request again") from None


def _error(status: int, message: str, field: str | None) -> web.Response:
    return error(status, message, field, realm="guichet-outages")
