"""Folding and light stemming: French and English forms of one word meet."""

from __future__ import annotations

import pytest

from bot.selfservice.text import fold, stem, stems, words


def test_fold() -> None:
    assert fold("Éléphant Œuvre Ça’va") == "elephant oeuvre ca'va"


def test_words_split_elisions() -> None:
    assert words("L'imprimante n'imprime plus") == ["l", "imprimante", "n", "imprime", "plus"]


@pytest.mark.parametrize(
    "forms",
    [
        ("verrouillé", "verrouiller", "verrouillage", "verrouillés"),
        ("partage", "partager", "partagé", "partagés"),
        ("réinitialiser", "réinitialisation", "réinitialisé"),
        ("printer", "printing", "printers", "print"),
        ("locked", "lock", "locks"),
        ("mapped", "map", "maps"),
        ("caméra", "camera", "caméras"),
        ("certificat", "certificate", "certificates"),
    ],
)
def test_forms_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(fold(f)) for f in forms}) == 1, [stem(fold(f)) for f in forms]


def test_distinct_words_stay_distinct() -> None:
    assert stem("outage") != stem("out")
    assert stem("passe") != stem("pas")


def test_stems_drop_fillers_keep_negations() -> None:
    assert stems("Mon compte n'est pas verrouillé") == ["compt", "pas", "verrouill"]
