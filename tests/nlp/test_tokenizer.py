"""The language pipelines read white space without spaCy's white space special cases (which
stop the tokenizer remembering any word of a text that holds a line break): the same tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.attrs import IS_SPACE, LEMMA, NORM, ORTH, SPACY

from nlp.clean import compose
from nlp.pipeline import blank

DATA = Path(__file__).resolve().parents[2] / "nlp" / "data"
ODD = [
    "Bonjour,\n\nmon poste\tne démarre plus.\r\nMerci",
    "deux  espaces,   trois, et\u00a0une insécable\n \n\t\n",
    "\n\nligne vide au début",
    "l'imprimante n'imprime pas aujourd'hui : c'est urgent !\n-- \nMarie",
    "   ",
]


def _texts() -> list[str]:
    texts = list(ODD)
    lines: list[str] = []
    for name in ("corpus.test.jsonl", "handwritten.jsonl"):
        lines += (DATA / name).read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.strip():
            row = json.loads(line)
            texts.append(compose(str(row.get("subject", "")), str(row["text"])).lower())
    return texts


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tokens_are_those_of_spacys_own_rules(lang: str) -> None:
    ours = blank(lang)
    theirs = blank(lang)
    theirs.tokenizer.rules = spacy.blank(lang).tokenizer.rules
    assert ours.tokenizer.rules != theirs.tokenizer.rules  # the white space rules are gone
    columns = [ORTH, SPACY, IS_SPACE, LEMMA, NORM]
    texts = _texts()
    assert len(texts) > 500
    for text in texts:
        mine, spacys = ours(text), theirs(text)
        assert mine.to_array(columns).tolist() == spacys.to_array(columns).tolist(), text
        assert mine.text == spacys.text == text
