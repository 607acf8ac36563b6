"""The second reader (n-grams of the whole text), the blend with the decision table, and the
categorisers' scores read task by task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.labels import Severity, category, distributions
from nlp.model import Model
from nlp.reader import CHAR, Reader, fit, load, save
from nlp.severity import FACTOR_TASKS, TABLE_WEIGHT, blend

TEXTS = [
    "le serveur de fichiers est en panne pour tout le ministère",
    "my mouse is broken",
    "plus personne ne peut ouvrir la paie",
    "printer jammed on the 3rd floor",
    "le vpn marche pu",
    "the whole regional office has no network",
]
SEVERITIES = ["P2", "P4", "P1", "P4", "P4", "P2"]


def small_reader() -> Reader:
    return fit(TEXTS * 2, {"severity": SEVERITIES * 2})


def test_a_saved_reader_reads_exactly_as_the_fitted_one(tmp_path: Path) -> None:
    reader = small_reader()
    save(reader, tmp_path / "reader")
    again = load(tmp_path / "reader")
    texts = ["la paie est en panne", "the vpn is down for nobody", ""]
    for a, b in zip(reader.read(texts), again.read(texts), strict=True):
        assert a.keys() == b.keys() == {"severity"}
        assert a["severity"] == pytest.approx(b["severity"], abs=1e-6)
        assert sum(a["severity"].values()) == pytest.approx(1.0)


def test_the_reader_is_stored_without_pickle(tmp_path: Path) -> None:
    save(small_reader(), tmp_path)
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as arrays:
        assert {"idf", "severity.classes", "severity.coef", "severity.intercept"} <= set(arrays)


def test_words_and_character_ngrams_weigh_the_same() -> None:
    reader = small_reader()
    x = reader.features(["le vpn marche pu du tout ce matin"])
    chars = x.cols < reader.chars
    assert chars.any() and (~chars).any()
    assert float(np.sum(x.data[chars] ** 2)) == pytest.approx(1.0, rel=1e-4)
    assert float(np.sum(x.data[~chars] ** 2)) == pytest.approx(1.0, rel=1e-4)
    assert all(t.startswith(CHAR) for t in reader.terms[:10])


@pytest.mark.parametrize(
    "text",
    [
        "le vpn marche pu!!  depuis\t8h, l'imprimante du 3e",
        "a b c   Ã©cran noir — x",
        "",
        "OK",
        "résolu?? non. re-essayé 3 fois; café-crème",
    ],
)
def test_the_ngrams_are_scikit_learns(text: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.reader import grams, words

    their_words = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    their_grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    assert sorted(words(text)) == sorted(their_words(text))
    assert sorted(grams(text)) == sorted(their_grams(text))


def test_nothing_to_read_reads_nothing() -> None:
    assert small_reader().read([]) == []


def top(dist: dict[str, float]) -> str:
    return max(dist, key=lambda k: dist[k])


def test_the_table_stands_unless_the_reader_is_sure_of_another_severity() -> None:
    unsure = {"P1": 0.1, "P2": 0.45, "P3": 0.35, "P4": 0.1, "P5": 0.0}
    sure = {"P1": 0.02, "P2": 0.95, "P3": 0.01, "P4": 0.02, "P5": 0.0}
    assert top(blend(Severity.P3, unsure)) == "P3"
    assert top(blend(Severity.P3, sure)) == "P2"
    assert sum(blend(Severity.P3, sure).values()) == pytest.approx(1.0)
    assert blend(Severity.P4, {})["P4"] == pytest.approx(TABLE_WEIGHT)


def test_each_task_reads_its_own_scores_even_where_label_names_repeat() -> None:
    # "none" is an impact and a security value; "yes" a mission and a workaround value.
    cats = {
        category("impact", "none"): 0.1,
        category("impact", "total"): 0.9,
        category("security", "none"): 0.97,
        category("mission", "yes"): 0.2,
        category("workaround", "yes"): 0.8,
    }
    got = distributions(cats, FACTOR_TASKS)
    assert got["impact"]["none"] == 0.1 and got["security"]["none"] == 0.97
    assert got["mission"]["yes"] == 0.2 and got["workaround"]["yes"] == 0.8


def test_every_learned_factor_is_a_distribution_of_its_own(model: Model) -> None:
    cats = model.categoriser.scores([["paie", "panne"]])[0]
    for task, dist in distributions(cats, FACTOR_TASKS).items():
        assert sum(dist.values()) == pytest.approx(1.0, abs=1e-3), task


def test_a_denied_mission_raises_no_doubt(tri: Any) -> None:
    t = tri("The CRM is down for all users. It's an internal tool, no impact on citizens.")
    assert not t.to_confirm
    assert ("mission", "no") in {(e.factor, e.label) for e in t.evidence}


def test_the_reader_counts_and_weighs_as_scikit_learn_does(model: Model) -> None:
    from nlp.reader import blockwise, vectoriser

    texts = ["Bonjour tout le monde, le VPN marche pu!!", "the whole office has no network", ""]
    texts = [t.lower() for t in texts]
    reader = model.reader
    x = reader.features(texts)
    ours = np.zeros((x.n, len(reader.terms)))
    np.add.at(ours, (x.rows, x.cols), x.data)
    theirs_vectoriser = vectoriser(reader.terms)
    theirs_vectoriser.idf_ = reader.idf
    theirs = blockwise(theirs_vectoriser.transform(texts), reader.chars).toarray()
    assert np.allclose(ours, theirs, atol=1e-6)
    head = reader.heads["severity"]
    z = theirs @ head.coef + head.intercept
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    for mine, row in zip(reader.read(texts), p, strict=True):
        assert [mine["severity"][c] for c in head.classes] == pytest.approx(list(row), abs=1e-5)


def test_triaging_imports_neither_scikit_learn_nor_scipy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from nlp.triage import triage; triage('', 'le vpn marche pu'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_words_remembered_count_as_the_first_time(model: Model) -> None:
    """Character n-grams are counted from each word's remembered columns: a word seen before,
    or twice in one text, counts as scikit-learn's analyser counts it."""
    from nlp.reader import blockwise, vectoriser

    texts = ["imprimante imprimante bloquée, l'imprimante du 3e", "vpn vpn vpn", "imprimante"]
    reader = model.reader
    theirs_vectoriser = vectoriser(reader.terms)
    theirs_vectoriser.idf_ = reader.idf
    theirs = blockwise(theirs_vectoriser.transform(texts), reader.chars).toarray()
    for _ in ("cold", "remembered"):
        x = reader.features(texts)
        ours = np.zeros((x.n, len(reader.terms)))
        np.add.at(ours, (x.rows, x.cols), x.data)
        assert np.allclose(ours, theirs, atol=1e-6)
