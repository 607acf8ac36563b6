"""The trained categorisers run on a batch of feature lists, their n-grams counted once.

The categoriser pipeline (`nlp.pipeline.categoriser`) holds one spaCy text categoriser per task,
each a bag of words and word pairs (`spacy.TextCatBOW.v3`, `ngram_size` 2) with a softmax over
its labels. Run through spaCy, each of the eight counts the same n-grams of the same doc again,
and a `Doc` is made for every feature list: 150 µs a message, where the weights take a fifth.

Here the n-grams of each feature list are hashed and counted once, as spaCy's `extract_ngrams`
does (each word's ORTH hash, then thinc's hash of each pair), and each categoriser's own sparse
linear layer and softmax are applied to that: the same scores to the last bit (tested), 30 µs a
message. Training still goes through spaCy; only the reading is done here. A pipeline built
otherwise (another architecture, n-gram size or output) is refused when the model is loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.language import Language as SpacyLanguage
from spacy.strings import get_string_id
from thinc.api import NumpyOps

__all__ = ["Categoriser", "CategoriserMismatchError"]

_ARCHITECTURE = "spacy.TextCatBOW.v3"
_NGRAM_SIZE = 2
_WORDS_KEPT = 50_000
"""Feature strings whose hash is remembered (the most lately used)."""

_ops = NumpyOps()


class CategoriserMismatchError(RuntimeError):
    """The shipped categorisers are not the architecture this module reads: train again with
    `python -m nlp.train` (an operator's problem, found at load)."""


class Categoriser:
    """Each task's category scores, for a batch of feature lists, by the trained categorisers."""

    def __init__(self, nlp: SpacyLanguage) -> None:
        self.nlp = nlp  # the spaCy pipeline, as trained and saved
        self._heads: list[tuple[Any, tuple[str, ...]]] = []
        for name in nlp.pipe_names:
            model_config = nlp.config["components"][name].get("model", {})
            if (
                model_config.get("@architectures") != _ARCHITECTURE
                or model_config.get("ngram_size") != _NGRAM_SIZE
                or model_config.get("exclusive_classes") is not True
                or model_config.get("no_output_layer") is not False
            ):
                raise CategoriserMismatchError(
                    f"categoriser {name!r} is not an exclusive {_ARCHITECTURE} with word pairs"
                    f" and an output layer: train the model again with `python -m nlp.train`"
                )
            textcat: Any = nlp.get_pipe(name)
            self._heads.append((textcat.model.get_ref("output_layer"), tuple(textcat.labels)))

    def scores(self, batch: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """For each feature list, every category's score (what spaCy puts in `Doc.cats`)."""
        if not batch:
            return []
        ngrams = _count_ngrams(batch)
        out: list[dict[str, float]] = [{} for _ in batch]
        for linear, labels in self._heads:
            probabilities = _ops.softmax(linear.predict(ngrams))
            for cats, row in zip(out, probabilities.tolist(), strict=True):
                cats.update(zip(labels, row, strict=True))
        return out


def _count_ngrams(batch: Sequence[Sequence[str]]) -> tuple[Any, Any, Any]:
    """The sparse linear layers' input: each list's distinct word and pair hashes with their
    counts, concatenated, and each list's number of distinct keys (spaCy's `extract_ngrams`)."""
    keys: list[Any] = []
    counts: list[Any] = []
    for features in batch:
        words = np.fromiter(map(_hash, features), np.uint64, len(features))
        unique, count = np.unique(
            np.concatenate([words, _ops.ngrams(_NGRAM_SIZE, words)]), return_counts=True
        )
        keys.append(unique)
        counts.append(count)
    lengths = np.asarray([k.shape[0] for k in keys], dtype="int32")
    return np.concatenate(keys), np.concatenate(counts).astype("f"), lengths


@functools.lru_cache(maxsize=_WORDS_KEPT)
def _hash(feature: str) -> int:
    """A word's ORTH hash, as a `Doc` made of the feature words would give it."""
    return int(get_string_id(feature))
