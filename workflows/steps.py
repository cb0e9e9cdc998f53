"""Advancing items one step, one at a time or 500 scanned barcodes at once.

A bulk step is one transaction with one entry per item: every item is checked first, and the
first that may not go names itself and the rule; then nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows import rules
from workflows.errors import InvalidRequest
from workflows.files import FileRef
from workflows.unit_of_work import Work


def unique(ids: Sequence[str]) -> list[str]:
    if not ids:
        raise InvalidRequest("name at least one item")
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise InvalidRequest(f"item {item_id} is named twice")
        seen.add(item_id)
    return list(ids)


def file_refs(work: Work, files: Sequence[Any]) -> list[dict[str, Any]]:
    """Check file references (well-formed, uploaded) and return them as entry data. A file
    found in the store is not looked for again in the same action (the store only adds
    files): a bulk intake or melt names one photo for each of its 500 items."""
    refs = [f if isinstance(f, FileRef) else FileRef.parse(f) for f in files]
    work.files.check_refs(ref for ref in refs if ref not in work.uploaded)
    work.uploaded.update(refs)
    return [ref.to_json() for ref in refs]


def advance(
    work: Work,
    step: str,
    item_ids: Sequence[str],
    data: Mapping[str, Any] | None = None,
    per_item: Mapping[str, Mapping[str, Any]] | None = None,
    facts: frozenset[str] | Mapping[str, frozenset[str]] = frozenset(),
) -> None:
    """Check `step` for every item, then write one entry each; data is shared, per_item adds
    to it for one item (its own photos, its own weight, its own signed act); facts choose
    between branches of the machine, for all items or item by item.

    per_item only adds: a key the shared data holds (the batch, the step's own facts) is
    refused with InvalidRequest, never overridden, but for `files`, which are added to the
    shared ones. Whatever a caller passes in per_item, the server's fields stay its own."""
    ids = unique(item_ids)
    work.load("items", ids)
    shared = dict(data or {})
    if "files" in shared:
        shared["files"] = file_refs(work, shared["files"])
    entries: list[tuple[str, dict[str, Any]]] = []
    for item_id in ids:
        item = work.world.item(item_id)
        item_data = shared
        if per_item and item_id in per_item:
            own = per_item[item_id]
            clash = next((k for k in own if k in shared and k != "files"), None)
            if clash is not None:
                raise InvalidRequest(f"item {item_id} may not set {clash}: it is the step's own")
            item_data = {**shared, **own}
            if "files" in own:
                item_data["files"] = shared.get("files", []) + file_refs(
                    work, per_item[item_id]["files"]
                )
        check = rules.Check(step, item, item_data, work.world, work.now, work.config)
        item_facts = facts if isinstance(facts, frozenset) else facts.get(item_id, frozenset())
        violation = rules.check_step(check, item_facts)
        if violation is not None:
            raise violation
        entries.append((item_id, item_data))
    for item_id, item_data in entries:
        work.entry(step, item_id, item_data)
