"""Real-shaped Slack payloads (Events API, slash command, block_actions), as request bodies."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from tests.servers.slack_api import TEAM

SECRET = "test-signing-secret"


def event_body(event: dict[str, Any], *, event_id: str, team: str = TEAM) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1_700_000_000,
            "authorizations": [
                {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
        }
    )


def message(
    text: str,
    *,
    ts: str,
    user: str = "U1",
    channel: str = "D1",
    channel_type: str = "im",
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "client_msg_id": f"c-{ts}",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "blocks": [],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def mention(text: str, *, ts: str, user: str = "U1", channel: str = "C1") -> dict[str, Any]:
    return {
        "type": "app_mention",
        "client_msg_id": f"c-{ts}",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
    }


def reaction(
    *, item_ts: str, channel: str, user: str = "U2", item_user: str = "U1", name: str = "ticket"
) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": item_ts},
        "item_user": item_user,
        "event_ts": "1700000999.000100",
    }


def slash_body(text: str, *, user: str = "U1", response_url: str, command: str = "/csc") -> str:
    return urllib.parse.urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "guichet",
            "channel_id": "D1",
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": "marie",
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "123.456.abc",
        }
    )


def block_actions_body(
    action: dict[str, Any],
    *,
    user: str = "UAGENT",
    channel: str = "CTRIAGE",
    message_ts: str = "1700000001.000001",
    response_url: str,
) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "agent", "name": "agent", "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "123.456.def",
        "team": {"id": TEAM, "domain": "guichet"},
        "channel": {"id": channel, "name": "triage-n1"},
        "message": {
            "type": "message",
            "ts": message_ts,
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": "card",
            "blocks": [],
        },
        "response_url": response_url,
        "actions": [{"action_ts": "1700000002.000002", **action}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})
