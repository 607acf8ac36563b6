"""The outage registry: declare, update, resolve, look up (linking tickets: `bot.outages.linked`).

Every function writes inside the caller's session (the notice, the status change, the outbox
rows it causes) and the caller commits, so a change and its announcements land together or not
at all. "now" is always a parameter.

A planned interruption is only recorded at its declaration: `OutageWatcher` announces it once its
lead time is reached, and again as it starts. Until it has been announced, its updates and its
cancellation are recorded (the status page shows them) but not broadcast.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outages import render
from bot.outages.broadcast import Broadcast, queue_notice
from bot.outages.draft import (
    NoticeKind,
    OutageDraft,
    OutageKind,
    OutageStatus,
    check_draft,
    check_end,
    check_texts,
)
from bot.outages.errors import InvalidOutage, UnknownOutage
from bot.outages.linked import tell_linked
from bot.sla.store import utc
from bot.store.models import Outage, OutageNotice

DEFAULT_LEAD = timedelta(hours=48)


def outage_number(outage_id: int) -> str:
    return f"PANNE-{outage_id:04d}"


def normalise_number(text: str) -> str:
    """``panne-1``, ``PANNE-0001`` and ``1`` all name PANNE-0001."""
    cleaned = text.strip().upper()
    digits = cleaned.removeprefix("PANNE").lstrip("-# ")
    return outage_number(int(digits)) if digits.isdigit() else cleaned


async def get(session: AsyncSession, number: str) -> Outage:
    """The outage with this number, or `UnknownOutage`."""
    found = (
        await session.exec(select(Outage).where(Outage.number == normalise_number(number)))
    ).first()
    if found is None:
        raise UnknownOutage(number)
    return found


async def notices(session: AsyncSession, outage: Outage) -> list[OutageNotice]:
    return list(
        (
            await session.exec(
                select(OutageNotice)
                .where(OutageNotice.outage_id == outage.id)
                .order_by(col(OutageNotice.seq))
            )
        ).all()
    )


async def current(
    session: AsyncSession,
    now: datetime,
    organisation: str | None = None,
    *,
    lead: timedelta = DEFAULT_LEAD,
) -> list[Outage]:
    """Active outages, and planned interruptions starting within `lead`, for `organisation`
    (None: every outage); the most recent start first."""
    rows = (
        await session.exec(
            select(Outage)
            .where(col(Outage.status).in_((OutageStatus.ACTIVE, OutageStatus.PLANNED)))
            .order_by(col(Outage.starts_at).desc(), col(Outage.id).desc())
        )
    ).all()
    return [
        o
        for o in rows
        if (o.status == OutageStatus.ACTIVE or utc(o.starts_at) - lead <= now)
        and (organisation is None or not o.organisations or organisation in o.organisations)
    ]


async def declare(
    session: AsyncSession, draft: OutageDraft, actor: str, now: datetime, broadcast: Broadcast
) -> Outage:
    """Record a new outage and broadcast it (a planned interruption waits for its lead time)."""
    now = utc(now)
    draft = check_draft(draft, now)
    assert draft.starts_at is not None  # filled in by check_draft
    unknown = [
        o
        for o in draft.organisations
        if broadcast.organisations and o not in broadcast.organisations
    ]
    if unknown:
        known = ", ".join(sorted(broadcast.organisations))
        raise InvalidOutage("organisations", f"unknown organisation {unknown[0]!r}; known: {known}")
    planned = draft.kind == OutageKind.PLANNED
    outage = Outage(
        kind=draft.kind,
        title_fr=draft.title_fr,
        title_en=draft.title_en,
        text_fr=draft.text_fr,
        text_en=draft.text_en,
        services=list(draft.services),
        organisations=list(draft.organisations),
        sites=list(draft.sites),
        team=draft.team,
        status=OutageStatus.PLANNED if planned else OutageStatus.ACTIVE,
        starts_at=draft.starts_at,
        expected_end=draft.expected_end,
        declared_by=actor[:200],
        created_at=now,
        updated_at=now,
    )
    session.add(outage)
    await session.flush()
    assert outage.id is not None
    outage.number = outage_number(outage.id)
    notice = await add_notice(
        session, outage, NoticeKind.DECLARED, draft.text_fr, draft.text_en, actor, now
    )
    if not planned:
        await queue_notice(session, outage, notice, broadcast, now)
    return outage


async def post_update(
    session: AsyncSession,
    outage: Outage | str,
    text_fr: str,
    text_en: str,
    actor: str,
    now: datetime,
    broadcast: Broadcast,
    *,
    expected_end: datetime | None = None,
) -> OutageNotice:
    """A new notice on an open outage, broadcast (linked requesters are not written to)."""
    now = utc(now)
    outage = await _open(session, outage)
    texts = check_texts(text_fr, text_en)
    if expected_end is not None:
        outage.expected_end = check_end(expected_end, outage.starts_at)
    notice = await add_notice(
        session, outage, NoticeKind.UPDATE, texts.text_fr, texts.text_en, actor, now
    )
    if await announced(session, outage):
        await queue_notice(session, outage, notice, broadcast, now)
    return notice


async def resolve(
    session: AsyncSession,
    outage: Outage | str,
    actor: str,
    now: datetime,
    broadcast: Broadcast,
    *,
    text_fr: str | None = None,
    text_en: str | None = None,
) -> OutageNotice:
    """Close the outage, broadcast it, and tell each linked requester once, in their language."""
    now = utc(now)
    outage = await _open(session, outage)
    if (text_fr is None) != (text_en is None):
        missing = "text_en" if text_en is None else "text_fr"
        raise InvalidOutage(missing, "give both texts, French and English, or neither")
    texts = check_texts(text_fr or render.restored("fr"), text_en or render.restored("en"))
    was_announced = await announced(session, outage)
    outage.status = OutageStatus.RESOLVED
    outage.resolved_at = now
    notice = await add_notice(
        session, outage, NoticeKind.RESOLVED, texts.text_fr, texts.text_en, actor, now
    )
    if was_announced:
        await queue_notice(session, outage, notice, broadcast, now)
    await tell_linked(session, outage, notice, actor, now, broadcast)
    return notice


async def add_notice(
    session: AsyncSession,
    outage: Outage,
    kind: NoticeKind,
    text_fr: str,
    text_en: str,
    actor: str,
    now: datetime,
) -> OutageNotice:
    """Append a notice (the next `seq`: two writers racing fail on the unique pair)."""
    last = (
        await session.exec(
            select(func.max(OutageNotice.seq)).where(OutageNotice.outage_id == outage.id)
        )
    ).one()
    assert outage.id is not None
    notice = OutageNotice(
        outage_id=outage.id,
        seq=(last or 0) + 1,
        kind=kind,
        text_fr=text_fr,
        text_en=text_en,
        at=now,
        actor=actor[:200],
    )
    session.add(notice)
    outage.updated_at = now
    return notice


async def announced(session: AsyncSession, outage: Outage) -> bool:
    """Whether people have been told of this outage (a planned one: once announced)."""
    if outage.kind != OutageKind.PLANNED:
        return True
    told = (NoticeKind.ANNOUNCE, NoticeKind.REMINDER)
    found = await session.exec(
        select(OutageNotice.id).where(
            OutageNotice.outage_id == outage.id, col(OutageNotice.kind).in_(told)
        )
    )
    return found.first() is not None


async def _open(session: AsyncSession, outage: Outage | str) -> Outage:
    """The outage (a number is looked up), or `InvalidOutage` when it is already resolved."""
    if isinstance(outage, str):
        outage = await get(session, outage)
    if outage.status == OutageStatus.RESOLVED:
        ended = outage.resolved_at.isoformat() if outage.resolved_at else "?"
        raise InvalidOutage(
            "number", f"{outage.number} was resolved at {ended}; declare a new outage"
        )
    return outage
