"""Public keys and their validity, as a fold of the key entries of the ledger.

Every key has a stable id (its C2SP note key hash, eight hex digits) and holds for a range
of sequence numbers, written by the entries that change it:

- `ledger_created` (seq 0) publishes the ledger's key, valid from seq 0 (it signs its own entry);
- `key_added` at seq a: a person's key, valid from a + 1;
- `key_rotated` at seq k: the old key holds up to and including k, the new one from k + 1.
  A new *ledger* key must prove possession: it signs a `key_possession` act naming itself,
  the key it replaces and the origin; the entry itself is signed by the old key;
- a person's key may carry, in its `key_added` or `key_rotated` entry, `possession`:
  `{"challenge", "sig"}`, the key's own signature over its owner, purpose, public key and the
  challenge the service gave them (`signatures.possession_message`); when it is there it must
  verify, here and in `custody verify`;
- `key_revoked` at seq r: the key no longer holds from r on. The ledger key is rotated, never
  revoked, so that there is always exactly one key that may sign the next entry.

The same `KeyRegistry.apply` checks a key entry before it is written and replays the log in
`custody verify`, so the rules cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from custody import note, signatures
from custody.entries import EntryBody, check_name
from custody.errors import KeyRegistryError, MalformedEntryError, MalformedNoteError

LEDGER_OWNER = "ledger"
LEDGER = "ledger"
# What a person's key may sign: acts (registry results, releases, statement signatures) or,
# for a witness, cosignatures on checkpoints.
PERSON_PURPOSES = frozenset({"act", "witness"})
PURPOSES = PERSON_PURPOSES | {LEDGER}
WEAK_KEY = (
    "the public key is a small-order or non-canonical Ed25519 point: no signature under it "
    "can be trusted"
)
_KEY_FIELDS = {"key_id", "name", "owner", "purpose", "public_key"}


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    owner: str
    purpose: str
    name: str
    public_key: bytes
    added_seq: int
    valid_from_seq: int
    rotated_at_seq: int | None = None
    revoked_at_seq: int | None = None
    replaced_by: str | None = None

    def valid_at(self, seq: int) -> bool:
        if seq < self.valid_from_seq:
            return False
        if self.rotated_at_seq is not None and seq > self.rotated_at_seq:
            return False
        return self.revoked_at_seq is None or seq < self.revoked_at_seq

    def why_not_valid_at(self, seq: int) -> str:
        if seq < self.valid_from_seq:
            return f"key {self.key_id} holds only from seq {self.valid_from_seq}"
        if self.revoked_at_seq is not None and seq >= self.revoked_at_seq:
            return f"key {self.key_id} was revoked at seq {self.revoked_at_seq}"
        return f"key {self.key_id} was rotated out at seq {self.rotated_at_seq}"

    @property
    def verifier(self) -> note.Verifier:
        return note.Verifier(self.name, self.public_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "owner": self.owner,
            "purpose": self.purpose,
            "name": self.name,
            "public_key": base64.b64encode(self.public_key).decode(),
            "vkey": self.verifier.vkey,
            "added_seq": self.added_seq,
            "valid_from_seq": self.valid_from_seq,
            "rotated_at_seq": self.rotated_at_seq,
            "revoked_at_seq": self.revoked_at_seq,
            "replaced_by": self.replaced_by,
        }


def key_object(owner: str, purpose: str, name: str, public_key: bytes) -> dict[str, Any]:
    """The description of a key as key entries carry it."""
    return {
        "key_id": note.key_id(name, public_key),
        "name": name,
        "owner": owner,
        "purpose": purpose,
        "public_key": base64.b64encode(public_key).decode(),
    }


def possession_act(new: dict[str, Any], replaces: str, origin: str) -> dict[str, Any]:
    """What a new ledger key signs to prove it is held by whoever rotates to it."""
    return {
        "kind": "key_possession",
        "key_id": new["key_id"],
        "replaces": replaces,
        "origin": origin,
    }


def possession_claim(owner: str, purpose: str, public_key: bytes, challenge: str) -> dict[str, str]:
    """What a person's new key signs to prove its owner holds it (signatures.possession_message)."""
    return {
        "owner": owner,
        "purpose": purpose,
        "public_key": base64.b64encode(public_key).decode(),
        "challenge": challenge,
    }


def check_person_possession(owner: str, purpose: str, public_key: bytes, proof: object) -> None:
    """Raise KeyRegistryError unless `proof` ({"challenge": 16 to 128 characters, "sig": base64
    of 64 bytes}) is the signature of `public_key` (32 raw bytes) over its possession claim for
    `owner` and `purpose` (`possession_claim`; docs/ledger.md, "Keys"). One check for the
    ledger (key_added, a person's key_rotated), the commands and the key requests' API."""
    if not isinstance(proof, dict) or set(proof) != {"challenge", "sig"}:
        raise KeyRegistryError("a possession proof is {challenge, sig}")
    challenge, sig = proof["challenge"], proof["sig"]
    if not isinstance(challenge, str) or not 16 <= len(challenge) <= 128:
        raise KeyRegistryError("a possession challenge is text of 16 to 128 characters")
    try:
        raw = base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    claim = possession_claim(owner, purpose, public_key, challenge)
    if not signatures.verify(public_key, signatures.possession_message(claim), raw):
        raise KeyRegistryError(
            f"the proof of possession does not verify with key {note.key_id(owner, public_key)}: "
            "it was not made by the key being registered, or for another owner or challenge"
        )


def parse_public_key(text: str) -> bytes:
    """A public key given as base64 of its 32 bytes, or as a C2SP verifier key.

    Raises KeyRegistryError for anything else, and for a small-order or non-canonical point
    (`signatures.is_strong_public_key`), so that `keys add`, rotations and the API refuse it.
    """
    text = text.strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != signatures.PUBLIC_KEY_SIZE:
        try:
            raw = note.Verifier.parse(text).public_key
        except MalformedNoteError as exc:
            raise KeyRegistryError("a public key is base64 of 32 bytes, or a verifier key") from exc
    if not signatures.is_strong_public_key(raw):
        raise KeyRegistryError(WEAK_KEY)
    return raw


def _parse_key_object(value: object, seq: int) -> KeyRecord:
    if not isinstance(value, dict) or set(value) != _KEY_FIELDS:
        raise MalformedEntryError("a key is {key_id, name, owner, purpose, public_key}")
    try:
        public_key = base64.b64decode(str(value["public_key"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedEntryError("public_key is not base64") from exc
    if len(public_key) != signatures.PUBLIC_KEY_SIZE:
        raise MalformedEntryError("public_key is not 32 bytes")
    if not signatures.is_strong_public_key(public_key):
        raise MalformedEntryError(WEAK_KEY)
    name = value["name"]
    if not isinstance(name, str) or not note.is_valid_name(name):
        raise MalformedEntryError("key name must be non-empty, without spaces or '+'")
    if value["key_id"] != note.key_id(name, public_key):
        raise MalformedEntryError("key_id is not the note key hash of name and key")
    if value["purpose"] not in PURPOSES:
        raise MalformedEntryError(f"purpose must be one of {sorted(PURPOSES)}")
    return KeyRecord(
        key_id=value["key_id"],
        owner=check_name(value["owner"], "owner"),
        purpose=value["purpose"],
        name=name,
        public_key=public_key,
        added_seq=seq,
        valid_from_seq=seq + 1,
    )


class KeyRegistry:
    """Every key the log has published, folded entry by entry."""

    def __init__(self, records: Iterable[KeyRecord] = ()) -> None:
        self.records: dict[str, KeyRecord] = {r.key_id: r for r in records}
        self.origin: str | None = None
        # When each key was published (the time of the entry at its added_seq, RFC 3339
        # UTC), as folded; for records loaded from ledger_keys, `time_of(seq)` reads it.
        self.added_times: dict[str, str] = {}
        self.time_of: Callable[[int], str | None] | None = None

    def added_time(self, record: KeyRecord) -> str | None:
        """The time of the entry that published `record` (RFC 3339 UTC), or None when this
        registry neither folded that entry nor can read it."""
        found = self.added_times.get(record.key_id)
        if found is None and self.time_of is not None:
            found = self.time_of(record.added_seq)
            if found is not None:
                self.added_times[record.key_id] = found
        return found

    def get(self, key_id: str) -> KeyRecord | None:
        return self.records.get(key_id)

    def ledger_key_at(self, seq: int) -> KeyRecord | None:
        for record in self.records.values():
            if record.purpose == LEDGER and record.valid_at(seq):
                return record
        return None

    def ledger_keys(self) -> list[KeyRecord]:
        return sorted(
            (r for r in self.records.values() if r.purpose == LEDGER), key=lambda r: r.added_seq
        )

    def apply(self, body: EntryBody) -> list[KeyRecord]:
        """Fold one entry; return the records it created or changed (none for other kinds).

        Raises KeyRegistryError (or MalformedEntryError) for an entry that breaks the rules;
        then nothing in the registry has changed.
        """
        handler = {
            "ledger_created": self._ledger_created,
            "key_added": self._key_added,
            "key_rotated": self._key_rotated,
            "key_revoked": self._key_revoked,
        }.get(body.kind)
        if handler is None:
            return []
        changed = handler(body)
        for record in changed:
            self.records[record.key_id] = record
            if record.added_seq == body.seq:
                self.added_times[record.key_id] = body.time
        return changed

    def _new(self, record: KeyRecord) -> None:
        if record.key_id in self.records:
            raise KeyRegistryError(f"key id {record.key_id} is already registered")

    def _ledger_created(self, body: EntryBody) -> list[KeyRecord]:
        if body.seq != 0 or self.records:
            raise KeyRegistryError("ledger_created may only be the first entry")
        origin = body.data.get("origin")
        if not isinstance(origin, str) or not note.is_valid_name(origin):
            raise MalformedEntryError("origin must be a valid note key name")
        record = _parse_key_object(body.data.get("key"), 0)
        if record.purpose != LEDGER or record.owner != LEDGER_OWNER or record.name != origin:
            raise KeyRegistryError("the genesis key must be the ledger's, named for the origin")
        self.origin = origin
        return [replace(record, valid_from_seq=0)]

    def _key_added(self, body: EntryBody) -> list[KeyRecord]:
        record = _parse_key_object(body.data.get("key"), body.seq)
        if record.purpose not in PERSON_PURPOSES:
            raise KeyRegistryError("key_added registers a person's key; ledger keys are rotated")
        if record.name != record.owner:
            raise KeyRegistryError("a person's key is named for its owner")
        self._new(record)
        if "possession" in body.data:
            check_person_possession(
                record.owner, record.purpose, record.public_key, body.data["possession"]
            )
        return [record]

    def _current(self, key_id: object, seq: int) -> KeyRecord:
        record = self.records.get(key_id) if isinstance(key_id, str) else None
        if record is None:
            raise KeyRegistryError(f"unknown key {key_id!r}")
        if not record.valid_at(seq):
            raise KeyRegistryError(record.why_not_valid_at(seq))
        return record

    def _key_rotated(self, body: EntryBody) -> list[KeyRecord]:
        old = self._current(body.data.get("key_id"), body.seq)
        new = _parse_key_object(body.data.get("key"), body.seq)
        if (new.owner, new.purpose, new.name) != (old.owner, old.purpose, old.name):
            raise KeyRegistryError("a rotated key keeps its owner, purpose and name")
        self._new(new)
        if old.purpose == LEDGER:
            self._check_possession(body, new, old)
        elif "possession" in body.data:
            check_person_possession(new.owner, new.purpose, new.public_key, body.data["possession"])
        return [replace(old, rotated_at_seq=body.seq, replaced_by=new.key_id), new]

    def _check_possession(self, body: EntryBody, new: KeyRecord, old: KeyRecord) -> None:
        proof = body.data.get("possession")
        if not isinstance(proof, dict) or not isinstance(proof.get("sig"), str):
            raise KeyRegistryError("a new ledger key must prove possession")
        expected = possession_act({"key_id": new.key_id}, old.key_id, self.origin or new.name)
        try:
            sig = base64.b64decode(proof["sig"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyRegistryError("possession signature is not base64") from exc
        if proof.get("act") != expected or not signatures.verify(
            new.public_key, signatures.act_message(expected), sig
        ):
            raise KeyRegistryError("the new ledger key's possession proof does not verify")

    def _key_revoked(self, body: EntryBody) -> list[KeyRecord]:
        record = self._current(body.data.get("key_id"), body.seq)
        if record.purpose == LEDGER:
            raise KeyRegistryError("the ledger key is rotated, not revoked")
        return [replace(record, revoked_at_seq=body.seq)]
