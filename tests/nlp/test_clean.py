"""Quoted history and signatures are cut before triage; language detection."""

from __future__ import annotations

from nlp.clean import clean
from nlp.labels import Language
from nlp.language import detect_language


def test_cuts_quoted_history_and_signature() -> None:
    text = (
        "Bonjour,\n\nMon poste gèle.\n\nMerci\nJulie Tremblay\n418 555-1234\n\n"
        "Le 12 nov. 2025 à 09:14, Centre de service a écrit :\n> Votre billet est fermé."
    )
    assert clean(text) == "Bonjour,\n\nMon poste gèle."


def test_cuts_outlook_header() -> None:
    text = "Des nouvelles?\n\n-----Original Message-----\nFrom: desk\nThe VPN is down."
    assert clean(text) == "Des nouvelles?"


def test_keeps_a_message_that_is_only_a_closing() -> None:
    assert clean("Merci!") == "Merci!"


def test_detect_language() -> None:
    assert detect_language("The printer on the 2nd floor is not working") is Language.EN
    assert detect_language("L'imprimante du 2e ne fonctionne plus") is Language.FR
    assert detect_language("") is Language.FR


def test_importing_nlp_loads_neither_spacy_nor_the_model() -> None:
    import subprocess
    import sys

    code = "import sys, nlp, nlp.jsonl; sys.exit('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
