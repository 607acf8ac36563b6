"""The categorisers read outside spaCy give spaCy's own scores, to the last bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from nlp.categorise import Categoriser, CategoriserMismatchError
from nlp.clean import compose
from nlp.language import detect_language
from nlp.model import Model
from nlp.pipeline import categoriser, textcat_config
from nlp.triage import analyse

DATA = Path(__file__).resolve().parents[2] / "nlp" / "data"


def _spacy_scores(model: Model, batch: list[list[str]]) -> list[dict[str, float]]:
    nlp = model.categoriser.nlp
    return [doc.cats for doc in nlp.pipe(Doc(nlp.vocab, words=words) for words in batch)]


def test_the_scores_are_spacys_on_the_test_split(model: Model) -> None:
    batch = []
    for name in ("corpus.test.jsonl", "handwritten.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                text = compose(str(row.get("subject", "")), str(row["text"]))
                pipe = model.pipelines[detect_language(text).value]
                batch.append(analyse(pipe, pipe.nlp(text.lower()), text.lower()).features)
    assert len(batch) > 500
    assert model.categoriser.scores(batch) == _spacy_scores(model, batch)


@pytest.mark.parametrize(
    "words",
    [
        ["-"],  # a message with no word: one feature, no pair
        ["panne", "panne", "panne"],  # one word repeated: counted, and its pair with itself
        ["écran", "noir", "😀", "#", "##", "svc:network", "f:scope:all"],
        ["noun", "orth", "NOUN"],  # spaCy's symbols have their own ids, not a hash
    ],
)
def test_odd_feature_lists_score_as_spacy_does(model: Model, words: list[str]) -> None:
    assert model.categoriser.scores([words]) == _spacy_scores(model, [words])


def test_an_empty_batch_scores_nothing(model: Model) -> None:
    assert model.categoriser.scores([]) == []


def test_another_architecture_is_refused_at_load() -> None:
    nlp = spacy.blank("xx")
    config = textcat_config()
    config["model"]["ngram_size"] = 3
    nlp.add_pipe("textcat", name="kind", config=config).add_label("kind:incident")
    with pytest.raises(CategoriserMismatchError, match=r"python -m nlp\.train"):
        Categoriser(nlp)


def test_the_pipeline_training_builds_is_accepted() -> None:
    Categoriser(categoriser())
