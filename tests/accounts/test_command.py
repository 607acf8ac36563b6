"""`python -m bot users …` and `python -m bot tokens …`, run as an operator would: real
subprocesses on a migrated store, the password piped on standard input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

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


@pytest.mark.parametrize(
    "email", ["pat", "pat@desk", "@desk.example", "pat @desk.example", "p" * 310 + "@desk.example"]
)
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
