"""Outgoing email through Microsoft Graph: the message's MIME, base64, to `sendMail`
(https://learn.microsoft.com/graph/api/user-sendmail, "send mail in MIME format"). 202 is sent;
another 4xx (but 429) is a refusal for good; 429, 5xx and timeouts are tried again later."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import aiohttp

from intake.auth import Tokens
from intake.errors import DeliveryRefused, OperatorError
from intake.graph.client import GraphClient, GraphError
from intake.graph.config import GraphConfig
from intake.mail.compose import compose
from intake.message import OutboundMessage


class GraphSender:
    """A `Sender` (see `intake.ports.Sender`) sending as `config.mailbox`."""

    def __init__(
        self,
        config: GraphConfig,
        tokens: Tokens,
        *,
        sender: str,
        sender_name: str,
        ssl_context: Any = None,
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._sender = sender
        self._sender_name = sender_name
        self._ssl = ssl_context
        self.name = f"graph-send:{config.name}"

    async def send(self, message: OutboundMessage) -> bytes:
        raw = compose(
            message, sender=self._sender, sender_name=self._sender_name, now=datetime.now(UTC)
        )
        connector = aiohttp.TCPConnector(ssl=self._ssl) if self._ssl is not None else None
        try:
            async with aiohttp.ClientSession(connector=connector) as session:
                client = GraphClient(self._config, self._tokens, session, name=self.name)
                status, body = await client.request(
                    "POST",
                    client.url("/sendMail"),
                    base64.b64encode(raw),
                    {"Content-Type": "text/plain"},
                )
        except (aiohttp.ClientError, TimeoutError, GraphError) as exc:
            raise OperatorError(
                f"{self.name}: Microsoft Graph {self._config.base_url} unreachable: "
                f"{exc.__class__.__name__}"
            ) from exc
        if status == 202:
            return raw
        detail = body[:300].decode("utf-8", "replace")
        permanent = 400 <= status < 500 and status != 429
        raise DeliveryRefused(f"Graph sendMail answered {status}: {detail}", permanent=permanent)
