"""A whole tree in memory, built through custody.merkle.append_leaf, for proof tests."""

from __future__ import annotations

from custody import merkle
from custody.proofs import ConsistencyProof, InclusionProof
from custody.rfc6962 import leaf_hash


class MemoryTree:
    def __init__(self) -> None:
        self.nodes: dict[merkle.NodeId, bytes] = {}
        self.peaks: list[bytes] = []
        self.size = 0

    @classmethod
    def of(cls, data: list[bytes]) -> MemoryTree:
        tree = cls()
        for item in data:
            tree.append(leaf_hash(item))
        return tree

    def append(self, leaf: bytes) -> None:
        self.nodes[(0, self.size)] = leaf
        self.peaks, completed = merkle.append_leaf(self.peaks, self.size, leaf)
        for node in completed:
            self.nodes[(node.level, node.idx)] = node.hash
        self.size += 1

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return merkle.fold([self.nodes[n] for n in merkle.peak_ids(size)])

    def inclusion(self, index: int, size: int) -> InclusionProof:
        ranges = merkle.inclusion_ranges(index, size)
        hashes = merkle.hash_ranges(ranges, self.nodes)
        return InclusionProof(index, size, self.nodes[(0, index)], self.root(size), tuple(hashes))

    def consistency(self, old: int, new: int) -> ConsistencyProof:
        ranges = merkle.consistency_ranges(old, new)
        hashes = merkle.hash_ranges(ranges, self.nodes)
        return ConsistencyProof(old, new, self.root(old), self.root(new), tuple(hashes))
