"""``python -m bot sla show CSC-000123``: one ticket's clocks, for operators (English labels)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

from sqlmodel import select

from bot.errors import GuichetError
from bot.sla import format as fmt
from bot.sla.clock import Clocks
from bot.sla.events import severity_decision, warned_thresholds
from bot.sla.policy import Policy, build_calendars, load_policy
from bot.sla.store import TicketLog, load_logs
from bot.store.models import Ticket


def describe(ticket: Ticket, ticket_log: TicketLog, clocks: Clocks, policy: Policy) -> str:
    """The text ``sla show`` prints. Pure: everything comes in as arguments."""
    en = "en"
    lines = [
        f"{ticket.number}  {ticket.kind or '-'} {ticket.severity or ''}  status {ticket.status}"
        f"  org {ticket.organisation}  team {ticket.team or '-'}  level {ticket.level or '-'}"
        f"  channel {ticket.channel}",
        f"as of {fmt.instant(clocks.as_of)} ({clocks.as_of.tzname()})",
        "",
    ]
    if clocks.has_target:
        target = policy.target(clocks.severity) if clocks.severity else None
        share = f", {fmt.percent(target.share, 0, en)} of cases" if target else ""
        lines.append(f"Restoration ({clocks.severity}{share})")
    else:
        lines.append("Time to resolve (no restoration target)")
    rows = [
        ("calendar", clocks.calendar),
        ("budget", fmt.duration(clocks.budget_seconds, en)),
        ("opened", fmt.instant(clocks.opened_at)),
        ("clock starts", fmt.instant(clocks.started_at)),
        ("elapsed", fmt.duration(clocks.elapsed_seconds, en)),
        ("paused", fmt.duration(clocks.paused_seconds, en)),
        ("remaining", fmt.duration(clocks.remaining_seconds, en)),
        ("used", fmt.percent(clocks.fraction, 0, en)),
        ("due", fmt.instant(clocks.due) if clocks.due else "-"),
        ("state", clocks.state.value + (" (breached)" if clocks.breached else "")),
        ("met", {None: "undecided", True: "yes", False: "no"}[clocks.met]),
        ("resolved", fmt.instant(clocks.resolved_at) if clocks.resolved_at else "-"),
    ]
    lines += [f"  {name:<13} {value}" for name, value in rows]
    answer = policy.answer
    lines += ["", f"Answer (target {fmt.duration(answer.seconds, en)} on {answer.calendar})"]
    for name, seconds, met in (
        ("first, any", clocks.first_answer_seconds, clocks.first_answer_met),
        ("first, person", clocks.first_person_answer_seconds, clocks.first_person_answer_met),
    ):
        verdict = {None: "pending", True: "met", False: "missed"}[met]
        lines.append(f"  {name:<13} {fmt.duration(seconds, en):<12} {verdict}")
    warned = sorted(warned_thresholds(ticket_log.events))
    lines += [
        "",
        f"Warnings sent   {', '.join(f'{w} %' for w in warned) or 'none'}",
        f"Severity        {severity_decision(ticket_log.events) or 'not decided by an agent'}",
    ]
    return "\n".join(lines).replace(fmt.NBSP, " ")


async def _load(url: str, number: str) -> tuple[Ticket, TicketLog] | None:
    from bot.store.db import open_store, sessions

    engine = await open_store(url)
    try:
        async with sessions(engine)() as session:
            found = (await session.exec(select(Ticket).where(Ticket.number == number))).first()
            if found is None or found.id is None:
                return None
            logs = await load_logs(session, [found.id])
            return found, logs[found.id]
    finally:
        await engine.dispose()


def show_ticket(
    number: str,
    *,
    at: datetime | None = None,
    policy_file: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the clocks of ticket ``number``; 0, or 1 with a message on ``err``."""
    from bot.settings import Settings

    stdout, stderr = out or sys.stdout, err or sys.stderr
    number = number.strip().upper()
    try:
        policy = load_policy(policy_file)
        loaded = asyncio.run(_load(Settings().sqlalchemy_url, number))
    except GuichetError as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    if loaded is None:
        print(f"error: no ticket {number} in the store", file=stderr)
        return 1
    ticket, ticket_log = loaded
    now = at or datetime.now(UTC)
    try:
        clocks = ticket_log.clocks(policy, build_calendars(policy), now)
    except GuichetError as exc:  # a log the arithmetic rejects
        print(f"error: {number}: {exc}", file=stderr)
        return 1
    if clocks is None:
        print(f"error: {number} has no 'opened' event at or before {now.isoformat()}", file=stderr)
        return 1
    print(describe(ticket, ticket_log, clocks, policy), file=stdout)
    return 0
