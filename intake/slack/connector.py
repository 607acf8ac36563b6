"""Slack as a connector: Events API over HTTP (mounted in our aiohttp app) or Socket Mode.

One Bolt `AsyncApp` handles both transports (one `AsyncBoltRequest` type). It runs with
`process_before_response=True` so that *we* choose when Slack gets its answer:
- a message event is turned into an envelope, put on the queue, and the listener waits (up to
  `commit_wait_seconds`, ~2 s) for the bot's `confirm()` — the raw bytes are committed — before
  Bolt acknowledges. If the commit is late we acknowledge anyway (Slack's limit is 3 s); should
  Slack retry, the retry is recognised by event_id / message_id here, and by the store after a
  restart, so it never makes a second ticket;
- a slash command is answered in the acknowledgement when the bot replies within
  `command_wait_seconds`, otherwise with a holding answer and later through `response_url`;
- a button click is acknowledged at once and handed to the bot in the background.
We verify Slack's signature before Bolt and refuse requests older than 5 minutes (401); a
signed request that is not Slack-shaped is refused (400), one over 1 MiB too (413).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from intake.errors import OperatorError
from intake.health import Health, State
from intake.lifecycle import Lifecycle
from intake.message import Channel, InboundMessage
from intake.slack.envelope import SlackEnvelope, message_id_for
from intake.slack.events import Candidate, candidate, message_scope, reaction_target
from intake.slack.history import fetch_message
from intake.slack.interactive import Interactive
from intake.slack.ports import SlackCommands
from intake.slack.requests import MAX_BYTES, read_capped, shape_problem, signature_problem
from intake.slack.users import UserDirectory

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
_SEEN_LIMIT = 20_000
_MAX_BACKOFF = 60.0

ThreadCheck = Callable[[str], Awaitable[bool]]
"""Is the thread whose root is this message (`slack:<team>:<channel>:<thread_ts>`) a ticket's
conversation? The bot answers from its store (an inbound message with that Message-ID, or a
Slack post of ours with that ts)."""


@dataclass(frozen=True, slots=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    api_url: str = DEFAULT_API_URL
    app_token: str = ""
    """An app-level token (`xapp-…`) turns Socket Mode on; HTTP still works alongside."""
    support_channels: frozenset[str] = field(default_factory=frozenset)
    reaction: str = "ticket"
    path: str = "/slack/events"
    commit_wait_seconds: float = 2.0
    ack_budget_seconds: float = 2.5
    """Slack wants an answer within 3 s: lookups plus the wait for the commit stay under this."""
    command_wait_seconds: float = 2.0


class SlackConnector(Lifecycle):
    """A `Connector` (see `intake.ports.Connector`) for one Slack workspace."""

    def __init__(
        self,
        config: SlackConfig,
        commands: SlackCommands | None = None,
        *,
        is_ticket_thread: ThreadCheck | None = None,
    ) -> None:
        if not config.signing_secret and not config.app_token:
            # Without the secret, anyone could forge Slack's requests: refuse to start.
            raise OperatorError("Slack needs a signing secret (HTTP) or an app token (Socket Mode)")
        self.config = config
        self.name = "slack"
        self.client = AsyncWebClient(token=config.bot_token, base_url=_api_url(config.api_url))
        self.users = UserDirectory(self.client)
        self.bot_user_id = ""
        self.team = ""
        self._thread_check = is_ticket_thread
        self._queue: asyncio.Queue[InboundMessage | None] = asyncio.Queue()
        self._pending: dict[str, asyncio.Future[bool]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._threads: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._socket: Any = None
        self._running = False
        self._health = Health(State.STOPPED, datetime.now(UTC))
        self.app = AsyncApp(
            signing_secret=config.signing_secret,
            client=self.client,
            process_before_response=True,
            logger=logging.getLogger("intake.slack.bolt"),
            # verified in `handle`, before the body is parsed or logged
            request_verification_enabled=False,
        )
        self._interactive = Interactive(
            self.users, commands, spawn=self._spawn, wait=config.command_wait_seconds
        )
        self.app.event("message")(self._on_message)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("reaction_added")(self._on_reaction)
        self.app.command(re.compile(r".*"))(self._interactive.on_command)
        self.app.action(re.compile(r".*"))(self._interactive.on_action)

    # -- HTTP --------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler for POST /slack/events (events, interactivity and commands).

        Size, signature and shape are checked here, before Bolt (whose own verification is
        off: it logged the whole body of every refused request, and answered 500 to a
        non-numeric timestamp). See `intake.slack.requests`.
        """
        raw = await read_capped(request)
        if raw is None:
            log.info("slack: refused a request larger than %d bytes", MAX_BYTES)
            return _refusal(413, f"request body larger than {MAX_BYTES} bytes")
        problem = signature_problem(
            raw,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            self.config.signing_secret,
            time.time(),
        )
        if problem is not None:
            if _is_ssl_check(raw):
                return web.Response(status=200)  # nothing is done for it: no need to be signed
            log.info("slack: refused a request of %d bytes (%s)", len(raw), problem)
            return _refusal(401, "invalid request")
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers={k: request.headers.getall(k) for k in request.headers},
            )
            problem = shape_problem(bolt_request.body)
        except (ValueError, TypeError, AttributeError, LookupError, RecursionError) as exc:
            problem = f"unreadable body ({exc.__class__.__name__})"
        if problem is not None:
            log.warning("slack: refused a signed request of %d bytes: %s", len(raw), problem)
            return _refusal(400, f"malformed request: {problem}")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    def routes(self) -> list[web.RouteDef]:
        """POST `config.path`; none when there is no signing secret (Socket Mode only)."""
        if not self.config.signing_secret:
            return []
        return [web.post(self.config.path, self.handle)]

    # -- the connector -----------------------------------------------------------------------

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._queue = asyncio.Queue()
        self._health = Health(State.STARTING, datetime.now(UTC))
        await self._identify()
        if self.config.app_token:
            await self._start_socket_mode()
        if self._health.state == State.STARTING:
            mode = "socket mode" if self._socket is not None else "http"
            self._health = Health(State.RUNNING, datetime.now(UTC), mode)

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        if self._socket is not None:
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self._socket.close_async()
            self._socket = None
        for task in list(self._tasks):
            task.cancel()
        for future in self._pending.values():
            if not future.done():
                future.set_result(False)
        self._pending.clear()
        self._queue.put_nowait(None)
        self._health = Health(State.STOPPED, datetime.now(UTC))

    async def __aiter__(self) -> AsyncIterator[InboundMessage]:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            yield message

    async def confirm(self, message: InboundMessage) -> None:
        self._settle(message.ref, True)

    async def reject(self, message: InboundMessage, reason: str) -> None:
        log.info("slack message %s rejected (%s)", message.ref, reason)
        self._settle(message.ref, False)

    def health(self) -> Health:
        return self._health

    async def usergroup_members(self, group_id: str) -> tuple[str, ...]:
        """Members of a Slack user group (for `AgentDirectory.with_group`)."""
        response = await self.client.usergroups_users_list(usergroup=group_id)
        return tuple(str(u) for u in response.get("users") or ())

    # -- listeners ---------------------------------------------------------------------------

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        started = asyncio.get_running_loop().time()
        found = candidate("message", event, self.bot_user_id)
        if found is None:
            return
        scope = message_scope(found, self.config.support_channels)
        if scope == "thread" and not await self._is_ticket_thread(_team(body), found):
            return
        if scope:
            await self._deliver(found, body, started)

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        started = asyncio.get_running_loop().time()
        found = candidate("mention", event, self.bot_user_id)
        if found is not None:
            await self._deliver(found, body, started)

    async def _on_reaction(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        started = asyncio.get_running_loop().time()
        target = reaction_target(event, self.config.reaction, self.bot_user_id)
        if target is None:
            return
        channel, ts, reactor = target
        if self._is_seen(message_id_for(_team(body), channel, ts)):
            return  # that message is already a ticket
        original = await fetch_message(self.client, channel, ts)
        if original is None:
            log.warning("slack: reacted message %s in %s cannot be read", ts, channel)
            return
        found = candidate("reaction", {**original, "channel": channel}, self.bot_user_id)
        if found is not None:
            await self._deliver(found, body, started, reacted_by=reactor)

    # -- delivery ----------------------------------------------------------------------------

    async def _deliver(
        self, found: Candidate, body: Mapping[str, Any], started: float, reacted_by: str = ""
    ) -> None:
        team = _team(body) or self.team
        event_id = str(body.get("event_id") or "")
        message_id = message_id_for(team, found.channel, found.ts)
        if self._is_seen(event_id) or self._is_seen(message_id):
            log.debug("slack: %s (event %s) already handed over", message_id, event_id)
            return
        self._remember(self._seen, event_id, message_id)
        person = await self.users.lookup(found.user)
        envelope = SlackEnvelope(
            kind=found.kind,
            message_id=message_id,
            event_id=event_id,
            team=team,
            channel=found.channel,
            channel_type=found.channel_type,
            user=found.user,
            text=found.text,
            ts=found.ts,
            thread_ts=found.thread_ts,
            user_email=person.email,
            user_name=person.name,
            user_locale=person.locale,
            reacted_by=reacted_by,
            files=found.files,
        )
        if not found.thread_ts or found.thread_ts == found.ts:
            self._remember(self._threads, (found.channel, found.ts))
        message = InboundMessage(
            channel=Channel.SLACK,
            raw=envelope.to_bytes(),
            received_at=datetime.now(UTC),
            source=self.name,
            ref=message_id,
        )
        committed: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = committed
        self._queue.put_nowait(message)
        elapsed = asyncio.get_running_loop().time() - started
        wait = max(
            0.05, min(self.config.commit_wait_seconds, self.config.ack_budget_seconds - elapsed)
        )
        try:
            await asyncio.wait_for(asyncio.shield(committed), wait)
        except TimeoutError:
            # Slack's limit is 3 s: answer now. The message stays queued (the consumer retries
            # the store); a retry of this event is recognised here and in the store.
            log.warning(
                "slack: %s not committed within %.1fs; acknowledged anyway", message_id, wait
            )

    def _settle(self, ref: str, ok: bool) -> None:
        future = self._pending.pop(ref, None)
        if future is not None and not future.done():
            future.set_result(ok)

    def _is_seen(self, key: str) -> bool:
        return bool(key) and key in self._seen

    @staticmethod
    def _remember(store: OrderedDict[Any, None], *keys: Any) -> None:
        for key in keys:
            if key:
                store[key] = None
                store.move_to_end(key)
        while len(store) > _SEEN_LIMIT:
            store.popitem(last=False)

    async def _is_ticket_thread(self, team: str, found: Candidate) -> bool:
        """A reply outside DMs and support channels counts only in a ticket's thread."""
        if (found.channel, found.thread_ts) in self._threads:
            return True  # we handed its root over ourselves
        if self._thread_check is None:
            return False
        root = message_id_for(team or self.team, found.channel, found.thread_ts)
        try:
            return await self._thread_check(root)
        except Exception:
            log.exception("slack: cannot tell whether %s is a ticket's thread", root)
            return False

    # -- start-up ----------------------------------------------------------------------------

    async def _identify(self) -> None:
        """auth.test: our own user ID (to ignore our messages) and team. Retried in background."""
        try:
            auth = await self.client.auth_test()
        except Exception as exc:
            detail = f"auth.test failed: {exc.__class__.__name__}"
            self._health = Health(State.RETRYING, datetime.now(UTC), detail)
            log.error("slack: %s; retrying", detail)
            self._spawn(self._identify_later())
            return
        self.bot_user_id = str(auth.get("user_id") or "")
        self.team = str(auth.get("team_id") or "")

    async def _identify_later(self) -> None:
        delay = 1.0
        while self._running and not self.bot_user_id:
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_BACKOFF)
            with contextlib.suppress(Exception):
                auth = await self.client.auth_test()
                self.bot_user_id = str(auth.get("user_id") or "")
                self.team = str(auth.get("team_id") or "")
        if self._running:
            self._health = Health(State.RUNNING, datetime.now(UTC))

    async def _start_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        self._socket = AsyncSocketModeHandler(
            self.app, app_token=self.config.app_token, web_client=self.client
        )
        try:
            await self._socket.connect_async()
        except Exception as exc:
            # The SDK's client reconnects by itself once it has connected; a failure to open
            # the first connection is reported and retried here.
            detail = f"socket mode: {exc.__class__.__name__}"
            self._health = Health(State.RETRYING, datetime.now(UTC), detail)
            log.error("slack: %s; retrying", detail)
            self._spawn(self._socket_later())

    async def _socket_later(self) -> None:
        delay = 1.0
        while self._running and self._socket is not None:
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_BACKOFF)
            try:
                await self._socket.connect_async()
            except Exception as exc:
                log.warning("slack: socket mode still down (%s)", exc.__class__.__name__)
                continue
            self._health = Health(State.RUNNING, datetime.now(UTC), "socket mode")
            return

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _refusal(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _is_ssl_check(raw: bytes) -> bool:
    """Slack's SSL check of a slash command's URL (`ssl_check=1&token=…`): answered with an
    empty 200 and nothing else, as Bolt does."""
    if len(raw) > 2048:
        return False
    form = urllib.parse.parse_qs(raw.decode("ascii", "replace"))
    return form.get("ssl_check") == ["1"]


def _team(body: Mapping[str, Any]) -> str:
    return str(body.get("team_id") or "")


def _api_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
