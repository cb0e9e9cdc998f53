"""A person's private key, encrypted with their passphrase: never stored in the clear.

The file is JSON:

    {"format": "custody-person-key/v1",
     "public_key": "<base64>",
     "kdf": {"alg": "argon2id13", "opslimit": N, "memlimit": N, "salt": "<base64>"},
     "box": {"alg": "xsalsa20poly1305", "ciphertext": "<base64 nonce || ciphertext>"}}

The passphrase goes through libsodium's Argon2id (the file keeps the cost it was made with),
and the 32-byte seed is sealed with SecretBox. Opening checks that the seed gives back the
public key written beside it, so a file whose parts were swapped does not open.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.signing import SigningKey

from custody.errors import KeyFileError

FORMAT = "custody-person-key/v1"
_ARGON = nacl.pwhash.argon2id


@dataclass(frozen=True)
class KdfCost:
    opslimit: int
    memlimit: int


MODERATE = KdfCost(_ARGON.OPSLIMIT_MODERATE, _ARGON.MEMLIMIT_MODERATE)  # about 0.6 s, 256 MiB
INTERACTIVE = KdfCost(_ARGON.OPSLIMIT_INTERACTIVE, _ARGON.MEMLIMIT_INTERACTIVE)


@dataclass(frozen=True)
class PersonKey:
    """An opened private key. Its repr never shows the seed."""

    seed: bytes

    def __repr__(self) -> str:
        return f"PersonKey(public_key={self.public_key_b64!r})"

    @classmethod
    def generate(cls) -> PersonKey:
        return cls(bytes(SigningKey.generate()))

    @property
    def public_key(self) -> bytes:
        return bytes(SigningKey(self.seed).verify_key)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()


def _derive(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    if not passphrase:
        raise KeyFileError("the passphrase must not be empty")
    return bytes(
        _ARGON.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            passphrase.encode(),
            salt,
            opslimit=cost.opslimit,
            memlimit=cost.memlimit,
        )
    )


def encrypt(key: PersonKey, passphrase: str, cost: KdfCost = MODERATE) -> dict[str, Any]:
    salt = nacl.utils.random(_ARGON.SALTBYTES)
    box = nacl.secret.SecretBox(_derive(passphrase, salt, cost))
    return {
        "format": FORMAT,
        "public_key": key.public_key_b64,
        "kdf": {
            "alg": "argon2id13",
            "opslimit": cost.opslimit,
            "memlimit": cost.memlimit,
            "salt": base64.b64encode(salt).decode(),
        },
        "box": {
            "alg": "xsalsa20poly1305",
            "ciphertext": base64.b64encode(bytes(box.encrypt(key.seed))).decode(),
        },
    }


def decrypt(document: dict[str, Any], passphrase: str) -> PersonKey:
    try:
        if document["format"] != FORMAT or document["kdf"]["alg"] != "argon2id13":
            raise KeyFileError("not a custody person key file")
        cost = KdfCost(int(document["kdf"]["opslimit"]), int(document["kdf"]["memlimit"]))
        salt = base64.b64decode(document["kdf"]["salt"], validate=True)
        sealed = base64.b64decode(document["box"]["ciphertext"], validate=True)
        public_key = base64.b64decode(document["public_key"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise KeyFileError("malformed person key file") from exc
    try:
        seed = nacl.secret.SecretBox(_derive(passphrase, salt, cost)).decrypt(sealed)
    except nacl.exceptions.CryptoError as exc:
        raise KeyFileError("wrong passphrase, or the key file was altered") from exc
    key = PersonKey(bytes(seed))
    if key.public_key != public_key:
        raise KeyFileError("the key file's public key does not belong to its private key")
    return key


def write(path: Path, key: PersonKey, passphrase: str, cost: KdfCost = MODERATE) -> None:
    """Write the encrypted key to a new file of mode 0600; never overwrites one."""
    text = json.dumps(encrypt(key, passphrase, cost), indent=2) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a key") from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def read(path: Path, passphrase: str) -> PersonKey:
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path} does not exist") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path} is not a custody person key file") from exc
    if not isinstance(document, dict):
        raise KeyFileError(f"{path} is not a custody person key file")
    return decrypt(document, passphrase)
