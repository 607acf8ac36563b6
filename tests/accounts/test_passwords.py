"""Account passwords: argon2id, verified in constant shape, refused when too short or too long."""

from __future__ import annotations

import pytest

from bot.accounts import passwords
from bot.accounts.passwords import PasswordRefused

GOOD = "correct horse battery"


def test_hash_is_argon2id_and_verifies() -> None:
    stored = passwords.hash(GOOD)
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored
    assert passwords.verify(stored, GOOD) is True
    assert passwords.verify(stored, GOOD + "!") is False
    assert passwords.needs_rehash(stored) is False


def test_two_hashes_of_one_password_differ() -> None:
    assert passwords.hash(GOOD) != passwords.hash(GOOD)


def test_verify_is_false_for_no_hash_garbage_and_oversized_input() -> None:
    stored = passwords.hash(GOOD)
    assert passwords.verify(None, GOOD) is False
    assert passwords.verify("not a hash", GOOD) is False
    assert passwords.verify(stored, "x" * (passwords.MAX_CHARS + 1)) is False


def test_weaker_parameters_need_a_rehash() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(GOOD)
    assert passwords.verify(weak, GOOD) is True
    assert passwords.needs_rehash(weak) is True
    assert passwords.needs_rehash("not a hash") is True


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short", "at least 12 characters"),
        ("x" * 11, "at least 12 characters"),
        ("x" * 1025, "at most 1024 characters"),
    ],
)
def test_refused_lengths_say_the_rule(password: str, says: str) -> None:
    with pytest.raises(PasswordRefused, match=says):
        passwords.hash(password)


def test_limits_are_inclusive() -> None:
    assert passwords.verify(passwords.hash("x" * 12), "x" * 12)
    assert passwords.verify(passwords.hash("é" * 1024), "é" * 1024)
