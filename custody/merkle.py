"""The RFC 9162 Merkle tree as addresses and ranges, apart from where the hashes are stored.

A node is addressed by `(level, index)` and covers the leaves `[index << level,
(index + 1) << level)`; level 0 are the leaves. Only *perfect* subtrees are ever stored. Any
range that RFC 9162's recursions ask for starts on a multiple of a power of two at least as
large as itself, so it is the fold of at most log2(n) perfect nodes (`range_nodes`). That is
what makes the root and both kinds of proof cost O(log n) reads.

The right edge of a tree of size n is its *compact range*: one perfect node per set bit of n,
largest first (`Peaks`). Appending a leaf merges equal-sized peaks and completes the nodes
that must be stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from custody.rfc6962 import EMPTY_ROOT, HASH_SIZE, node_hash

NodeId = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # [lo, hi) in leaf indexes


class StoredNode(NamedTuple):
    """A perfect subtree hash that completes when a leaf is appended (level >= 1)."""

    level: int
    idx: int  # not `index`, which a tuple already has
    hash: bytes


def append_leaf(
    peaks: Sequence[bytes], size: int, leaf: bytes
) -> tuple[list[bytes], list[StoredNode]]:
    """Append leaf number `size` to a tree whose compact range is `peaks`.

    Returns the new peaks and the interior nodes that the leaf completes, lowest first.
    """
    new_peaks = list(peaks)
    completed: list[StoredNode] = []
    current, level, index = leaf, 0, size
    while index & 1:
        current = node_hash(new_peaks.pop(), current)
        level += 1
        index >>= 1
        completed.append(StoredNode(level, index, current))
    new_peaks.append(current)
    return new_peaks, completed


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the perfect nodes of a left-aligned range, largest (leftmost) first."""
    if not hashes:
        return EMPTY_ROOT
    current = hashes[-1]
    for left in reversed(hashes[:-1]):
        current = node_hash(left, current)
    return current


def root_from_peaks(peaks: Sequence[bytes]) -> bytes:
    """MTH of the whole tree from its compact range."""
    return fold(peaks)


def peak_ids(size: int) -> list[NodeId]:
    """The perfect nodes that make up the first `size` leaves, largest first."""
    return range_nodes(0, size)


def range_nodes(lo: int, hi: int) -> list[NodeId]:
    """The perfect nodes whose fold is MTH(D[lo:hi]), largest first.

    Defined for the ranges RFC 9162 asks for: `lo` a multiple of the largest power of two
    not above `hi - lo`.
    """
    nodes: list[NodeId] = []
    start = lo
    remaining = hi - lo
    while remaining:
        level = remaining.bit_length() - 1
        if start % (1 << level):
            raise ValueError(f"[{lo}, {hi}) is not a left-aligned range")
        nodes.append((level, start >> level))
        start += 1 << level
        remaining -= 1 << level
    return nodes


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1), as RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1, as the ranges whose MTHs it lists."""
    path: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo = lo + k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[Range]:
    """PROOF(old, D[0:new]) of RFC 9162 section 2.1.4.1, as ranges; 0 < old <= new."""
    if old == new:
        return []
    proof: list[Range] = []
    lo, hi, m, whole = 0, new, old, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append((lo + k, hi))
            hi = lo + k
        else:
            proof.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append((lo, hi))
    proof.reverse()
    return proof


def nodes_for(ranges: Sequence[Range]) -> list[NodeId]:
    """Every distinct node needed to hash the given ranges, for one batched read."""
    seen: dict[NodeId, None] = {}
    for lo, hi in ranges:
        for node in range_nodes(lo, hi):
            seen[node] = None
    return list(seen)


def hash_ranges(ranges: Sequence[Range], nodes: dict[NodeId, bytes]) -> list[bytes]:
    """MTH of each range from the fetched perfect nodes."""
    return [fold([nodes[node] for node in range_nodes(lo, hi)]) for lo, hi in ranges]


def check_hash(value: bytes, what: str) -> bytes:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")
    return value
