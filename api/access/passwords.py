"""Passwords hashed with Argon2id (libsodium, through PyNaCl), never kept or logged in clear."""

from __future__ import annotations

import functools
from typing import Literal

import nacl.exceptions
import nacl.pwhash

Strength = Literal["interactive", "moderate", "sensitive"]

_LIMITS: dict[str, tuple[int, int]] = {
    "interactive": (
        nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    ),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "sensitive": (
        nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE,
        nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE,
    ),
}
MIN_LENGTH = 10


class WeakPassword(ValueError):
    pass


def hash_password(password: str, strength: Strength = "interactive") -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_LENGTH} characters")
    ops, mem = _LIMITS[strength]
    return nacl.pwhash.argon2id.str(password.encode(), opslimit=ops, memlimit=mem).decode()


def check_password(stored: str, password: str) -> bool:
    try:
        return bool(nacl.pwhash.verify(stored.encode(), password.encode()))
    except nacl.exceptions.InvalidkeyError:
        return False


@functools.cache
def _decoy() -> str:
    # Made on first use, not on import: every `custody` command imports this module.
    return hash_password("not a password of anyone")


def waste_time(password: str) -> None:
    """Check against a decoy when the account does not exist, so that the answer takes as
    long as for one that does and does not tell who has an account."""
    check_password(_decoy(), password)
