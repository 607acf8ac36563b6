"""The second reader: severity and team read from the whole text, by character and word n-grams.

The decision table is exact when the patterns find the factors, and wrong when people state them
in words the patterns do not know; a bag of n-grams reads those (typos, mojibake, new turns of
phrase) at the cost of exactness. TF-IDF of word 1–2-grams and of character 2–5-grams within
words, in one vector, and a multinomial logistic regression per task, fitted on `training_rows()`
(scikit-learn). `nlp.triage` blends its severity with the table's proposal, and its team with
the categoriser's.

Stored without pickle: the terms in index order (`terms.json`) and the arrays (`weights.npz`:
idf, and per task its classes, coefficients and intercepts). Inference is a sparse product and a
softmax.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

READER_DIR = "reader"
C = 10.0  # inverse regularisation, as the baseline of `nlp.evaluate`
TASKS = ("severity", "team")


# A greeting addressed to everyone says nothing of who is affected ("Bonjour tout le monde, mon
# Outlook plante" is one person): the n-grams must not read it as a wide scope.
_GREETING = re.compile(
    r"\b(bonjour|bonsoir|salut|allo|allô|hi|hello|hey|merci|thanks|thank you)[ ,]+"
    r"(?:à )?(?:tout le monde|tous|toutes|all|everyone|everybody|la gang|l'équipe|team)\b"
)


def _analysers() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    """Word 1–2-grams, and character 2–5-grams inside word boundaries (scikit-learn's own)."""
    words = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    return words, chars


def _analyser() -> Callable[[str], list[str]]:
    """Both kinds of n-grams in one list, the character ones marked apart (for fitting)."""
    words, chars = _analysers()

    def analyse(text: str) -> list[str]:
        text = _GREETING.sub(r"\1", text)
        return [*words(text), *(CHAR + c for c in chars(text))]

    return analyse


CHAR = "\x01"  # marks character n-grams; sorts before any word, so they come first


def _vectoriser(terms: Sequence[str] | None = None) -> TfidfVectorizer:
    vocabulary = {t: i for i, t in enumerate(terms)} if terms is not None else None
    return TfidfVectorizer(
        analyzer=_analyser(), sublinear_tf=True, norm=None, vocabulary=vocabulary, dtype=np.float32
    )


def _blockwise(x: csr_matrix, chars: int) -> csr_matrix:
    """Scale the character block and the word block of each row to unit length apiece, so the
    few words weigh as much as the many character n-grams (in place: `x` is fresh)."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    block = rows * 2 + (x.indices >= chars)
    squares = x.data.astype(np.float64) ** 2
    norms = np.sqrt(np.bincount(block, weights=squares, minlength=2 * x.shape[0]))
    norms[norms == 0] = 1.0
    x.data = (x.data / norms[block]).astype(np.float32)
    return x


@dataclass(frozen=True, slots=True)
class Head:
    """One task's logistic regression: P(label) = softmax(x · coef + intercept)."""

    classes: tuple[str, ...]
    coef: np.ndarray[Any, np.dtype[np.float32]]  # (features, classes)
    intercept: np.ndarray[Any, np.dtype[np.float32]]  # (classes,)


class Reader:
    """The fitted vectoriser's terms and idf, and the heads. Reading counts the n-grams itself
    (a `Counter` per text, then one look-up per distinct n-gram): the figures of scikit-learn's
    `TfidfVectorizer.transform` (a test holds them equal), at about two thirds of its cost and
    without keeping the fitted vectoriser in memory."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray[Any, Any], heads: Mapping[str, Head]):
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.heads = heads
        self.chars = _chars(terms)  # the character n-grams are the first `chars` terms
        self._char_index = {t[1:]: i for i, t in enumerate(terms[: self.chars])}
        self._word_index = {t: i + self.chars for i, t in enumerate(terms[self.chars :])}
        self._idf = self.idf.astype(np.float64)
        self._words, self._grams = _analysers()

    def vectoriser(self) -> TfidfVectorizer:
        """scikit-learn's vectoriser with these terms and idf (to check `features` against)."""
        vectoriser = _vectoriser(self.terms)
        vectoriser.idf_ = self.idf
        return vectoriser

    def features(self, texts: Sequence[str]) -> csr_matrix:
        cleaned = [_GREETING.sub(r"\1", text) for text in texts]
        rows: list[int] = []
        keys: list[tuple[dict[str, int], list[str], list[int]]] = []
        for index, analyse in ((self._char_index, self._grams), (self._word_index, self._words)):
            terms: list[str] = []
            counts: list[int] = []
            for i, text in enumerate(cleaned):
                seen = Counter(analyse(text))
                terms.extend(seen)
                counts.extend(seen.values())
                rows.extend(repeat(i, len(seen)))
            keys.append((index, terms, counts))
        # One look-up per distinct n-gram of each text, done by `map` (no Python loop).
        cols = np.concatenate(
            [
                np.fromiter(map(ix.get, terms, repeat(-1)), np.int64, len(terms))
                for ix, terms, _ in keys
            ]
        )
        counts_ = np.concatenate([np.asarray(c, dtype=np.float64) for _, _, c in keys])
        known = cols >= 0
        cols, counts_, row = cols[known], counts_[known], np.asarray(rows, dtype=np.int64)[known]
        tf = np.log(counts_) + 1.0  # sublinear term frequency, as scikit-learn's
        data = (tf * self._idf[cols]).astype(np.float32)
        x = coo_matrix((data, (row, cols)), shape=(len(texts), len(self._idf))).tocsr()
        return _blockwise(x, self.chars)

    def read(self, texts: Sequence[str]) -> list[dict[str, dict[str, float]]]:
        """Per text (already composed and lower-cased), each task's distribution over labels."""
        if not texts:
            return []
        x = self.features(texts)
        out: list[dict[str, dict[str, float]]] = [{} for _ in texts]
        for task, head in self.heads.items():
            z = x @ head.coef + head.intercept
            z = np.exp(z - z.max(axis=1, keepdims=True))
            p = z / z.sum(axis=1, keepdims=True)
            for mine, row in zip(out, p, strict=True):
                mine[task] = dict(zip(head.classes, map(float, row), strict=True))
        return out


def fit(texts: Sequence[str], labels: Mapping[str, Sequence[str | None]]) -> Reader:
    """Fit the vectoriser on every text, and one head per task on the texts it labels."""
    from sklearn.linear_model import LogisticRegression

    vectoriser = _vectoriser()
    x = _blockwise(vectoriser.fit_transform(texts), _chars(vectoriser.get_feature_names_out()))
    heads = {}
    for task, gold in labels.items():
        rows = [i for i, g in enumerate(gold) if g is not None]
        lr = LogisticRegression(C=C, solver="saga", tol=1e-3, max_iter=2000, random_state=0)
        lr.fit(x[rows], [gold[i] for i in rows])
        heads[task] = Head(
            tuple(str(c) for c in lr.classes_),
            lr.coef_.T.astype(np.float32),
            lr.intercept_.astype(np.float32),
        )
    return Reader(vectoriser.get_feature_names_out().tolist(), vectoriser.idf_, heads)


def _chars(terms: Sequence[str]) -> int:
    """How many character n-grams lead the terms (sorted: the mark sorts first)."""
    chars = sum(1 for t in terms if t.startswith(CHAR))
    if not all(t.startswith(CHAR) for t in terms[:chars]):
        raise ValueError("the reader's character n-grams must come before its words")
    return chars


def save(reader: Reader, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(reader.terms, ensure_ascii=False)
    (folder / "terms.json").write_text(text, encoding="utf-8")
    arrays: dict[str, Any] = {"idf": reader.idf}
    for task, head in reader.heads.items():
        arrays[f"{task}.classes"] = np.array(head.classes)
        arrays[f"{task}.coef"] = head.coef
        arrays[f"{task}.intercept"] = head.intercept
    with (folder / "weights.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)


def load(folder: Path) -> Reader:
    terms = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
    with np.load(folder / "weights.npz", allow_pickle=False) as arrays:
        heads = {
            task: Head(
                tuple(str(c) for c in arrays[f"{task}.classes"]),
                arrays[f"{task}.coef"],
                arrays[f"{task}.intercept"],
            )
            for task in TASKS
            if f"{task}.coef" in arrays
        }
        return Reader(terms, arrays["idf"], heads)
