"""Fixtures for the mail tests: our synthetic samples and the fetched real-world corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import IN_CI

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLES = DATA / "mail"
CORPORA = DATA / "corpora"
FETCH = "scripts/fetch-mail-corpora.sh"


def corpus_dir(name: str) -> Path:
    """A fetched corpus; fails in CI (never skip silently there), skips on a laptop."""
    path = CORPORA / name
    if not (path / ".complete").is_file():
        message = f"mail corpus {name!r} missing in {CORPORA}: run {FETCH} first"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def sample() -> object:
    def read(name: str) -> bytes:
        return (SAMPLES / name).read_bytes()

    return read
