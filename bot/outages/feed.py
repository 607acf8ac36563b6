"""The status page as an Atom feed (RFC 4287): one entry per notice, newest first. Pure."""

from __future__ import annotations

import uuid

from feedgen.feed import FeedGenerator

from bot.messages import say
from bot.outages import render
from bot.outages.status import StatusView
from bot.tickets.labels import language_of


def entry_id(domain: str, number: str, seq: int) -> str:
    """Stable across renderings and restarts (RFC 4287 §4.2.6: an id never changes)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"guichet:{domain}:{number}:{seq}").urn


def status_atom(view: StatusView, language: str, *, base_url: str, domain: str) -> bytes:
    """The feed of every notice on the status page, in one language."""
    lang = language_of(language).value
    page = f"{base_url.rstrip('/')}/status?lang={lang}"
    feed = FeedGenerator()
    feed.id(uuid.uuid5(uuid.NAMESPACE_URL, f"guichet:{domain}:status:{lang}").urn)
    feed.title(say("outage.page.title", lang))
    feed.author({"name": say("outage.feed_author", lang)})
    feed.language(lang)
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=f"{base_url.rstrip('/')}/status.atom?lang={lang}", rel="self")
    notices = [(n, e.outage) for e in view.entries for n in e.notices]
    notices.sort(key=lambda pair: (pair[0].at, pair[0].seq))
    feed.updated(notices[-1][0].at if notices else view.at)
    for notice, outage in notices:  # feedgen puts the last added first
        entry = feed.add_entry()
        number = outage.number or ""
        entry.id(entry_id(domain, number, notice.seq))
        entry.title(
            f"[{number}] {render.heading(outage, notice.kind, lang)} — {render.title(outage, lang)}"
        )
        entry.updated(notice.at)
        entry.published(notice.at)
        entry.link(href=f"{page}#{number}", rel="alternate", type="text/html")
        entry.content(render.notice_text(notice, lang), type="text")
    result: bytes = feed.atom_str(pretty=True)
    return result
