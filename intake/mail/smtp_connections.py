"""Connections to one SMTP server, kept open between messages.

A storm's acknowledgements go over a few connections instead of paying a TCP handshake (and TLS,
and AUTH) for each message: the connection that finished a transaction is handed to the next
message. One that failed in any way is closed, never reused; one idle past `idle_seconds` (well
inside a server's own idle timeout, RFC 5321 §4.5.3.2.7's five minutes) is closed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import aiosmtplib


class SmtpServerConfig(Protocol):
    """What `SmtpConnections` needs of `intake.mail.send.SmtpConfig`."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def tls(self) -> str: ...
    @property
    def timeout(self) -> float: ...


class SmtpConnections:
    def __init__(
        self,
        config: SmtpServerConfig,
        *,
        context: ssl.SSLContext | None = None,
        size: int = 4,
        idle_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """At most `size` connections at once; `context`: TLS settings (None: the default)."""
        self._config = config
        self._context = context
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._idle_seconds = idle_seconds
        self._clock = clock
        self.opened = 0
        """Connections opened so far (for the operator's figures and the tests)."""

    async def sendmail(
        self, sender: str, recipients: Sequence[str], raw: bytes
    ) -> dict[str, aiosmtplib.SMTPResponse]:
        """One transaction; the recipients the server refused while accepting the others.
        Raises what `aiosmtplib` raises."""
        async with self._slots:
            client = await self._take()
            try:
                errors, _ = await client.sendmail(
                    sender, list(recipients), raw, timeout=self._config.timeout
                )
            except BaseException:
                client.close()  # its state is unknown: never reused
                raise
            self._idle.append((client, self._clock()))
            return errors

    async def _take(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and self._clock() - since < self._idle_seconds:
                return client
            await _quit(client)
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=config.password or None,
            use_tls=config.tls == "implicit",
            start_tls=config.tls == "starttls",
            tls_context=self._context,
            timeout=config.timeout,
        )
        await client.connect()
        self.opened += 1
        return client

    async def close(self) -> None:
        """Say QUIT on every idle connection (a stopping service)."""
        idle, self._idle = self._idle, []
        for client, _since in idle:
            await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
        if client.is_connected:
            await client.quit(timeout=2)
    client.close()
