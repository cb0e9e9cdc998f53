"""The evidence a statement carries (`evidence.json`, attached to its PDF): everything needed to
check it offline, with nothing but the file.

    {
      "format": "custody/statement-evidence/v1",   v2 when the statement states discrepancies
      "statement": {...the content the members signed...}, "sha256": "<hex of JCS(statement)>",
      "checkpoint": "<the C2SP signed note>",
      "chains": {"<subject>": [entry, ...]},   the batch, each item, the commission: every entry
                                               about it, first to last, linked by item_prev
      "keys": [entry, ...],                    ledger_created and every key_added, key_rotated,
                                               key_revoked up to the checkpoint
      "proofs": {"<seq>": {"index", "size", "leaf_hash", "root", "hashes"}},
      "key_records": [...]                     the keys as the ledger published them (for people;
                                               the verifier folds them again from "keys")
    }

An entry is {"seq", "body" (the exact canonical bytes, as text), "sig" (base64), "key_id"}.
Every key entry and the newest entry of every chain has an RFC 9162 inclusion proof to the
checkpoint; an older entry of a chain is committed to by the item_prev hash of the one after
it, so one proof per chain covers it, and 1,000 items need 1,000 proofs, not 16,000.

The checkpoint is the first one the ledger signed that covers every entry here and the
ledger's newest key rotation, so rendering the statement again later gives the same
evidence, and the same PDF, until the ledger key is rotated; after a rotation the evidence
carries the rotation entries, so that a reader may pin any key of the chain (the genesis
key or the one `/ledger/key` serves now).
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from custody.entries import Entry
from custody.errors import LedgerStateError
from custody.keys import LEDGER
from custody.ledger import Ledger
from custody.store import Store, StoredCheckpoint

FORMAT = "custody/statement-evidence/v1"
# Version 2: the statement states its batch's discrepancies (workflows.statements.content,
# issue 16). Written only for such a statement, so that every other statement, and one signed
# before, keeps its version 1 evidence and its PDF byte for byte; a verifier older than it
# says it does not know the format (step 1) rather than calling the page a forgery (step 10).
FORMAT_DISCREPANCIES = "custody/statement-evidence/v2"
FORMATS = (FORMAT, FORMAT_DISCREPANCIES)
NAME = "evidence.json"


def format_of(statement: dict[str, Any]) -> str:
    """The evidence format of a statement whose content is `statement`."""
    return FORMAT_DISCREPANCIES if "discrepancies" in statement else FORMAT


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "body": entry.body.decode(),
        "sig": base64.b64encode(entry.sig).decode(),
        "key_id": entry.key_id,
    }


def subjects(statement: dict[str, Any]) -> list[str]:
    """Whose chains the evidence carries: the batch, its commission, its place, every item
    on it."""
    return [
        statement["batch"],
        statement["commission"]["id"],
        statement["location"]["id"],
        *(item["id"] for item in statement["items"]),
    ]


def newest_seq(conn: Connection, statement: dict[str, Any]) -> int:
    """The newest entry the evidence must be proven to: the newest about its subjects (one
    indexed query, not the chains) or the ledger key's newest rotation, whichever is later."""
    store = Store(conn)
    newest = store.newest_seq(subjects(statement))
    if newest is None:
        raise LedgerStateError(f"no entries about batch {statement['batch']}")
    rotations = [r.added_seq for r in store.key_records() if r.purpose == LEDGER]
    return max(newest, *rotations)


def covering_checkpoint(conn: Connection, size: int) -> StoredCheckpoint | None:
    """The first checkpoint the ledger signed of at least `size` entries, if there is one."""
    return next((c for c in Store(conn).checkpoints() if c.size >= size), None)


def gather(
    ledger: Ledger,
    conn: Connection,
    statement: dict[str, Any],
    sha256: str,
    checkpoint: StoredCheckpoint,
) -> dict[str, Any]:
    """The evidence for a statement whose content is `statement` (workflows.statements),
    proven to `checkpoint`, which must cover its newest entry."""
    store = Store(conn)
    chains = {
        subject: [e for e in store.item_entries(subject) if e.seq < checkpoint.size]
        for subject in subjects(statement)
    }
    key_entries = _key_entries(store, checkpoint.size)
    proven = [chain[-1].seq for chain in chains.values() if chain]
    proven += [entry.seq for entry in key_entries]
    proofs = {
        str(seq): ledger.inclusion_proof(conn, seq, checkpoint.size).to_json()
        for seq in sorted(set(proven))
    }
    return {
        "format": format_of(statement),
        "statement": statement,
        "sha256": sha256,
        "checkpoint": checkpoint.note,
        "chains": {s: [entry_json(e) for e in chain] for s, chain in chains.items()},
        "keys": [entry_json(e) for e in key_entries],
        "proofs": proofs,
        "key_records": [r.to_json() for r in store.key_records() if r.added_seq < checkpoint.size],
    }


def preview(conn: Connection, statement: dict[str, Any], sha256: str) -> dict[str, Any] | None:
    """What `certificates.page.build` needs to lay out the statement as it stands now, for
    the commission's page: the batch's and commission's entries so far (and the items' for a
    burn, whose fuses R9 counts), no proofs, and the newest checkpoint for the checkpoint line
    (the PDF's is the first that covers the statement). None while no checkpoint is signed."""
    store = Store(conn)
    newest = store.latest_checkpoint()
    if newest is None:
        return None
    wanted = [statement["batch"], statement["commission"]["id"]]
    if statement["kind"] == "burn":
        wanted += [item["id"] for item in statement["items"]]
    chains = {s: [entry_json(e) for e in store.item_entries(s)] for s in wanted}
    return {"statement": statement, "sha256": sha256, "checkpoint": newest.note, "chains": chains}


def _key_entries(store: Store, size: int) -> list[Entry]:
    seqs = {0}
    for record in store.key_records():
        for seq in (record.added_seq, record.rotated_at_seq, record.revoked_at_seq):
            if seq is not None and seq < size:
                seqs.add(seq)
    return [store.entries(seq, seq + 1)[0] for seq in sorted(seqs)]


def dumps(evidence: dict[str, Any]) -> bytes:
    """The attachment's bytes: deterministic, so that two renders are byte-identical."""
    return orjson.dumps(evidence, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
