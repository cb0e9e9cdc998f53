"""Verification of RFC 9162 inclusion and consistency proofs (sections 2.1.3.2 and 2.1.4.2).

Written step by step after the RFC's own algorithms, so that a reader can hold the two side
by side. Edge cases follow the transparency-dev/merkle probes: consistency from size 0 or to
a smaller size is refused; old == new holds only with an empty proof and equal roots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from custody.errors import ProofVerificationError
from custody.rfc6962 import HASH_SIZE, node_hash


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    root: bytes
    hashes: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "root": self.root.hex(),
            "hashes": [h.hex() for h in self.hashes],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    old: int
    new: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "old": self.old,
            "new": self.new,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "hashes": [h.hex() for h in self.hashes],
        }


def _check_sizes(hashes: Sequence[bytes]) -> None:
    for position, value in enumerate(hashes):
        if len(value) != HASH_SIZE:
            raise ProofVerificationError(f"proof hash {position} is {len(value)} bytes, not 32")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2; raises ProofVerificationError unless the proof holds."""
    _check_sizes([leaf, root, *proof])
    if index < 0 or index >= size:  # step 1
        raise ProofVerificationError(f"leaf index {index} is not below tree size {size}")
    fn, sn = index, size - 1  # step 2
    r = leaf  # step 3
    for p in proof:  # step 4
        if sn == 0:  # 4a
            raise ProofVerificationError("inclusion proof is longer than the path")
        if fn & 1 or fn == sn:  # 4b
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    if sn != 0:  # step 5
        raise ProofVerificationError("inclusion proof is shorter than the path")
    if r != root:
        raise ProofVerificationError("inclusion proof does not lead to the root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2; raises ProofVerificationError unless the proof holds."""
    if old <= 0 or old > new:
        raise ProofVerificationError(f"no consistency proof exists from size {old} to {new}")
    if old == new:
        # As transparency-dev/merkle: nothing is hashed, so the roots are compared as given.
        if proof:
            raise ProofVerificationError("equal sizes take an empty consistency proof")
        if old_root != new_root:
            raise ProofVerificationError("equal sizes with different roots")
        return
    _check_sizes([old_root, new_root, *proof])
    if not proof:  # step 1
        raise ProofVerificationError("empty consistency proof between different sizes")
    path = list(proof)
    if old & (old - 1) == 0:  # step 2: old is an exact power of two
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            raise ProofVerificationError("consistency proof is longer than the path")
        if fn & 1 or fn == sn:  # 6b
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1  # 6c
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofVerificationError("consistency proof is shorter than the path")
    if fr != old_root:
        raise ProofVerificationError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofVerificationError("consistency proof does not lead to the new root")
