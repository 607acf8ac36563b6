"""The compact lemma tables give exactly spaCy's lookup lemmas, and ship up to date."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.language import Language as SpacyLanguage

from nlp import corpus
from nlp.lemmas import build, installed, table
from nlp.pipeline import blank

TRICKY = [
    "",
    "a",
    "abaissa",  # a form whose table entry is a list: its first lemma
    "quatre-vingt-dix-huitièmes",  # the longest form
    "quatre-vingt-dix-huitièmesx",  # one byte longer: truncated, it would match the form above
    "avoir\x00",  # a NUL: the fixed-width type would drop it
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "été",
    "mangeais",
    "Avoir",  # the tables are lower-case; text enters lower-cased anyway
]


def _spacy_lookup(lang: str) -> SpacyLanguage:
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.get_pipe("lemmatizer").initialize()  # type: ignore[attr-defined]
    return nlp


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_shipped_table_is_the_installed_one(lang: str) -> None:
    shipped, fresh = table(lang), build(installed(lang))
    assert np.array_equal(shipped.forms, fresh.forms)
    assert np.array_equal(shipped.lemmas, fresh.lemmas)
    assert np.array_equal(shipped.lemma_of, fresh.lemma_of)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_lemmas_are_spacys_lookup_lemmas(lang: str) -> None:
    theirs, ours = _spacy_lookup(lang), blank(lang)
    texts = [f"{r['subject']}\n{r['text']}".lower() for r in corpus.training_rows()[::5]]
    for text in [*TRICKY, " ".join(TRICKY), *texts]:
        expected = [t.lemma_ for t in theirs(text)]
        assert [t.lemma_ for t in ours(text)] == expected, text[:80]


def test_a_token_is_looked_up_whole() -> None:
    fr = table("fr")
    assert fr.lookup(["quatre-vingt-dix-huitièmesx", "avoir\x00", "a"]) == [
        "quatre-vingt-dix-huitièmesx",
        "avoir\x00",
        "avoir",
    ]
