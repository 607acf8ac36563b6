"""SlackSender against the recording fake Web API."""

from __future__ import annotations

import asyncio
import json

import pytest

from intake.errors import DeliveryRefused, OperatorError
from intake.message import Channel, OutboundMessage
from intake.slack.sender import SlackRateLimited, SlackSender
from tests.servers.slack_api import FakeSlack, run_fake_slack
from tests.servers.smtp import free_port


def outbound(
    channel: str = "D1", text: str = "Billet CSC-000123", **extra: object
) -> OutboundMessage:
    return OutboundMessage(
        channel=Channel.SLACK,
        to=(channel,),
        subject="",
        text=text,
        message_id="<slack-CSC-000123-ack@guichet.example>",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
async def fake() -> FakeSlack:  # type: ignore[misc]
    async with run_fake_slack() as running:
        yield running


def sender(fake: FakeSlack, **options: float) -> SlackSender:
    options.setdefault("interval_seconds", 0.0)
    return SlackSender("xoxb-test", api_url=fake.api_url, **options)


async def test_posts_in_the_thread_with_blocks(fake: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*CSC-000123*"}}]
    raw = await sender(fake).send(outbound(thread="1700000100.000100", blocks=json.dumps(blocks)))
    [call] = fake.called("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.params["channel"] == "D1"
    assert call.params["thread_ts"] == "1700000100.000100"
    assert call.params["text"] == "Billet CSC-000123"
    assert call.params["blocks"] == blocks
    answer = json.loads(raw)
    assert answer["ok"] is True and answer["ts"]


async def test_replaces_updates_in_place(fake: FakeSlack) -> None:
    await sender(fake).send(outbound("CTRIAGE", replaces="1700000001.000001", thread="x"))
    [call] = fake.called("chat.update")
    assert call.params["ts"] == "1700000001.000001" and call.params["channel"] == "CTRIAGE"
    assert "thread_ts" not in call.params
    assert not fake.called("chat.postMessage")


async def test_short_retry_after_is_waited_out(fake: FakeSlack) -> None:
    fake.throttle["chat.postMessage"] = [0.2]
    raw = await sender(fake).send(outbound())
    assert json.loads(raw)["ok"] is True
    assert len(fake.called("chat.postMessage")) == 2


async def test_long_retry_after_goes_back_to_the_outbox(fake: FakeSlack) -> None:
    fake.throttle["chat.postMessage"] = [30]
    limited = sender(fake, max_wait_seconds=5)
    with pytest.raises(SlackRateLimited) as caught:
        await limited.send(outbound())
    assert caught.value.retry_after == 30 and caught.value.permanent is False
    assert len(fake.called("chat.postMessage")) == 1
    # the outbox's next try inside the window does not knock on Slack again
    with pytest.raises(SlackRateLimited):
        await limited.send(outbound())
    assert len(fake.called("chat.postMessage")) == 1


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived"])
async def test_refusals_of_the_channel_are_permanent(fake: FakeSlack, error: str) -> None:
    fake.errors["chat.postMessage"] = [error]
    with pytest.raises(DeliveryRefused) as caught:
        await sender(fake).send(outbound("CGONE"))
    assert caught.value.permanent is True and error in str(caught.value)


async def test_bad_token_and_unreachable_slack_are_the_operators_problem(fake: FakeSlack) -> None:
    fake.errors["chat.postMessage"] = ["invalid_auth"]
    with pytest.raises(OperatorError) as caught:
        await sender(fake).send(outbound())
    assert not isinstance(caught.value, DeliveryRefused)
    down = SlackSender("xoxb-test", api_url=f"http://127.0.0.1:{free_port()}/api/", timeout=2)
    with pytest.raises(OperatorError):
        await down.send(outbound())


async def test_one_channel_is_paced_without_holding_up_others(fake: FakeSlack) -> None:
    paced = sender(fake, interval_seconds=0.5, burst=1)
    await asyncio.gather(
        paced.send(outbound("CA", "a1")),
        paced.send(outbound("CA", "a2")),
        paced.send(outbound("CA", "a3")),
        paced.send(outbound("CB", "b1")),
    )
    order = [c.params["text"] for c in fake.called("chat.postMessage")]
    assert [t for t in order if t.startswith("a")] == ["a1", "a2", "a3"]
    assert order.index("b1") < order.index("a2")


async def test_a_message_for_several_channels_is_refused(fake: FakeSlack) -> None:
    message = OutboundMessage(
        channel=Channel.SLACK, to=("C1", "C2"), subject="", text="x", message_id="m"
    )
    with pytest.raises(DeliveryRefused) as caught:
        await sender(fake).send(message)
    assert caught.value.permanent


async def test_a_burst_passes_then_the_channel_is_paced(fake: FakeSlack) -> None:
    paced = sender(fake, interval_seconds=0.5, burst=2)
    await asyncio.gather(
        *(paced.send(outbound("CA", f"a{i}")) for i in range(3)), paced.send(outbound("CB", "b1"))
    )
    order = [c.params["text"] for c in fake.called("chat.postMessage")]
    assert [t for t in order if t.startswith("a")] == ["a0", "a1", "a2"]
    assert order.index("b1") < order.index("a2")


async def test_after_a_429_the_channel_waits_for_retry_after(fake: FakeSlack) -> None:
    fake.throttle["chat.postMessage"] = [0.3]
    paced = sender(fake, interval_seconds=0.0)
    await asyncio.gather(paced.send(outbound("CA", "a1")), paced.send(outbound("CA", "a2")))
    order = [c.params["text"] for c in fake.called("chat.postMessage")]
    assert order == ["a1", "a1", "a2"]  # refused, waited out, retried, then the next one
