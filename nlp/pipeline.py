"""The spaCy pipelines, shared by training and run time.

One blank pipeline per language (`spacy.blank("fr")`, `spacy.blank("en")`): the tokenizer, lookup
lemmas from spacy-lookups-data (`nlp.lemmas`) and a component that sets `token.norm_` to the accent-free lemma
(what the patterns match on). Nothing in them is trained. Text is lower-cased before it enters,
so shouting and capitals carry no signal.

The trained part is one language-neutral pipeline of bag-of-words text categorisers (kind, team,
level, and fallbacks for the scope and impact factors) that reads `features()` of a processed
message: lemmas, stems, and tags for the services and factors found.
"""

from __future__ import annotations

import functools
from typing import Any, cast

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, NORM, ORTH
from spacy.language import Language as SpacyLanguage
from spacy.strings import StringStore, get_string_id
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from nlp import lemmas as _lemmas  # noqa: F401  (registers the guichet_lemma factory)
from nlp.arrays import set_hashes
from nlp.labels import TASKS, category
from nlp.severity import FACTOR_TASKS
from nlp.text import unaccent

__all__ = [
    "FACTOR_TASKS",
    "TASKS",
    "add_textcats",
    "blank",
    "categoriser",
    "features",
    "guichet_norm",
]


@SpacyLanguage.component("guichet_norm")
def guichet_norm(doc: Doc) -> Doc:
    """Set `norm_` to the lower-cased, accent-free lemma: typos without accents still match.
    Read and set through the doc's arrays (a `Token` made for each word cost more than the
    work), each lemma's norm remembered."""
    strings = doc.vocab.strings
    norms = [
        strings.add(_norm_of(lemma or text, strings))
        for lemma, text in doc.to_array([LEMMA, ORTH]).tolist()
    ]
    set_hashes(doc, NORM, norms)
    return doc


_WORDS_KEPT = 50_000
"""Words whose norm, and whose norm's features, are remembered (the most lately used)."""


@functools.lru_cache(maxsize=_WORDS_KEPT)
def _norm_of(key: int, strings: StringStore) -> str:
    """The norm of the string hashed `key` in `strings`."""
    return unaccent(strings[key].lower())


def textcat_config(length: int = 2**15) -> dict[str, Any]:
    return {
        "model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": True,
            "ngram_size": 2,
            "no_output_layer": False,
            "length": length,
        }
    }


def blank(lang: str) -> SpacyLanguage:
    """Tokenizer, lookup lemmatizer and normaliser (initialised, ready to run)."""
    nlp = spacy.blank(lang)
    # spaCy's exceptions hold the white space characters (a line break, a tab, a no-break
    # space) as special cases, and a text that hits a special case has none of its words
    # remembered by the tokenizer (spaCy #1250): every message holds a line break, so every
    # word was split again, 3 to 4 times the work. Read without those rules, a white space
    # run is the same one token (the same words, norms and lemmas on 5,563 texts;
    # tests/nlp/test_tokenizer.py holds it on the test split).
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    tokenizer.rules = {k: v for k, v in (tokenizer.rules or {}).items() if k.strip()}
    nlp.add_pipe("guichet_lemma")  # spaCy's lookup lemmas, in compact arrays (`nlp.lemmas`)
    nlp.add_pipe("guichet_norm")
    return nlp


def add_textcats(nlp: SpacyLanguage) -> None:
    for task, labels in {**TASKS, **FACTOR_TASKS}.items():
        textcat: Any = nlp.add_pipe("textcat", name=task, config=textcat_config())
        for label in labels:
            textcat.add_label(category(task, label))


def features(doc: Doc, tags: list[str]) -> list[str]:
    """What the categorisers see: accent-free lemmas, 5-letter stems of long words, and tags.

    Stems let "numériseur" meet "numérisation"; digits are folded so ticket and phone numbers
    cannot be memorised; tags carry the services and factors the matchers found.
    """
    out: list[str] = []
    strings = doc.vocab.strings
    for space, punct, text, norm in doc.to_array([IS_SPACE, IS_PUNCT, ORTH, NORM]).tolist():
        if not (space or (punct and text != _QUESTION_MARK)):
            out += _features_of(norm, strings)
    out.extend(tags)
    return out or ["-"]


_QUESTION_MARK = get_string_id("?")


@functools.lru_cache(maxsize=_WORDS_KEPT)
def _features_of(norm: int, strings: StringStore) -> tuple[str, ...]:
    """What one word of norm hashed `norm` in `strings` gives the categorisers."""
    text = strings[norm]
    if any(c.isdigit() for c in text):
        text = "#" if len(text) < 4 else "##"
    stem = (text[:5] + "~",) if len(text) > 6 and text.isalpha() else ()
    return (text, *stem)


def categoriser() -> SpacyLanguage:
    """The language-neutral pipeline that holds the text categorisers."""
    nlp = spacy.blank("xx")
    add_textcats(nlp)
    return nlp
