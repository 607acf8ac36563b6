"""Setup for the API tests: accounts with real tokens (`tokens.issue`), tickets in the store,
and an HTTP client for the running service."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.accounts import tokens
from bot.store import search
from bot.store.db import Sessions
from bot.store.models import Account, Requester, Role, Ticket
from bot.tickets import Channel, Kind, Language, Level, Severity, Status, Team

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def account(
    store: Sessions,
    email: str,
    role: Role = Role.AGENT,
    *,
    teams: tuple[str, ...] = (),
    levels: tuple[str, ...] = (),
    language: Language = Language.FR,
    active: bool = True,
) -> str:
    """A new account and a bearer token for it."""
    async with store() as session:
        made = Account(
            email=email, name=email.split("@")[0].title(), role=role, teams=list(teams),
            levels=list(levels), language=language, active=active, created_at=NOW,
        )  # fmt: skip
        session.add(made)
        await session.flush()
        token = await tokens.issue(session, made, "tests", NOW)
        await session.commit()
    return token


async def ticket(
    store: Sessions,
    subject: str,
    *,
    team: Team | None = Team.COLLABORATION,
    level: Level | None = Level.N1,
    status: Status = Status.OPEN,
    to_confirm: bool = False,
    age: timedelta = timedelta(0),
    organisation: str = "msss",
    assignee: str | None = None,
) -> str:
    """A ticket in the store (no message), its number."""
    async with store() as session:
        requester = (
            await session.get(Requester, 1)
        ) or Requester(
            address="personne@msss.example", name="Personne", organisation="msss",
            created_at=NOW,
        )  # fmt: skip
        session.add(requester)
        await session.flush()
        assert requester.id is not None
        made = Ticket(
            status=status, kind=Kind.INCIDENT, severity=Severity.P3, level=level, team=team,
            channel=Channel.EMAIL, language=Language.FR, subject=subject, requester_id=requester.id,
            organisation=organisation, assignee=assignee, created_at=NOW - age,
            updated_at=NOW - age,
            triage={"kind": "incident", "severity": "P3", "to_confirm": to_confirm},
        )  # fmt: skip
        session.add(made)
        await session.flush()
        made.number = f"CSC-{made.id:06d}"
        await search.index(session, made.id, subject, "")  # findable, as the dispatcher does
        await session.commit()
        return made.number


@dataclass
class Api:
    """The running service's API, as a client sees it."""

    base: str
    http: aiohttp.ClientSession

    async def call(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        body: object = None,
        data: bytes | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
        async with self.http.request(
            method, self.base + path, data=data, headers=headers, params=params
        ) as response:
            answer = await response.json(content_type=None)
            return response.status, answer, response.headers


async def client(base: str) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(base.rstrip("/"), http)
