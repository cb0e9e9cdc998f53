"""Every Ed25519 message the system signs, each under its own domain-separation prefix.

A signature made for one purpose can never be replayed for another, because the signed bytes
of each purpose start with a different prefix (DESIGN §5):

- a ledger entry, by the ledger key:  b"custody/ledger-entry/v1\\x00" + leaf hash
- a person's act, by that person:     b"custody/act/v1\\x00" + JCS(act)
- a subject head, by the ledger key:  b"custody/subject-head/v1\\x00" + JCS(head), an item's
  newest entry at a tree size (custody.disclosure)
- a person's proof that they hold a key being registered for them, by that key:
  b"custody/key-possession/v1\\x00" + JCS({owner, purpose, public_key, challenge})
- checkpoints are C2SP signed notes (`custody.note`), whose text can never begin with either
  prefix because the prefixes hold a NUL byte, which a note's text may not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nacl.bindings import crypto_core_ed25519_is_valid_point, crypto_sign_open
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey

from custody import canonical

ENTRY_DOMAIN = b"custody/ledger-entry/v1\x00"
ACT_DOMAIN = b"custody/act/v1\x00"
SUBJECT_HEAD_DOMAIN = b"custody/subject-head/v1\x00"
POSSESSION_DOMAIN = b"custody/key-possession/v1\x00"
SIGNATURE_SIZE = 64
PUBLIC_KEY_SIZE = 32


def is_strong_public_key(public_key: bytes) -> bool:
    """True when `public_key` (32 bytes) is a canonical encoding of a point of the prime-order
    subgroup (libsodium's crypto_core_ed25519_is_valid_point).

    Small-order keys (the identity point, the order-2 point ...) and non-canonical encodings
    are refused wherever a key enters: libsodium rejects every signature under them, but other
    verifiers do not (Go's crypto/ed25519 accepts R = identity, S = 0 on any message under the
    identity key; RFC 8032 section 5.1.7 leaves the check to the implementation), so an
    auditor with such a verifier would accept forgeries.
    """
    return len(public_key) == PUBLIC_KEY_SIZE and bool(
        crypto_core_ed25519_is_valid_point(public_key)
    )


def entry_message(leaf_hash: bytes) -> bytes:
    return ENTRY_DOMAIN + leaf_hash


def act_message(act: Mapping[str, Any]) -> bytes:
    return ACT_DOMAIN + canonical.dumps(act)


def subject_head_message(head: Mapping[str, Any]) -> bytes:
    """The bytes the ledger key signs for a subject head: `{"subject", "size", "last_seq",
    "leaf_hash", "origin"}` (docs/ledger.md, "Disclosure bundles")."""
    return SUBJECT_HEAD_DOMAIN + canonical.dumps(head)


def possession_message(claim: Mapping[str, Any]) -> bytes:
    """The bytes a person's new key signs to prove it is held by its owner:
    `{"owner", "purpose", "public_key" (base64), "challenge"}` (docs/ledger.md, "Keys")."""
    return POSSESSION_DOMAIN + canonical.dumps(claim)


def sign(seed: bytes, message: bytes) -> bytes:
    return bytes(SigningKey(seed).sign(message).signature)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by `public_key`.

    Straight to libsodium (`custody verify` calls this a million times for a million
    entries; PyNaCl's VerifyKey object adds a third to each call)."""
    if len(signature) != SIGNATURE_SIZE or len(public_key) != PUBLIC_KEY_SIZE:
        return False
    try:
        crypto_sign_open(signature + message, public_key)
    except (BadSignatureError, ValueError):
        return False
    return True
