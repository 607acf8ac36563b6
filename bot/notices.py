"""What the bot writes to people: rendered from Jinja2 templates, French or English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.texts import PLAIN

_env = PLAIN


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str


_UPDATE_SUBJECT = {"fr": "Mise à jour de votre billet", "en": "Update on your ticket"}


def ticket_update(
    *, language: str, number: str, status: str, label: str, agent: str = ""
) -> Rendered:
    """A status change told to the requester (taken in charge, resolved, waiting on them)."""
    lang = language if language in _UPDATE_SUBJECT else "fr"
    text = _env.get_template(f"ticket_update.{lang}.txt.j2").render(
        number=number, status=status, label=label, agent=agent
    )
    return Rendered(_UPDATE_SUBJECT[lang], text)


def render(template: str, **values: Any) -> str:
    """Render one template of `bot/templates` (plain text is not escaped; `.html` is)."""
    return _env.get_template(template).render(**values)
