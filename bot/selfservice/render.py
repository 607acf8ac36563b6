"""What the bot writes for self-service: a knowledge-base answer, its Slack buttons, a redirection.

Templates live in `bot/templates` (`kb_answer.<email|chat>.<fr|en>.txt.j2`,
`redirect.<email|chat>.<fr|en>.txt.j2`). Articles are Markdown: email gets plain text, chat and
Slack get Slack mrkdwn.
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import say
from bot.notices import Rendered
from bot.selfservice.kb import Article
from bot.selfservice.redirect import Redirect
from bot.texts import TRIMMED
from bot.tickets.labels import language_of
from nlp.labels import Language

SOLVED_ACTION = "guichet.kb.solved"
UNSOLVED_ACTION = "guichet.kb.unsolved"
SECTION_LIMIT = 3000  # Slack's limit on a section's text

_env = TRIMMED

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.MULTILINE)


def kb_answer(
    language: Language | str, number: str, article: Article, channel: str = "email"
) -> Rendered:
    """The self-service answer: the article, then "is it solved?" (nothing closes by itself)."""
    lang = language_of(language)
    style = "email" if channel == "email" else "chat"
    body = to_plain(article.body) if style == "email" else to_mrkdwn(article.body)
    text = _env.get_template(f"kb_answer.{style}.{lang.value}.txt.j2").render(
        number=number, title=article.title, body=body
    )
    return Rendered(say("selfservice.kb_subject", lang, number=number, title=article.title), text)


def kb_buttons(number: str, language: Language | str, article: Article) -> list[dict[str, Any]]:
    """Slack blocks: the article as mrkdwn, the question, and solved / not solved buttons."""
    lang = language_of(language)
    text = f"*{_escape(article.title)}*\n\n{to_mrkdwn(article.body)}"
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1].rstrip() + "…"
    solved, unsolved = say("selfservice.solved", lang), say("selfservice.unsolved", lang)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{say('selfservice.question', lang)} · {number}"}
            ],
        },
        {
            "type": "actions",
            "block_id": f"ticket:{number}",
            "elements": [
                _button(solved, SOLVED_ACTION, number, style="primary"),
                _button(unsolved, UNSOLVED_ACTION, number),
            ],
        },
    ]


def redirect_answer(
    language: Language | str, number: str, redirect: Redirect, channel: str = "email"
) -> Rendered:
    """Where the request belongs and how to reach them; the ticket is closed as redirected."""
    lang = language_of(language)
    style = "email" if channel == "email" else "chat"
    name = redirect.name(lang)
    contacts = [c for c in (redirect.email, redirect.phone, redirect.url) if c]
    text = _env.get_template(f"redirect.{style}.{lang.value}.txt.j2").render(
        number=number,
        name=name,
        handles=redirect.handles(lang),
        email=redirect.email,
        phone=redirect.phone,
        url=redirect.url,
        hours=redirect.hours(lang),
        contacts=contacts,
    )
    return Rendered(say("selfservice.redirect_subject", lang, number=number, name=name), text)


def to_mrkdwn(markdown: str) -> str:
    """Markdown → Slack mrkdwn: bold, headings, bullets and links; &, <, > escaped."""
    text = _escape(markdown)
    text = _LINK.sub(lambda m: f"<{m[2]}|{m[1]}>", text)
    text = _HEADING.sub(lambda m: f"*{m[1]}*", text)
    text = _BOLD.sub(lambda m: f"*{m[1]}*", text)
    return _BULLET.sub(lambda m: f"{m[1]}• ", text)


def to_plain(markdown: str) -> str:
    """Markdown → plain text for email: links spelled out, emphasis and headings marks removed."""
    text = _LINK.sub(lambda m: m[2] if m[1] in m[2] else f"{m[1]} ({m[2]})", markdown)
    text = _HEADING.sub(lambda m: m[1], text)
    return _BOLD.sub(lambda m: m[1], text).replace("`", "")


def _button(label: str, action_id: str, number: str, *, style: str = "") -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": number,
    }
    if style:
        button["style"] = style
    return button


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
