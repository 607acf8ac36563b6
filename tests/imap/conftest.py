from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.dovecot import Dovecot, require_dovecot


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    # pytest's own temp dirs are private (0700); Dovecot's auth and mail users must get in.
    root = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    server = Dovecot.create(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
