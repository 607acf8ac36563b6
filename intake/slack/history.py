"""Reading one message back (for a :ticket: reaction): channel history, else its thread."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


async def fetch_message(client: AsyncWebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The message `ts` of `channel`: in its history, or (a thread reply) in its thread."""
    for method in ("conversations.history", "conversations.replies"):
        params: dict[str, Any] = {
            "channel": channel,
            "latest": ts,
            "oldest": ts,
            "inclusive": "true",
            "limit": 1,
        }
        if method == "conversations.replies":
            params["ts"] = ts
        try:
            response = await asyncio.wait_for(  # bounded: Slack is waiting for our ack
                client.api_call(method, http_verb="GET", params=params), 1.0
            )
        except TimeoutError:
            log.warning("slack: %s timed out for %s in %s", method, ts, channel)
            return None
        except SlackApiError as exc:
            log.info("slack: cannot read %s in %s: %s", ts, channel, exc.response.get("error"))
            continue
        for message in response.get("messages") or ():
            if isinstance(message, dict) and message.get("ts") == ts:
                return message
    return None
