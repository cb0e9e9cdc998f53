"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, as Go's sumdb/note reads them.

A note is UTF-8 text, a blank line, and signature lines `— <name> <base64(key hash || sig)>`.
A verifier key is `<name>+<hex key hash>+<base64(0x01 || public key)>`, the key hash being the
first four bytes of SHA-256(name || "\\n" || 0x01 || public key). The private key file of the
ledger uses Go's form `PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 || seed)>`.

Where Go and C2SP differ we take the stricter reading: every signature line by a trusted key
must verify, a repeated one included (C2SP: a verifier SHOULD reject such a note).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from nacl.bindings import crypto_sign
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from custody.errors import MalformedNoteError, UnverifiedNoteError

ALG_ED25519 = 0x01
SIG_PREFIX = "— "  # em dash and space
MAX_SIGNATURES = 100  # Go's limit: a note is refused rather than parsed forever
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")


def is_valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_hash(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def key_id(name: str, public_key: bytes) -> str:
    """The key's stable id: its note key hash as eight lowercase hex digits."""
    return f"{key_hash(name, public_key):08x}"


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNoteError(f"not base64: {text!r}") from exc


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, as published in a verifier key string."""

    name: str
    public_key: bytes

    @cached_property
    def hash(self) -> int:
        return key_hash(self.name, self.public_key)

    @cached_property
    def key_id(self) -> str:
        return f"{self.hash:08x}"

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            VerifyKey(self.public_key).verify(message, signature)
        except (BadSignatureError, ValueError):
            return False
        return True

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Parse `<name>+<hex hash>+<base64(0x01 || key)>`, checking the hash and the length."""
        name, _, rest = vkey.partition("+")
        hash_hex, _, key_b64 = rest.partition("+")
        if not is_valid_name(name) or not _HEX8.fullmatch(hash_hex) or not key_b64:
            raise MalformedNoteError(f"malformed verifier key: {vkey!r}")
        key = _b64decode(key_b64)
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise MalformedNoteError("verifier key is not a 32-byte Ed25519 key (algorithm 0x01)")
        verifier = cls(name, key[1:])
        if verifier.hash != int(hash_hex, 16):
            raise MalformedNoteError("verifier key hash does not match its name and key")
        return verifier


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 signing key. Its repr never shows the seed."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise MalformedNoteError(f"invalid key name: {self.name!r}")
        if len(self.seed) != 32:
            raise MalformedNoteError("an Ed25519 seed is 32 bytes")

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, key_id={self.verifier.key_id!r})"

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, bytes(SigningKey.generate()))

    @cached_property
    def _secret(self) -> bytes:
        # libsodium's 64-byte secret key (seed and public key), made once per signer.
        return bytes(SigningKey(self.seed)._signing_key)

    @cached_property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self._secret[32:])

    def sign(self, message: bytes) -> bytes:
        # The binding itself: PyNaCl's SigningKey.sign wraps the result in objects that cost
        # a fifth of the signature again, and it is called once per ledger entry.
        signed: bytes = crypto_sign(message, self._secret)
        return signed[:64]

    @property
    def skey(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id}+{encoded}"

    @classmethod
    def parse(cls, skey: str) -> Signer:
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _HEX8.fullmatch(parts[3]):
            raise MalformedNoteError("malformed private key")
        key = _b64decode(parts[4])
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise MalformedNoteError("private key is not a 32-byte Ed25519 seed")
        signer = cls(parts[2], key[1:])
        if signer.verifier.hash != int(parts[3], 16):
            raise MalformedNoteError("private key hash does not match its name and key")
        return signer


@dataclass(frozen=True)
class NoteSignature:
    name: str
    hash: int
    signature: bytes

    @property
    def line(self) -> str:
        encoded = base64.b64encode(self.hash.to_bytes(4, "big") + self.signature).decode()
        return f"{SIG_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def sign(text: str, signers: Iterable[Signer]) -> str:
    """Sign `text` (non-empty, ending in a newline) and return the whole note."""
    _check_text(text)
    message = text.encode()
    signatures = tuple(NoteSignature(s.name, s.verifier.hash, s.sign(message)) for s in signers)
    return Note(text, signatures).render()


def add_signatures(note: str, signers: Iterable[Signer]) -> str:
    """Add cosignatures to an existing note (a witness signs the same text)."""
    parsed = parse(note)
    message = parsed.text.encode()
    extra = tuple(NoteSignature(s.name, s.verifier.hash, s.sign(message)) for s in signers)
    return Note(parsed.text, parsed.signatures + extra).render()


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    if any((ord(c) < 0x20 and c != "\n") for c in text):
        raise MalformedNoteError("note text holds a control character")


def parse(note: str | bytes) -> Note:
    """Split a note into its text and signature lines, without verifying anything."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not UTF-8") from exc
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise MalformedNoteError("note holds a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("signature block is empty or does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(_parse_signature_line(line) for line in lines))


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIG_PREFIX):
        raise MalformedNoteError(f"not a signature line: {line!r}")
    name, _, encoded = line[len(SIG_PREFIX) :].partition(" ")
    if not is_valid_name(name) or not encoded:
        raise MalformedNoteError(f"malformed signature line: {line!r}")
    raw = _b64decode(encoded)
    if len(raw) < 5:
        raise MalformedNoteError("signature too short")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> tuple[Note, list[Verifier]]:
    """Parse and verify a note; return it with the trusted keys that signed it.

    Signatures by unknown keys are ignored. A signature by a trusted key that does not verify
    makes the whole note fail, as does a note without any trusted signature.
    """
    parsed = parse(note)
    trusted = {(v.name, v.hash): v for v in verifiers}
    message = parsed.text.encode()
    signed_by: dict[tuple[str, int], Verifier] = {}
    for signature in parsed.signatures:
        verifier = trusted.get((signature.name, signature.hash))
        if verifier is None:
            continue
        if not verifier.verify(message, signature.signature):
            raise UnverifiedNoteError(f"invalid signature by {verifier.name}+{verifier.key_id}")
        signed_by[(signature.name, signature.hash)] = verifier
    if not signed_by:
        raise UnverifiedNoteError("no signature by a trusted key")
    return parsed, list(signed_by.values())
