"""Slash commands and card buttons: acknowledged fast, handed to the bot's `SlackCommands`.

Bolt runs our listeners before it answers Slack (`process_before_response=True`), so each
listener calls `ack()` itself: a command with the bot's reply when it comes within the wait,
otherwise a holding answer (the reply follows through `response_url`); an action at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from intake.slack.ports import BlockAction, SlackCommands, SlackReply, SlashCommand
from intake.slack.users import UserDirectory

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


def _english(locale: str) -> bool:
    return locale.lower().startswith("en")


def holding(locale: str) -> SlackReply:
    return SlackReply("One moment…" if _english(locale) else "Un instant…")


def apology(locale: str) -> SlackReply:
    if _english(locale):
        return SlackReply("Sorry, something went wrong. Please try again in a moment.")
    return SlackReply("Désolé, une erreur est survenue. Veuillez réessayer dans un instant.")


def unavailable(locale: str) -> SlackReply:
    if _english(locale):
        return SlackReply("This command is not available yet.")
    return SlackReply("Cette commande n'est pas encore disponible.")


def ticket_of(block_id: str, value: str) -> str:
    """The ticket our cards name in the block_id (`ticket:CSC-000123`), else the button's value,
    as sent (at most 64 characters): the bot reads it as a ticket number, or as none."""
    if block_id.startswith("ticket:"):
        return block_id.split(":")[1][:64]
    return value[:64]


def block_action(action: dict[str, Any], body: dict[str, Any]) -> BlockAction:
    """Bolt's `action` + `body` of a block_actions payload as our `BlockAction`."""
    user = body.get("user") or {}
    container = body.get("container") or {}
    message = body.get("message") or {}
    selected = action.get("selected_option") or {}
    value = str(action.get("value") or "")
    block_id = str(action.get("block_id") or "")
    return BlockAction(
        action_id=str(action.get("action_id") or ""),
        user=str(user.get("id") or ""),
        team=str((body.get("team") or {}).get("id") or user.get("team_id") or ""),
        channel=str((body.get("channel") or {}).get("id") or container.get("channel_id") or ""),
        message_ts=str(message.get("ts") or container.get("message_ts") or ""),
        ticket=ticket_of(block_id, value),
        value=value,
        selected=str(selected.get("value") or ""),
        block_id=block_id,
        response_url=str(body.get("response_url") or ""),
        trigger_id=str(body.get("trigger_id") or ""),
        user_name=str(user.get("name") or user.get("username") or ""),
    )


class Interactive:
    def __init__(
        self,
        users: UserDirectory,
        commands: SlackCommands | None,
        *,
        spawn: Spawn,
        wait: float,
    ) -> None:
        self._users = users
        self._commands = commands
        self._spawn = spawn
        self._wait = wait
        self._in_order = asyncio.Lock()

    async def on_command(self, ack: Any, command: dict[str, Any]) -> None:
        user = str(command.get("user_id") or "")
        person = await self._users.lookup(user)
        cmd = SlashCommand(
            command=str(command.get("command") or ""),
            text=str(command.get("text") or "").strip(),
            user=user,
            team=str(command.get("team_id") or ""),
            channel=str(command.get("channel_id") or ""),
            response_url=str(command.get("response_url") or ""),
            trigger_id=str(command.get("trigger_id") or ""),
            user_email=person.email,
            user_name=person.name or str(command.get("user_name") or ""),
            locale=person.locale,
        )
        if self._commands is None:
            await ack(**unavailable(cmd.locale).as_ack())
            return
        answer = asyncio.ensure_future(self._commands.command(cmd))
        try:
            reply = await asyncio.wait_for(asyncio.shield(answer), self._wait)
        except TimeoutError:
            await ack(**holding(cmd.locale).as_ack())
            self._spawn(self._answer_later(answer, cmd))
            return
        except Exception:
            log.exception("slack: command %s %r failed", cmd.command, cmd.text)
            reply = apology(cmd.locale)
        await ack(**reply.as_ack())

    async def _answer_later(self, answer: asyncio.Future[SlackReply], cmd: SlashCommand) -> None:
        try:
            reply = await answer
        except Exception:
            log.exception("slack: command %s %r failed", cmd.command, cmd.text)
            reply = apology(cmd.locale)
        await respond(cmd.response_url, reply)

    async def on_action(self, ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        if self._commands is None or body.get("type") != "block_actions":
            return
        self._spawn(self._act(block_action(action, body)))

    async def _act(self, action: BlockAction) -> None:
        # One at a time, in the order Slack delivered them: an agent's "take" then "resolve"
        # must not be applied the other way round.
        async with self._in_order:
            await self._act_now(action)

    async def _act_now(self, action: BlockAction) -> None:
        assert self._commands is not None
        person = await self._users.lookup(action.user)
        action = replace(
            action,
            user_email=person.email,
            user_name=person.name or action.user_name,
            locale=person.locale,
        )
        try:
            reply = await self._commands.action(action)
        except Exception:
            log.exception("slack: action %s on %s failed", action.action_id, action.ticket)
            reply = apology(action.locale)
        if reply is not None and action.response_url:
            await respond(action.response_url, reply, replace_original=False)


async def respond(url: str, reply: SlackReply, *, replace_original: bool | None = None) -> None:
    """Post to a `response_url` (valid 30 minutes, 5 uses); failures are logged, not raised."""
    body = reply.as_ack()
    if replace_original is not None:
        body["replace_original"] = replace_original
    try:
        response = await AsyncWebhookClient(url).send_dict(body)
    except Exception as exc:
        log.warning("slack: response_url post failed (%s)", exc.__class__.__name__)
        return
    if response.status_code != 200:
        log.warning("slack: response_url answered %s", response.status_code)
