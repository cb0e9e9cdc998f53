"""Reports compared figure by figure, each figure named by its path (`weapons.destroyed.rifled`,
`missed[0].late_by_hours`), as `custody verify-report` and `--explain` name them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a JSON value with its path."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from flatten(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and isinstance(value[0], dict | list):
        for index, member in enumerate(value):
            yield from flatten(member, f"{path}[{index}]")
    else:
        yield path, value


def differences(claimed: dict[str, Any], recomputed: dict[str, Any]) -> list[str]:
    """The paths whose value differs, or that one side has and the other has not."""
    mine, theirs = dict(flatten(claimed)), dict(flatten(recomputed))
    return [
        path
        for path in sorted(mine.keys() | theirs.keys())
        if path not in mine or path not in theirs or mine[path] != theirs[path]
    ]
