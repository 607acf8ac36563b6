"""Readiness (`/readyz`): can the service do its work now? Liveness (`/healthz`) only says the
process answers; an orchestrator restarts on the one and routes traffic, or pages, on the other.

Each part answers with a `Check`: the classifier is loaded, the store takes a write, each
connector runs, and each outbox channel delivers (rows failing while nothing got through since
means the far end — SMTP, Slack — is refusing or down).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import column, func, table, update
from sqlmodel import col, select

from bot.logs import escape, redact
from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus
from intake.health import Health, State

STORE_PROBE_SECONDS = 5.0
"""A write that waits longer than this (another writer holds the lock) counts as not ready."""


_VERSION = table("alembic_version", column("version_num"))
_PROBE = update(_VERSION).values(version_num=_VERSION.c.version_num)
"""Rewrites the schema version with itself (rolled back at once): a real write, touching no data."""


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    detail: str = ""
    starting: bool = False
    """Not ready yet (loading, starting) rather than broken: the service says `not ready`."""

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


@dataclass
class ModelState:
    """The classifier as the service loads it (set by the composition root)."""

    check: Check = Check(False, "loading", starting=True)

    def loaded(self) -> None:
        self.check = Check(True, "loaded")

    def failed(self, why: str) -> None:
        self.check = Check(False, f"failed to load: {why}; tickets open without a proposal")


class Readiness:
    def __init__(
        self,
        sessions: Sessions,
        *,
        model: ModelState,
        connectors: Callable[[], Mapping[str, Health]],
        channels: Sequence[str],
    ) -> None:
        self._sessions = sessions
        self._model = model
        self._connectors = connectors
        self._channels = tuple(channels)

    async def checks(self) -> dict[str, Check]:
        found = {"classifier": self._model.check, "store": await self._store()}
        for name, health in self._connectors().items():
            found[f"connector:{name}"] = _connector(health)
        found.update(await self._outbox())
        return found

    async def _store(self) -> Check:
        """A real write, rolled back: the database file (or server) takes writes now."""
        try:
            async with asyncio.timeout(STORE_PROBE_SECONDS), self._sessions() as session:
                await session.exec(_PROBE)
                await session.rollback()
        except TimeoutError:
            return Check(False, f"no write within {STORE_PROBE_SECONDS:g}s (database busy)")
        except Exception as exc:  # the store is the operator's problem: say what, not a trace
            return Check(False, _short(f"{exc.__class__.__name__}: {exc}"))
        return Check(True, "writable")

    async def _outbox(self) -> dict[str, Check]:
        if not self._channels:
            return {}
        try:
            async with self._sessions() as session:
                failing = (
                    await session.exec(
                        select(
                            Outbox.channel,
                            func.count(),
                            func.min(Outbox.created_at),
                            func.max(Outbox.id),
                        )
                        .where(Outbox.status == OutboxStatus.PENDING, col(Outbox.attempts) > 0)
                        .group_by(col(Outbox.channel))
                    )
                ).all()
                found = {}
                for channel, count, oldest, newest in failing:
                    last_sent = (
                        await session.exec(
                            select(Outbox.sent_at)
                            .where(Outbox.channel == channel, Outbox.status == OutboxStatus.SENT)
                            .order_by(col(Outbox.id).desc())
                            .limit(1)
                        )
                    ).first()
                    if last_sent is not None and last_sent >= oldest:
                        continue  # the channel delivers; a few recipients' servers refuse
                    error = (await session.get_one(Outbox, newest)).last_error or ""
                    found[str(channel)] = Check(
                        False,
                        _short(f"{count} message(s) waiting after failed attempts; last: {error}"),
                    )
        except Exception as exc:
            return {"outbox": Check(False, _short(f"cannot read the outbox: {exc}"))}
        checks = {f"outbox:{c}": Check(True, "delivering") for c in self._channels}
        checks.update({f"outbox:{c}": check for c, check in found.items()})
        return checks


def _connector(health: Health) -> Check:
    detail = health.detail or str(health.state)
    if health.state in (State.RUNNING, State.STANDBY):
        return Check(True, detail)
    return Check(False, _short(detail), starting=health.state == State.STARTING)


def _short(detail: str) -> str:
    """Details come from servers and exceptions: one line, addresses redacted, bounded."""
    return escape(redact(detail[:300]))
