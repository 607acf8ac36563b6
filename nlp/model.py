"""The trained artifact (categorisers, thresholds, version) and the language pipelines, lazily.

Nothing here runs at import: `get_model()` loads once per process, on first use, under a lock.
`configure(services_file=...)` chooses the service catalogue the next load uses (the desk's own
file; None: the shipped one): the embedding application calls it at start-up, before the first
triage. It reads and checks the file at once, so a bad file fails there, as a `CatalogueError`.
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
from nlp.categorise import Categoriser
from nlp.factors import FactorFinder
from nlp.pipeline import blank, guichet_norm
from nlp.reader import READER_DIR, Reader
from nlp.reader import load as load_reader
from nlp.services import SERVICES_PATH, Service, load_services

MODEL_DIR = Path(__file__).parent / "model"
LANGS = ("fr", "en")

__all__ = [
    "MODEL_DIR",
    "Model",
    "Pipeline",
    "configure",
    "get_model",
    "guichet_norm",
    "language_pipeline",
    "load",
]


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
    categoriser: Categoriser  # the trained categorisers (kind, team, level, factor fallbacks)
    reader: Reader  # the second reader of severity (n-grams of the whole text)
    meta: dict[str, Any]


class ModelNotFoundError(RuntimeError):
    """The model directory is missing: build it with `python -m nlp.train`."""


def language_pipeline(lang: str, services: tuple[Service, ...] | None = None) -> Pipeline:
    """Blank pipeline with lookup lemmas (from spacy-lookups-data) and its matchers; the
    shipped service catalogue unless `services` is given."""
    nlp = blank(lang)
    return Pipeline(nlp, FactorFinder(nlp), Catalogue(nlp, services=services))


def load(model_dir: Path = MODEL_DIR, services: tuple[Service, ...] | None = None) -> Model:
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        raise ModelNotFoundError(f"no model in {model_dir}: run `python -m nlp.train`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    pipelines = {lang: language_pipeline(lang, services) for lang in LANGS}
    categoriser = Categoriser(spacy.load(model_dir / "textcat"))
    reader = load_reader(model_dir / READER_DIR)
    return Model(meta["version"], meta["thresholds"], pipelines, categoriser, reader, meta)


_lock = threading.Lock()
_model: Model | None = None
_services: tuple[Service, ...] | None = None  # None: the shipped file, read at load


def configure(*, services_file: Path | None = None) -> None:
    """Use this services file from now on (None: the shipped one). It is read and checked now:
    `CatalogueError` names the file, the service and the problem, and changes nothing. A model
    already loaded with other services is dropped: the next `get_model()` loads it again."""
    global _model, _services
    services = load_services(services_file or SERVICES_PATH)
    with _lock:
        if services != _services:
            if _model is not None and services != _model_services(_model):
                _model = None
            _services = services


def _model_services(model: Model) -> tuple[Service, ...]:
    return tuple(next(iter(model.pipelines.values())).catalogue.services.values())


def get_model() -> Model:
    """The process-wide model, loaded on first call (with the configured services)."""
    global _model
    model = _model
    if model is None:
        with _lock:
            if _model is None:
                _model = load(services=_services)
            model = _model
    return model
