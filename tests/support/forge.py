"""What an insider who holds the server and its ledger key can write: entries appended with
no rule checked, and whole histories rebuilt. The tamper tests use it to show that `custody
verify` catches what such a person can do, with the step that names it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from custody import keys, merkle
from custody.acts import act_of
from custody.checkpoint import Checkpoint
from custody.clock import format_time, utc_now
from custody.entries import FORMAT_V1, Entry, EntryBody, decode, new_nonce
from custody.keys import KeyRegistry
from custody.note import Signer
from custody.rfc6962 import leaf_hash
from custody.signatures import entry_message
from custody.store import Head, Store, StoredCheckpoint


def append_unchecked(
    conn: Connection,
    signer: Signer,
    kind: str,
    actor: str,
    item: str | None,
    data: dict[str, Any],
    nonce: str | None = "",
) -> Entry:
    """Append one entry, correctly chained and signed, but with no rule applied; salted with
    a fresh nonce as the service does, unless `nonce` is given (None: an unsalted v1 body)."""
    store = Store(conn)
    head = store.head()
    item_prev = store.last_leaves([item]).get(item) if item else None
    body = EntryBody(
        head.size,
        format_time(utc_now()),
        actor,
        kind,
        item,
        item_prev.hex() if item_prev else None,
        head.last_leaf.hex() if head.last_leaf else None,
        data,
        new_nonce() if nonce == "" else nonce,
    ).encode()
    leaf = leaf_hash(body)
    entry = Entry(head.size, body, leaf, signer.sign(entry_message(leaf)), signer.verifier.key_id)
    peaks, nodes = merkle.append_leaf(head.peaks, head.size, leaf)
    store.insert_entries([(entry, item, kind)])
    store.insert_nodes(nodes)
    store.update_head(
        Head(head.size + 1, peaks, leaf, _time_of(body), head.origin, head.ledger_key_id)
    )
    return entry


def _time_of(body: bytes) -> str:
    return decode(body).time


def rebuild_head_and_tree(conn: Connection, size: int) -> None:
    """Recompute the Merkle nodes, the head, the key registry and the acts table from the
    first `size` stored entries, as an insider covering their tracks would."""
    store = Store(conn)
    kept = store.entries(0, size)
    leaves = [e.leaf_hash for e in kept]
    _rebuild_keys_and_acts(conn, [decode(e.body) for e in kept])
    conn.exec_driver_sql("DELETE FROM merkle_nodes")
    peaks: list[bytes] = []
    nodes: list[merkle.StoredNode] = []
    for seq, leaf in enumerate(leaves):
        peaks, completed = merkle.append_leaf(peaks, seq, leaf)
        nodes.extend(completed)
    store.insert_nodes(nodes)
    head = store.head()
    current = KeyRegistry(store.key_records()).ledger_key_at(size)
    assert current is not None
    store.update_head(
        Head(size, peaks, leaves[-1], _time_of(kept[-1].body), head.origin, current.key_id)
    )


def _rebuild_keys_and_acts(conn: Connection, bodies: list[EntryBody]) -> None:
    store = Store(conn)
    conn.exec_driver_sql("DELETE FROM ledger_keys")
    conn.exec_driver_sql("DELETE FROM ledger_acts")
    registry = KeyRegistry()
    for body in bodies:
        registry.apply(body)
        act = act_of(body)
        if act is not None:
            store.record_acts([(act.digest, body.seq)])
    store.save_keys(list(registry.records.values()))


def sign_checkpoint(conn: Connection, signer: Signer) -> StoredCheckpoint:
    store = Store(conn)
    head = store.head()
    assert head.origin is not None
    root = merkle.root_from_peaks(head.peaks)
    issued = StoredCheckpoint(
        head.size,
        root,
        Checkpoint(head.origin, head.size, root).sign([signer]),
        signer.verifier.key_id,
        format_time(utc_now()),
    )
    store.insert_checkpoint(issued)
    return issued


def rewrite_history(
    conn: Connection, signer: Signer, edit: dict[int, dict[str, Any]], salted: bool = True
) -> None:
    """Rebuild the whole ledger under a fresh ledger key: a new genesis publishing it, the
    ledger key rotation left out, `edit` applied to the data of the entries it names, every
    link, signature, node, key row and checkpoint made anew, so that all is consistent.
    `salted=False` writes it as a ledger of format v1 (no nonce, the genesis naming v1), as
    the service wrote before the leaf salt."""
    store = Store(conn)
    old = [decode(e.body) for e in store.entries(0, store.head().size)]
    for table in ("ledger_entries", "merkle_nodes", "checkpoints", "ledger_keys", "ledger_acts"):
        conn.exec_driver_sql(f"DELETE FROM {table}")
    head = store.head()
    store.update_head(Head(0, [], None, None, head.origin, signer.verifier.key_id))
    registry = KeyRegistry()
    for body in old:
        data = dict(body.data)
        if body.kind == "ledger_created":
            data["key"] = keys.key_object(
                "ledger", "ledger", signer.name, signer.verifier.public_key
            )
        if body.kind == "key_rotated" and data.get("possession"):
            continue
        if body.kind == "ledger_created" and not salted:
            data.pop("leaf_salt", None)
            data["format"] = FORMAT_V1
        data.update(edit.get(body.seq, {}))
        nonce = "" if salted else None
        entry = append_unchecked(conn, signer, body.kind, body.actor, body.item, data, nonce)
        rebuilt = decode(entry.body)
        for record in registry.apply(rebuilt):
            store.save_keys([record])
        act = act_of(rebuilt)
        if act is not None:
            store.record_acts([(act.digest, entry.seq)])
    sign_checkpoint(conn, signer)
