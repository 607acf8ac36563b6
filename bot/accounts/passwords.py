"""Account passwords, kept as argon2id hashes (RFC 9106) and never in clear.

The parameters are argon2-cffi's defaults (RFC 9106's second recommended profile: 64 MiB,
3 passes, 4 lanes); when they change, `needs_rehash` says so at the next sign-in. Lengths are
checked before any hashing: a 1 MB "password" must not cost the server 1 MB of hashing per try.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.errors import GuichetError

MIN_CHARS = 12
MAX_CHARS = 1024

_HASHER = PasswordHasher()  # argon2id by default


class PasswordRefused(GuichetError):
    """A new password that breaks the length rule (the operator's input: exit status 2)."""


def check(password: str) -> None:
    """Raise `PasswordRefused`, saying the rule, unless the password may be set."""
    if len(password) < MIN_CHARS:
        raise PasswordRefused(
            f"the password is too short ({len(password)} characters): "
            f"use at least {MIN_CHARS} characters (a few words make a good one)"
        )
    if len(password) > MAX_CHARS:
        raise PasswordRefused(
            f"the password is too long ({len(password)} characters): "
            f"use at most {MAX_CHARS} characters"
        )


def hash(password: str) -> str:  # the module is the namespace: passwords.hash
    """The argon2id hash to store; `PasswordRefused` when the length rule is broken."""
    check(password)
    return _HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash. Never raises: a missing or damaged hash,
    or an oversized password, is False. Without a hash the work is still done (against a
    throw-away hash), so an unknown account answers as slowly as a wrong password."""
    if len(password) > MAX_CHARS:
        return False
    try:
        if stored is None:
            _HASHER.verify(_decoy(), password)
            return False
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just verified was made with other parameters (then store a new
    `hash` of the password the person just typed). A damaged hash needs one too."""
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


@cache
def _decoy() -> str:
    return _HASHER.hash("no account has this password")
