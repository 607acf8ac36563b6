"""Slack, whole pipeline: a signed event → `/slack/events` of the real service → committed →
dispatched (triage, ticket, outbox) → the acknowledgement posted in the thread of the recording
fake Web API. Each event comes from a fresh DM channel, so Slack's per-channel pacing (about one
post per second) is not what is measured.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from pydantic import SecretStr

from bot.app import serve
from bot.settings import Settings
from bot.store.db import migrate
from tests.servers.slack_api import FakeSlack, run_fake_slack, sign
from tests.slack.payloads import SECRET, event_body, message

Figure = tuple[str, float, str]
USER = {
    "id": "U1",
    "locale": "fr-CA",
    "profile": {"email": "marie.tremblay@itq.example", "real_name": "Marie Tremblay"},
}
TEXTS = [
    "Mon poste ne démarre plus depuis ce matin",
    "Le serveur de fichiers est en panne pour tout l'étage",
    "Je voudrais un accès au dossier partagé des finances",
    "Comment partager mon calendrier Outlook avec ma collègue?",
]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _replied(fake: FakeSlack, channel: str) -> bool:
    return any(
        c.params.get("channel") == channel and c.params.get("thread_ts")
        for c in fake.called("chat.postMessage")
    )


async def _run(count: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        async with run_fake_slack(FakeSlack(users={"U1": USER})) as fake:
            settings = Settings(
                data_dir=Path(tmp),
                http_port=0,
                slack_bot_token=SecretStr("xoxb-bench"),
                slack_signing_secret=SecretStr(SECRET),
                slack_api_url=fake.api_url,
                slack_triage_channels={"N1": "CN1", "N2": "CN2", "N3": "CN3"},
                send_cap_per_recipient_per_hour=100_000,
            )
            await asyncio.to_thread(migrate, settings.sqlalchemy_url)
            stop = asyncio.Event()
            ready: list[str] = []
            service = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop))
            while not ready:
                await asyncio.sleep(0.01)
            url = ready[0].split()[4] + "slack/events"
            acks: list[float] = []
            replies: list[float] = []
            async with aiohttp.ClientSession() as http:
                for index in range(-3, count):  # three warm-up events (model load)
                    channel = f"D{index + 10}"
                    body = event_body(
                        message(
                            TEXTS[index % len(TEXTS)],
                            ts=f"1700002000.{index + 10:06d}",
                            channel=channel,
                        ),
                        event_id=f"EvB{index}",
                    )
                    headers = {"Content-Type": "application/json", **sign(SECRET, body)}
                    start = time.perf_counter()
                    async with http.post(url, data=body.encode(), headers=headers) as response:
                        await response.read()
                    acked = time.perf_counter()
                    await fake.wait_for(lambda f, c=channel: _replied(f, c), timeout=60)
                    if index >= 0:
                        acks.append((acked - start) * 1000)
                        replies.append((time.perf_counter() - start) * 1000)
            stop.set()
            await service
    return [
        ("slack_event_ack_p50", statistics.median(acks), "ms"),
        ("slack_event_ack_p95", _percentile(acks, 0.95), "ms"),
        ("slack_event_to_reply_p50", statistics.median(replies), "ms"),
        ("slack_event_to_reply_p95", _percentile(replies, 0.95), "ms"),
    ]


def run(count: int = 200) -> list[Figure]:
    return asyncio.run(_run(count))


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value:.3g} {unit}")
