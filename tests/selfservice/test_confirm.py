"""Reading "is it solved?" answers."""

from __future__ import annotations

import pytest

from bot.selfservice.confirm import read_confirmation

SOLVED = (
    "résolu",
    "Résolu, merci!",
    "oui c'est réglé",
    "ça marche merci",
    "Oui, ça fonctionne maintenant. Merci beaucoup!",
    "C'est réglé, merci!",
    "Parfait, merci",
    "c'est beau merci",
    "Problème réglé",
    "solved",
    "yes it works",
    "It worked, thanks",
    "All good now, thank you",
    "That fixed it!",
    "Yes, that did it",
)
UNSOLVED = (
    "non",
    "Non, toujours pas",
    "toujours pas",
    "Non résolu",
    "Ce n'est pas réglé",
    "ça ne fonctionne pas",
    "Ça ne marche toujours pas",
    "Oui mais ça ne fonctionne pas",
    "Ça n'a rien changé",
    "Toujours le même problème",
    "not solved",
    "still broken",
    "It didn't work",
    "It doesn't work",
    "Nope, still not working",
    "No, same error",
    "Not fixed yet",
    "It never works",
)
UNCLEAR = (
    "",
    "Merci",
    "ok",
    "Je vais essayer demain",
    "Est-ce que je dois redémarrer?",
    "Je ne sais pas si c'est réglé",
    "Je pense que c'est réglé",
    "Oui c'est réglé, mais comment éviter que ça revienne?",
    "Thanks, I'll try tomorrow",
    "No idea",
    "Pouvez-vous m'appeler?\n\n> Est-ce réglé? Répondez « résolu »",
)


@pytest.mark.parametrize("text", SOLVED)
def test_solved(text: str) -> None:
    assert read_confirmation(text) == "solved"


@pytest.mark.parametrize("text", UNSOLVED)
def test_unsolved(text: str) -> None:
    assert read_confirmation(text) == "unsolved"


@pytest.mark.parametrize("text", UNCLEAR)
def test_unclear(text: str) -> None:
    assert read_confirmation(text) is None


def test_quoted_question_does_not_answer_itself() -> None:
    quoted = (
        "Résolu\n\nLe 12 nov. 2025 à 09:14, Centre de service a écrit :\n"
        "> Est-ce réglé? Répondez « résolu » à ce courriel"
    )
    assert read_confirmation(quoted) == "solved"
    assert read_confirmation("Non\n> Répondez « résolu » à ce courriel") == "unsolved"


def test_only_the_first_lines_count() -> None:
    text = "Bonjour,\nj'ai suivi les étapes.\nJe vous reviens plus tard.\n\nRésolu pour ma collègue"
    assert read_confirmation(text) is None
    assert read_confirmation("Bonjour,\nC'est réglé\nMerci") == "solved"
