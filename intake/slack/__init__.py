"""Slack as a channel: the Events/commands/actions connector, the poster, cards and agents.

Only this package (and the tests) import slack-bolt and slack-sdk; the bot sees `InboundMessage`
(raw = a `SlackEnvelope` as canonical JSON), `OutboundMessage`, and the typed dataclasses of
`intake.slack.ports`.

Nothing is imported here: reading an envelope (`intake.slack.envelope`) must not load slack-bolt.
Import from the modules: `connector.SlackConnector`, `sender.SlackSender`, `agents`, `cards`,
`ports`.
"""
