"""Who a Slack user is (email, name, locale), from users.info, cached.

The email is how the bot finds the requester's organisation; the locale picks French or English.
A lookup that fails gives an empty person rather than an error: a ticket without an email is
better than no ticket (the bot can ask later), and the lookup is retried next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Person:
    email: str = ""
    name: str = ""
    locale: str = ""


class UserDirectory:
    def __init__(
        self, client: AsyncWebClient, *, ttl_seconds: float = 3600, timeout: float = 1.0
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._timeout = timeout
        self._cache: dict[str, tuple[float, Person]] = {}

    async def lookup(self, user: str) -> Person:
        cached = self._cache.get(user)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            # Bounded: this runs before Slack gets its acknowledgement.
            response = await asyncio.wait_for(
                self._client.users_info(user=user, include_locale=True), self._timeout
            )
        except Exception as exc:
            log.warning("slack: users.info for %s failed (%s)", user, exc.__class__.__name__)
            return Person()
        person = person_of(response.get("user") or {})
        self._cache[user] = (time.monotonic(), person)
        return person


def person_of(user: dict[str, Any]) -> Person:
    profile = user.get("profile") or {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or ""
    )
    return Person(
        email=str(profile.get("email") or ""),
        name=str(name),
        locale=str(user.get("locale") or ""),
    )
