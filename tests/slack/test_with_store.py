"""The connector with the bot's own `consume()` and store: Slack's ack comes after the commit."""

from __future__ import annotations

import asyncio
import contextlib

from sqlmodel import select

from bot.channels import consume
from bot.store.db import Sessions
from bot.store.models import Message
from intake.slack.envelope import parse_envelope
from tests.servers.slack_api import TEAM, FakeSlack
from tests.slack.conftest import serve_connector
from tests.slack.payloads import event_body, mention, message


async def _rows(store: Sessions) -> list[Message]:
    async with store() as session:
        return list((await session.exec(select(Message))).all())


async def test_ack_follows_the_commit_and_repeats_store_nothing(
    fake: FakeSlack, store: Sessions
) -> None:
    async with serve_connector(
        fake, consume=False, support_channels=frozenset({"CSUPPORT"})
    ) as slack:
        consumer = asyncio.create_task(
            consume(slack.connector, store, lambda: None, max_bytes=1_000_000)
        )
        try:
            ts = "1700003000.000100"
            text = "<@UBOT> l'imprimante du 4e ne répond plus"
            event = message(text, ts=ts, channel="CSUPPORT", channel_type="channel")
            body = event_body(event, event_id="EvDB1")
            assert (await slack.post(body))[0] == 200
            [row] = await _rows(store)  # already there when Slack got its 200
            assert row.channel == "slack" and row.source == "slack"
            assert row.source_ref == f"slack:{TEAM}:CSUPPORT:{ts}"
            assert parse_envelope(row.raw).user_email == "marie.tremblay@itq.example"
            await slack.post(body, headers=None)  # Slack retrying
            await slack.post(event_body(mention(text, ts=ts, channel="CSUPPORT"), event_id="EvDB2"))
            assert len(await _rows(store)) == 1
        finally:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
