"""The webhook `Sender`: POSTs an outbox row's JSON to the endpoint it names, signed.

Headers: ``X-Guichet-Event`` (``ticket.opened``…), ``X-Guichet-Delivery`` (fixed when the row
is queued, the same on every retry: receivers dedupe on it) and ``X-Guichet-Signature``
(`bot.webhooks.signature`, signed afresh at each try). A 2xx is delivered; 408, 429, a 5xx, a
timeout or a connection error is retried with the outbox's backoff; any other answer (a 4xx, a
redirect, which is never followed) is refused for good and the row kept as dead with the reason.

Logs and errors name the endpoint, never its URL (it may hold a token), its secret or the body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import aiohttp

from bot.settings_webhooks import WebhookEntry
from bot.webhooks.signature import HEADER, sign
from intake.errors import DeliveryRefused, OperatorError
from intake.message import OutboundMessage

USER_AGENT = "Guichet-Webhooks/1"
_RETRIED = frozenset({408, 429})


class WebhookSender:
    def __init__(
        self, endpoints: Sequence[WebhookEntry], *, clock: Callable[[], float] = time.time
    ) -> None:
        self._endpoints = {e.name: e for e in endpoints}
        self._clock = clock

    async def send(self, message: OutboundMessage) -> bytes:
        name = message.to[0] if message.to else ""
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            raise DeliveryRefused(
                f"webhook {name!r} is no longer declared: declare it again, or leave the row",
                permanent=True,
            )
        data = message.text.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Guichet-Event": message.subject,
            "X-Guichet-Delivery": message.message_id,
            HEADER: sign(endpoint.secret.get_secret_value(), int(self._clock()), data),
        }
        timeout = aiohttp.ClientTimeout(total=endpoint.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(endpoint.url, data=data, headers=headers, allow_redirects=False) as got,
            ):
                status = got.status
        except TimeoutError:
            raise OperatorError(
                f"webhook {name!r}: no answer within {endpoint.timeout_seconds:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            # The exception's text may quote the URL: only its kind is kept.
            raise OperatorError(f"webhook {name!r}: {type(exc).__name__}") from None
        if 200 <= status < 300:
            return data
        if status in _RETRIED or status >= 500:
            raise DeliveryRefused(f"webhook {name!r}: HTTP {status}", permanent=False)
        fix = (
            "redirects are not followed: declare the final URL"
            if 300 <= status < 400
            else "the endpoint refused it; not retried"
        )
        raise DeliveryRefused(f"webhook {name!r}: HTTP {status} ({fix})", permanent=True)
