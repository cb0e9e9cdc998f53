"""Step 8 of `custody verify`: every stored Merkle node and the head's compact range equal
the RFC 9162 tree recomputed from the leaves (merkle.append_leaf, in place, without node
objects: it runs once per entry)."""

from __future__ import annotations

from dataclasses import dataclass, field

from custody import merkle
from custody.rfc6962 import node_hash
from custody.store import Head, Store
from custody.verification.report import StepResult


@dataclass
class MerkleTree:
    result: StepResult
    wanted_roots: set[int] = field(default_factory=set)  # sizes whose roots step 9 needs
    size: int = 0
    peaks: list[bytes] = field(default_factory=list)
    levels: list[list[bytes]] = field(default_factory=list)
    roots_at: dict[int, bytes] = field(default_factory=dict)
    last_leaf: bytes | None = None

    def take(self, leaf: bytes) -> None:
        # By position, not by the row's seq: with a row missing, the two differ.
        index = self.size
        self.size += 1
        peaks, levels = self.peaks, self.levels
        current, level = leaf, 0
        while index & 1:
            current = node_hash(peaks.pop(), current)
            if len(levels) == level:
                levels.append([])
            levels[level].append(current)
            level += 1
            index >>= 1
        peaks.append(current)
        self.last_leaf = leaf
        if self.size in self.wanted_roots:
            self.roots_at[self.size] = merkle.root_from_peaks(peaks)

    def root(self) -> bytes | None:
        return merkle.root_from_peaks(self.peaks) if self.size else None

    def check_stored(self, store: Store, head: Head, size: int) -> None:
        if head.size != size or head.peaks != self.peaks or head.last_leaf != self.last_leaf:
            self.result.fail(
                None, f"the head (size {head.size}) does not match the recomputed tree"
            )
        seen = 0
        for level, index, value in store.all_nodes():
            seen += 1
            computed = self.levels[level - 1] if 0 < level <= len(self.levels) else []
            if index >= len(computed) or computed[index] != value:
                first, last = index << level, ((index + 1) << level) - 1
                self.result.fail(
                    first,
                    f"stored node (level {level}, index {index}) over entries {first}..{last} "
                    "differs from the recomputed tree",
                )
                return
        expected = sum(len(level) for level in self.levels)
        if seen != expected:
            self.result.fail(None, f"{expected - seen} Merkle nodes are missing from the store")
