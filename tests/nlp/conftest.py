"""One model load for the whole nlp test session (loading takes a few seconds)."""

from __future__ import annotations

import pytest

from nlp.model import Model, get_model
from nlp.triage import Triage, TriageInput, triage_batch


@pytest.fixture(scope="session")
def model() -> Model:
    return get_model()


@pytest.fixture(scope="session")
def tri(model: Model):  # type: ignore[no-untyped-def]
    """triage(subject, text) with the session's model."""

    def run(text: str, subject: str = "") -> Triage:
        return triage_batch([TriageInput(subject, text)], model=model)[0]

    return run
