"""What the status page shows: ongoing outages, planned interruptions, and those resolved in the
last days, each with its notices. One read (`load_status`), then pure renderings: JSON, HTML
(`status.html.j2`, French or English, no JavaScript) and the Atom feed (`bot.outages.feed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import catalogue
from bot.outages import render
from bot.outages.draft import OutageStatus
from bot.store.models import Outage, OutageNotice
from bot.tickets.labels import language_of
from nlp.labels import Language

RESOLVED_DAYS = 7


@dataclass(frozen=True, slots=True)
class Entry:
    outage: Outage
    notices: tuple[OutageNotice, ...]
    """Oldest first."""


@dataclass(frozen=True, slots=True)
class StatusView:
    at: datetime
    active: tuple[Entry, ...]
    planned: tuple[Entry, ...]
    """Not started yet, soonest first."""
    resolved: tuple[Entry, ...]
    """Resolved in the last `RESOLVED_DAYS` days, most recent first."""

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.active + self.planned + self.resolved


async def load_status(
    session: AsyncSession, now: datetime, *, days: int = RESOLVED_DAYS
) -> StatusView:
    outages = (
        await session.exec(
            select(Outage).where(
                or_(
                    col(Outage.status) != OutageStatus.RESOLVED,
                    col(Outage.resolved_at) >= now - timedelta(days=days),
                )
            )
        )
    ).all()
    ids = [o.id for o in outages]
    by_outage: dict[int, list[OutageNotice]] = defaultdict(list)
    if ids:
        rows = await session.exec(
            select(OutageNotice)
            .where(col(OutageNotice.outage_id).in_(ids))
            .order_by(col(OutageNotice.seq))
        )
        for notice in rows.all():
            by_outage[notice.outage_id].append(notice)

    def entries(status: OutageStatus, key: Any, reverse: bool) -> tuple[Entry, ...]:
        chosen = sorted((o for o in outages if o.status == status), key=key, reverse=reverse)
        return tuple(Entry(o, tuple(by_outage[o.id or 0])) for o in chosen)

    return StatusView(
        at=now,
        active=entries(OutageStatus.ACTIVE, lambda o: o.starts_at, True),
        planned=entries(OutageStatus.PLANNED, lambda o: o.starts_at, False),
        resolved=entries(OutageStatus.RESOLVED, lambda o: o.resolved_at or o.starts_at, True),
    )


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def outage_json(outage: Outage, notices: tuple[OutageNotice, ...] | None = None) -> dict[str, Any]:
    """One outage as the API and status.json show it."""
    data: dict[str, Any] = {
        "number": outage.number,
        "kind": outage.kind,
        "status": outage.status,
        "title": {"fr": outage.title_fr, "en": outage.title_en},
        "text": {"fr": outage.text_fr, "en": outage.text_en},
        "services": outage.services,
        "organisations": outage.organisations,
        "sites": outage.sites,
        "team": outage.team,
        "starts_at": _instant(outage.starts_at),
        "expected_end": _instant(outage.expected_end),
        "resolved_at": _instant(outage.resolved_at),
        "declared_by": outage.declared_by,
        "updated_at": _instant(outage.updated_at),
    }
    if notices is not None:
        data["notices"] = [notice_json(n) for n in notices]
    return data


def notice_json(notice: OutageNotice) -> dict[str, Any]:
    return {
        "seq": notice.seq,
        "kind": notice.kind,
        "at": _instant(notice.at),
        "text": {"fr": notice.text_fr, "en": notice.text_en},
    }


def status_json(view: StatusView) -> dict[str, Any]:
    def listed(entries: tuple[Entry, ...]) -> list[dict[str, Any]]:
        return [outage_json(e.outage, e.notices) for e in entries]

    return {
        "generated_at": view.at.isoformat(),
        "active": listed(view.active),
        "planned": listed(view.planned),
        "resolved": listed(view.resolved),
    }


def page_words(language: Language) -> dict[str, str]:
    """The status page's words (`t` in status.html.j2): the catalogue's `outage.page` table."""
    table = "outage.page."
    return {
        key.removeprefix(table): text.format(days=RESOLVED_DAYS)
        for key, text in catalogue(language).items()
        if key.startswith(table)
    }


def _card(entry: Entry, lang: Language, names: Callable[[str, str], str]) -> dict[str, Any]:
    outage = entry.outage
    return {
        **render.describe(outage, lang),
        "organisations": [render.shown(names(o, lang)) for o in outage.organisations],
        "status": outage.status,
        "text": render.shown(
            outage.text_en if lang == Language.EN else outage.text_fr, multiline=True
        ),
        "notices": [
            {
                "heading": render.heading(outage, n.kind, lang),
                "at": render.when(n.at, lang),
                "text": render.notice_text(n, lang),
            }
            for n in reversed(entry.notices)
        ],
    }


def status_html(
    view: StatusView,
    language: str,
    names: Callable[[str, str], str] = lambda org_id, _language: org_id,
) -> str:
    """The page; `names` gives an organisation's name in a language (its id by default)."""
    lang = language_of(language)
    return render.env.get_template("status.html.j2").render(
        lang=lang.value,
        other="fr" if lang == Language.EN else "en",
        t=page_words(lang),
        updated=render.when(view.at, lang),
        sections=[
            ("active", [_card(e, lang, names) for e in view.active]),
            ("planned", [_card(e, lang, names) for e in view.planned]),
            ("resolved", [_card(e, lang, names) for e in view.resolved]),
        ],
    )
