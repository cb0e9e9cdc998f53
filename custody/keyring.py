"""Operations on keys, each one ledger entry: add, rotate and revoke a person's key, and
rotate the ledger's own key. The rules they must obey live in `custody.keys`."""

from __future__ import annotations

import base64

from custody import keys
from custody.acts import sign_act
from custody.entries import Entry, NewEntry
from custody.errors import KeyRegistryError
from custody.keys import KeyRecord
from custody.ledger import Ledger
from custody.ledger_key import LedgerKeyFile
from custody.note import Signer, is_valid_name


def person_key(owner: str, purpose: str, public_key: bytes) -> dict[str, object]:
    """The key object a key_added or key_rotated entry carries for a person's key."""
    if purpose not in keys.PERSON_PURPOSES:
        raise KeyRegistryError(f"purpose must be one of {sorted(keys.PERSON_PURPOSES)}")
    if not is_valid_name(owner):
        raise KeyRegistryError("an owner is a user id without spaces or '+'")
    return keys.key_object(owner, purpose, owner, public_key)


def add_key(ledger: Ledger, actor: str, owner: str, purpose: str, public_key: bytes) -> Entry:
    key = person_key(owner, purpose, public_key)
    return ledger.record(NewEntry(kind="key_added", actor=actor, data={"key": key}))


def rotate_key(ledger: Ledger, actor: str, key_id: str, public_key: bytes) -> Entry:
    with ledger.database.read() as conn:
        data = rotation(ledger.keys(conn), key_id, public_key)
    return ledger.record(NewEntry(kind="key_rotated", actor=actor, data=data))


def rotation(known: list[KeyRecord], key_id: str, public_key: bytes) -> dict[str, object]:
    """The data of a key_rotated entry replacing a person's key by `public_key`."""
    old = next((k for k in known if k.key_id == key_id), None)
    if old is None:
        raise KeyRegistryError(f"unknown key {key_id}")
    if old.purpose == keys.LEDGER:
        raise KeyRegistryError("rotate the ledger key with rotate_ledger_key")
    return {"key_id": key_id, "key": person_key(old.owner, old.purpose, public_key)}


def revoke_key(ledger: Ledger, actor: str, key_id: str, reason: str) -> Entry:
    return ledger.record(
        NewEntry(kind="key_revoked", actor=actor, data={"key_id": key_id, "reason": reason})
    )


def rotate_ledger_key(ledger: Ledger, actor: str, key_file: LedgerKeyFile) -> Entry:
    """Replace the ledger key: the entry is signed by the old key and carries the new key's
    proof of possession; the key file is switched only once the entry has committed."""
    old = ledger.signer
    if old is None:
        raise KeyRegistryError("the ledger was opened without its key")
    new = Signer.generate(old.name)
    key = keys.key_object(keys.LEDGER_OWNER, keys.LEDGER, new.name, new.verifier.public_key)
    proof = sign_act(keys.possession_act(key, old.verifier.key_id, old.name), new.seed)
    data = {
        "key_id": old.verifier.key_id,
        "key": key,
        "possession": {"act": proof.act, "sig": base64.b64encode(proof.sig).decode()},
    }
    key_file.stage(new)
    try:
        entry = ledger.record(NewEntry(kind="key_rotated", actor=actor, data=data))
    except BaseException:
        key_file.discard_pending()
        raise
    key_file.promote()
    ledger.signer = new
    return entry
