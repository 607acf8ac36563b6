"""A business rule refused an agent's action: the agent's fault, told in the agent's language.

Raised by the ticket log's writer and the actions built on it (a severity on a request, a
status change the workflow does not allow). Carries a message key of `bot.messages` and its
fields, never a ready-made sentence, so Slack, the CLI and the console render it in French or
English. Anything else that goes wrong is a programming or operator problem, not shown to agents.
"""

from __future__ import annotations

from bot.messages import say
from nlp.labels import Language


class TicketRuleError(Exception):
    def __init__(self, key: str, /, **fields: object) -> None:
        self.key = f"rule.{key}"
        self.fields = fields
        super().__init__(self.render(Language.EN))

    def render(self, language: Language | str) -> str:
        return say(self.key, language, **self.fields)
