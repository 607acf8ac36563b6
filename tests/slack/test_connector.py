"""The Slack connector behind a real aiohttp server, fed signed real-shaped payloads."""

from __future__ import annotations

import json
import time

import pytest

from intake.errors import OperatorError, SenderError
from intake.health import State
from intake.message import Channel
from intake.slack.connector import SlackConfig, SlackConnector
from intake.slack.envelope import parse_envelope
from tests.conftest import eventually
from tests.servers.slack_api import TEAM, FakeSlack, forge, sign
from tests.slack.conftest import Harness, serve_connector
from tests.slack.payloads import SECRET, event_body, mention, message, reaction


async def sentinel(slack: Harness, count: int) -> None:
    """Post one more message and wait for it: everything posted before it has been handled."""
    body = event_body(message("sentinelle", ts=f"1800000000.{count:06d}"), event_id=f"EvS{count}")
    assert (await slack.post(body))[0] == 200
    received = await slack.wait_messages(count)
    assert parse_envelope(received[-1].raw).text == "sentinelle"


async def test_direct_message_becomes_one_inbound_message(slack: Harness) -> None:
    body = event_body(
        message("Mon imprimante ne fonctionne plus", ts="1700000100.000100"), event_id="Ev1"
    )
    status, _ = await slack.post(body)
    assert status == 200
    [inbound] = await slack.wait_messages(1)
    assert inbound.channel == Channel.SLACK
    assert inbound.source == "slack"
    envelope = parse_envelope(inbound.raw)
    assert envelope.kind == "message"
    assert envelope.message_id == f"slack:{TEAM}:D1:1700000100.000100"
    assert inbound.ref == envelope.message_id
    assert envelope.event_id == "Ev1"
    assert (envelope.user, envelope.channel, envelope.channel_type) == ("U1", "D1", "im")
    assert envelope.user_email == "marie.tremblay@itq.example"
    assert envelope.user_name == "Marie Tremblay"
    assert envelope.language == "fr"
    assert envelope.text == "Mon imprimante ne fonctionne plus"
    assert not envelope.is_reply
    # raw is canonical JSON: the same event gives the same bytes
    assert inbound.raw == envelope.to_bytes()
    [info] = slack.fake.called("users.info")
    assert info.params["user"] == "U1" and info.token == "xoxb-test"


async def test_users_info_is_cached(slack: Harness) -> None:
    for index in range(3):
        body = event_body(
            message(f"m{index}", ts=f"1700000200.00000{index}"), event_id=f"Ev{index}"
        )
        await slack.post(body)
    await slack.wait_messages(3)
    assert len(slack.fake.called("users.info")) == 1


async def test_retried_event_makes_no_second_message(slack: Harness) -> None:
    body = event_body(message("VPN coupé", ts="1700000300.000100"), event_id="EvR")
    assert (await slack.post(body))[0] == 200
    await slack.wait_messages(1)
    retry = {**sign(SECRET, body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await slack.post(body, headers=retry))[0] == 200
    # a new event_id for the same Slack message (e.g. redelivered): still the same message
    again = event_body(message("VPN coupé", ts="1700000300.000100"), event_id="EvR2")
    assert (await slack.post(again))[0] == 200
    await sentinel(slack, 2)
    assert [parse_envelope(m.raw).text for m in slack.received] == ["VPN coupé", "sentinelle"]


async def test_forged_or_old_requests_are_refused(slack: Harness) -> None:
    body = event_body(message("forgé", ts="1700000400.000100"), event_id="EvF")
    assert (await slack.post(body, headers=forge(body)))[0] == 401
    old = sign(SECRET, body, timestamp=int(time.time()) - 600)
    assert (await slack.post(body, headers=old))[0] == 401
    assert (await slack.post(body, headers={}))[0] == 401
    await sentinel(slack, 1)
    assert len(slack.received) == 1


async def test_bots_edits_and_notices_are_ignored(slack: Harness) -> None:
    ignored = [
        message("moi-même", ts="1700000500.000001", user="UBOT"),
        message("un autre bot", ts="1700000500.000002", bot_id="B999"),
        message("bot", ts="1700000500.000003", subtype="bot_message"),
        message("modifié", ts="1700000500.000004", subtype="message_changed"),
        message("supprimé", ts="1700000500.000005", subtype="message_deleted"),
        message(
            "arrivé",
            ts="1700000500.000006",
            subtype="channel_join",
            channel="CSUPPORT",
            channel_type="channel",
        ),
        message("bavardage", ts="1700000500.000007", channel="CRANDOM", channel_type="channel"),
    ]
    for index, event in enumerate(ignored):
        assert (await slack.post(event_body(event, event_id=f"EvI{index}")))[0] == 200
    await sentinel(slack, 1)
    assert len(slack.received) == 1


async def test_support_channel_message_and_its_mention_twin_make_one_message(
    slack: Harness,
) -> None:
    ts = "1700000600.000100"
    text = "<@UBOT> le Wi-Fi du 3e étage est tombé"
    chan = message(text, ts=ts, channel="CSUPPORT", channel_type="channel")
    await slack.post(event_body(chan, event_id="EvM1"))
    await slack.post(event_body(mention(text, ts=ts, channel="CSUPPORT"), event_id="EvM2"))
    await sentinel(slack, 2)
    first = parse_envelope(slack.received[0].raw)
    assert first.message_id == f"slack:{TEAM}:CSUPPORT:{ts}"
    assert first.channel_type == "channel"


async def test_mention_elsewhere_counts_and_its_thread_replies_follow(slack: Harness) -> None:
    root = "1700000700.000100"
    await slack.post(event_body(mention("<@UBOT> aide SVP", ts=root, channel="C9"), event_id="EvA"))
    [first] = await slack.wait_messages(1)
    assert parse_envelope(first.raw).kind == "mention"
    reply = message(
        "plus de détails",
        ts="1700000700.000200",
        channel="C9",
        channel_type="channel",
        thread_ts=root,
    )
    other = message(
        "autre fil",
        ts="1700000700.000300",
        channel="C9",
        channel_type="channel",
        thread_ts="1600000000.000001",
    )
    await slack.post(event_body(reply, event_id="EvB"))
    await slack.post(event_body(other, event_id="EvC"))
    await sentinel(slack, 3)
    follow_up = parse_envelope(slack.received[1].raw)
    assert follow_up.text == "plus de détails"
    assert follow_up.thread_ts == root and follow_up.is_reply


async def test_ticket_reaction_makes_a_message_for_the_author(slack: Harness) -> None:
    ts = "1700000800.000100"
    slack.fake.history["CGEN"] = [
        {"type": "message", "user": "U1", "text": "L'imprimante du 2e bourre", "ts": ts}
    ]
    await slack.post(
        event_body(reaction(item_ts=ts, channel="CGEN", name="thumbsup"), event_id="EvX0")
    )
    await slack.post(event_body(reaction(item_ts=ts, channel="CGEN"), event_id="EvX1"))
    # a second :ticket: on the same message is the same ticket
    await slack.post(
        event_body(reaction(item_ts=ts, channel="CGEN", user="UAGENT"), event_id="EvX2")
    )
    await sentinel(slack, 2)
    envelope = parse_envelope(slack.received[0].raw)
    assert envelope.kind == "reaction"
    assert (envelope.user, envelope.reacted_by) == ("U1", "U2")
    assert envelope.user_email == "marie.tremblay@itq.example"
    assert envelope.text == "L'imprimante du 2e bourre"
    assert envelope.message_id == f"slack:{TEAM}:CGEN:{ts}"
    [history] = slack.fake.called("conversations.history")
    assert history.params["channel"] == "CGEN" and history.params["latest"] == ts


async def test_reaction_on_a_thread_reply_reads_the_thread(slack: Harness) -> None:
    ts = "1700000850.000200"
    slack.fake.history["CGEN"] = [
        {
            "type": "message",
            "user": "U2",
            "text": "Teams freezes",
            "ts": ts,
            "thread_ts": "1700000850.000100",
        }
    ]
    slack.fake.errors["conversations.history"] = ["not_in_channel"]
    await slack.post(event_body(reaction(item_ts=ts, channel="CGEN", user="U1"), event_id="EvT"))
    [inbound] = await slack.wait_messages(1)
    envelope = parse_envelope(inbound.raw)
    assert envelope.user == "U2" and envelope.language == "en"
    assert slack.fake.called("conversations.replies")


async def test_ack_comes_even_when_nobody_commits(fake: FakeSlack) -> None:
    async with serve_connector(fake, consume=False, commit_wait_seconds=0.1) as slack:
        body = event_body(message("personne ne lit", ts="1700000900.000100"), event_id="EvN")
        assert (await slack.post(body))[0] == 200
        inbound = await anext(aiter(slack.connector))
        assert parse_envelope(inbound.raw).text == "personne ne lit"


async def test_url_verification_and_health(slack: Harness) -> None:
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    status, text = await slack.post(body)
    assert status == 200 and "abc123" in text
    assert slack.connector.health().state == State.RUNNING
    assert slack.connector.bot_user_id == "UBOT"
    await slack.connector.start()  # idempotent
    await slack.connector.stop()
    await slack.connector.stop()
    assert slack.connector.health().state == State.STOPPED


def test_parse_envelope_refuses_other_bytes() -> None:
    for raw in (b"\xff\xfe", b"[]", b"{}", b'{"kind": "other"}', b"From: a@b\r\n\r\nhi"):
        with pytest.raises(SenderError):
            parse_envelope(raw)


async def test_the_bot_says_which_other_threads_are_tickets(fake: FakeSlack) -> None:
    asked: list[str] = []

    async def known(root: str) -> bool:
        asked.append(root)
        return root.endswith(":1600000000.000001")

    async with serve_connector(fake, is_ticket_thread=known) as slack:
        reply = message(
            "suite",
            ts="1700001100.000200",
            channel="C5",
            channel_type="channel",
            thread_ts="1600000000.000001",
        )
        await slack.post(event_body(reply, event_id="EvK"))
        [inbound] = await slack.wait_messages(1)
        assert parse_envelope(inbound.raw).thread_ts == "1600000000.000001"
        assert asked == [f"slack:{TEAM}:C5:1600000000.000001"]


async def test_files_are_listed_in_the_envelope(slack: Harness) -> None:
    shared = message(
        "capture d'écran",
        ts="1700001200.000100",
        subtype="file_share",
        files=[
            {
                "id": "F1",
                "name": "erreur.png",
                "mimetype": "image/png",
                "size": 2048,
                "url_private": "https://files.slack.com/F1",
            }
        ],
    )
    await slack.post(event_body(shared, event_id="EvFile"))
    [inbound] = await slack.wait_messages(1)
    [file] = parse_envelope(inbound.raw).files
    assert (file.id, file.name, file.size) == ("F1", "erreur.png", 2048)


async def test_user_groups_are_read_for_the_agent_directory(slack: Harness) -> None:
    slack.fake.groups["S1"] = ["UAGENT", "U9"]
    assert await slack.connector.usergroup_members("S1") == ("UAGENT", "U9")


async def test_auth_failure_is_reported_then_recovered(fake: FakeSlack) -> None:
    fake.errors["auth.test"] = ["invalid_auth"]
    async with serve_connector(fake) as slack:
        assert slack.connector.health().state == State.RETRYING
        assert "auth.test" in slack.connector.health().detail
        await fake.wait_calls("auth.test", 2)
        await eventually(lambda: slack.connector.health().state == State.RUNNING)
        assert slack.connector.bot_user_id == "UBOT"


def test_no_secret_means_no_http_and_neither_means_no_connector() -> None:
    socket_only = SlackConnector(SlackConfig(bot_token="xoxb", signing_secret="", app_token="xapp"))
    assert socket_only.routes() == []
    with pytest.raises(OperatorError):
        SlackConnector(SlackConfig(bot_token="xoxb", signing_secret=""))
