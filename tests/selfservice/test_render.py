"""Rendering the self-service answers, in French and English, for email and chat."""

from __future__ import annotations

import pytest

from bot.selfservice.kb import load_kb
from bot.selfservice.redirect import load_catalogue
from bot.selfservice.render import (
    SOLVED_ACTION,
    UNSOLVED_ACTION,
    kb_answer,
    kb_buttons,
    redirect_answer,
    to_mrkdwn,
    to_plain,
)

KB = load_kb()
CATALOGUE = load_catalogue()
NUMBER = "CSC-000042"
QUESTION = {"fr": "Est-ce réglé?", "en": "Did this solve it?"}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("channel", ["email", "chat"])
def test_kb_answer(lang: str, channel: str) -> None:
    article = KB.article("password-reset", lang)
    assert article is not None
    rendered = kb_answer(lang, NUMBER, article, channel)
    assert NUMBER in rendered.subject and article.title in rendered.subject
    assert NUMBER in rendered.text
    assert article.title in rendered.text
    assert QUESTION[lang] in rendered.text
    assert "motdepasse.itq.example" in rendered.text
    assert "**" not in rendered.text


def test_kb_email_says_how_to_answer_and_that_nothing_closes() -> None:
    article = KB.article("vpn-home", "fr")
    assert article is not None
    text = kb_answer("fr", NUMBER, article, "email").text
    assert "Répondez « résolu »" in text
    assert "un agent prendra le" in text
    assert "rien n'est fermé" in text
    english = KB.article("vpn-home", "en")
    assert english is not None
    text = kb_answer("en", NUMBER, english, "email").text
    assert 'Reply "solved"' in text and "nothing is closed" in text


def test_chat_is_shorter_than_email() -> None:
    article = KB.article("printer-queue", "fr")
    assert article is not None
    email = kb_answer("fr", NUMBER, article, "email").text
    chat = kb_answer("fr", NUMBER, article, "chat").text
    assert len(chat) < len(email)
    assert f"*{NUMBER}*" in chat


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_kb_buttons(lang: str) -> None:
    article = KB.article("teams-audio-video", lang)
    assert article is not None
    blocks = kb_buttons(NUMBER, lang, article)
    section, actions = blocks[0], blocks[-1]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert article.title in section["text"]["text"]
    assert len(section["text"]["text"]) <= 3000
    assert actions["type"] == "actions" and actions["block_id"] == f"ticket:{NUMBER}"
    assert [b["action_id"] for b in actions["elements"]] == [SOLVED_ACTION, UNSOLVED_ACTION]
    assert {b["value"] for b in actions["elements"]} == {NUMBER}
    assert SOLVED_ACTION == "guichet.kb.solved" and UNSOLVED_ACTION == "guichet.kb.unsolved"
    assert QUESTION[lang] in str(blocks)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("channel", ["email", "chat"])
def test_redirect_answer(lang: str, channel: str) -> None:
    redirect = CATALOGUE.by_id("telephonie-mobile")
    assert redirect is not None
    rendered = redirect_answer(lang, NUMBER, redirect, channel)
    name = redirect.name(lang)
    assert NUMBER in rendered.subject and name in rendered.subject
    assert NUMBER in rendered.text and name in rendered.text
    assert redirect.email in rendered.text and redirect.phone in rendered.text
    assert redirect.hours(lang) in rendered.text
    assert ("redirigé" if lang == "fr" else "redirected") in rendered.text


def test_redirect_email_without_phone_or_hours() -> None:
    redirect = CATALOGUE.by_id("paie-rh")
    assert redirect is not None
    bare = redirect.model_copy(update={"phone": "", "hours_fr": ""})
    text = redirect_answer("fr", NUMBER, bare, "email").text
    assert "Téléphone" not in text and "Heures" not in text
    assert "Courriel : soutien-paie-rh@rh.example" in text


def test_markdown_conversions() -> None:
    markdown = "# Titre\n\nOuvrez **Paramètres** & [le portail](https://p.example).\n- un\n  - deux"
    assert to_mrkdwn(markdown) == (
        "*Titre*\n\nOuvrez *Paramètres* &amp; <https://p.example|le portail>.\n• un\n  • deux"
    )
    assert to_plain(markdown) == (
        "Titre\n\nOuvrez Paramètres & le portail (https://p.example).\n- un\n  - deux"
    )
    assert to_plain("[p.example](https://p.example)") == "https://p.example"
