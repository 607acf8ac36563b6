"""The severity factors' token shapes, and the cheap look that decides whether to match them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.clean import compose
from nlp.language import detect_language
from nlp.model import Model

DATA = Path(__file__).resolve().parents[2] / "nlp" / "data"

SHAPES = [  # (text, the factor its shape shows)
    ("Le réseau est coupé au 3e étage depuis ce matin.", "scope|group"),
    ("The network is down on the 4th floor since this morning.", "scope|group"),
    ("The whole finance team cannot print.", "scope|group_"),
    ("Tout le service est sans courriel.", "scope|group_"),
    ("12 agents ne peuvent plus ouvrir leur session.", "scope|group__"),
    ("La sauvegarde de cette nuit a encore échoué.", "protective|yes"),
    ("Le Wi-Fi ne marche plus au bureau de Rimouski.", "scope|site"),
    ("Nobody can log in at the Moncton office since noon.", "scope|site"),
    ("Le disque du serveur de fichiers est à 92 % plein.", "preventive|yes"),
    ("The mail server disk is 95% full.", "preventive|yes"),
]


def _shapes_and_look(model: Model, text: str) -> tuple[set[str], bool]:
    low = text.lower()
    pipe = model.pipelines[detect_language(low).value]
    doc = pipe.nlp(low)
    found = {pipe.nlp.vocab.strings[key] for key, _start, _end in pipe.factors.shapes(doc)}
    return found, pipe.factors._may_have_shape(doc, low)


@pytest.mark.parametrize(("text", "key"), SHAPES)
def test_each_shape_is_looked_for(model: Model, text: str, key: str) -> None:
    found, looked = _shapes_and_look(model, text)
    assert key in found
    assert looked


def test_a_message_without_the_words_skips_the_shapes(model: Model) -> None:
    found, looked = _shapes_and_look(model, "Mon imprimante affiche une erreur depuis 2025.")
    assert not found
    assert not looked


def test_the_look_never_hides_a_shape_in_the_corpus(model: Model) -> None:
    """The look is a necessary condition: wherever a shape matches, it said to look (the test
    split and the handwritten set; 13,000 texts were checked when it was written)."""
    lines = [
        line
        for name in ("corpus.test.jsonl", "handwritten.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    missed = []
    for row in map(json.loads, lines):
        text = compose(str(row.get("subject", "")), str(row["text"]))
        found, looked = _shapes_and_look(model, text)
        if found and not looked:
            missed.append(text[:80])
    assert missed == []
