"""Tokens for a delegated mailbox: a person signs in once with the device-code flow
(`python -m bot mailbox login NAME`), and the service then gets its tokens silently from the
refresh token MSAL keeps in a cache file (mode 0600, under the data directory).

A delegated token acts as the signed-in user (IMAP.AccessAsUser.All, SMTP.Send), so no
application access policy is involved; when the refresh token is revoked or expires, the
operator signs in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from intake.auth.oauth2 import OAuth2Config, OAuth2Refused, http_client
from intake.errors import OperatorError
from intake.files import write_atomically

SCOPES = (
    "https://outlook.office365.com/IMAP.AccessAsUser.All",
    "https://outlook.office365.com/SMTP.Send",
)
_MAX_MARGIN = 300.0


def _app(config: OAuth2Config, cache: Any) -> Any:
    import msal  # type: ignore[import-untyped]
    import requests

    try:
        return msal.PublicClientApplication(
            config.client_id,
            authority=config.authority_url,
            token_cache=cache,
            instance_discovery=False,
            http_client=http_client(requests, config.ca_file),
        )
    except (ValueError, OSError, requests.RequestException) as exc:
        raise OperatorError(
            f"cannot reach the identity platform at {config.authority_url} "
            f"({exc.__class__.__name__}); check the tenant and the authority"
        ) from None


def _load(path: Path) -> Any:
    import msal

    cache = msal.SerializableTokenCache()
    with contextlib.suppress(FileNotFoundError):
        cache.deserialize(path.read_text())
    return cache


def _save(path: Path, cache: Any) -> None:
    """Write the cache readable by this user only, atomically (it holds a refresh token)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, cache.serialize().encode("utf-8"), mode=0o600)


def login(config: OAuth2Config, user: str, cache_path: Path, show: Callable[[str], None]) -> str:
    """The device-code flow: `show` the URL and code to the operator, wait until `user` signs
    in there, keep the tokens in `cache_path`; return the account signed in. Blocking."""
    cache = _load(cache_path)
    app = _app(config, cache)
    flow = app.initiate_device_flow(scopes=list(SCOPES))
    if "user_code" not in flow:
        raise OAuth2Refused(
            f"the identity platform refused to start a sign-in ({flow.get('error')}: "
            f"{' '.join(str(flow.get('error_description', '')).split())[:300]}); check the "
            "client ID and that the application allows public client flows"
        )
    show(str(flow.get("message") or f"{flow['verification_uri']} {flow['user_code']}"))
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise OAuth2Refused(
            f"sign-in failed ({result.get('error')}: "
            f"{' '.join(str(result.get('error_description', '')).split())[:300]})"
        )
    claims = result.get("id_token_claims") or {}
    signed_in = str(claims.get("preferred_username") or "")
    if signed_in.lower() != user.lower():
        raise OAuth2Refused(
            f"signed in as {signed_in or 'an unknown account'}, not as the mailbox's user "
            f"{user}: sign in again with that account"
        )
    _save(cache_path, cache)
    return signed_in


class DelegatedTokens:
    """The `Tokens` of a delegated mailbox, from the refresh token `login` stored."""

    def __init__(
        self,
        config: OAuth2Config,
        *,
        user: str,
        cache_path: Path,
        mailbox: str,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.name = name
        self._user = user
        self._mailbox = mailbox
        self._path = cache_path
        self._clock = clock
        self._lock = threading.Lock()
        self._current: tuple[str, float] | None = None

    def __repr__(self) -> str:
        return f"DelegatedTokens({self.name!r})"

    async def token(self) -> str:
        return await asyncio.to_thread(self.token_blocking)

    def token_blocking(self) -> str:
        with self._lock:
            if self._current is not None and self._clock() < self._current[1]:
                return self._current[0]
            started = self._clock()
            cache = _load(self._path)
            app = _app(self.config, cache)
            accounts = app.get_accounts(username=self._user)
            again = f"run `python -m bot mailbox login {self._mailbox}`"
            if not accounts:
                raise OAuth2Refused(f"{self.name}: no sign-in stored for {self._user}: {again}")
            result = app.acquire_token_silent_with_error(list(SCOPES), account=accounts[0])
            if cache.has_state_changed:
                _save(self._path, cache)
            if not result or "access_token" not in result:
                error = (result or {}).get("error", "no token")
                raise OAuth2Refused(
                    f"{self.name}: the sign-in of {self._user} expired or was revoked "
                    f"({error}): {again}"
                )
            lifetime = float(result.get("expires_in", 3600))
            self._current = (
                str(result["access_token"]),
                started + lifetime - min(_MAX_MARGIN, lifetime / 4),
            )
            return self._current[0]

    def refused(self, token: str) -> None:
        with self._lock:
            if self._current is not None and self._current[0] == token:
                self._current = None
            cache = _load(self._path)
            for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(entry)
            _save(self._path, cache)
