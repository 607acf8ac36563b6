"""One mailbox over Microsoft Graph as a connector (see `intake.ports.Connector`).

Each round follows the folder's delta query page by page (`@odata.nextLink`), fetches each new
message's MIME (`$value`), hands it over, waits until the bot has committed it (`confirm`), then
moves it to the processed folder; at the end of a round the `@odata.deltaLink` is kept as the
checkpoint, so a restart reads only what came since. A crash before the move only means the
message is read again, and the store's dedupe drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from intake.auth import OAuth2Refused, Tokens
from intake.graph.client import GraphClient, GraphError
from intake.graph.config import DeltaLinks, GraphConfig
from intake.health import Health, State
from intake.lifecycle import Lifecycle
from intake.message import Channel, InboundMessage

log = logging.getLogger(__name__)

_MAX_BACKOFF = 60.0
REJECTED_CATEGORY = "Guichet: rejected"
"""The Outlook category of a message the bot could not store (too large): it stays in place."""


class GraphReader(Lifecycle):
    def __init__(
        self,
        config: GraphConfig,
        links: DeltaLinks,
        tokens: Tokens,
        *,
        ssl_context: Any = None,
    ) -> None:
        self.config = config
        self.name = f"graph:{config.name}"
        self._links = links
        self._tokens = tokens
        self._ssl = ssl_context
        self._queue: asyncio.Queue[InboundMessage | None] = asyncio.Queue(maxsize=config.chunk)
        self._confirmed: asyncio.Queue[tuple[str, bool]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._health = Health(State.STOPPED, datetime.now(UTC))
        self._backoff = 1.0

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._health = Health(State.STARTING, datetime.now(UTC))
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._health = Health(State.STOPPED, datetime.now(UTC))

    async def __aiter__(self) -> AsyncIterator[InboundMessage]:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            yield message

    async def confirm(self, message: InboundMessage) -> None:
        self._confirmed.put_nowait((message.ref, True))

    async def reject(self, message: InboundMessage, reason: str) -> None:
        log.info("%s: message %s rejected (%s); left in place", self.name, message.ref, reason)
        self._confirmed.put_nowait((message.ref, False))

    def health(self) -> Health:
        return self._health

    # -- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            connector = aiohttp.TCPConnector(ssl=self._ssl) if self._ssl is not None else None
            async with aiohttp.ClientSession(connector=connector) as session:
                client = GraphClient(self.config, self._tokens, session, name=self.name)
                while True:
                    try:
                        await self._session(client)
                    except OAuth2Refused as exc:  # the operator's to fix; retried meanwhile
                        self._health = Health(State.AUTH_FAILED, datetime.now(UTC), str(exc)[:500])
                        log.error("%s; retrying in %.0fs", exc, self._backoff)
                    except GraphError as exc:
                        self._graph_failed(exc)
                    except Exception as exc:  # Graph, the network, an answer out of shape: retry
                        detail = f"{exc.__class__.__name__}: {exc}"[:300]
                        self._health = Health(State.RETRYING, datetime.now(UTC), detail)
                        log.warning("%s: %s; again in %.0fs", self.name, detail, self._backoff)
                    await asyncio.sleep(self._backoff)
                    self._backoff = min(self._backoff * 2, _MAX_BACKOFF)
        finally:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)

    def _graph_failed(self, exc: GraphError) -> None:
        """403: the application may not use this mailbox (the operator's to fix); else retry."""
        if exc.status == 403:
            detail = (
                f"{self.name}: Microsoft Graph denied access to {self.config.mailbox} ({exc}): "
                "check that the application has the Mail.ReadWrite and Mail.Send application "
                "permissions with admin consent and that its application access policy "
                "includes this mailbox"
            )
            self._health = Health(State.AUTH_FAILED, datetime.now(UTC), detail[:500])
            log.error("%s; retrying in %.0fs", detail, self._backoff)
        else:
            detail = f"GraphError: {exc}"[:300]
            self._health = Health(State.RETRYING, datetime.now(UTC), detail)
            log.warning("%s: %s; again in %.0fs", self.name, detail, self._backoff)

    async def _session(self, client: GraphClient) -> None:
        target = await self._processed_folder(client)
        link = await self._links.load(self.config.name) or client.url(
            f"/mailFolders/{quote(self.config.folder, safe='')}/messages/delta?$select=id"
        )
        self._health = Health(State.RUNNING, datetime.now(UTC), "delta query")
        while True:
            link = await self._round(client, link, target)
            self._backoff = 1.0  # a whole round went through
            await asyncio.sleep(self.config.poll_seconds)

    async def _round(self, client: GraphClient, link: str, target: str) -> str:
        """Read every page from `link`; return (and keep) the new delta link."""
        url = link
        while True:
            page = await client.json("GET", url, Prefer=f"odata.maxpagesize={self.config.chunk}")
            handed: set[str] = set()
            for item in page.get("value", []):
                if "@removed" in item:  # moved away or deleted (our own moves, mostly)
                    continue
                ref = str(item["id"])
                status, raw = await client.request("GET", client.url(f"/messages/{ref}/$value"))
                if status == 404:
                    continue  # gone since the page was read
                if status >= 300:
                    raise GraphError(status, "", f"cannot read message {ref}")
                inbound = InboundMessage(
                    channel=Channel.EMAIL,
                    raw=raw,
                    received_at=datetime.now(UTC),
                    source=self.name,
                    ref=ref,
                )
                await self._queue.put(inbound)
                handed.add(ref)
            done, rejected = await self._committed(handed)
            for ref in done:
                await client.json(
                    "POST", client.url(f"/messages/{ref}/move"), {"destinationId": target}
                )
            for ref in rejected:  # left in place, marked for the operator
                await client.json(
                    "PATCH", client.url(f"/messages/{ref}"), {"categories": [REJECTED_CATEGORY]}
                )
            following = page.get("@odata.nextLink")
            if following:
                url = str(following)
                continue
            delta = str(page["@odata.deltaLink"])
            await self._links.save(self.config.name, delta)
            return delta

    async def _committed(self, handed: set[str]) -> tuple[list[str], list[str]]:
        done: list[str] = []
        rejected: list[str] = []
        waiting = set(handed)
        while waiting:
            ref, ok = await self._confirmed.get()
            if ref in waiting:
                waiting.discard(ref)
                (done if ok else rejected).append(ref)
        return done, rejected

    async def _processed_folder(self, client: GraphClient) -> str:
        """The ID of the processed folder, created (with its parents) when missing."""
        parent = ""
        for part in self.config.processed:
            base = "/mailFolders" if not parent else f"/mailFolders/{parent}/childFolders"
            found = ""
            url: str | None = client.url(base + "?$top=100")
            while url and not found:
                page = await client.json("GET", url)
                found = next(
                    (str(f["id"]) for f in page.get("value", []) if f.get("displayName") == part),
                    "",
                )
                url = page.get("@odata.nextLink")
            if not found:
                created = await client.json("POST", client.url(base), {"displayName": part})
                found = str(created["id"])
            parent = found
        return parent
