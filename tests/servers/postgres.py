"""A throwaway PostgreSQL cluster on loopback for the tests, started once per session.

`initdb` refuses to run as root: as root the cluster belongs to Debian's `postgres` user (the
`postgresql` package makes it), otherwise to the current user. Durability is off (fsync,
synchronous commit, full-page writes): the cluster is thrown away at the end. A test that stops
its own cluster mid-work (`stop()` is immediate, a crash) and counts what was committed starts
it `durable`: commits are in the WAL when acknowledged (the OS keeps what fsync would have, as
only the server dies). Tests get a fresh database each, copied from a migrated template
(`CREATE DATABASE … TEMPLATE`, a few tens of ms).
Missing PostgreSQL fails the suite under CI (GUICHET_REQUIRE_SERVERS=1) rather than skipping;
elsewhere those tests skip with the command to install it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.smtp import free_port

INSTALL = "run `make test` as root (scripts/system-deps.sh), or apt-get install postgresql"
TEMPLATE = "guichet_template"


def postgres_bin() -> Path | None:
    """The newest installed server's binaries (Debian keeps them off the PATH)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class Postgres:
    root: Path
    bin: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"
    durable: bool = False
    """Whether a commit is on disk when acknowledged (`synchronous_commit`): off for speed, on for
    a test that crashes the server (`stop()` is immediate) and counts what was committed."""
    _names: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    def start(cls, root: Path, binaries: Path, *, durable: bool = False) -> Postgres:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server = cls(root, binaries, free_port(), durable=durable)
        data = root / "data"
        server._run(
            "initdb", "-D", str(data), "-U", server.user, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync", as_owner=True,
        )  # fmt: skip
        server.start_again()
        return server

    def start_again(self) -> None:
        """Start the cluster's server (again, after `stop`): same data, same port."""
        options = (
            f"-c listen_addresses={self.host} -p {self.port} -k {self.root} "
            f"-c fsync=off -c synchronous_commit={'on' if self.durable else 'off'} "
            "-c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
            "-w", "-t", "30", "start", "-o", options, as_owner=True,
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: `immediate` (a crash: every session cut, no checkpoint) or `fast`
        (sessions cut, a clean shutdown)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", mode, "-w", "stop",
                  as_owner=True)  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement with psql; its unaligned output."""
        return self._run(
            "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.host,
            "-p", str(self.port), "-U", self.user, "-d", database, "-c", statement,
        )  # fmt: skip

    def create_database(self, template: str = "template1") -> str:
        """A new, empty (or copied) database; its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _run(self, program: str, *args: str, as_owner: bool = False) -> str:
        command = [*(_as_owner() if as_owner else []), str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr}\n{tail}")
        return done.stdout


def required_bin() -> Path:
    """The server's binaries; without them the test fails under CI and skips elsewhere."""
    from tests.conftest import IN_CI  # tests.conftest imports this module

    binaries = postgres_bin()
    if binaries is None:
        message = f"PostgreSQL is not installed: {INSTALL}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return binaries


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """The session's PostgreSQL cluster (started on first use, stopped at the end)."""
    binaries = required_bin()
    # pytest's own temp dirs are private (0700); the `postgres` user must get in.
    root = Path(tempfile.mkdtemp(prefix="guichet-pg-"))
    server = Postgres.start(root, binaries)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_template(postgres: Postgres) -> str:
    """A database at the newest schema that tests copy (migrated once per session)."""
    from bot.store.db import migrate

    postgres.sql(f'CREATE DATABASE "{TEMPLATE}"')
    migrate(postgres.url(TEMPLATE))  # disposes its engine: nobody stays connected to the copy
    return TEMPLATE


@pytest.fixture
def postgres_url(postgres: Postgres, postgres_template: str) -> Iterator[str]:
    """A fresh database at the newest schema for one test; its SQLAlchemy URL."""
    name = postgres.create_database(postgres_template)
    yield postgres.url(name)
    postgres.drop_database(name)
