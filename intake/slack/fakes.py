"""A fake of `SlackCommands` shipped with the product (tests, demos, a bot without a store)."""

from __future__ import annotations

import asyncio

from intake.slack.ports import BlockAction, SlackReply, SlashCommand


class RecordingCommands:
    """Records every command and action; answers with canned replies.

    `delay` makes `command` slow (to exercise the holding answer); `reply_to_action` is returned
    from `action` (e.g. a refusal).
    """

    def __init__(self, *, delay: float = 0.0) -> None:
        self.commands: list[SlashCommand] = []
        self.actions: list[BlockAction] = []
        self.delay = delay
        self.reply_to_action: SlackReply | None = None
        self.arrived = asyncio.Event()

    async def command(self, cmd: SlashCommand) -> SlackReply:
        self.commands.append(cmd)
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        english = cmd.locale.lower().startswith("en")
        return SlackReply(text=f"{'Received' if english else 'Reçu'}: {cmd.text}")

    async def action(self, action: BlockAction) -> SlackReply | None:
        self.actions.append(action)
        self.arrived.set()
        return self.reply_to_action
