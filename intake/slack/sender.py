"""Posting to Slack: `chat.postMessage`, or `chat.update` when the message replaces a card.

Slack allows about one message per second per channel (short bursts are tolerated, sustained
excess gets HTTP 429 with Retry-After). A per-channel token bucket spaces our posts; a 429 whose
Retry-After is short (≤ `max_wait_seconds`) is waited out here, a longer one raises
`SlackRateLimited` (a non-permanent `DeliveryRefused`) so the outbox row is retried later and
nothing is lost; the delay is on the exception for a worker that wants to honour it exactly.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from intake.errors import DeliveryRefused, OperatorError
from intake.message import Channel, OutboundMessage

log = logging.getLogger(__name__)

# Errors that the same message will meet again (https://api.slack.com/methods/chat.postMessage).
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "too_many_attachments",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "restricted_action",
        "user_not_found",
        "cannot_dm_bot",
    }
)


class SlackRateLimited(DeliveryRefused):
    """Slack answered 429; retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, permanent=False)
        self.retry_after = retry_after


class ChannelPacer:
    """A token bucket per channel: `burst` posts at once, then one every `interval` seconds.

    Slack tolerates short bursts above one message per second per channel; the burst keeps a
    handful of cards for one triage channel from holding up the (sequential) outbox worker.
    Other channels are never held up. After a 429 the channel is closed for Retry-After.
    """

    def __init__(self, interval: float, *, burst: int = 3) -> None:
        self._interval = interval
        self._burst = max(1, burst)
        self._locks: dict[str, asyncio.Lock] = {}
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._closed_until: dict[str, float] = {}

    async def wait(self, channel: str) -> asyncio.Lock:
        """Return the channel's lock, held, once the channel may be posted to."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        await lock.acquire()
        try:
            loop = asyncio.get_running_loop()
            closed = self._closed_until.get(channel, 0.0) - loop.time()
            if closed > 0:
                await asyncio.sleep(closed)
            tokens = self._refill(channel, loop.time())
            if tokens < 1 and self._interval > 0:
                await asyncio.sleep((1 - tokens) * self._interval)
                tokens = self._refill(channel, loop.time())
            self._tokens[channel] = max(0.0, tokens - 1)
        except BaseException:
            lock.release()
            raise
        return lock

    def closed_for(self, channel: str) -> float:
        """Seconds left before the channel reopens after a 429 (0 when open)."""
        left = self._closed_until.get(channel, 0.0) - asyncio.get_running_loop().time()
        return max(0.0, left)

    def _refill(self, channel: str, now: float) -> float:
        if self._interval <= 0:
            return float(self._burst)
        last = self._stamp.get(channel, now)
        tokens = self._tokens.get(channel, float(self._burst))
        tokens = min(float(self._burst), tokens + (now - last) / self._interval)
        self._tokens[channel], self._stamp[channel] = tokens, now
        return tokens

    def done(self, channel: str, lock: asyncio.Lock, *, pause: float = 0.0) -> None:
        if pause > 0:
            self._closed_until[channel] = asyncio.get_running_loop().time() + pause
            self._tokens[channel] = 0.0
        lock.release()


class SlackSender:
    """The `Sender` (see `intake.ports.Sender`) for `Channel.SLACK`.

    Returns the Web API's JSON answer as bytes: it holds the `ts` of the posted message, which the
    bot keeps to update a card later (`OutboundMessage.replaces`).
    """

    def __init__(
        self,
        bot_token: str,
        *,
        api_url: str = "https://slack.com/api/",
        interval_seconds: float = 1.0,
        burst: int = 3,
        max_wait_seconds: float = 5.0,
        timeout: float = 10.0,
    ) -> None:
        base = api_url if api_url.endswith("/") else api_url + "/"
        self.client = AsyncWebClient(token=bot_token, base_url=base, timeout=int(timeout))
        self._pacer = ChannelPacer(interval_seconds, burst=burst)
        self._max_wait = max_wait_seconds

    async def send(self, message: OutboundMessage) -> bytes:
        if message.channel != Channel.SLACK or len(message.to) != 1:
            raise DeliveryRefused("a Slack message goes to exactly one channel", permanent=True)
        channel = message.to[0]
        arguments = self._arguments(message)
        closed = self._pacer.closed_for(channel)
        if closed > self._max_wait:
            # Still inside Slack's Retry-After: do not knock, and do not hold the outbox up.
            raise SlackRateLimited(f"Slack rate limit on {channel}", retry_after=closed)
        lock = await self._pacer.wait(channel)
        pause = 0.0
        try:
            try:
                return await self._call(message, arguments)
            except SlackRateLimited as exc:
                if exc.retry_after > self._max_wait:
                    pause = exc.retry_after
                    raise
                # Short: wait it out holding the channel, so the order of posts is kept.
                log.info("slack: 429 on %s, waiting %.1fs", channel, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            try:
                return await self._call(message, arguments)
            except SlackRateLimited as exc:
                pause = exc.retry_after
                raise
        finally:
            self._pacer.done(channel, lock, pause=pause)

    @staticmethod
    def _arguments(message: OutboundMessage) -> dict[str, Any]:
        arguments: dict[str, Any] = {"channel": message.to[0], "text": message.text}
        if message.blocks:
            try:
                arguments["blocks"] = json.loads(message.blocks)
            except json.JSONDecodeError:
                raise DeliveryRefused("blocks are not JSON", permanent=True) from None
        if message.replaces:
            arguments["ts"] = message.replaces
        elif message.thread:
            arguments["thread_ts"] = message.thread
        return arguments

    async def _call(self, message: OutboundMessage, arguments: dict[str, Any]) -> bytes:
        try:
            if message.replaces:
                response = await self.client.chat_update(**arguments)
            else:
                response = await self.client.chat_postMessage(**arguments)
        except SlackApiError as exc:
            raise _refusal(exc) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise OperatorError(f"Slack unreachable: {exc.__class__.__name__}") from None
        return json.dumps(response.data, sort_keys=True, separators=(",", ":")).encode()


def _refusal(exc: SlackApiError) -> DeliveryRefused | OperatorError:
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"HTTP {status}")
    if status == 429:
        try:
            retry_after = float(exc.response.headers.get("Retry-After", "1"))
        except ValueError:
            retry_after = 1.0
        return SlackRateLimited(f"Slack rate limit: {error}", retry_after=retry_after)
    if error in PERMANENT:
        return DeliveryRefused(f"Slack refused: {error}", permanent=True)
    if error in {"invalid_auth", "not_authed", "token_revoked", "account_inactive"}:
        return OperatorError(f"Slack token refused: {error}")
    return DeliveryRefused(f"Slack refused: {error}", permanent=False)
