"""Ledger entries: the body format of DESIGN §5 and the public vocabulary of entry kinds.

A body is a JSON object, stored as its RFC 8785 bytes:

    {"actor", "data", "item", "item_prev", "kind", "nonce", "prev", "seq", "time"}

`prev` is the leaf hash of entry `seq - 1` (null for seq 0); `item_prev` the leaf hash of the
previous entry about the same item (null for its first). Hashes are lowercase hex.

`nonce` (format custody-ledger/v2; docs/ledger.md, "Format versions and the leaf salt") is 128
random bits from `secrets`, 32 lowercase hex digits, so that a leaf hash, which is public,
cannot be matched against guessed bodies. Entries of a v1 ledger written before its first salted
entry have no `nonce`; every entry written since carries one (`custody verify` step 2).

`device` (optional, only beside a `nonce`): the id of the device token the actor acted
through (a scanner, a script: docs/access.md). The account a token is bound to is the entry's
actor, but whoever holds the token wrote it (issue 14: an administrator who issues a token
for a clerk's account); the member says so, and `custody verify`'s access step checks that
the token was the actor's, bound to the entry's role and place, and in force at its time.
An entry written without a token has no such member, so its bytes are as before.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import orjson

from custody import canonical
from custody.clock import is_time
from custody.errors import EncodingError, MalformedEntryError

# The public vocabulary (DESIGN §5). Auditors read the process from these names; a kind keeps
# its meaning forever, and new ones are only ever added.
LEDGER_KINDS = frozenset({"ledger_created", "key_added", "key_rotated", "key_revoked"})
# Who may do what, where (item: the username, or the device token's id): the accounts'
# history, folded by workflows.accounts.
ACCOUNT_KINDS = (
    "account_created",
    "role_granted",
    "role_withdrawn",
    "place_assigned",
    "place_withdrawn",
    "account_disabled",
    "account_enabled",
    "device_token_issued",
    "device_token_revoked",
)
PROCESS_KINDS = frozenset(
    {
        "item_registered",
        "decision_recorded",
        "decision_appealed",
        "decision_suspended",
        "decision_final",
        "decision_reversed",
        "item_returned",
        "transfer_sent",
        "transfer_received",
        "forensic_sent",
        "forensic_received",
        "test_fired",
        "registry_result_recorded",
        "evidence_released",
        "parts_removed",
        "parts_incinerated",
        "deformed",
        "cut",
        "batch_opened",
        "batch_loaded",
        "presence_recorded",
        "melted",
        "fuses_removed",
        "depackaged",
        "burned",
        "statement_signed",
        "discrepancy_recorded",
        "discrepancy_resolved",
        # added by the destruction process, beyond DESIGN §5's list:
        "location_added",  # a unit, warehouse, forensic unit or plant (item: its id)
        "commission_member_added",  # a person joins a commission, from a time (item: commission)
        "commission_member_removed",  # and leaves it
        "forensic_returned",  # the forensic unit hands the item back to a warehouse
        "transfer_closed",  # the receiver has scanned all that arrived (item: the transfer)
        "inventory_counted",  # a count at a place: what was missing, what was extra (item: place)
        "supervisor_assigned",  # a person answers for a place's deadlines at a level (item: place)
        "supervisor_withdrawn",  # and no longer does
        "diversion_suspected",  # R11: an item's marking is that of one destroyed or returned
        "diversion_resolved",  # R11: an official's signed act settles the suspicion
        "campaign_opened",  # a surrender campaign (item: its id)
        "compensation_paid",  # R12-R14: compensation paid for a surrendered item
        "compensation_confirmed",  # R13: a second person checks the payment (four eyes)
        "unloaded",  # an item taken out of a batch not yet destroyed, with the reason (R1)
        # dual control of what makes a signer or an administrator (workflows.dual):
        "change_proposed",  # one administrator proposes it (item: the proposal's id)
        "change_confirmed",  # another confirms it: the change is the entry right after
        "change_declined",  # or declines it
        *ACCOUNT_KINDS,
    }
)
KINDS = LEDGER_KINDS | PROCESS_KINDS

# A body of format v1 (docs/ledger.md "Entries"); v2 adds the member `nonce`.
FIELDS = ("actor", "data", "item", "item_prev", "kind", "prev", "seq", "time")
SALTED_FIELDS = ("actor", "data", "item", "item_prev", "kind", "nonce", "prev", "seq", "time")
# A v2 body written through a device token: one member more (docs/ledger.md "Entries").
DEVICE_FIELDS = (
    "actor",
    "data",
    "device",
    "item",
    "item_prev",
    "kind",
    "nonce",
    "prev",
    "seq",
    "time",
)
# The ledger format the genesis entry names (`ledger_created` data.format): v1 bodies carry
# no nonce; in a v2 ledger every body does (and so does every body after the first salted one
# of a v1 ledger that newer code went on writing).
FORMAT_V1 = "custody-ledger/v1"
FORMAT_V2 = "custody-ledger/v2"
NONCE_BYTES = 16  # 128 bits: 2^128 guesses per leaf, beyond any brute force
MAX_NAME = 128
_HEX_HASH = re.compile(r"[0-9a-f]{64}")
_HEX_NONCE = re.compile(r"[0-9a-f]{32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FIELD_SET = frozenset(FIELDS)
_SALTED_SET = frozenset(SALTED_FIELDS)
_DEVICE_SET = frozenset(DEVICE_FIELDS)


def unsalted_message(salted_from: int) -> str:
    """Why an entry without a nonce is refused where the ledger's entries carry one."""
    return (
        f"the entry carries no nonce, though every entry from seq {salted_from} on must"
        f" (format {FORMAT_V2}: leaf salt)"
    )


def new_nonce() -> str:
    """A fresh leaf salt: 16 bytes from the OS's CSPRNG (`secrets`), as 32 lowercase hex
    digits. Cost: about a microsecond."""
    return secrets.token_hex(NONCE_BYTES)


@dataclass(frozen=True)
class EntryBody:
    seq: int
    time: str
    actor: str
    kind: str
    item: str | None
    item_prev: str | None
    prev: str | None
    data: dict[str, Any] = field(default_factory=dict)
    nonce: str | None = None  # None only in entries of format v1
    device: str | None = None  # the device token it was written through, if any

    def to_json(self) -> dict[str, Any]:
        body = {
            "actor": self.actor,
            "data": self.data,
            "item": self.item,
            "item_prev": self.item_prev,
            "kind": self.kind,
            "prev": self.prev,
            "seq": self.seq,
            "time": self.time,
        }
        if self.nonce is not None:
            body["nonce"] = self.nonce
        if self.device is not None:
            body["device"] = self.device
        return body

    def encode(self) -> bytes:
        """The canonical bytes; raises EncodingError for values JCS cannot carry exactly."""
        return encode_body(
            self.seq,
            self.time,
            self.actor,
            self.kind,
            self.item,
            self.item_prev,
            self.prev,
            self.data,
            self.nonce,
            self.device,
        )


def encode_body(
    seq: int,
    time: str,
    actor: str,
    kind: str,
    item: str | None,
    item_prev: str | None,
    prev: str | None,
    data: dict[str, Any],
    nonce: str | None = None,
    device: str | None = None,
) -> bytes:
    """The canonical bytes of a body, built from its fields without an EntryBody (appends
    build thousands a second). Only `data` needs scanning: every other field is an integer,
    a hex hash, an RFC 3339 time, a word of the vocabulary, or text `check_name` passed.
    `nonce` None gives a v1 body (no member `nonce`): only forgeries and tests write one.
    `device` None gives no member `device` (an entry not written through a device token)."""
    body = {
        "actor": actor,
        "data": data,
        "item": item,
        "item_prev": item_prev,
        "kind": kind,
        "prev": prev,
        "seq": seq,
        "time": time,
    }
    if nonce is not None:
        body["nonce"] = nonce
    if device is not None:
        body["device"] = device
    return canonical.dumps_with_data(body, data)


@dataclass(frozen=True)
class Entry:
    """One row of `ledger_entries`: the exact body bytes and the ledger's signature."""

    seq: int
    body: bytes
    leaf_hash: bytes
    sig: bytes
    key_id: str


def check_name(value: object, what: str) -> str:
    """Actors and items: non-empty text of at most 128 characters, no control characters."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_NAME:
        raise MalformedEntryError(f"{what} must be text of 1 to {MAX_NAME} characters")
    if _CONTROL.search(value):
        raise MalformedEntryError(f"{what} must not hold control characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedEntryError(f"{what} holds a lone surrogate") from exc
    return value


# Actors that passed check_name: a ledger has a few hundred, each writing thousands of
# entries, and `custody verify` checks every entry's twice (steps 1-9 and the replay).
_ACTORS_KEPT = 4096
_actors_seen: set[str] = set()


def _check_hash(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX_HASH.fullmatch(value):
        raise MalformedEntryError(f"{what} must be a lowercase hex SHA-256 hash or null")
    return value


# The fields of a body in the order of EntryBody: seq, time, actor, kind, item, item_prev,
# prev, data, nonce, device. `custody verify` works on these tuples: a million dataclasses
# cost seconds.
Fields = tuple[
    int, str, str, str, str | None, str | None, str | None, dict[str, Any], str | None, str | None
]


def validate_fields(body: Any) -> Fields:
    """Check a parsed body against the format (v2 with `nonce`, and `device` when written
    through a device token; or v1 without either; which one an entry must be is the
    ledger's to say: `custody verify` step 2); return its fields. Raises
    MalformedEntryError."""
    if type(body) is not dict:
        raise MalformedEntryError(f"a body has exactly the fields {', '.join(SALTED_FIELDS)}")
    keys = body.keys()
    device = None
    if keys in (_SALTED_SET, _DEVICE_SET):
        nonce = body["nonce"]
        if type(nonce) is not str or not _HEX_NONCE.fullmatch(nonce):
            raise MalformedEntryError("nonce must be 32 lowercase hex digits (128 bits)")
        if "device" in keys:
            device = check_name(body["device"], "device")
    elif keys == _FIELD_SET:
        nonce = None
    else:
        raise MalformedEntryError(
            f"a body has exactly the fields {', '.join(SALTED_FIELDS)}"
            f" (and device, when written through a device token;"
            f" or, format v1, {', '.join(FIELDS)})"
        )
    seq = body["seq"]
    if type(seq) is not int or seq < 0:
        raise MalformedEntryError("seq must be a non-negative integer")
    if not is_time(body["time"]):
        raise MalformedEntryError("time must be RFC 3339 UTC with six fractional digits")
    if body["kind"] not in KINDS:
        raise MalformedEntryError(f"kind {body['kind']!r} is not in the public vocabulary")
    if type(body["data"]) is not dict:
        raise MalformedEntryError("data must be an object")
    item = body["item"]
    if item is not None:
        check_name(item, "item")
    actor = body["actor"]
    if type(actor) is not str or actor not in _actors_seen:
        check_name(actor, "actor")
        if len(_actors_seen) < _ACTORS_KEPT:
            _actors_seen.add(actor)
    return (
        seq,
        body["time"],
        actor,
        body["kind"],
        item,
        _check_hash(body["item_prev"], "item_prev"),
        _check_hash(body["prev"], "prev"),
        body["data"],
        nonce,
        device,
    )


_new_object = object.__new__
_set_attribute = object.__setattr__


def body_of(fields: Fields) -> EntryBody:
    """`EntryBody(*fields)` for fields `validate_fields` returned: the same frozen object,
    its attributes set at once. A frozen dataclass's __init__ sets each of its ten fields
    through object.__setattr__, which cost as much as checking the body against the format
    (`custody verify`'s state replay makes a million)."""
    body: EntryBody = _new_object(EntryBody)
    seq, time, actor, kind, item, item_prev, prev, data, nonce, device = fields
    attributes = {
        "seq": seq,
        "time": time,
        "actor": actor,
        "kind": kind,
        "item": item,
        "item_prev": item_prev,
        "prev": prev,
        "data": data,
        "nonce": nonce,
        "device": device,
    }
    _set_attribute(body, "__dict__", attributes)
    return body


_MEMBER_SETS = (_SALTED_SET, _DEVICE_SET, _FIELD_SET)


def proven(body: Any) -> EntryBody:
    """The EntryBody of a parsed body that step 2 of `custody verify` proved canonical and of
    the format in the same audit (`validate_fields` ran on these very bytes in a worker):
    its members are taken as they are, not checked again (the nonce's and the hashes'
    patterns, the names' characters: four regular expressions an entry, a tenth of the
    state replay). Only what the fold would stumble on is looked at: a dict of exactly the
    members of one of the formats, `seq` an integer and `data` an object, so that a row
    changed in place between the two reads (which the next audit's step 2 finds) is refused
    here, not folded. Raises MalformedEntryError; docs/ledger.md "Entries"."""
    if type(body) is not dict or body.keys() not in _MEMBER_SETS:
        raise MalformedEntryError("the body is not one that step 2 proved of the format")
    seq, data = body["seq"], body["data"]
    if type(seq) is not int or type(data) is not dict:
        raise MalformedEntryError("the body is not one that step 2 proved of the format")
    entry: EntryBody = _new_object(EntryBody)
    attributes = {
        "seq": seq,
        "time": body["time"],
        "actor": body["actor"],
        "kind": body["kind"],
        "item": body["item"],
        "item_prev": body["item_prev"],
        "prev": body["prev"],
        "data": data,
        "nonce": body.get("nonce"),
        "device": body.get("device"),
    }
    _set_attribute(entry, "__dict__", attributes)
    return entry


def validate(body: Any) -> EntryBody:
    """Check a parsed body against the format and return it typed."""
    return body_of(validate_fields(body))


def decode_fields(body: bytes) -> Fields:
    """Parse stored bytes, refusing anything that is not canonical or not of the format."""
    try:
        value = canonical.loads_canonical(body)
    except EncodingError as exc:
        raise MalformedEntryError(f"body is not canonical JSON: {exc}") from exc
    return validate_fields(value)


def decode(body: bytes) -> EntryBody:
    """Parse stored bytes, refusing anything that is not canonical or not of the format."""
    return body_of(decode_fields(body))


@dataclass(frozen=True)
class NewEntry:
    """What a caller asks the ledger to append; seq, time and the links are the ledger's."""

    kind: str
    actor: str
    item: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    device: str | None = None  # the device token the actor acts through (body member `device`)


def time_of(body: bytes) -> str:
    """The time field of a stored body (the entries of one append call share it)."""
    value: str = orjson.loads(body)["time"]
    return value
