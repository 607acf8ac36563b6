"""/csc and card buttons: routed to the bot's port, acknowledged within Slack's limit."""

from __future__ import annotations

import json

from intake.slack import cards
from intake.slack.agents import refusal
from tests.conftest import eventually
from tests.servers.slack_api import TEAM, FakeSlack
from tests.slack.conftest import Harness, serve_connector
from tests.slack.payloads import block_actions_body, slash_body

FORM = "application/x-www-form-urlencoded"


async def test_slash_command_is_answered_in_the_ack(slack: Harness) -> None:
    url = f"{slack.fake.base_url}/response/cmd1"
    status, text = await slack.post(
        slash_body("status CSC-000123", response_url=url), content_type=FORM
    )
    assert status == 200
    answer = json.loads(text)
    assert answer == {"text": "Reçu: status CSC-000123", "response_type": "ephemeral"}
    [cmd] = slack.commands.commands
    assert (cmd.command, cmd.text, cmd.user, cmd.team) == ("/csc", "status CSC-000123", "U1", TEAM)
    assert cmd.user_email == "marie.tremblay@itq.example" and cmd.locale == "fr-CA"
    assert cmd.response_url == url


async def test_slow_command_gets_a_holding_answer_then_the_reply(fake: FakeSlack) -> None:
    async with serve_connector(fake, command_wait_seconds=0.05) as slack:
        slack.commands.delay = 0.5
        url = f"{fake.base_url}/response/cmd2"
        status, text = await slack.post(
            slash_body("mes-billets", user="U2", response_url=url), content_type=FORM
        )
        assert status == 200
        assert json.loads(text)["text"] == "One moment…"
        await fake.wait_for(lambda f: len(f.responses) >= 1)
        path, body = fake.responses[0]
        assert path == "/response/cmd2"
        assert body == {"text": "Received: mes-billets", "response_type": "ephemeral"}


async def test_block_action_is_acked_and_routed(slack: Harness) -> None:
    url = f"{slack.fake.base_url}/response/act1"
    action = {
        "type": "static_select",
        "action_id": cards.SEVERITY,
        "block_id": "ticket:CSC-000123",
        "selected_option": {"text": {"type": "plain_text", "text": "P2 · Élevé"}, "value": "P2"},
    }
    status, _ = await slack.post(block_actions_body(action, response_url=url), content_type=FORM)
    assert status == 200
    await eventually(lambda: slack.commands.actions)
    [got] = slack.commands.actions
    assert (got.action_id, got.ticket, got.selected) == (cards.SEVERITY, "CSC-000123", "P2")
    assert (got.user, got.channel, got.message_ts) == ("UAGENT", "CTRIAGE", "1700000001.000001")
    assert got.user_name == "Agente Lavoie" and got.locale == "fr-CA"


async def test_action_reply_goes_back_ephemerally(slack: Harness) -> None:
    slack.commands.reply_to_action = refusal("fr-CA")
    url = f"{slack.fake.base_url}/response/act2"
    button = {
        "type": "button",
        "action_id": cards.TAKE,
        "block_id": "ticket:CSC-000124",
        "value": "CSC-000124",
        "text": {"type": "plain_text", "text": "Prendre"},
    }
    status, _ = await slack.post(
        block_actions_body(button, user="U1", response_url=url), content_type=FORM
    )
    assert status == 200
    await slack.fake.wait_for(lambda f: len(f.responses) >= 1)
    path, body = slack.fake.responses[0]
    assert path == "/response/act2"
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert body["text"].startswith("Seuls les agents")
    assert slack.commands.actions[0].ticket == "CSC-000124"
