"""The bot's side of Slack: triage cards for agents, their buttons, and the /csc command.

`intake.slack` moves bytes to and from Slack; this package decides what they mean for tickets.
"""
