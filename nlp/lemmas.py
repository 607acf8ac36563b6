"""Lookup lemmas (spacy-lookups-data's `lemma_lookup` tables) in compact arrays.

spaCy's own lookup lemmatizer holds the French table (217,000 forms) as Python objects: with the
garbage its JSON leaves behind, about 90 MB in every process that triages, where these arrays
take 8 MB. The component below gives exactly spaCy's lookup lemma (the table's first lemma for
the token's text, else the text itself); `tests/nlp/test_lemmas.py` holds both equal on the
corpus and the shipped arrays equal to the installed tables.

The arrays ship in `data/lemmas/` (built from the installed spacy-lookups-data by
`python -m nlp.lemmas`): building them at load time would leave the JSON's garbage behind.
"""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from nlp.arrays import set_hashes

LEMMAS_DIR = Path(__file__).parent / "data" / "lemmas"


@dataclass(frozen=True, slots=True)
class LemmaTable:
    """Sorted UTF-8 forms, and for each the index of its lemma in `lemmas`."""

    forms: NDArray[np.bytes_]
    lemmas: NDArray[np.bytes_]
    lemma_of: NDArray[np.int32]

    def lookup(self, texts: list[str]) -> list[str]:
        """Each text's lemma, or the text itself (spaCy's `lookup` mode)."""
        if not texts:
            return []
        width = self.forms.dtype.itemsize
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        # A longer text, or one with a NUL (the fixed-width type drops trailing NULs), is in no
        # table: it must not match a truncated form.
        usable = [len(b) <= width and b"\x00" not in b for b in encoded]
        wanted = np.array([b if ok else b"" for b, ok in zip(encoded, usable, strict=True)])
        at = np.searchsorted(self.forms, wanted.astype(self.forms.dtype))
        at = np.minimum(at, len(self.forms) - 1)
        found = (self.forms[at] == wanted) & np.array(usable)
        return [
            self.lemmas[self.lemma_of[i]].decode("utf-8") if hit else text
            for text, i, hit in zip(texts, at.tolist(), found.tolist(), strict=True)
        ]


@cache
def table(lang: str) -> LemmaTable:
    """The shipped table of `lang` (loaded once per process)."""
    with np.load(LEMMAS_DIR / f"{lang}.npz") as data:
        return LemmaTable(data["forms"], data["lemmas"], data["lemma_of"])


@SpacyLanguage.factory("guichet_lemma")
def make_lemmatizer(nlp: SpacyLanguage, name: str) -> LookupLemmas:
    return LookupLemmas(table(nlp.lang))


class LookupLemmas:
    """Sets `token.lemma_` from the language's table; the words met recently are remembered
    (a desk's words repeat: most tokens never reach the arrays)."""

    KEPT = 50_000

    def __init__(self, lemmas: LemmaTable) -> None:
        self.table = lemmas
        self._seen: dict[int, int] = {}
        """A text's hash → its lemma's hash (both in the pipeline's own string store)."""

    def __call__(self, doc: Doc) -> Doc:
        """Read and set through the doc's arrays: a `Token` made for each word cost more than
        the look-up."""
        seen = self._seen
        texts = doc.to_array(ORTH).tolist()
        new = [text for text in dict.fromkeys(texts) if text not in seen]
        if new:
            if len(seen) + len(new) > self.KEPT:
                seen.clear()
            strings = doc.vocab.strings
            found = self.table.lookup([strings[text] for text in new])
            seen.update(zip(new, map(strings.add, found), strict=True))
        set_hashes(doc, LEMMA, map(seen.__getitem__, texts))
        return doc


def installed(lang: str) -> dict[str, str]:
    """spacy-lookups-data's lookup table for `lang`, each form with its first lemma."""
    path = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
    with gzip.open(BytesIO(path.read_bytes()), "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    return {form: lemma if isinstance(lemma, str) else lemma[0] for form, lemma in raw.items()}


def build(forms_to_lemmas: dict[str, str]) -> LemmaTable:
    pairs = sorted((form.encode("utf-8"), lemma) for form, lemma in forms_to_lemmas.items())
    lemmas = sorted({lemma for _, lemma in pairs})
    index = {lemma: i for i, lemma in enumerate(lemmas)}
    return LemmaTable(
        np.array([form for form, _ in pairs], dtype=np.bytes_),
        np.array([lemma.encode("utf-8") for lemma in lemmas], dtype=np.bytes_),
        np.array([index[lemma] for _, lemma in pairs], dtype=np.int32),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nlp.lemmas",
        description="Write data/lemmas/<lang>.npz from the installed spacy-lookups-data "
        "(after upgrading it; then retrain with `python -m nlp.train`).",
    )
    parser.add_argument("langs", nargs="*", default=["fr", "en"], help="languages (fr en)")
    args = parser.parse_args(argv)
    LEMMAS_DIR.mkdir(parents=True, exist_ok=True)
    for lang in args.langs:
        built = build(installed(lang))
        np.savez_compressed(
            LEMMAS_DIR / f"{lang}.npz",
            forms=built.forms,
            lemmas=built.lemmas,
            lemma_of=built.lemma_of,
        )
        print(f"{lang}: {len(built.forms)} forms, {len(built.lemmas)} lemmas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
