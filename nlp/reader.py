"""The second reader: severity and team read from the whole text, by character and word n-grams.

The decision table is exact when the patterns find the factors, and wrong when people state them
in words the patterns do not know; a bag of n-grams reads those (typos, mojibake, new turns of
phrase) at the cost of exactness. TF-IDF of word 1–2-grams and of character 2–5-grams within
words (each block of a row at unit length), and a multinomial logistic regression per task.
`nlp.triage` blends its severity with the table's proposal, and its team with the categoriser's.

Fitting uses scikit-learn (`TfidfVectorizer`, `LogisticRegression`; the `train` extra). Reading
needs only numpy: the n-grams are scikit-learn's own rules written out (a test holds them equal
to its analysers), and the product and softmax are a few array operations. A worker so carries
neither scikit-learn nor scipy (about 90 MB).

Stored without pickle: the terms in index order (`terms.json`) and the arrays (`weights.npz`:
idf, and per task its classes, coefficients and intercepts).
"""

from __future__ import annotations

import functools
import json
import re
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

READER_DIR = "reader"
C = 10.0  # inverse regularisation, as the baseline of `nlp.evaluate`
TASKS = ("severity", "team")
WORDS_REMEMBERED = 20_000  # about 6 MB; most of a desk's mail is in its commonest words
CHAR = "\x01"  # marks character n-grams; sorts before any word, so they come first
Array = np.ndarray[Any, Any]

# A greeting addressed to everyone says nothing of who is affected ("Bonjour tout le monde, mon
# Outlook plante" is one person): the n-grams must not read it as a wide scope.
_GREETING = re.compile(
    r"\b(bonjour|bonsoir|salut|allo|allô|hi|hello|hey|merci|thanks|thank you)[ ,]+"
    r"(?:à )?(?:tout le monde|tous|toutes|all|everyone|everybody|la gang|l'équipe|team)\b"
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_SPACES = re.compile(r"\s\s+")


def words(text: str) -> list[str]:
    """Word 1- and 2-grams, as scikit-learn's word analyser makes them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def grams(text: str) -> list[str]:
    """Character 2–5-grams inside each word padded with a space, as scikit-learn's `char_wb`
    analyser makes them (a word shorter than n counts once, whole)."""
    out: list[str] = []
    for word in _words_of(text):
        out += word_grams(word)
    return out


def _words_of(text: str) -> list[str]:
    return _SPACES.sub(" ", text.lower()).split()


def word_grams(word: str) -> list[str]:
    """The character n-grams of one word (of `grams`)."""
    w = f" {word} "
    size = len(w)
    if size > 5:
        return [w[i : i + n] for n in (2, 3, 4, 5) for i in range(size - n + 1)]
    return [w[i : i + n] for n in range(2, size) for i in range(size - n + 1)] + [w]


def analyse(text: str) -> list[str]:
    """Both kinds of n-grams in one list, the character ones marked apart (for fitting)."""
    text = _GREETING.sub(r"\1", text)
    return [*words(text), *(CHAR + g for g in grams(text))]


def _blockwise(rows: Array, cols: Array, data: Array, n: int, chars: int) -> Array:
    """Scale the character block and the word block of each row to unit length apiece, so the
    few words weigh as much as the many character n-grams."""
    block = rows * 2 + (cols >= chars)
    norms = np.sqrt(np.bincount(block, weights=data.astype(np.float64) ** 2, minlength=2 * n))
    norms[norms == 0] = 1.0
    scaled: Array = (data / norms[block]).astype(np.float32)
    return scaled


@dataclass(frozen=True, slots=True)
class Head:
    """One task's logistic regression: P(label) = softmax(x · coef + intercept)."""

    classes: tuple[str, ...]
    coef: Array  # (features, classes), float32
    intercept: Array  # (classes,), float32


@dataclass(frozen=True, slots=True)
class Features:
    """A batch as sparse coordinates: row, column, TF-IDF value."""

    n: int
    rows: Array
    cols: Array
    data: Array


class Reader:
    """The terms and their idf, and the heads. Reading counts each text's n-grams (a `Counter`),
    looks the distinct ones up in one mapped pass per batch, and weighs them."""

    def __init__(self, terms: Sequence[str], idf: Array, heads: Mapping[str, Head]) -> None:
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.heads = heads
        self.chars = _chars(self.terms)  # the character n-grams are the first `chars` terms
        self._index = (
            {t[1:]: i for i, t in enumerate(self.terms[: self.chars])},
            {t: i + self.chars for i, t in enumerate(self.terms[self.chars :])},
        )
        self._idf = self.idf.astype(np.float64)
        self._word_columns = functools.lru_cache(maxsize=WORDS_REMEMBERED)(self._columns)
        """The known character n-grams' columns of a word, for the words seen most lately."""

    def features(self, texts: Sequence[str]) -> Features:
        cleaned = [_GREETING.sub(r"\1", text) for text in texts]
        char_row, char_col, char_count = self._char_counts(cleaned)
        rows: list[int] = []
        counts: list[int] = []
        terms: list[str] = []
        for i, text in enumerate(cleaned):
            seen = Counter(words(text))
            terms.extend(seen)
            counts.extend(seen.values())
            rows.extend(repeat(i, len(seen)))
        # One look-up per distinct n-gram of each text, done by `map` (no Python loop).
        index = self._index[1]
        word_col = np.fromiter(map(index.get, terms, repeat(-1)), np.int64, len(terms))
        known = word_col >= 0
        col = np.concatenate([char_col, word_col[known]])
        row = np.concatenate([char_row, np.asarray(rows, dtype=np.int64)[known]])
        count = np.concatenate([char_count, np.asarray(counts, dtype=np.int64)[known]])
        tf = np.log(count.astype(np.float64)) + 1.0  # sublinear, as scikit-learn's
        data = (tf * self._idf[col]).astype(np.float32)
        data = _blockwise(row, col, data, len(texts), self.chars)
        return Features(len(texts), row, col, data)

    def _char_counts(self, texts: Sequence[str]) -> tuple[Array, Array, Array]:
        """Row, column and count of each known character n-gram of each text, counted from
        each word's known columns (remembered: most words recur), not n-gram by n-gram."""
        cols: list[int] = []
        sizes: list[int] = []
        for text in texts:
            before = len(cols)
            for word in _words_of(text):
                cols += self._word_columns(word)
            sizes.append(len(cols) - before)
        width = max(self.chars, 1)
        keys = np.repeat(np.arange(len(texts), dtype=np.int64), sizes) * width
        keys += np.asarray(cols, dtype=np.int64)
        found, count = np.unique(keys, return_counts=True)
        return found // width, found % width, count

    def _columns(self, word: str) -> array[int]:
        index = self._index[0]
        return array("i", (c for c in map(index.get, word_grams(word), repeat(-1)) if c >= 0))

    def read(self, texts: Sequence[str]) -> list[dict[str, dict[str, float]]]:
        """Per text (already composed and lower-cased), each task's distribution over labels."""
        if not texts:
            return []
        x = self.features(texts)
        out: list[dict[str, dict[str, float]]] = [{} for _ in texts]
        for task, head in self.heads.items():
            weighted = head.coef[x.cols] * x.data[:, None]
            z = np.stack(
                [
                    np.bincount(x.rows, weights=weighted[:, k], minlength=x.n)
                    for k in range(len(head.classes))
                ],
                axis=1,
            )
            z = z + head.intercept
            z = np.exp(z - z.max(axis=1, keepdims=True))
            p = z / z.sum(axis=1, keepdims=True)
            for mine, row in zip(out, p, strict=True):
                mine[task] = dict(zip(head.classes, map(float, row), strict=True))
        return out


def vectoriser(terms: Sequence[str] | None = None) -> TfidfVectorizer:
    """scikit-learn's vectoriser on these n-grams (fitting, and checking `Reader.features`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vocabulary = {t: i for i, t in enumerate(terms)} if terms is not None else None
    return TfidfVectorizer(
        analyzer=analyse, sublinear_tf=True, norm=None, vocabulary=vocabulary, dtype=np.float32
    )


def blockwise(x: csr_matrix, chars: int) -> csr_matrix:
    """`_blockwise` on a scikit-learn matrix (in place: `x` is fresh)."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    x.data = _blockwise(rows, x.indices, x.data, x.shape[0], chars)
    return x


def fit(texts: Sequence[str], labels: Mapping[str, Sequence[str | None]]) -> Reader:
    """Fit the vectoriser on every text, and one head per task on the texts it labels."""
    from sklearn.linear_model import LogisticRegression

    fitted = vectoriser()
    x = fitted.fit_transform(texts)
    terms = fitted.get_feature_names_out().tolist()
    x = blockwise(x, _chars(terms))
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
    return Reader(terms, fitted.idf_, heads)


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
