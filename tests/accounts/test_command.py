"""`python -m bot users …` and `python -m bot tokens …`, run as an operator would: real
subprocesses on a migrated store, the password piped on standard input."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import subprocess
import sys
import time
from datetime import UTC, datetime
from select import select as ready_to_read

import pytest
from sqlmodel import select

from bot.accounts import passwords
from bot.accounts.tokens import principal_for
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Account, ApiToken, Role

pytestmark = pytest.mark.slow

SECRET = "Tr0ub4dor & 3 horses"
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def bot(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(GUICHET_DATA_DIR=str(settings.data_dir), GUICHET_MAIL_DOMAIN=settings.mail_domain)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def add(settings: Settings, email: str, *options: str) -> subprocess.CompletedProcess[str]:
    result = bot(settings, "users", "add", email, *options, stdin=SECRET + "\n")
    assert result.returncode == 0, result.stderr
    return result


async def account(store: Sessions, email: str) -> Account:
    async with store() as session:
        found = (await session.exec(select(Account).where(Account.email == email))).one()
    return found


def new_token(settings: Settings, email: str, *options: str) -> str:
    made = bot(settings, "tokens", "create", "--user", email, *options)
    assert made.returncode == 0, made.stderr
    assert "will not be shown again" in made.stderr
    token = made.stdout.strip()
    assert token and "\n" not in token and token not in made.stderr
    return token


async def accepted(store: Sessions, token: str) -> str | None:
    async with store() as session:
        principal = await principal_for(session, token, NOW)
        await session.commit()
    return None if principal is None else principal.email


async def test_add_stores_an_argon2id_hash_and_never_shows_the_password(
    migrated: Settings, store: Sessions
) -> None:
    result = bot(
        migrated,
        "users",
        "add",
        "Pat.Agent@Desk.Example",
        "--role",
        "agent",
        "--teams",
        "network,printing",
        "--levels",
        "N1,N2",
        "--name",
        "Pat Agent",
        "--language",
        "en",
        stdin=SECRET + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "pat.agent@desk.example" in result.stdout
    assert SECRET not in result.stdout + result.stderr

    stored = await account(store, "pat.agent@desk.example")
    assert stored.role == Role.AGENT and stored.active
    assert stored.teams == ["network", "printing"] and stored.levels == ["N1", "N2"]
    assert stored.name == "Pat Agent" and stored.language == "en"
    assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
    assert passwords.verify(stored.password_hash, SECRET)
    assert not passwords.verify(stored.password_hash, SECRET + "\n")


async def test_no_password_account_and_a_password_set_later(
    migrated: Settings, store: Sessions
) -> None:
    assert (
        bot(
            migrated, "users", "add", "robot@desk.example", "--role", "lead", "--no-password"
        ).returncode
        == 0
    )
    assert (await account(store, "robot@desk.example")).password_hash is None

    changed = bot(migrated, "users", "password", "robot@desk.example", stdin="another long one\n")
    assert changed.returncode == 0, changed.stderr
    assert "another long one" not in changed.stdout + changed.stderr
    stored = (await account(store, "robot@desk.example")).password_hash
    assert passwords.verify(stored, "another long one")


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--role", "boss"], "invalid choice: 'boss'"),
        (["--role", "agent", "--teams", "network,plumbing"], "plumbing"),
        (["--role", "agent", "--levels", "N4"], "N4"),
        (["--role", "lead", "--teams", "network"], "--role agent"),
        (["--role", "admin", "--levels", "N1"], "--role agent"),
        (["--role", "agent", "--language", "de"], "invalid choice: 'de'"),
    ],
)
def test_bad_role_team_level_or_language_is_exit_2(
    migrated: Settings, options: list[str], says: str
) -> None:
    result = bot(migrated, "users", "add", "pat@desk.example", *options, stdin=SECRET + "\n")
    assert result.returncode == 2
    assert says in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("email", ["pat@desk", "p" * 310 + "@desk.example"])
def test_bad_email_is_exit_2(migrated: Settings, email: str) -> None:
    result = bot(migrated, "users", "add", email, "--role", "agent", stdin=SECRET + "\n")
    assert result.returncode == 2
    assert "address" in result.stderr


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("s3cr3t-pw\n", "at least 12 characters"),
        ("", "standard input"),
        ("x" * 1025 + "\n", "at most 1024"),
    ],
)
def test_a_refused_password_is_exit_2_and_adds_nobody(
    migrated: Settings, stdin: str, says: str
) -> None:
    result = bot(migrated, "users", "add", "pat@desk.example", "--role", "agent", stdin=stdin)
    assert result.returncode == 2
    assert says in result.stderr
    assert stdin.strip() == "" or stdin.strip() not in result.stdout + result.stderr
    assert json.loads(bot(migrated, "users", "list", "--json").stdout) == []


def test_duplicate_email_is_exit_2_and_says_what_to_do(migrated: Settings) -> None:
    add(migrated, "pat@desk.example", "--role", "agent")
    again = bot(migrated, "users", "add", "PAT@desk.example", "--role", "lead", stdin=SECRET + "\n")
    assert again.returncode == 2
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "already exists" in lines[0]
    assert "users password" in lines[0] and "users disable" in lines[0]


def test_list_shows_accounts_without_hashes(migrated: Settings) -> None:
    add(migrated, "pat@desk.example", "--role", "agent", "--teams", "network")
    add(migrated, "lee@desk.example", "--role", "admin")
    listed = bot(migrated, "users", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["email"] for r in rows] == ["pat@desk.example", "lee@desk.example"]
    assert rows[0]["teams"] == ["network"] and rows[1]["role"] == "admin"
    assert rows[0]["has_password"] is True and rows[0]["active"] is True
    assert "argon2" not in listed.stdout and "password_hash" not in listed.stdout
    table = bot(migrated, "users", "list")
    assert table.returncode == 0 and "lee@desk.example" in table.stdout
    assert "argon2" not in table.stdout


async def test_token_is_printed_once_stored_as_sha256_and_revoke_refuses_it(
    migrated: Settings, store: Sessions
) -> None:
    add(migrated, "pat@desk.example", "--role", "agent")
    token = new_token(migrated, "pat@desk.example", "--label", "grafana")
    assert await accepted(store, token) == "pat@desk.example"

    async with store() as session:
        rows = (await session.exec(select(ApiToken))).all()
    assert [r.digest for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0].label == "grafana" and rows[0].last_used_at is not None

    listed = bot(migrated, "tokens", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["id"] == rows[0].id and row["user"] == "pat@desk.example"
    assert row["label"] == "grafana" and row["last_used"] and row["revoked"] is None
    assert token not in listed.stdout and rows[0].digest not in listed.stdout
    assert "digest" not in row

    revoked = bot(migrated, "tokens", "revoke", str(rows[0].id))
    assert revoked.returncode == 0, revoked.stderr
    assert await accepted(store, token) is None
    (row,) = json.loads(bot(migrated, "tokens", "list", "--json").stdout)
    assert row["revoked"]
    assert bot(migrated, "tokens", "revoke", "999").returncode == 2


async def test_a_disabled_users_token_is_refused_until_enabled(
    migrated: Settings, store: Sessions
) -> None:
    add(migrated, "pat@desk.example", "--role", "agent")
    add(migrated, "lee@desk.example", "--role", "lead")
    token = new_token(migrated, "pat@desk.example")
    other = new_token(migrated, "lee@desk.example")

    assert bot(migrated, "users", "disable", "pat@desk.example").returncode == 0
    assert not (await account(store, "pat@desk.example")).active
    assert await accepted(store, token) is None
    assert await accepted(store, other) == "lee@desk.example"
    refused = bot(migrated, "tokens", "create", "--user", "pat@desk.example")
    assert refused.returncode == 2 and "users enable" in refused.stderr and not refused.stdout

    assert bot(migrated, "users", "enable", "pat@desk.example").returncode == 0
    assert await accepted(store, token) == "pat@desk.example"
    only_lee = json.loads(
        bot(migrated, "tokens", "list", "--user", "lee@desk.example", "--json").stdout
    )
    assert [t["user"] for t in only_lee] == ["lee@desk.example"]


def test_unknown_user_is_exit_2_with_a_hint(migrated: Settings) -> None:
    for args in (
        ["users", "disable", "nobody@desk.example"],
        ["users", "enable", "nobody@desk.example"],
        ["tokens", "create", "--user", "nobody@desk.example"],
    ):
        result = bot(migrated, *args)
        assert result.returncode == 2, args
        assert "users list" in result.stderr
    password = bot(migrated, "users", "password", "nobody@desk.example", stdin=SECRET + "\n")
    assert password.returncode == 2 and SECRET not in password.stderr


def test_help_has_examples(settings: Settings) -> None:
    for command in ("users", "tokens"):
        result = bot(settings, command, "--help")
        assert result.returncode == 0
        assert f"python -m bot {command} " in result.stdout
    assert "users" in bot(settings, "--help").stdout


def test_unmigrated_store_is_exit_1_with_the_fix(settings: Settings) -> None:
    result = bot(settings, "users", "list")
    assert result.returncode == 1
    assert "python -m bot migrate" in result.stderr


def _wait_for(fd: int, text: str, seen: bytearray, timeout: float = 60) -> None:
    """Read `fd` into `seen` until `text` shows (the child's prompt)."""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        ready, _, _ = ready_to_read([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {text!r} within {timeout}s; got {bytes(seen)!r}"
        chunk = os.read(fd, 4096)
        assert chunk, f"closed before {text!r}; got {bytes(seen)!r}"
        seen.extend(chunk)


def add_at_a_terminal(
    settings: Settings, email: str, first: str, second: str
) -> tuple[int, str, bytes]:
    """`users add` with a pseudo-terminal as standard input, typing at each prompt; the exit
    status, what went to stderr, and what the terminal showed (its echo)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(GUICHET_DATA_DIR=str(settings.data_dir), GUICHET_MAIL_DOMAIN=settings.mail_domain)
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "users", "add", email, "--role", "lead"],
        env=env,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # no controlling terminal: getpass works on standard input
    )
    os.close(slave)
    assert child.stderr is not None
    seen = bytearray()
    try:
        _wait_for(child.stderr.fileno(), "Password", seen)
        os.write(master, (first + "\n").encode())
        _wait_for(child.stderr.fileno(), "again", seen)
        os.write(master, (second + "\n").encode())
        _, rest = child.communicate(timeout=60)
        echoed = b""
        while ready_to_read([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child's side is closed (Linux: EIO)
                break
            if not chunk:
                break
            echoed += chunk
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    return child.returncode, (bytes(seen) + rest).decode(), echoed


async def test_at_a_terminal_the_password_is_asked_twice_without_echo(
    migrated: Settings, store: Sessions
) -> None:
    status, stderr, echoed = add_at_a_terminal(migrated, "lee@desk.example", SECRET, SECRET)
    assert status == 0, stderr
    assert SECRET.encode() not in echoed and SECRET not in stderr
    stored = (await account(store, "lee@desk.example")).password_hash
    assert stored is not None and passwords.verify(stored, SECRET)

    status, stderr, echoed = add_at_a_terminal(migrated, "pat@desk.example", SECRET, SECRET + "x")
    assert status == 2 and "differ" in stderr
    assert SECRET not in stderr and SECRET.encode() not in echoed
    assert [r["email"] for r in json.loads(bot(migrated, "users", "list", "--json").stdout)] == [
        "lee@desk.example"
    ]
