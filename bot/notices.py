"""What the bot writes to people: rendered from Jinja2 templates, French or English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.messages import say
from bot.texts import PLAIN
from bot.tickets.labels import language_of

_env = PLAIN


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str


def ticket_update(
    *, language: str, number: str, status: str, label: str, agent: str = ""
) -> Rendered:
    """A status change told to the requester (taken in charge, resolved, waiting on them)."""
    lang = language_of(language)
    text = _env.get_template(f"ticket_update.{lang.value}.txt.j2").render(
        number=number, status=status, label=label, agent=agent
    )
    return Rendered(say("notice.update_subject", lang), text)


def render(template: str, **values: Any) -> str:
    """Render one template of `bot/templates` (plain text is not escaped; `.html` is)."""
    return _env.get_template(template).render(**values)
