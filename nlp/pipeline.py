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

from typing import Any

import spacy
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from nlp import lemmas as _lemmas  # noqa: F401  (registers the guichet_lemma factory)
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
    """Set `norm_` to the lower-cased, accent-free lemma: typos without accents still match."""
    for token in doc:
        token.norm_ = unaccent((token.lemma_ or token.text).lower())
    return doc


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
    for token in doc:
        if token.is_space or (token.is_punct and token.text != "?"):
            continue
        norm = token.norm_
        if any(c.isdigit() for c in norm):
            norm = "#" if len(norm) < 4 else "##"
        out.append(norm)
        if len(norm) > 6 and norm.isalpha():
            out.append(norm[:5] + "~")
    out.extend(tags)
    return out or ["-"]


def categoriser() -> SpacyLanguage:
    """The language-neutral pipeline that holds the text categorisers."""
    nlp = spacy.blank("xx")
    add_textcats(nlp)
    return nlp
