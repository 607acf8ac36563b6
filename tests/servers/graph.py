"""A fake of the Microsoft Graph mail endpoints Guichet uses, on loopback (plain HTTP; the
client's base URL is a setting), in the shapes Microsoft documents:

- `GET /v1.0/users/{id}/mailFolders/{folder}/messages/delta`: pages of `{"value": [...],
  "@odata.nextLink": …}`, the last with `@odata.deltaLink`; following a delta link gives what
  changed since (new messages, `"@removed": {"reason": "deleted"}` for those gone);
  `Prefer: odata.maxpagesize=N` sets the page size;
- `GET /v1.0/users/{id}/messages/{id}/$value`: the MIME;
- `POST /v1.0/users/{id}/messages/{id}/move` `{"destinationId": …}`: 201 with the moved message
  (a new ID, as Exchange gives it);
- `PATCH /v1.0/users/{id}/messages/{id}` `{"categories": [...]}`;
- `GET`/`POST /v1.0/users/{id}/mailFolders` and `…/mailFolders/{id}/childFolders`;
- `POST /v1.0/users/{id}/sendMail` with the base64 MIME as `text/plain`: 202, recorded.

Bearer tokens are checked against the fake identity platform: an unknown, expired or revoked
token is a 401 `InvalidAuthenticationToken`; a token of an application not allowed this mailbox
(the application access policy) a 403 `ErrorAccessDenied`. `throttle(n, seconds)` answers the
next n requests 429 with `Retry-After`. Runs on its own thread and event loop.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.servers.identity import FakeIdentity
from tests.servers.smtp import free_port

_WELL_KNOWN = ("inbox", "sentitems", "deleteditems", "drafts")


@dataclass
class Folder:
    id: str
    name: str
    parent: str


@dataclass
class FakeGraph:
    identity: FakeIdentity
    mailbox: str
    port: int = 0
    folders: dict[str, Folder] = field(default_factory=dict)
    messages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Message ID → (folder ID, MIME)."""
    categories: dict[str, list[str]] = field(default_factory=dict)
    """Message ID → the categories set on it (PATCH)."""
    sent: list[bytes] = field(default_factory=list)
    """The MIME of every message accepted by sendMail."""
    throttled: list[float] = field(default_factory=list)
    """When each 429 was answered (time.monotonic())."""
    requests: list[str] = field(default_factory=list)
    """"METHOD path" of every authorised request."""
    times: list[float] = field(default_factory=list)
    """When each request came (time.monotonic()), throttled or not."""
    _log: list[tuple[int, str, str, bool]] = field(default_factory=list)
    """(sequence, folder ID, message ID, added) of every change, for delta queries."""
    _rounds: dict[str, tuple[list[dict[str, Any]], int, int]] = field(default_factory=dict)
    _throttle: list[float] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what tests call ----------------------------------------------------------------------

    def deliver(self, mime: bytes) -> str:
        """A new message in the inbox; its ID."""
        with self._lock:
            return self._add("inbox", mime)

    def in_folder(self, path: str) -> list[bytes]:
        """The MIME of the messages in a folder given as a well-known name or "A/B" names."""
        with self._lock:
            folder = self._by_path(path)
            return [m for f, m in self.messages.values() if folder is not None and f == folder]

    def throttle(self, count: int, seconds: float) -> None:
        with self._lock:
            self._throttle.extend([seconds] * count)

    # -- the mailbox --------------------------------------------------------------------------

    def _add(self, folder: str, mime: bytes) -> str:
        ident = "AAMk" + secrets.token_urlsafe(18)
        self.messages[ident] = (folder, mime)
        self._log.append((next(self._seq), folder, ident, True))
        return ident

    def _by_path(self, path: str) -> str | None:
        if path.lower() in _WELL_KNOWN:
            return path.lower()
        parent = "root"
        for part in path.split("/"):
            found = [f.id for f in self.folders.values() if f.parent == parent and f.name == part]
            if not found:
                return None
            parent = found[0]
        return parent

    def _folder(self, ident: str) -> str | None:
        ident = ident.lower() if ident.lower() in _WELL_KNOWN else ident
        return ident if ident in _WELL_KNOWN or ident in self.folders else None

    def _shape(self, folder: Folder) -> dict[str, Any]:
        count = sum(1 for f, _ in self.messages.values() if f == folder.id)
        return {
            "id": folder.id,
            "displayName": folder.name,
            "parentFolderId": folder.parent,
            "childFolderCount": sum(1 for f in self.folders.values() if f.parent == folder.id),
            "unreadItemCount": count,
            "totalItemCount": count,
            "isHidden": False,
        }

    # -- the endpoints ------------------------------------------------------------------------

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        with self._lock:
            self.times.append(time.monotonic())
            if self._throttle:
                seconds = self._throttle.pop(0)
                self.throttled.append(time.monotonic())
                return _error(
                    429,
                    "TooManyRequests",
                    "Application is over its MailboxConcurrency limit.",
                    {"Retry-After": str(int(seconds))},
                )
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        user = self.identity.active_user(token) if token else None
        if user is None:
            return _error(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            )
        if user.lower() != request.match_info.get("user", "").lower():
            return _error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")  # fmt: skip
        with self._lock:
            self.requests.append(f"{request.method} {request.path}")
        response: web.StreamResponse = await handler(request)
        return response

    async def _delta(self, request: web.Request) -> web.Response:
        size = 10
        prefer = request.headers.get("Prefer", "")
        if prefer.startswith("odata.maxpagesize="):
            size = max(1, int(prefer.split("=", 1)[1]))
        with self._lock:
            folder = self._folder(request.match_info["folder"])
            if folder is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")  # fmt: skip
            skip = request.query.get("$skiptoken")
            if skip is not None:
                if skip not in self._rounds:
                    return _error(400, "SyncStateInvalid", "The sync state is invalid.")
                items, done, offset = self._rounds.pop(skip)
            else:
                since = int(request.query.get("$deltatoken", "0"))
                items, done, offset = self._changes(folder, since), self._last(), 0
            page = items[offset : offset + size]
            url = f"{self.base_url}{request.path}"
            body: dict[str, Any] = {
                "@odata.context": f"{self.base_url}/v1.0/$metadata#Collection(message)",
                "value": page,
            }
            if offset + size < len(items):
                token = secrets.token_urlsafe(12)
                self._rounds[token] = (items, done, offset + size)
                body["@odata.nextLink"] = f"{url}?$skiptoken={token}"
            else:
                body["@odata.deltaLink"] = f"{url}?$deltatoken={done}"
        return web.json_response(body)

    def _last(self) -> int:
        return self._log[-1][0] if self._log else 0

    def _changes(self, folder: str, since: int) -> list[dict[str, Any]]:
        state: dict[str, bool] = {}
        for seq, where, ident, added in self._log:
            if seq > since and where == folder:
                state[ident] = added
        if since == 0:  # the first round: what is there now
            state = {i: True for i, (f, _) in self.messages.items() if f == folder}
        return [
            {"@odata.type": "#microsoft.graph.message", "id": i}
            if added
            else {
                "@odata.type": "#microsoft.graph.message",
                "id": i,
                "@removed": {"reason": "deleted"},
            }
            for i, added in state.items()
        ]

    async def _value(self, request: web.Request) -> web.Response:
        with self._lock:
            found = self.messages.get(request.match_info["id"])
        if found is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")  # fmt: skip
        return web.Response(body=found[1], content_type="message/rfc822")

    async def _move(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            ident = request.match_info["id"]
            found = self.messages.get(ident)
            target = self._folder(str(body.get("destinationId", "")))
            if found is None or target is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")  # fmt: skip
            del self.messages[ident]
            self._log.append((next(self._seq), found[0], ident, False))
            moved = self._add(target, found[1])
        return web.json_response(
            {"@odata.type": "#microsoft.graph.message", "id": moved, "parentFolderId": target},
            status=201,
        )

    async def _patch(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            ident = request.match_info["id"]
            if ident not in self.messages:
                return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")  # fmt: skip
            self.categories[ident] = [str(c) for c in body.get("categories", [])]
            return web.json_response(
                {"id": ident, "categories": self.categories[ident]}, status=200
            )

    async def _list_folders(self, request: web.Request) -> web.Response:
        parent = request.match_info.get("parent", "root")
        with self._lock:
            found = [self._shape(f) for f in self.folders.values() if f.parent == parent]
        return web.json_response({"value": found})

    async def _create_folder(self, request: web.Request) -> web.Response:
        parent = request.match_info.get("parent", "root")
        name = str((await request.json()).get("displayName", ""))
        with self._lock:
            if any(f.parent == parent and f.name == name for f in self.folders.values()):
                return _error(409, "ErrorFolderExists", "A folder with the specified name already exists.")  # fmt: skip
            folder = Folder("AAMkF" + secrets.token_urlsafe(12), name, parent)
            self.folders[folder.id] = folder
            return web.json_response(self._shape(folder), status=201)

    async def _send(self, request: web.Request) -> web.Response:
        if request.content_type != "text/plain":
            return _error(400, "ErrorInvalidRequest", "Expected text/plain base64 MIME content.")
        try:
            mime = base64.b64decode(await request.read(), validate=True)
        except binascii.Error:
            return _error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")  # fmt: skip
        with self._lock:
            self.sent.append(mime)
        return web.Response(status=202)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self.port = free_port()
        app = web.Application(middlewares=[self._auth])
        users = "/v1.0/users/{user}"
        app.router.add_get(users + "/mailFolders/{folder}/messages/delta", self._delta)
        app.router.add_get(users + "/messages/{id}/$value", self._value)
        app.router.add_post(users + "/messages/{id}/move", self._move)
        app.router.add_patch(users + "/messages/{id}", self._patch)
        app.router.add_get(users + "/mailFolders", self._list_folders)
        app.router.add_post(users + "/mailFolders", self._create_folder)
        app.router.add_get(users + "/mailFolders/{parent}/childFolders", self._list_folders)
        app.router.add_post(users + "/mailFolders/{parent}/childFolders", self._create_folder)
        app.router.add_post(users + "/sendMail", self._send)
        loop = asyncio.new_event_loop()
        self._loop = loop
        started = threading.Event()

        async def serve() -> None:
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(serve())
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-graph", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Graph did not start within 10 s")

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or self._thread is None or runner is None:
            return
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        loop.close()
        self._loop = None


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": secrets.token_hex(8)},
            }
        },
        status=status,
        headers=headers,
    )
