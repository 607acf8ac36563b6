"""Slack edge latency: a signed event → the connector → a stand-in consumer → reply posted.

The dispatcher is not wired to Slack yet, so the consumer here stands in for it: it confirms
each message at once (as `consume()` does after committing) and posts the thread reply through
`SlackSender` to the recording fake Web API. The figures are named `..._edge_...` for that
reason; the full pipeline (store, triage, outbox) will add its own time.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import aiohttp
from aiohttp import web

from intake.message import Channel, OutboundMessage
from intake.slack.cards import thread_reply
from intake.slack.connector import SlackConfig, SlackConnector
from intake.slack.envelope import parse_envelope
from intake.slack.sender import SlackSender
from tests.servers.slack_api import FakeSlack, run_fake_slack, sign
from tests.slack.payloads import SECRET, event_body, message

Figure = tuple[str, float, str]
USER = {"id": "U1", "locale": "fr-CA", "profile": {"email": "a@b.c", "real_name": "A"}}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _run(count: int) -> list[Figure]:
    async with run_fake_slack(FakeSlack(users={"U1": USER})) as fake:
        config = SlackConfig(bot_token="xoxb-bench", signing_secret=SECRET, api_url=fake.api_url)
        connector = SlackConnector(config)
        sender = SlackSender("xoxb-bench", api_url=fake.api_url)
        app = web.Application()
        app.add_routes(connector.routes())
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        replied: dict[str, float] = {}

        async def stand_in() -> None:
            async for inbound in connector:
                await connector.confirm(inbound)
                envelope = parse_envelope(inbound.raw)
                text, _ = thread_reply("CSC-000001", envelope.language)
                await sender.send(
                    OutboundMessage(
                        channel=Channel.SLACK,
                        to=(envelope.channel,),
                        subject="",
                        text=text,
                        message_id=envelope.message_id,
                        thread=envelope.ts,
                    )
                )
                replied[envelope.ts] = time.perf_counter()

        acks: list[float] = []
        replies: list[float] = []
        async with aiohttp.ClientSession() as http, connector:
            consumer = asyncio.create_task(stand_in())
            for index in range(count):
                ts = f"1700002000.{index:06d}"
                # a fresh DM channel each time: the per-channel pacing (1/s) is not measured here
                body = event_body(
                    message("Mon poste ne démarre plus", ts=ts, channel=f"D{index}"),
                    event_id=f"EvB{index}",
                )
                headers = {"Content-Type": "application/json", **sign(SECRET, body)}
                start = time.perf_counter()
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    await response.read()
                acks.append((time.perf_counter() - start) * 1000)
                while ts not in replied:
                    await asyncio.sleep(0.0005)
                replies.append((replied[ts] - start) * 1000)
            consumer.cancel()
        await runner.cleanup()
    return [
        ("slack_event_ack_p50", statistics.median(acks), "ms"),
        ("slack_event_ack_p95", _percentile(acks, 0.95), "ms"),
        ("slack_event_to_reply_edge_p50", statistics.median(replies), "ms"),
        ("slack_event_to_reply_edge_p95", _percentile(replies, 0.95), "ms"),
    ]


def run(count: int = 200) -> list[Figure]:
    return asyncio.run(_run(count))


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value:.3g} {unit}")
