"""Socket Mode against the fake: apps.connections.open → ws://127.0.0.1…, envelopes in, acks out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.parse

from intake.health import State
from intake.slack.connector import SlackConfig, SlackConnector
from intake.slack.envelope import parse_envelope
from intake.slack.fakes import RecordingCommands
from tests.servers.slack_api import FakeSlack
from tests.slack.payloads import SECRET, event_body, message, slash_body


async def test_socket_mode_events_and_commands(fake: FakeSlack) -> None:
    config = SlackConfig(
        bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, app_token="xapp-test"
    )
    connector = SlackConnector(config, RecordingCommands())
    async with connector:
        [opened] = await fake.wait_calls("apps.connections.open")
        assert opened.token == "xapp-test"
        assert connector.health().state == State.RUNNING
        assert connector.health().detail == "socket mode"
        received = []

        async def consume() -> None:
            async for inbound in connector:
                received.append(inbound)
                await connector.confirm(inbound)

        consumer = asyncio.create_task(consume())
        try:
            payload = json.loads(
                event_body(message("par socket", ts="1700001000.000100"), event_id="EvS")
            )
            await fake.socket_inbox.put(
                {
                    "envelope_id": "env-1",
                    "type": "events_api",
                    "accepts_response_payload": False,
                    "retry_attempt": 0,
                    "retry_reason": "",
                    "payload": payload,
                }
            )
            ack = await asyncio.wait_for(fake.socket_acks.get(), 20)
            assert ack["envelope_id"] == "env-1"
            assert len(received) == 1  # committed before the ack
            assert parse_envelope(received[0].raw).text == "par socket"

            form = dict(urllib.parse.parse_qsl(slash_body("mes-billets", response_url="http://x")))
            await fake.socket_inbox.put(
                {
                    "envelope_id": "env-2",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": form,
                }
            )
            ack = await asyncio.wait_for(fake.socket_acks.get(), 20)
            assert ack["envelope_id"] == "env-2"
            assert ack["payload"]["text"] == "Reçu: mes-billets"
        finally:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
    assert connector.health().state == State.STOPPED
