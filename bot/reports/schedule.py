"""``report --schedule``: mail last month's dashboards to each organisation, once.

Meant to run daily (cron or a systemd timer). From the first business day of the month on, it
makes last month's reports and queues one email per organisation to its ``report_contacts``
through the outbox, keyed ``report:{org}:{month}``: a second run, or a run after a day the machine
was down, sends nothing twice. The email carries the summary figures and where the report is:
`OutboundMessage` has no attachments yet (extending it is the sender's team's call).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.organisations import Directory
from bot.outbox_queue import queue
from bot.reports.make import Written, make_reports, previous_month
from bot.reports.pdf import CHROMIUM
from bot.reports.render import month_name
from bot.settings import Settings
from bot.sla import format as fmt
from bot.sla.calendar import BusinessCalendar
from bot.sla.policy import Policy, build_calendars
from bot.store.db import open_store, sessions
from bot.store.models import Outbox
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage


def first_business_day(year: int, month: int, calendar: BusinessCalendar) -> date:
    day = date(year, month, 1)
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


def summary_text(item: Written, month: str, where: str) -> str:
    """The email body: the headline figures, in French, and where the full report is."""
    f = item.figures
    total, ss = f.answers[-1], f.self_service
    lines = [
        "Bonjour,",
        "",
        f"Voici le tableau de bord du Centre de service à la clientèle pour "
        f"{item.organisation.name_fr}, {month_name(month)}.",
        "",
        f"- Billets reçus : {fmt.number(f.tickets)}",
        f"- Première réponse d'une personne en {fmt.number(f.answer_seconds)} s ou moins : "
        f"{fmt.percent(total.person.value)} (cible {fmt.percent(f.answer_target, 0)}) ; "
        f"accusé de réception automatique : {fmt.percent(total.any.value)}",
    ]
    for line in f.restoration:
        if line.count:
            lines.append(
                f"- Remise en service {line.severity} dans le délai de {fmt.number(line.hours)} h : "
                f"{fmt.percent(line.rate.value)} (cible {fmt.percent(line.target, 0)})"
            )
    lines += [
        f"- Résolution au premier contact : {fmt.percent(f.fcr.value)} "
        f"(cible {fmt.percent(f.fcr_target, 0)})",
        f"- Articles de la base de connaissances proposés : {fmt.number(ss.offered)} ; "
        f"problème réglé selon le demandeur : {fmt.number(ss.solved)} ({fmt.percent(ss.rate)})",
        f"- Billets redirigés vers un autre centre de soutien : {fmt.number(f.redirected)} "
        f"({fmt.percent(f.redirected_share)} des billets reçus)",
        f"- Billets rattachés à une panne : {fmt.number(f.linked)}",
        f"- Billets non résolus à la fin du mois : {fmt.number(f.backlog)}, "
        f"dont {fmt.number(len(f.at_risk))} à risque",
        "",
        f"Le rapport complet (PDF, page Web et données CSV) : {where}",
        "",
        "Ceci est un message automatique.",
        "",
        "Centre de service à la clientèle",
    ]
    return "\n".join(lines) + "\n"


async def _queue_mail(
    settings: Settings, written: list[Written], month: str, url: str, now: datetime
) -> list[str]:
    engine = await open_store(settings.sqlalchemy_url)
    queued: list[str] = []
    try:
        async with sessions(engine)() as session:
            for item in written:
                org = item.organisation
                key = f"report:{org.id}:{month}"
                if not org.report_contacts:
                    continue
                if (await session.exec(select(Outbox.id).where(Outbox.key == key))).first():
                    continue
                name = "report.pdf" if item.pdf else "report.html"
                where = f"{url.rstrip('/')}/{org.id}/{name}" if url else str(item.folder / name)
                message = OutboundMessage(
                    channel=Channel.EMAIL,
                    to=org.report_contacts,
                    subject=f"Tableau de bord du Centre de service — {month_name(month)}",
                    text=summary_text(item, month, where),
                    message_id=f"report.{org.id}.{month}@{settings.message_id_domain}",
                )
                session.add(
                    queue(message, kind=NoticeKind.REPORT, key=key, ticket_id=None, now=now)
                )
                queued.append(org.id)
            await session.commit()
    finally:
        await engine.dispose()
    return queued


def run_schedule(
    settings: Settings,
    directory: Directory,
    policy: Policy,
    now: datetime,
    *,
    month: str | None,
    org: str | None,
    out: Path | None,
    url: str,
    stdout: TextIO,
    stderr: TextIO,
    chromium: str = CHROMIUM,
) -> int:
    """Make and queue last month's reports if today is on or after the first business day."""
    today = now.astimezone(ZoneInfo(policy.time_zone)).date()
    business = build_calendars(policy)[policy.untargeted_calendar]
    if month is None:
        if isinstance(business, BusinessCalendar):
            first = first_business_day(today.year, today.month, business)
            if today < first:
                print(
                    f"nothing to do before {first.isoformat()}, the first business day", file=stdout
                )
                return 0
        month = previous_month(today)
    target = out or settings.data_dir / "reports" / month
    written, complete = make_reports(
        settings,
        directory,
        month,
        target,
        org=org,
        policy=policy,
        now=now,
        err=stderr,
        chromium=chromium,
    )
    queued = asyncio.run(_queue_mail(settings, written, month, url, now))
    for item in written:
        state = "queued" if item.organisation.id in queued else "already sent or no contact"
        print(
            f"{item.organisation.id}: report for {month} in {item.folder}/ ({state})", file=stdout
        )
    return 0 if complete else 1
