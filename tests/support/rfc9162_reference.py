"""An independent RFC 9162 implementation, written from the RFC's recursive definitions.

It shares no code with `custody/`: MTH, PATH and PROOF are the RFC's formulas over lists of
leaf data (section 2.1.1, 2.1.3.1, 2.1.4.1), and verification is the "recompute the root"
reading of the same definitions rather than the RFC's iterative algorithm that custody uses.
Slow on purpose; for trees of a few hundred leaves.
"""

from __future__ import annotations

import hashlib


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def mth_of_leaf_hashes(hashes: list[bytes]) -> bytes:
    """MTH when only the leaf hashes (SHA-256(0x00 || d)) are known, not the leaves."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _k(n)
    return hashlib.sha256(
        b"\x01" + mth_of_leaf_hashes(hashes[:k]) + mth_of_leaf_hashes(hashes[k:])
    ).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def root_from_inclusion(index: int, size: int, leaf_hash: bytes, hashes: list[bytes]) -> bytes:
    """Rebuild the root by walking PATH's recursion from the top, consuming hashes from the end."""
    remaining = list(hashes)

    def walk(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaf_hash
        k = _k(hi - lo)
        sibling = remaining.pop()
        if index < lo + k:
            return hashlib.sha256(b"\x01" + walk(lo, lo + k) + sibling).digest()
        return hashlib.sha256(b"\x01" + sibling + walk(lo + k, hi)).digest()

    root = walk(0, size)
    if remaining:
        raise ValueError("proof has hashes left over")
    return root
