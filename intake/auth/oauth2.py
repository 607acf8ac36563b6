"""Access tokens for a mailbox from the Microsoft identity platform (MSAL client credentials).

The token is kept until shortly before it expires, then fetched again; a server that refuses
it (revoked, or the permissions changed) makes the caller call `refused`, which drops it, so the
next `token` fetches a new one. MSAL is synchronous: `token_blocking` is for threads (the IMAP
reader's), `token` runs it in a worker thread for the event loop. A token never appears in a
message, a log line or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from intake.errors import OperatorError

DEFAULT_AUTHORITY = "https://login.microsoftonline.com/{tenant}"
DEFAULT_SCOPE = "https://outlook.office365.com/.default"
"""Exchange Online's resource: one token serves IMAP (IMAP.AccessAsApp) and SMTP
(SMTP.SendAsApp)."""

_MAX_MARGIN = 300.0
"""Refresh at most five minutes before expiry (a quarter of the lifetime if that is shorter)."""


class OAuth2Refused(OperatorError):
    """The identity platform refused to issue a token, or a mail server refused the token twice:
    the operator has to fix the application's registration or permissions."""


@dataclass(frozen=True, slots=True)
class OAuth2Config:
    """An application registration in Entra ID that may read or send as a mailbox."""

    tenant: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    certificate_path: str = ""
    """PEM file holding the certificate's private key (and the certificate)."""
    certificate_thumbprint: str = ""
    """SHA-1 thumbprint of that certificate, as Entra ID shows it (hex)."""
    authority: str = ""
    """Empty = https://login.microsoftonline.com/<tenant>."""
    scope: str = DEFAULT_SCOPE
    ca_file: str = ""
    """CA bundle to trust for the authority instead of the system's (tests, TLS proxies)."""

    @property
    def authority_url(self) -> str:
        return self.authority or DEFAULT_AUTHORITY.format(tenant=self.tenant)


class Tokens(Protocol):
    """Port: bearer tokens for one mailbox."""

    def token_blocking(self) -> str:
        """A valid token; may block on the network, so never call it on the event loop."""
        ...

    async def token(self) -> str:
        """A valid token, fetched off the event loop when it has to be."""
        ...

    def refused(self, token: str) -> None:
        """A server refused `token`: do not hand it out again."""
        ...


def xoauth2(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response, base64-encoded (as SMTP's AUTH line carries it)."""
    raw = f"user={user}\x01auth=Bearer {token}\x01\x01"
    return base64.b64encode(raw.encode()).decode("ascii")


@dataclass(slots=True)
class _Token:
    value: str = field(repr=False)
    refresh_at: float


class MsalTokens:
    """The real `Tokens`: MSAL's client-credentials flow (`acquire_token_for_client`)."""

    def __init__(
        self, config: OAuth2Config, *, name: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._app: Any = None
        self._current: _Token | None = None

    def __repr__(self) -> str:
        return f"MsalTokens({self.name!r}, tenant={self.config.tenant!r})"

    async def token(self) -> str:
        return await asyncio.to_thread(self.token_blocking)

    def token_blocking(self) -> str:
        with self._lock:
            current = self._current
            if current is not None and self._clock() < current.refresh_at:
                return current.value
            self._current = self._fetch()
            return self._current.value

    def refused(self, token: str) -> None:
        with self._lock:
            if self._current is not None and self._current.value == token:
                self._current = None
            if self._app is not None:  # MSAL would hand the same token back from its cache
                cache = self._app.token_cache
                for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                    cache.remove_at(entry)

    def _fetch(self) -> _Token:
        # Imported here: only a service with an OAuth2 mailbox pays for loading them.
        import msal  # type: ignore[import-untyped]
        import requests

        started = self._clock()
        try:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self.config.client_id,
                    client_credential=self._credential(),
                    authority=self.config.authority_url,
                    instance_discovery=False,
                    http_client=http_client(requests, self.config.ca_file),
                )
            result = self._app.acquire_token_for_client(scopes=[self.config.scope])
        except (ValueError, OSError, requests.RequestException) as exc:
            self._app = None
            raise OperatorError(
                f"{self.name}: cannot get a token from {self.config.authority_url} "
                f"({exc.__class__.__name__}: {str(exc)[:200]}); check the tenant, the authority "
                "and that this host can reach it over HTTPS"
            ) from None
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            raise OAuth2Refused(
                f"{self.name}: the identity platform refused the client credentials "
                f"({result.get('error', 'no token')}: "
                f"{' '.join(str(result.get('error_description', '')).split())[:300]}); check the tenant, the client "
                "ID and the client secret (or the certificate and its thumbprint) of the "
                "application registration"
            )
        lifetime = float(result.get("expires_in", 3600))
        margin = min(_MAX_MARGIN, lifetime / 4)
        return _Token(token, started + lifetime - margin)

    def _credential(self) -> str | dict[str, str]:
        config = self.config
        if config.client_secret:
            return config.client_secret
        try:
            key = Path(config.certificate_path).read_text()
        except OSError as exc:
            raise OperatorError(
                f"{self.name}: cannot read the certificate {config.certificate_path} "
                f"({exc.strerror}); give the PEM file holding its private key"
            ) from None
        return {"private_key": key, "thumbprint": config.certificate_thumbprint}


def http_client(requests: Any, ca_file: str) -> Any:
    """A requests session for MSAL with a timeout, trusting `ca_file` when given. (MSAL's own
    `verify=` sets the session's, which requests lets REQUESTS_CA_BUNDLE override.)"""

    class Session(requests.Session):  # type: ignore[misc]
        def request(self, method: str, url: str, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", 30)
            if ca_file:
                kwargs.setdefault("verify", ca_file)
            return super().request(method, url, **kwargs)

    session = Session()
    adapter = requests.adapters.HTTPAdapter(max_retries=1)
    session.mount("https://", adapter)
    return session


class FixedTokens:
    """The fake `Tokens`: hands out the given tokens in turn, records the refused ones."""

    def __init__(self, *tokens: str) -> None:
        self._tokens = list(tokens)
        self.refusals: list[str] = []

    def token_blocking(self) -> str:
        return self._tokens[0]

    async def token(self) -> str:
        return self._tokens[0]

    def refused(self, token: str) -> None:
        self.refusals.append(token)
        if len(self._tokens) > 1 and self._tokens[0] == token:
            self._tokens.pop(0)
