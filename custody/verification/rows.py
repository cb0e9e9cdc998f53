"""Per-entry work, done where the rows are read (in worker processes for a large ledger):
parse, hash and check the ledger's signature, so that the fold in seq order only compares.

The records travel through pipes a million times, so they are NamedTuples (tuples with
names), not dataclasses.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from custody import acts as act_rules
from custody import entries, signatures
from custody.errors import ActError, MalformedEntryError
from custody.rfc6962 import leaf_hash


class Row(NamedTuple):
    """A row of `ledger_entries` as the driver gives it."""

    seq: int
    body: bytes
    leaf_hash: bytes
    sig: bytes
    key_id: str
    item: str | None
    kind: str | None


class Body(NamedTuple):
    """A parsed body's fields (entries.Fields); `data` is None except where rules apply
    (key entries and people's acts), so that less goes back through the pipes."""

    seq: int
    time: str
    actor: str
    kind: str
    item: str | None
    item_prev: str | None
    prev: str | None
    data: dict[str, Any] | None
    salted: bool  # it carries a nonce (format v2); the nonce itself need not travel

    def entry(self) -> entries.EntryBody | None:
        return entries.EntryBody(*self[:7], self.data) if self.data is not None else None


class Checked(NamedTuple):
    """What the per-entry work found about one row."""

    seq: int
    leaf: bytes  # recomputed: SHA-256(0x00 || body)
    leaf_ok: bool  # the stored leaf hash is the recomputed one
    malformed: str | None  # why the body is not canonical or not of the format
    key_id: str
    # The signature, sent back only when it did not verify with the key table's key, or
    # could not be checked: one that verified with that key cannot verify with another.
    sig: bytes
    sig_ok: bool | None  # with the key table's key; None: the key is not in the table
    act_ok: bool | None  # the act's signature with the key table's key; None: not checked
    item_column: str | None
    body: Body | None  # None when the body did not parse
    kind_column: str | None


def check_row(row: Row, table_keys: dict[str, bytes]) -> Checked:
    """Hash, parse and check one row; table_keys is key id -> public key as the key table
    has it (checked against the replay later, in the fold)."""
    leaf = leaf_hash(row.body)
    public_key = table_keys.get(row.key_id)
    sig_ok = (
        None
        if public_key is None
        else signatures.verify(public_key, signatures.entry_message(leaf), row.sig)
    )
    leaf_ok = leaf == row.leaf_hash
    sent_sig = b"" if sig_ok else row.sig
    try:
        fields = entries.decode_fields(row.body)
    except MalformedEntryError as exc:
        return Checked(
            row.seq,
            leaf,
            leaf_ok,
            str(exc),
            row.key_id,
            sent_sig,
            sig_ok,
            None,
            row.item,
            None,
            row.kind,
        )
    data: dict[str, Any] | None = fields[7]
    act_ok = None
    if "act" in fields[7] or "act_sig" in fields[7]:
        act_ok = _act_holds(fields, table_keys)
    elif fields[3] not in entries.LEDGER_KINDS:
        data = None
    # tuple.__new__: a NamedTuple's own __new__ is a Python call, a microsecond an entry
    kept = _new(Body, (*fields[:7], data, fields[8] is not None))
    checked: Checked = _new(
        Checked,
        (
            row.seq,
            leaf,
            leaf_ok,
            None,
            row.key_id,
            sent_sig,
            sig_ok,
            act_ok,
            row.item,
            kept,
            row.kind,
        ),
    )
    return checked


_new: Any = tuple.__new__


def _act_holds(fields: entries.Fields, table_keys: dict[str, bytes]) -> bool | None:
    try:
        act = act_rules.act_of(entries.EntryBody(*fields))
    except ActError:
        return None
    act_key = table_keys.get(str(act.act.get("key_id"))) if act is not None else None
    if act is None or act_key is None:
        return None
    return act_rules.verify_signature(act, act_key)
