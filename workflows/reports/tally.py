"""Figures with what lies behind them: each figure is a sum of amounts, and every amount is
remembered with the subject and the entry seq it came from (`custody report --explain`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

# (subject, seq, amount): one entry's contribution to a figure.
Behind = tuple[str | None, int, float]


@dataclass
class Tally:
    behind: dict[str, list[Behind]] = field(default_factory=lambda: defaultdict(list))
    # Each (place, figure)'s path, made once: a report over a million entries adds a
    # million amounts to a few hundred figures.
    _paths: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def add(self, path: str, subject: str | None, seq: int, amount: float = 1) -> None:
        self.behind[path].append((subject, seq, amount))

    @property
    def values(self) -> dict[str, float]:
        """Each figure: the sum of what lies behind it (summed once, when asked)."""
        return {path: sum(amount for _, _, amount in items) for path, items in self.behind.items()}

    def add_at(
        self, place: str | None, path: str, subject: str | None, seq: int, amount: float = 1
    ) -> None:
        """The national figure and the same figure of the place it happened at."""
        behind = self.behind
        behind[path].append((subject, seq, amount))
        if place is not None:
            at = self._paths.get((place, path))
            if at is None:
                at = self._paths[(place, path)] = f"by_place.{place}.{path}"
            behind[at].append((subject, seq, amount))

    def value(self, path: str) -> float:
        return sum(amount for _, _, amount in self.behind.get(path, ()))

    def explain(self, path: str) -> list[Behind]:
        """Raises KeyError for a figure no entry contributed to."""
        if path not in self.behind:
            raise KeyError(path)
        return list(self.behind[path])
