"""Step 7 of `custody verify`: the tables derived from the log (ledger_keys, ledger_acts and
the head) equal what the replay of the entries says."""

from __future__ import annotations

from custody.keys import KeyRegistry
from custody.store import Head, Store
from custody.verification.report import StepResult


def check_derived_tables(
    result: StepResult,
    store: Store,
    head: Head,
    registry: KeyRegistry,
    acts: dict[bytes, int],
    size: int,
    last_time: str,
) -> None:
    """Fail `result` at the first table that differs from the replay (`size` entries, the
    last at `last_time`)."""
    replayed = {r.key_id: r for r in registry.records.values()}
    stored = {r.key_id: r for r in store.key_records()}
    for key_id in sorted(replayed.keys() | stored.keys()):
        if replayed.get(key_id) != stored.get(key_id):
            result.fail(None, f"ledger_keys row {key_id} differs from the replayed keys")
            break
    if store.acts() != acts:
        result.fail(None, "ledger_acts differs from the acts recorded in the log")
    current = registry.ledger_key_at(size)
    if head.origin != registry.origin or head.ledger_key_id != (
        current.key_id if current is not None else None
    ):
        result.fail(None, "the head names another origin or ledger key than the log")
    if size and head.last_time != last_time:
        result.fail(None, "the head's last time is not the last entry's")
