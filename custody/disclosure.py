"""A disclosure bundle: one item's entries, and nothing else of the log, with what proves them,
for a court or a tracing agency to check offline (`custody item-proof`, `custody verify-item`).

The file is the RFC 8785 (JCS) canonical form of

    {
      "format": "custody/item-proof/v1",
      "item": "<the item's id>",
      "checkpoint": "<a C2SP signed checkpoint note of the ledger>",
      "entries": [entry, ...],   every entry about the item below the checkpoint's size, in seq
                                 order: its whole item_prev chain, from item_registered on
      "keys": [entry, ...],      ledger_created and every key_added, key_rotated and
                                 key_revoked below the checkpoint's size, in seq order
      "proofs": {"<seq>": ["<hex>", ...], ...}   an RFC 9162 inclusion proof (section 2.1.3) of
                                 every entry above, leaf index = seq, to the checkpoint's tree
      "subject_head": {"subject", "size", "last_seq", "leaf_hash", "origin", "key_id", "sig"}
                                 the ledger's word that at tree size `size` (the checkpoint's)
                                 the item's newest entry is seq `last_seq`, of that leaf hash:
                                 signed by the ledger key that held at that size over
                                 b"custody/subject-head/v1\\x00" + JCS(the first five members)
    }

with an entry `{"seq", "body" (base64 of the exact bytes), "sig" (base64 of the ledger's
Ed25519 signature), "key_id"}`. The bytes must be exactly that canonical form, base64 and hex
exactly as written here (padding, lowercase), so that every byte of the file counts: change any
and a step fails.

The checks (`check`), in order; the first that fails is named, with why:

    1 bundle            the format, the exact members and types, the canonical bytes
    2 keys              the key entries fold into the ledger's key registry (genesis first);
                        a ledger key you pin (--key) must be one of its ledger keys
    3 checkpoint        signed by a ledger key, of this ledger; a checkpoint you pin
                        (--checkpoint, e.g. GET /ledger/checkpoint) must be the same tree
    4 entries           each canonical, of its seq, below the checkpoint, signed by the ledger
                        key that held at its seq; the keys' entries are key entries, the item's
                        entries name the item; the subject head is of this item, this log and
                        the checkpoint's size, signed by the ledger key that held at that size
    5 chain             the item's entries are linked by item_prev from item_registered, and
                        the last is the one the subject head names: no tail was cut off
    6 inclusion proofs  every entry is in the tree the checkpoint signs
    7 acts              every person's act an entry carries verifies with that person's key,
                        valid at its seq (docs/ledger.md, "Signatures")

A bundle proves what it holds happened, in that order, in the log everyone else sees, and
(by the subject head) that nothing about the item came after its last entry below the
checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy.engine import Connection

from custody import acts, canonical, entries, note, signatures
from custody.checkpoint import Checkpoint, open_checkpoint
from custody.entries import Entry, EntryBody
from custody.errors import CustodyError, NotAnItem, ProofRangeError
from custody.keys import KeyRegistry
from custody.ledger import Ledger
from custody.proofs import verify_inclusion
from custody.rfc6962 import leaf_hash
from custody.store import Store, StoredCheckpoint
from custody.verify import StepResult

FORMAT = "custody/item-proof/v1"
KEY_KINDS = frozenset({"ledger_created", "key_added", "key_rotated", "key_revoked"})
STEPS: dict[int, str] = {
    1: "bundle",
    2: "keys",
    3: "checkpoint",
    4: "entries",
    5: "chain",
    6: "inclusion proofs",
    7: "acts",
}
_MEMBERS = {"format", "item", "checkpoint", "entries", "keys", "proofs", "subject_head"}
_HEAD_SIGNED = {"subject", "size", "last_seq", "leaf_hash", "origin"}
_HEAD_MEMBERS = _HEAD_SIGNED | {"key_id", "sig"}
_ENTRY_MEMBERS = {"seq", "body", "sig", "key_id"}
_HEX = re.compile(r"[0-9a-f]{64}")


# -- building ---------------------------------------------------------------------------------


def build(ledger: Ledger, conn: Connection, item: str, checkpoint: StoredCheckpoint) -> bytes:
    """The bundle of `item` proven to `checkpoint` (a checkpoint the ledger signed), as the
    file's bytes. ProofRangeError when no entry about the item lies below the checkpoint;
    NotAnItem when the subject's entries do not begin with its registration (a batch, a
    place, an account: step 5 of the check would call its file tampered)."""
    store = Store(conn)
    chain = [e for e in store.item_entries(item) if e.seq < checkpoint.size]
    if not chain:
        raise ProofRangeError(
            f"no entry about {item!r} in the first {checkpoint.size} entries of the ledger"
        )
    first = entries.decode(chain[0].body).kind
    if first != "item_registered":
        raise NotAnItem(f"{item!r} is not an item (its first entry is {first}): no bundle")
    keys = _key_entries(store, checkpoint.size)
    head = _subject_head(ledger, conn, keys, chain[-1], checkpoint.size)
    proofs = {
        str(e.seq): [h.hex() for h in ledger.inclusion_proof(conn, e.seq, checkpoint.size).hashes]
        for e in [*chain, *keys]
    }
    bundle = {
        "format": FORMAT,
        "item": item,
        "checkpoint": checkpoint.note,
        "entries": [_entry_json(e) for e in chain],
        "keys": [_entry_json(e) for e in keys],
        "proofs": proofs,
        "subject_head": head,
    }
    return canonical.dumps(bundle)


def _subject_head(
    ledger: Ledger, conn: Connection, keys: list[Entry], last: Entry, size: int
) -> dict[str, Any]:
    """The ledger's signed word that `last` is the item's newest entry at tree `size`.

    Signed now, by the ledger's key; a reader checks it with the key that held at `size`
    (from the bundle's key entries), so once the key has been rotated past `size` no head can
    be given for it: ProofRangeError, ask for a bundle proven to a later checkpoint."""
    signer = ledger.signer
    registry = KeyRegistry()
    for key_entry in keys:
        registry.apply(entries.decode(key_entry.body))
    holder = registry.ledger_key_at(size)
    if signer is None or holder is None or holder.key_id != signer.verifier.key_id:
        raise ProofRangeError(
            f"the ledger key has changed since the checkpoint of {size} entries: ask for a "
            "bundle proven to the latest checkpoint"
        )
    signed = {
        "subject": entries.decode(last.body).item,
        "size": size,
        "last_seq": last.seq,
        "leaf_hash": last.leaf_hash.hex(),
        "origin": ledger.head(conn).origin,
    }
    sig = signer.sign(signatures.subject_head_message(signed))
    return {**signed, "key_id": signer.verifier.key_id, "sig": base64.b64encode(sig).decode()}


def disclose(ledger: Ledger, item: str, size: int | None = None) -> bytes:
    """The bundle of `item` proven to the checkpoint the ledger signed of `size` entries, or
    to the latest (signed now if the tree has grown since, as GET /ledger/checkpoint does).
    ProofRangeError when the ledger signed no checkpoint of that size."""
    if size is None:
        with ledger.database.write() as conn:
            checkpoint = ledger.issue_checkpoint(conn)
    else:
        with ledger.database.read() as conn:
            found = [c for c in Store(conn).checkpoints() if c.size == size]
        if not found:
            raise ProofRangeError(f"the ledger signed no checkpoint of {size} entries")
        checkpoint = found[0]
    with ledger.database.read() as conn:
        return build(ledger, conn, item, checkpoint)


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "body": base64.b64encode(entry.body).decode(),
        "sig": base64.b64encode(entry.sig).decode(),
        "key_id": entry.key_id,
    }


def _key_entries(store: Store, size: int) -> list[Entry]:
    seqs = {0}
    for record in store.key_records():
        for seq in (record.added_seq, record.rotated_at_seq, record.revoked_at_seq):
            if seq is not None and seq < size:
                seqs.add(seq)
    return [store.entries(seq, seq + 1)[0] for seq in sorted(seqs)]


# -- checking ---------------------------------------------------------------------------------


class StepFailed(Exception):
    def __init__(self, reason: str, seq: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.seq = reason, seq


@dataclass
class ItemReport:
    item: str | None = None
    size: int | None = None
    root: str | None = None
    entries: int = 0
    last_kind: str | None = None
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(STEPS) and all(s.ok for s in self.steps)

    @property
    def first_failure(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)

    def to_json(self) -> dict[str, Any]:
        failure = self.first_failure
        return {
            "ok": self.ok,
            "item": self.item,
            "entries": self.entries,
            "last_kind": self.last_kind,
            "checkpoint_size": self.size,
            "checkpoint_root": self.root,
            "steps": [step.to_json() for step in self.steps],
            "first_failure": failure.to_json() if failure is not None else None,
        }


@dataclass(frozen=True)
class _Entry:
    seq: int
    body: EntryBody
    leaf: bytes
    sig: bytes
    key_id: str


def check(
    raw: bytes,
    pinned_key: note.Verifier | None = None,
    pinned_checkpoint: str | None = None,
) -> ItemReport:
    """Check a bundle's bytes offline, step by step (the module's docstring); the report
    names the first step that fails. Never raises for a bad bundle."""
    return _Check(raw, pinned_key, pinned_checkpoint).run()


class _Check:
    def __init__(self, raw: bytes, pinned: note.Verifier | None, checkpoint: str | None) -> None:
        self.raw, self.pinned, self.pinned_checkpoint = raw, pinned, checkpoint
        self.report = ItemReport()
        self.bundle: dict[str, Any] = {}
        self.registry = KeyRegistry()
        self.keys: list[_Entry] = []
        self.entries: list[_Entry] = []
        self.checkpoint: Checkpoint | None = None

    def run(self) -> ItemReport:
        steps: list[Callable[[], None]] = [
            self._bundle,
            self._keys,
            self._checkpoint,
            self._entries,
            self._chain,
            self._proofs,
            self._acts,
        ]
        for number, step in enumerate(steps, 1):
            result = StepResult(number, STEPS[number])
            self.report.steps.append(result)
            try:
                step()
            except StepFailed as failed:
                result.fail(failed.seq, failed.reason)
                break
            except (CustodyError, KeyError, TypeError, ValueError, IndexError) as exc:
                result.fail(None, f"malformed bundle: {exc!r}")
                break
            result.hold()
        return self.report

    # -- 1 ------------------------------------------------------------------------------------

    def _bundle(self) -> None:
        try:
            bundle = json.loads(self.raw)
        except ValueError as exc:
            raise StepFailed(f"not JSON: {exc}") from exc
        if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
            raise StepFailed(f"not a bundle of the format {FORMAT}")
        if set(bundle) != _MEMBERS:
            raise StepFailed(f"the members are {sorted(bundle)}, not {sorted(_MEMBERS)}")
        try:
            exact = canonical.dumps(bundle)
        except CustodyError as exc:
            raise StepFailed(f"not canonical JSON: {exc}") from exc
        if exact != self.raw:
            raise StepFailed("the bytes are not the canonical (RFC 8785) form of the bundle")
        if not isinstance(bundle["item"], str) or not isinstance(bundle["checkpoint"], str):
            raise StepFailed("item and checkpoint are strings")
        for name in ("entries", "keys"):
            if not isinstance(bundle[name], list) or not all(
                isinstance(e, dict) and set(e) == _ENTRY_MEMBERS for e in bundle[name]
            ):
                raise StepFailed(f"{name} is a list of {sorted(_ENTRY_MEMBERS)}")
        proofs = bundle["proofs"]
        if not isinstance(proofs, dict) or not all(
            isinstance(p, list) and all(isinstance(h, str) and _HEX.fullmatch(h) for h in p)
            for p in proofs.values()
        ):
            raise StepFailed("proofs map a seq to a list of lowercase hex SHA-256 hashes")
        _head_shape(bundle["subject_head"])
        self.bundle = bundle
        self.report.item = bundle["item"]

    # -- 2-4 ----------------------------------------------------------------------------------

    def _keys(self) -> None:
        self.keys = [_parse(raw) for raw in self.bundle["keys"]]
        if not self.keys or self.keys[0].seq != 0:
            raise StepFailed("the bundle lacks the ledger's genesis entry")
        _in_order(self.keys)
        for entry in self.keys:
            if entry.body.kind not in KEY_KINDS:
                raise StepFailed(f"a {entry.body.kind} entry among the keys", entry.seq)
            self.registry.apply(entry.body)
        ledger_keys = {record.verifier.vkey for record in self.registry.ledger_keys()}
        if self.pinned is not None and self.pinned.vkey not in ledger_keys:
            raise StepFailed(f"the ledger keys are {sorted(ledger_keys)}: not the one you trust")

    def _checkpoint(self) -> None:
        verifiers = [record.verifier for record in self.registry.ledger_keys()]
        text = self.bundle["checkpoint"]
        try:
            self.checkpoint, _ = open_checkpoint(text, verifiers)
        except CustodyError as exc:
            raise StepFailed(f"the checkpoint does not verify: {exc}") from exc
        if note.parse(text).render() != text:
            raise StepFailed("the checkpoint note is not written as signed notes are")
        if self.checkpoint.origin != self.registry.origin:
            raise StepFailed(f"the checkpoint is of another log: {self.checkpoint.origin}")
        self.report.size, self.report.root = self.checkpoint.size, self.checkpoint.root.hex()
        if self.pinned_checkpoint is not None:
            try:
                trusted, _ = open_checkpoint(self.pinned_checkpoint, verifiers)
            except CustodyError as exc:
                raise StepFailed(f"the checkpoint you trust does not verify: {exc}") from exc
            if (trusted.origin, trusted.size, trusted.root) != (
                self.checkpoint.origin,
                self.checkpoint.size,
                self.checkpoint.root,
            ):
                raise StepFailed(
                    f"the bundle is proven to the tree of {self.checkpoint.size} entries, the "
                    f"checkpoint you trust is of {trusted.size} (or another root): ask for a "
                    f"bundle proven to it (custody item-proof --size {trusted.size})"
                )

    def _entries(self) -> None:
        assert self.checkpoint is not None
        self.entries = [_parse(raw) for raw in self.bundle["entries"]]
        if not self.entries:
            raise StepFailed(f"no entries about {self.report.item}")
        _in_order(self.entries)
        for entry in self.entries:
            if entry.body.item != self.report.item:
                raise StepFailed(f"an entry about {entry.body.item}", entry.seq)
        _salted_as_the_ledger_says(self.keys, self.entries)
        for entry in self.keys + self.entries:
            if entry.seq >= self.checkpoint.size:
                raise StepFailed("the entry is beyond the checkpoint", entry.seq)
            key = self.registry.ledger_key_at(entry.seq)
            if key is None or key.key_id != entry.key_id:
                raise StepFailed(f"no ledger key {entry.key_id} held at this seq", entry.seq)
            if not signatures.verify(
                key.public_key, signatures.entry_message(entry.leaf), entry.sig
            ):
                raise StepFailed("the ledger's signature does not verify", entry.seq)
        self._subject_head()
        self.report.entries = len(self.entries)
        self.report.last_kind = self.entries[-1].body.kind

    def _subject_head(self) -> None:
        assert self.checkpoint is not None
        head = self.bundle["subject_head"]
        if head["subject"] != self.report.item:
            raise StepFailed(f"the subject head is of {head['subject']}, not {self.report.item}")
        if head["origin"] != self.checkpoint.origin:
            raise StepFailed(f"the subject head is of another log: {head['origin']}")
        if head["size"] != self.checkpoint.size:
            raise StepFailed(
                f"the subject head is at size {head['size']}, the checkpoint's is "
                f"{self.checkpoint.size}"
            )
        key = self.registry.ledger_key_at(self.checkpoint.size)
        if key is None or key.key_id != head["key_id"]:
            raise StepFailed(
                f"no ledger key {head['key_id']} held at size {self.checkpoint.size} to sign "
                "the subject head"
            )
        signed = {name: head[name] for name in _HEAD_SIGNED}
        sig = _b64(head["sig"], "subject head's signature", None)
        if not signatures.verify(key.public_key, signatures.subject_head_message(signed), sig):
            raise StepFailed("the ledger's signature of the subject head does not verify")

    # -- 5-7 ----------------------------------------------------------------------------------

    def _chain(self) -> None:
        first = self.entries[0]
        if first.body.kind != "item_registered" or first.body.item_prev is not None:
            raise StepFailed(
                f"the chain begins with {first.body.kind}, not the item's registration: an "
                "entry is missing",
                first.seq,
            )
        for before, entry in pairwise(self.entries):
            if entry.body.item_prev != before.leaf.hex():
                raise StepFailed(
                    "item_prev is not the entry before it in the bundle: an entry is missing",
                    entry.seq,
                )
        head, last = self.bundle["subject_head"], self.entries[-1]
        if (head["last_seq"], head["leaf_hash"]) != (last.seq, last.leaf.hex()):
            raise StepFailed(
                f"the ledger says the item's newest entry at size {head['size']} is seq "
                f"{head['last_seq']}; the bundle ends at seq {last.seq}",
                last.seq,
            )

    def _proofs(self) -> None:
        assert self.checkpoint is not None
        proofs: dict[str, list[str]] = self.bundle["proofs"]
        wanted = {str(e.seq) for e in self.keys + self.entries}
        if set(proofs) != wanted:
            raise StepFailed(f"proofs are for seqs {sorted(proofs)}, not those of the entries")
        for entry in self.keys + self.entries:
            hashes = [bytes.fromhex(h) for h in proofs[str(entry.seq)]]
            try:
                verify_inclusion(
                    entry.seq, self.checkpoint.size, entry.leaf, hashes, self.checkpoint.root
                )
            except CustodyError as exc:
                raise StepFailed(f"inclusion proof: {exc}", entry.seq) from exc

    def _acts(self) -> None:
        for entry in self.entries:
            signed = acts.act_of(entry.body)
            if signed is None:
                continue
            registry = KeyRegistry()
            for key_entry in self.keys:
                if key_entry.seq <= entry.seq:
                    registry.apply(key_entry.body)
            try:
                acts.check_act(entry.body, signed, registry)
            except CustodyError as exc:
                raise StepFailed(str(exc), entry.seq) from exc


def _b64(text: object, what: str, seq: object) -> bytes:
    """Base64 exactly as written: padding bits too, so that no two texts give one value."""
    if not isinstance(text, str):
        raise StepFailed(f"the {what} is not a string", seq if isinstance(seq, int) else None)
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StepFailed(
            f"the {what} is not base64", seq if isinstance(seq, int) else None
        ) from exc
    if base64.b64encode(value).decode() != text:
        raise StepFailed(
            f"the {what} is not base64 as written", seq if isinstance(seq, int) else None
        )
    return value


def _head_shape(head: object) -> None:
    if not isinstance(head, dict) or set(head) != _HEAD_MEMBERS:
        raise StepFailed(f"the subject head has exactly {sorted(_HEAD_MEMBERS)}")
    whole = [head[name] for name in ("size", "last_seq")]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in whole):
        raise StepFailed("the subject head's size and last_seq are whole numbers")
    texts = [head[name] for name in ("subject", "origin", "key_id", "sig")]
    if not all(isinstance(t, str) for t in texts):
        raise StepFailed("the subject head's subject, origin, key_id and sig are strings")
    if not isinstance(head["leaf_hash"], str) or not _HEX.fullmatch(head["leaf_hash"]):
        raise StepFailed("the subject head's leaf_hash is lowercase hex SHA-256")


def _parse(raw: dict[str, Any]) -> _Entry:
    seq = raw["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(raw["key_id"], str):
        raise StepFailed("an entry's seq is a whole number and its key_id a string")
    body = _b64(raw["body"], "body", seq)
    sig = _b64(raw["sig"], "signature", seq)
    try:
        parsed = entries.decode(body)
    except CustodyError as exc:
        raise StepFailed(f"the entry is not of the ledger's format: {exc}", seq) from exc
    if parsed.seq != seq:
        raise StepFailed(f"the entry says seq {parsed.seq}", seq)
    return _Entry(seq, parsed, leaf_hash(body), sig, raw["key_id"])


def _salted_as_the_ledger_says(keys: list[_Entry], found: list[_Entry]) -> None:
    """The leaf salt rule of `custody verify` step 2, on what a bundle holds: in a ledger
    whose genesis names format v2 every entry carries a nonce, and in any ledger every entry
    after a salted one does (docs/ledger.md, "Format versions and the leaf salt").
    StepFailed otherwise."""
    salted_from: int | None = None
    if keys and keys[0].seq == 0 and keys[0].body.data.get("format") == entries.FORMAT_V2:
        salted_from = 0
    for entry in sorted(keys + found, key=lambda e: e.seq):
        if entry.body.nonce is not None:
            salted_from = entry.seq if salted_from is None else salted_from
        elif salted_from is not None:
            raise StepFailed(entries.unsalted_message(salted_from), entry.seq)


def _in_order(found: list[_Entry]) -> None:
    for before, entry in pairwise(found):
        if entry.seq <= before.seq:
            raise StepFailed("entries out of seq order, or given twice", entry.seq)
