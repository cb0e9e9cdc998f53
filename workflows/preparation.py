"""Getting items ready for the furnace or the bunker (R5, R6, R9).

Weapons: non-metallic parts removed, then incinerated (R5), then the weapon deformed, then
cut along and across the barrel with every other part cut through (R6), and weighed. Lots of
ammunition: fuses, firing devices and detonators taken out and counted, then the packaging
taken off (R9), and weighed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows.errors import InvalidRequest
from workflows.steps import advance
from workflows.unit_of_work import Work


def _with_files(data: dict[str, Any], files: Sequence[Any]) -> dict[str, Any]:
    return {**data, "files": list(files)}


def remove_parts(
    work: Work, item_ids: Sequence[str], parts: Sequence[str], files: Sequence[Any] = ()
) -> None:
    if not parts:
        raise InvalidRequest("list the non-metallic parts removed (stock, grips, ...)")
    advance(work, "parts_removed", item_ids, _with_files({"parts": list(parts)}, files))


def incinerate_parts(work: Work, item_ids: Sequence[str], files: Sequence[Any] = ()) -> None:
    advance(work, "parts_incinerated", item_ids, _with_files({}, files))


def deform(work: Work, item_ids: Sequence[str], method: str, files: Sequence[Any] = ()) -> None:
    if not method.strip():
        raise InvalidRequest("say how the items were deformed (press, ...)")
    advance(work, "deformed", item_ids, _with_files({"method": method.strip()}, files))


def cut(
    work: Work,
    weights: Mapping[str, int],
    *,
    barrel_along: bool,
    barrel_across: bool,
    parts_through: bool,
    files: Sequence[Any] = (),
    per_item_files: Mapping[str, Sequence[Any]] | None = None,
) -> None:
    """R6, and the weight each item will bring to the furnace."""
    shared = {
        "barrel_cut_along": barrel_along,
        "barrel_cut_across": barrel_across,
        "parts_cut_through": parts_through,
        "files": list(files),
    }
    per_item = {
        item_id: {
            "weight_g": weight,
            **(
                {"files": list(per_item_files[item_id])}
                if per_item_files and item_id in per_item_files
                else {}
            ),
        }
        for item_id, weight in weights.items()
    }
    advance(work, "cut", list(weights), shared, per_item)


def remove_fuses(
    work: Work,
    item_id: str,
    fuses: int,
    firing_devices: int,
    detonators: int,
    files: Sequence[Any] = (),
) -> None:
    counts = {"fuses": fuses, "firing_devices": firing_devices, "detonators": detonators}
    advance(work, "fuses_removed", [item_id], _with_files(counts, files))


def depackage(work: Work, weights: Mapping[str, int], files: Sequence[Any] = ()) -> None:
    per_item = {item_id: {"weight_g": weight} for item_id, weight in weights.items()}
    advance(work, "depackaged", list(weights), _with_files({}, files), per_item)
