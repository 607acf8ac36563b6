"""How outage notices read, in French and English: Slack posts, list mail, the requesters' notices.

Pure: Jinja2 templates in `bot/templates/outage_*.j2` (plain text, never escaped) and
`status.html.j2` (autoescaped, rendered by `bot.outages.status`). Instants are shown in Quebec's
time zone, with the French and English abbreviations of Eastern time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import catalogue, say
from bot.outages.draft import NoticeKind, OutageKind, without_controls
from bot.store.models import Outage, OutageNotice
from bot.texts import TRIMMED
from bot.tickets.labels import language_of
from nlp.labels import Language

ZONE = ZoneInfo("America/Toronto")

env = TRIMMED


def restored(language: str) -> str:
    """The standard text of a resolution (the notice's text when the agent gives none)."""
    return say("outage.restored", language_of(language))


def when(value: datetime | None, language: str) -> str:
    """``2026-10-05 14 h 30 HAE`` (fr) or ``2026-10-05 14:30 EDT`` (en); empty for None."""
    if value is None:
        return ""
    local = value.astimezone(ZONE)
    zone = local.strftime("%Z")
    lang = language_of(language)
    zone = catalogue(lang).get(f"outage.zone.{zone}", zone)
    if lang == Language.FR:
        return f"{local:%Y-%m-%d} {local.hour} h {local.minute:02d} {zone}"
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def heading_key(outage: Outage, kind: str) -> str:
    """Which heading a notice gets: its kind, told apart by the outage's kind and course."""
    if kind == NoticeKind.RESOLVED:
        if outage.kind != OutageKind.PLANNED:
            return "resolved"
        ended = outage.resolved_at
        return "cancelled" if ended is not None and ended < outage.starts_at else "over"
    if kind in (NoticeKind.DECLARED, NoticeKind.ANNOUNCE):
        return "planned" if outage.kind == OutageKind.PLANNED else "outage"
    return "update" if kind == NoticeKind.UPDATE else "reminder"


def heading(outage: Outage, kind: str, language: str) -> str:
    return say(f"outage.heading.{heading_key(outage, kind)}", language_of(language))


def title(outage: Outage, language: str) -> str:
    """The title in a language, without control characters (see `shown`)."""
    return shown(outage.title_en if language_of(language) == Language.EN else outage.title_fr)


def shown(value: str, *, multiline: bool = False) -> str:
    """What a rendering shows of stored text: a row stored before control characters were
    refused at input must not break the Atom feed (XML cannot carry them) nor reach a page."""
    return without_controls(value, multiline=multiline)


def notice_text(notice: OutageNotice, language: str) -> str:
    """A notice's text in a language, as it is shown."""
    text = notice.text_en if language_of(language) == Language.EN else notice.text_fr
    return shown(text, multiline=True)


def describe(outage: Outage, language: str) -> dict[str, Any]:
    """The facts every rendering shows, in one language."""
    lang = language_of(language)
    return {
        "number": outage.number or "",
        "title": title(outage, lang),
        "planned": outage.kind == OutageKind.PLANNED,
        "services": [shown(s) for s in outage.services],
        "organisations": [shown(o) for o in outage.organisations],
        "sites": [shown(s) for s in outage.sites],
        "starts": when(outage.starts_at, lang),
        "end": when(outage.expected_end, lang),
        "resolved": when(outage.resolved_at, lang),
    }


def notice_block(
    outage: Outage, notice: OutageNotice, language: str, *, status_url: str, slack: bool
) -> str:
    """One language's part of a broadcast notice."""
    lang = language_of(language)
    return env.get_template(f"outage_notice.{lang.value}.txt.j2").render(
        heading=heading(outage, notice.kind, lang),
        text=notice_text(notice, lang),
        status_url=status_url,
        bold="*" if slack else "",
        **describe(outage, lang),
    )


def slack_text(outage: Outage, notice: OutageNotice, *, status_url: str) -> str:
    """The post in the announcement channel: French, then English."""
    return (
        env.get_template("outage_slack.txt.j2")
        .render(
            fr=notice_block(outage, notice, "fr", status_url=status_url, slack=True).strip(),
            en=notice_block(outage, notice, "en", status_url=status_url, slack=True).strip(),
        )
        .strip()
    )


def mail_subject(outage: Outage, notice: OutageNotice) -> str:
    number = outage.number or ""
    fr = f"{heading(outage, notice.kind, 'fr')} : {title(outage, 'fr')}"
    en = f"{heading(outage, notice.kind, 'en')}: {title(outage, 'en')}"
    return f"[{number}] {fr} / {en}"


def mail_text(outage: Outage, notice: OutageNotice, *, status_url: str) -> str:
    """The mail to the distribution lists: French, then English, in one body."""
    return env.get_template("outage_mail.txt.j2").render(
        fr=notice_block(outage, notice, "fr", status_url=status_url, slack=False),
        en=notice_block(outage, notice, "en", status_url=status_url, slack=False),
    )


def requester_notice(
    outage: Outage,
    language: str,
    *,
    resolved: bool = False,
    ticket: str = "",
    chat: bool = False,
    name: str = "",
    text: str = "",
    status_url: str = "",
) -> tuple[str, str]:
    """(subject, text) for a requester: their report is a known outage, or it is resolved."""
    lang = language_of(language)
    facts = describe(outage, lang)
    subject_key = "resolved" if resolved else ("planned" if facts["planned"] else "outage")
    subject = say(f"outage.requester_subject.{subject_key}", lang, title=facts["title"])
    body = env.get_template(f"outage_requester.{lang.value}.txt.j2").render(
        restored=resolved,
        ticket=ticket,
        chat=chat,
        name=name,
        text=text,
        status_url=status_url,
        **facts,
    )
    return subject, body.strip() + "\n"
