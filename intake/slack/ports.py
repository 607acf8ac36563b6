"""The port through which Slack hands slash commands and button clicks to the bot.

The connector decides nothing about tickets: it turns Bolt's payloads into these frozen
dataclasses, acknowledges Slack within its 3-second limit, and posts the `SlackReply` the bot
returns. The real implementation lives in the bot; `intake.slack.fakes.RecordingCommands` is the
fake used by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SlackReply:
    """What to answer a person in Slack. `blocks` is Block Kit (a list of block dicts).

    `ephemeral` replies are seen only by the person who typed the command or clicked; otherwise
    the reply is posted in the channel (`response_type: in_channel`).
    """

    text: str
    blocks: tuple[dict[str, Any], ...] = ()
    ephemeral: bool = True

    def as_ack(self) -> dict[str, Any]:
        """The keyword arguments of Bolt's `ack()` / a `response_url` body."""
        body: dict[str, Any] = {
            "text": self.text,
            "response_type": "ephemeral" if self.ephemeral else "in_channel",
        }
        if self.blocks:
            body["blocks"] = list(self.blocks)
        return body


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """`/csc status CSC-000123`, `/csc mes-billets`: `text` is what follows the command name."""

    command: str
    text: str
    user: str
    team: str
    channel: str
    response_url: str
    trigger_id: str = ""
    user_email: str = ""
    user_name: str = ""
    locale: str = ""
    """Slack locale of the user (`fr-CA`, `en-US`); empty when unknown — answer in French."""


@dataclass(frozen=True, slots=True)
class BlockAction:
    """One click or selection on one of our cards (`block_actions`).

    `ticket` comes from the block_id (`ticket:CSC-000123`) or the button's value; `selected` is
    the chosen option's value for a static_select (`P2`, `network`, `N3`). `message_ts` and
    `channel` name the card to update in place (`OutboundMessage.replaces`).
    """

    action_id: str
    user: str
    team: str
    channel: str
    message_ts: str
    ticket: str
    value: str = ""
    selected: str = ""
    block_id: str = ""
    response_url: str = ""
    trigger_id: str = ""
    user_email: str = ""
    user_name: str = ""
    locale: str = ""


class SlackCommands(Protocol):
    """The bot's side of Slack's interactive features (status, my tickets, agent buttons).

    Both methods may be slow (database, triage); the connector waits about 2 s for `command`
    before acknowledging with a holding answer, and never waits for `action`. They must not
    raise for a person's mistake — they answer with a `SlackReply` — but an exception is logged
    and the person gets a generic apology.
    """

    async def command(self, cmd: SlashCommand) -> SlackReply:
        """Answer a slash command (in the user's language; status only to whom may see it)."""
        ...

    async def action(self, action: BlockAction) -> SlackReply | None:
        """Apply a card action (confirm, take, resolve, change severity/team/level).

        Return a reply to show only to the clicker (e.g. the refusal of a non-agent), or None.
        Card updates go through the outbox (`OutboundMessage.replaces`), not through here.
        """
        ...
