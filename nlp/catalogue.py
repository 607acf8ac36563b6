"""The service catalogue (data/catalogue.json): names people use for a service, and its sector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language as SpacyLanguage
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

CATALOGUE_PATH = Path(__file__).parent / "data" / "catalogue.json"


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    team: str
    mission: bool


@dataclass(frozen=True, slots=True)
class ServiceHit:
    service: Service
    start_char: int
    end_char: int


class Catalogue:
    """Finds the services a message names (longest alias wins)."""

    def __init__(self, nlp: SpacyLanguage, path: Path = CATALOGUE_PATH) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.services: dict[str, Service] = {}
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        # Aliases written "=teams" match the exact lower-case form, in French only: in English,
        # "teams" is the plural of "team".
        self.exact = PhraseMatcher(nlp.vocab, attr="LOWER")
        for entry in data["services"]:
            service = Service(entry["name"], entry["team"], bool(entry["mission"]))
            self.services[service.name] = service
            aliases = [a.lower() for a in entry["aliases"] if not a.startswith("=")]
            exact = [a[1:].lower() for a in entry["aliases"] if a.startswith("=")]
            self.matcher.add(service.name, list(nlp.pipe(aliases)))
            if exact and nlp.lang == "fr":
                self.exact.add(service.name, [nlp.make_doc(a) for a in exact])
        self.strings = nlp.vocab.strings

    def find(self, doc: Doc) -> list[ServiceHit]:
        matches = [*self.matcher(doc), *self.exact(doc)]
        spans = [Span(doc, s, e, label=self.strings[m]) for m, s, e in matches]
        return [
            ServiceHit(self.services[sp.label_], sp.start_char, sp.end_char)
            for sp in filter_spans(spans)
        ]
