"""Requests to Microsoft Graph as one mailbox's application: a bearer token (a new one once
when Graph answers 401), bounded time and size, and `Retry-After` honoured on 429 and 503
(https://learn.microsoft.com/graph/throttling)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from intake.auth import OAuth2Refused, Tokens
from intake.graph.config import GraphConfig

log = logging.getLogger(__name__)

_THROTTLED = frozenset({429, 503})
_MAX_WAITS = 5


class GraphError(Exception):
    """Graph answered with an error (`{"error": {"code": …, "message": …}}`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"Graph answered {status} {code}: {message[:200]}")
        self.status = status
        self.code = code


class GraphClient:
    def __init__(
        self, config: GraphConfig, tokens: Tokens, session: aiohttp.ClientSession, *, name: str
    ) -> None:
        self.config = config
        self._tokens = tokens
        self._session = session
        self.name = name

    def url(self, path: str) -> str:
        """`path` under `/v1.0/users/{mailbox}`."""
        return f"{self.config.base_url.rstrip('/')}/v1.0/users/{self.config.mailbox}{path}"

    async def json(self, method: str, url: str, body: Any = None, **headers: str) -> Any:
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        status, raw = await self.request(method, url, data, headers)
        if status >= 300:
            raise _error(status, raw)
        return json.loads(raw) if raw else None

    async def request(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """The status and body of one request; 401 retried once with a new token, 429/503 after
        their `Retry-After`. Raises `OAuth2Refused` when two tokens in a row are refused."""
        refreshed = False
        waits = 0
        while True:
            token = await self._tokens.token()
            sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
            timeout = aiohttp.ClientTimeout(total=self.config.timeout)
            async with self._session.request(
                method, url, data=data, headers=sent, timeout=timeout
            ) as response:
                body = await _bounded(response, self.config.max_bytes)
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
            if status == 401:
                self._tokens.refused(token)
                if refreshed:
                    raise OAuth2Refused(
                        f"{self.name}: Microsoft Graph refused the OAuth2 token for "
                        f"{self.config.mailbox} twice (a new token did not help): check that the "
                        "application has the Mail.ReadWrite and Mail.Send application "
                        "permissions with admin consent, and that its application access policy "
                        "includes this mailbox"
                    )
                refreshed = True
                continue
            if status in _THROTTLED and waits < _MAX_WAITS:
                waits += 1
                delay = min(_seconds(retry_after), self.config.max_retry_after)
                log.warning("%s: Graph answered %d; retrying in %.0fs", self.name, status, delay)
                await asyncio.sleep(delay)
                continue
            return status, body


async def _bounded(response: aiohttp.ClientResponse, limit: int) -> bytes:
    body = bytearray()
    async for chunk in response.content.iter_chunked(65536):
        body += chunk
        if len(body) > limit:
            raise GraphError(response.status, "TooLarge", f"answer larger than {limit} bytes")
    return bytes(body)


def _seconds(value: str) -> float:
    try:
        return max(0.0, float(value))
    except ValueError:
        return 10.0  # absent or a date: Graph sends seconds; wait a little all the same


def _error(status: int, raw: bytes) -> GraphError:
    try:
        error = json.loads(raw).get("error", {})
        return GraphError(status, str(error.get("code", "")), str(error.get("message", "")))
    except (ValueError, AttributeError):
        return GraphError(status, "", raw[:200].decode("utf-8", "replace"))
