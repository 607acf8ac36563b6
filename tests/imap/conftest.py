from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.servers.dovecot import Dovecot, dovecot_version


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if dovecot_version() is None:
        message = (
            "Dovecot is not installed: run `make test` as root, or apt-get install dovecot-imapd"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # pytest's own temp dirs are private (0700); Dovecot's auth and mail users must get in.
    root = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    server = Dovecot.create(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
