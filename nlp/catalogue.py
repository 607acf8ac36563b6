"""Finding the services a message names, on a language pipeline's vocabulary (the catalogue's
data and its checks: `nlp.services`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from spacy.language import Language as SpacyLanguage
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.services import SERVICES_PATH, Service, ServiceHit, load_services


class Catalogue:
    """Finds the services a message names (longest synonym wins), on one pipeline's vocabulary.

    `services` (already loaded and checked) wins over `path`, which is then only its origin.
    """

    def __init__(
        self,
        nlp: SpacyLanguage,
        path: Path = SERVICES_PATH,
        services: Sequence[Service] | None = None,
    ) -> None:
        listed = load_services(path) if services is None else services
        self.services: Mapping[str, Service] = {s.id: s for s in listed}
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        # Synonyms written "=teams" match the exact lower-case form, in French only: in English,
        # "teams" is the plural of "team".
        self.exact = PhraseMatcher(nlp.vocab, attr="LOWER")
        for service in listed:
            loose = [s.lower() for s in service.synonyms if not s.startswith("=")]
            exact = [s[1:].strip().lower() for s in service.synonyms if s.startswith("=")]
            if loose:
                self.matcher.add(service.id, list(nlp.pipe(loose)))
            if exact and nlp.lang == "fr":
                self.exact.add(service.id, [nlp.make_doc(s) for s in exact])
        self.strings = nlp.vocab.strings

    def find(self, doc: Doc) -> list[ServiceHit]:
        matches = [*self.matcher(doc), *self.exact(doc)]
        spans = [Span(doc, s, e, label=self.strings[m]) for m, s, e in matches]
        return [
            ServiceHit(self.services[sp.label_], sp.start_char, sp.end_char)
            for sp in filter_spans(spans)
        ]
