"""The trained artifact (categorisers, thresholds, version) and the language pipelines, lazily.

Nothing here runs at import: `get_model()` loads once per process, on first use, under a lock.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language as SpacyLanguage

from nlp.catalogue import Catalogue
from nlp.factors import FactorFinder
from nlp.pipeline import blank, guichet_norm

MODEL_DIR = Path(__file__).parent / "model"
LANGS = ("fr", "en")

__all__ = ["MODEL_DIR", "Model", "Pipeline", "get_model", "guichet_norm", "load"]


@dataclass(frozen=True, slots=True)
class Pipeline:
    """One language: spaCy pipeline plus the matchers built on its vocabulary."""

    nlp: SpacyLanguage
    factors: FactorFinder
    catalogue: Catalogue


@dataclass(frozen=True, slots=True)
class Model:
    version: str
    thresholds: dict[str, dict[str, float]]
    pipelines: dict[str, Pipeline]
    categoriser: SpacyLanguage
    meta: dict[str, Any]


class ModelNotFoundError(RuntimeError):
    """The model directory is missing: build it with `python -m nlp.train`."""


def language_pipeline(lang: str) -> Pipeline:
    """Blank pipeline with lookup lemmas (from spacy-lookups-data) and its matchers."""
    nlp = blank(lang)
    return Pipeline(nlp, FactorFinder(nlp), Catalogue(nlp))


def load(model_dir: Path = MODEL_DIR) -> Model:
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        raise ModelNotFoundError(f"no model in {model_dir}: run `python -m nlp.train`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    pipelines = {lang: language_pipeline(lang) for lang in LANGS}
    categoriser = spacy.load(model_dir / "textcat")
    return Model(meta["version"], meta["thresholds"], pipelines, categoriser, meta)


_lock = threading.Lock()
_model: Model | None = None


def get_model() -> Model:
    """The process-wide model, loaded on first call."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load()
    return _model
