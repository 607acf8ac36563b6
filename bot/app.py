"""Composition root: builds every part from `Settings` and runs them under one TaskGroup."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import collector, logs
from bot.api import TicketsApi
from bot.channels import build_connectors, consume, senders
from bot.console import console_routes
from bot.dispatch.answering import Answering
from bot.dispatch.replies import fill_reply_targets
from bot.dispatch.routes import Knowledge
from bot.dispatch.service import Dispatcher
from bot.dispatch.tickets import OpenedHook
from bot.guards import SendCaps
from bot.leading import while_leading
from bot.organisations import Directory, load_directory
from bot.outages.broadcast import Broadcast
from bot.outages.command import broadcast_from_settings
from bot.outages.watcher import OutageWatcher
from bot.outages.web import routes as outage_routes
from bot.outbox import OutboxWorker, RetryPolicy
from bot.readiness import ModelState, Readiness
from bot.selfservice.expiry import SelfServiceExpiry
from bot.selfservice.kb import load_kb
from bot.selfservice.redirect import load_catalogue
from bot.settings import Settings
from bot.sla.policy import ClockRules, build_calendars, load_policy
from bot.sla.teams import load_teams
from bot.sla.watcher import SlaWatcher
from bot.slack.burst import BurstWatch
from bot.slack.desk import SlackDesk
from bot.slack.setup import (
    extend_desk,
    gather_config,
    resolve_agent_groups,
    slack_desk,
)
from bot.startup import use_services_file
from bot.status import StatusDesk
from bot.store.claims import release_all
from bot.store.db import Sessions, open_store, sessions
from bot.store.election import election_for
from bot.store.wakeups import OUTAGES, wakeups_for
from bot.triager import ProcessTriager, Triager, triager_for, worker_kind
from bot.web import create_app
from bot.webhooks.sender import WebhookSender
from bot.webhooks.watcher import WebhookWatcher
from intake.health import Health
from intake.message import Channel
from intake.slack.connector import SlackConnector

log = logging.getLogger(__name__)

__all__ = ["Parts", "build", "build_connectors", "consume", "serve"]


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Parts:
    """Everything the service and the one-shot commands share."""

    engine: AsyncEngine
    sessions: Sessions
    directory: Directory
    dispatcher: Dispatcher
    outbox: OutboxWorker
    triager: Triager
    sla: SlaWatcher
    outages: OutageWatcher
    broadcast: Broadcast
    slack: SlackDesk | None = None
    """The bot's answers to Slack (commands, buttons); None when Slack is not configured."""
    clocks: ClockRules | None = None
    """The service-level policy and its calendars (the console shows a ticket's clocks)."""


async def build(settings: Settings, *, triager: Triager | None = None) -> Parts:
    if triager is None:  # the real classifier: a bad services file stops the start right here
        use_services_file(settings, here=worker_kind(settings.triage_worker) == "thread")
    engine = await open_store(settings.sqlalchemy_url)
    made = sessions(engine)
    directory = load_directory(settings.organisations_file)
    policy = load_policy()
    calendars = build_calendars(policy)
    triager = triager or triager_for(settings.triage_worker, settings.services_file)
    # Where the triage process has a core, it composes the outbox folder's mail too.
    composer = triager if isinstance(triager, ProcessTriager) else None
    outbox = OutboxWorker(
        made,
        {**senders(settings, composer), Channel.WEBHOOK: WebhookSender(settings.webhooks)},
        policy=RetryPolicy(
            base_seconds=settings.outbox_retry_base_seconds,
            max_seconds=settings.outbox_retry_max_seconds,
            max_attempts=settings.outbox_max_attempts,
        ),
        now=now,
        caps=SendCaps(
            per_recipient_per_hour=settings.send_cap_per_recipient_per_hour,
            per_ticket_per_day=settings.send_cap_per_ticket_per_day,
        ),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
    )
    desk = slack_desk(settings, made, policy, calendars, now=now, on_queued=outbox.wake.set)
    broadcast = broadcast_from_settings(settings)

    def is_agent(user: str) -> bool:
        return desk is not None and desk.agents.is_agent(user)

    outages = OutageWatcher(
        made,
        broadcast,
        now,
        lead=timedelta(hours=settings.outage_planned_lead_hours),
        on_queued=outbox.wake.set,
    )
    answering = Answering(StatusDesk(policy, calendars), broadcast, is_agent)
    hooks: list[OpenedHook] = []
    if desk is not None:
        hooks = [desk.cards, BurstWatch(desk.cards, gather_config(settings))]
        extend_desk(
            desk,
            made,
            broadcast,
            answering,
            now=now,
            on_queued=outbox.wake.set,
            on_planned=outages.wake.set,
        )
    dispatcher = Dispatcher(
        made,
        directory=directory,
        domain=settings.message_id_domain,
        triager=triager,
        now=now,
        on_queued=outbox.wake.set,
        attachment_cap=settings.attachment_max_bytes,
        bounce_suppression=timedelta(days=settings.bounce_suppression_days),
        on_opened=hooks,
        is_agent=is_agent,
        answering=answering,
        knowledge=Knowledge(load_kb(), load_catalogue()),
        outage_lead=timedelta(hours=settings.outage_planned_lead_hours),
        lease=timedelta(seconds=settings.dispatch_lease_seconds),
    )
    sla = SlaWatcher(
        made,
        policy=policy,
        calendars=calendars,
        teams=load_teams(),
        now=now,
        mail_domain=settings.message_id_domain,
        on_queued=outbox.wake.set,
    )
    return Parts(
        engine,
        made,
        directory,
        dispatcher,
        outbox,
        triager,
        sla,
        outages,
        broadcast,
        desk,
        ClockRules(policy, calendars),
    )


async def _warm_up(triager: Triager, model: ModelState) -> None:
    try:
        await triager.warm_up()
    except Exception as exc:
        model.failed(exc.__class__.__name__)
        log.exception("the triage model failed to load; tickets will open without a proposal")
    else:
        model.loaded()
        collector.settle()  # what the service keeps is loaded: the collector stops walking it


class _Stop(Exception):
    pass


_STOP_GRACE = 30.0
"""Seconds a stop may take before the tasks still running are logged (a delivery in flight
finishes first, bounded by the SMTP timeout)."""


async def _report_stuck_stop(grace: float) -> None:
    """After `grace` seconds of stopping, log every task still running with where it waits."""
    await asyncio.sleep(grace)
    me = asyncio.current_task()
    for task in asyncio.all_tasks():
        if task is me or task.done():
            continue
        where = io.StringIO()
        task.print_stack(limit=8, file=where)
        log.error(
            "still running %ss after the stop: %s\n%s", grace, task.get_name(), where.getvalue()
        )


async def serve(
    settings: Settings,
    *,
    on_ready: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
    triager: Triager | None = None,
) -> None:
    """Run the service until SIGINT or SIGTERM (or until `stop` is set, for embedding).

    Log records are written by a thread, not on the event loop, while it runs (`bot.logs`);
    when the caller had not arranged that (`bot.logs.configure`), it is undone on the way out.
    """
    own_logging = logs.start()
    try:
        with collector.tuned():
            await _serve(settings, on_ready=on_ready, stop=stop, triager=triager)
    finally:
        if own_logging:
            logs.stop()


async def _serve(
    settings: Settings,
    *,
    on_ready: Callable[[str], None],
    stop: asyncio.Event | None,
    triager: Triager | None,
) -> None:
    parts = await build(settings, triager=triager)
    await fill_reply_targets(parts.sessions)  # tickets opened before migration 0007, once
    if parts.engine.dialect.name == "sqlite":  # the only process: any lease is a dead run's
        await release_all(parts.sessions)
    # Workers sharing a PostgreSQL store elect who reads each mailbox; SQLite's one process
    # always leads.
    election = election_for(settings.sqlalchemy_url)
    connectors = build_connectors(settings, parts.sessions, parts.slack, election)
    slack = next((c for c in connectors if isinstance(c, SlackConnector)), None)

    def health() -> dict[str, Health]:
        return {c.name: c.health() for c in connectors}

    model = ModelState()
    readiness = Readiness(
        parts.sessions,
        model=model,
        connectors=health,
        channels=[Channel.EMAIL] + ([Channel.SLACK] if parts.slack is not None else []),
    )

    closing = asyncio.Event()  # set before the web server stops: long-lived streams end
    routes = [
        *(slack.routes() if slack else []),
        *outage_routes(
            parts.sessions,
            tokens=[t.get_secret_value() for t in settings.outage_api_tokens],
            broadcast=parts.broadcast,
            now=now,
            on_queued=parts.outbox.wake.set,
            on_planned=parts.outages.wake.set,
        ),
        *TicketsApi(
            parts.sessions,
            domain=settings.message_id_domain,
            now=now,
            on_queued=parts.outbox.wake.set,
        ).routes(),
        *console_routes(
            parts.sessions,
            domain=settings.message_id_domain,
            now=now,
            on_queued=parts.outbox.wake.set,
            clocks=parts.clocks,
            closing=closing,
            broadcast=parts.broadcast,
            on_planned=parts.outages.wake.set,
            on_received=parts.dispatcher.wake.set,
            entra=settings.console_oidc,
        ),
    ]
    runner = web.AppRunner(create_app(health, routes, readiness=readiness.checks), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else settings.http_port
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    stopping = stop

    watchdog: list[asyncio.Task[None]] = []

    async def stopper() -> None:
        await stopping.wait()
        # Outside the task group, so the stop does not cancel it: if stopping takes longer
        # than it should, the operator log says what is still running, and where.
        watchdog.append(asyncio.create_task(_report_stuck_stop(_STOP_GRACE)))
        raise _Stop

    on_ready(
        f"Guichet is listening on http://{settings.http_host}:{port}/ (liveness: /healthz, readiness: /readyz)"
    )
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(stopper())
            tasks.create_task(_warm_up(parts.triager, model))
            # Every worker dispatches and delivers (leases keep them apart); each periodic
            # watcher runs in the one worker that leads it (two would race on what they write).
            tasks.create_task(parts.dispatcher.run())
            tasks.create_task(parts.outbox.run())
            tasks.create_task(while_leading(election, "watcher:sla", parts.sla.run))
            tasks.create_task(while_leading(election, "watcher:outages", parts.outages.run))
            # An outage declared through any worker wakes the watcher where it runs.
            tasks.create_task(
                wakeups_for(settings.sqlalchemy_url).run(OUTAGES, parts.outages.wake.set)
            )
            webhooks = WebhookWatcher(
                parts.sessions, settings.webhooks, now=now, on_queued=parts.outbox.wake.set
            )
            tasks.create_task(while_leading(election, "watcher:webhooks", webhooks.run))
            expiry = SelfServiceExpiry(
                parts.sessions, wait=timedelta(hours=settings.selfservice_wait_hours), now=now
            )
            tasks.create_task(while_leading(election, "watcher:selfservice", expiry.run))
            if slack is not None and parts.slack is not None:
                tasks.create_task(resolve_agent_groups(slack, parts.slack, settings.slack_agents))
            for connector in connectors:
                tasks.create_task(
                    consume(
                        connector,
                        parts.sessions,
                        parts.dispatcher.wake.set,
                        max_bytes=settings.max_message_bytes,
                    )
                )
    except* _Stop:
        log.info("stopping")
    finally:
        for connector in connectors:
            await connector.stop()
        closing.set()
        await runner.cleanup()
        await election.close()
        parts.triager.close()
        await parts.engine.dispose()
        for task in watchdog:
            task.cancel()
