"""Slack as a channel: the Events/commands/actions connector, the poster, cards and agents.

Only this package (and the tests) import slack-bolt and slack-sdk; the bot sees `InboundMessage`
(raw = a `SlackEnvelope` as canonical JSON), `OutboundMessage`, and the typed dataclasses of
`intake.slack.ports`.
"""

from intake.slack.agents import Agent, AgentDirectory
from intake.slack.connector import SlackConfig, SlackConnector
from intake.slack.envelope import SlackEnvelope, SlackFile, parse_envelope
from intake.slack.ports import BlockAction, SlackCommands, SlackReply, SlashCommand
from intake.slack.sender import SlackRateLimited, SlackSender

__all__ = [
    "Agent",
    "AgentDirectory",
    "BlockAction",
    "SlackCommands",
    "SlackConfig",
    "SlackConnector",
    "SlackEnvelope",
    "SlackFile",
    "SlackRateLimited",
    "SlackReply",
    "SlackSender",
    "SlashCommand",
    "parse_envelope",
]
