"""Reports compared figure by figure, each figure named by its path (`weapons.destroyed.rifled`,
`missed[0].late_by_hours`), as `custody verify-report` and `--explain` name them.

A key that holds a separator of paths (`.`, `[`, `]`) or is empty is named quoted
(`["weapons.destroyed.total"]`), so that no two figures share a path: a report whose
top-level key "weapons.destroyed.total" held the true figure beside a false nested one
would otherwise pass as the true one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

_SEPARATORS = frozenset(".[]")


def _step(path: str, key: object) -> str:
    name = str(key)
    if not name or _SEPARATORS & set(name) or not isinstance(key, str):
        return f"{path}[{orjson.dumps(name).decode()}]"
    return f"{path}.{name}" if path else name


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a JSON value with its path (one path per leaf, never two alike)."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from flatten(value[key], _step(path, key))
    elif isinstance(value, list) and value and isinstance(value[0], dict | list):
        for index, member in enumerate(value):
            yield from flatten(member, f"{path}[{index}]")
    else:
        yield path, value


def differences(claimed: Any, recomputed: Any, path: str = "") -> list[str]:
    """The paths where the two JSON values differ, walking both structures at once: a key
    one side has and the other has not (an empty object or list included), a list of
    another length, an object where the other has a value, or two values not equal (a
    boolean is never equal to a number, though Python says True == 1)."""
    if isinstance(claimed, dict) and isinstance(recomputed, dict):
        found: list[str] = []
        for key in sorted(claimed.keys() | recomputed.keys(), key=str):
            where = _step(path, key)
            if key not in claimed or key not in recomputed:
                found.append(where)
            else:
                found += differences(claimed[key], recomputed[key], where)
        return found
    both_lists = isinstance(claimed, list) and isinstance(recomputed, list)
    if both_lists and (_listed(claimed) or _listed(recomputed)):  # as flatten walks them
        found = [path] if len(claimed) != len(recomputed) else []
        for index in range(max(len(claimed), len(recomputed))):
            where = f"{path}[{index}]"
            if index >= len(claimed) or index >= len(recomputed):
                longer = claimed if index < len(claimed) else recomputed
                found += [leaf for leaf, _ in flatten(longer[index], where)] or [where]
            else:
                found += differences(claimed[index], recomputed[index], where)
        return found
    if isinstance(claimed, dict) or isinstance(recomputed, dict):
        return [path]
    return [] if _same(claimed, recomputed) else [path]


def _listed(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict | list)


def _same(claimed: Any, recomputed: Any) -> bool:
    """Equal leaves (a value, or a list of values): a boolean is never equal to a number."""
    if isinstance(claimed, list) and isinstance(recomputed, list):
        return len(claimed) == len(recomputed) and all(map(_same, claimed, recomputed))
    if isinstance(claimed, bool) != isinstance(recomputed, bool):
        return False
    return type(claimed) is not list and type(recomputed) is not list and claimed == recomputed
