"""Proof verification: the 196 transparency-dev/merkle probes, the RFC 6962 test tree, the
independent implementation, and hypothesis over random sizes and single-byte mutations."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custody.errors import ProofVerificationError
from custody.proofs import verify_consistency, verify_inclusion
from tests.support import rfc9162_reference as ref
from tests.support.memtree import MemoryTree
from tests.support.vectors import load

INCLUSION = load("inclusion_probes.json")["probes"]
CONSISTENCY = load("consistency_probes.json")["probes"]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _probe_id(probe: dict[str, object]) -> str:
    return str(probe["file"]).removeprefix("testdata/")


@pytest.mark.parametrize("probe", INCLUSION, ids=_probe_id)
def test_inclusion_probe(probe: dict[str, object]) -> None:
    def check() -> None:
        verify_inclusion(
            int(probe["leafIdx"]),  # type: ignore[call-overload]
            int(probe["treeSize"]),  # type: ignore[call-overload]
            _b64(probe["leafHash"]),  # type: ignore[arg-type]
            [_b64(h) for h in probe["proof"] or []],  # type: ignore[attr-defined]
            _b64(probe["root"]),  # type: ignore[arg-type]
        )

    if probe["wantErr"]:
        with pytest.raises(ProofVerificationError):
            check()
    else:
        check()


@pytest.mark.parametrize("probe", CONSISTENCY, ids=_probe_id)
def test_consistency_probe(probe: dict[str, object]) -> None:
    def check() -> None:
        verify_consistency(
            int(probe["size1"]),  # type: ignore[call-overload]
            int(probe["size2"]),  # type: ignore[call-overload]
            _b64(probe["root1"]),  # type: ignore[arg-type]
            _b64(probe["root2"]),  # type: ignore[arg-type]
            [_b64(h) for h in probe["proof"] or []],  # type: ignore[attr-defined]
        )

    if probe["wantErr"]:
        with pytest.raises(ProofVerificationError):
            check()
    else:
        check()


def test_probe_counts_are_the_published_ones() -> None:
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98
    assert sum(not p["wantErr"] for p in INCLUSION) == 6
    assert sum(not p["wantErr"] for p in CONSISTENCY) == 6


sizes = st.integers(min_value=1, max_value=200)


@given(sizes.flatmap(lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))))
def test_every_inclusion_proof_verifies(case: tuple[int, int]) -> None:
    size, index = case
    data = [i.to_bytes(3, "big") for i in range(size)]
    proof = MemoryTree.of(data).inclusion(index, size)
    verify_inclusion(index, size, proof.leaf_hash, proof.hashes, proof.root)
    # the independent implementation agrees on the root the path leads to
    assert ref.root_from_inclusion(index, size, proof.leaf_hash, list(proof.hashes)) == ref.mth(
        data
    )


@given(sizes.flatmap(lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))))
def test_every_consistency_proof_verifies(case: tuple[int, int]) -> None:
    old, new = case
    data = [i.to_bytes(3, "big") for i in range(new)]
    proof = MemoryTree.of(data).consistency(old, new)
    assert proof.old_root == ref.mth(data[:old])
    assert proof.new_root == ref.mth(data)
    verify_consistency(old, new, proof.old_root, proof.new_root, proof.hashes)


def _flip(value: bytes, position: int, bit: int) -> bytes:
    mutated = bytearray(value)
    mutated[position] ^= 1 << bit
    return bytes(mutated)


@settings(max_examples=60)
@given(
    sizes.flatmap(lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))),
    st.integers(min_value=0, max_value=7),
)
def test_any_single_byte_change_breaks_an_inclusion_proof(case: tuple[int, int], bit: int) -> None:
    size, index = case
    data = [i.to_bytes(3, "big") for i in range(size)]
    proof = MemoryTree.of(data).inclusion(index, size)
    parts = [proof.leaf_hash, *proof.hashes, proof.root]
    for which in range(len(parts)):
        for position in range(32):
            mutated = list(parts)
            mutated[which] = _flip(parts[which], position, bit)
            with pytest.raises(ProofVerificationError):
                verify_inclusion(index, size, mutated[0], mutated[1:-1], mutated[-1])


@settings(max_examples=60)
@given(
    sizes.flatmap(lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))),
    st.integers(min_value=0, max_value=7),
)
def test_any_single_byte_change_breaks_a_consistency_proof(case: tuple[int, int], bit: int) -> None:
    old, new = case
    data = [i.to_bytes(3, "big") for i in range(new)]
    proof = MemoryTree.of(data).consistency(old, new)
    parts = [proof.old_root, proof.new_root, *proof.hashes]
    for which in range(len(parts)):
        for position in range(32):
            mutated = list(parts)
            mutated[which] = _flip(parts[which], position, bit)
            with pytest.raises(ProofVerificationError):
                verify_consistency(old, new, mutated[0], mutated[1], mutated[2:])


@given(sizes.flatmap(lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))))
def test_an_inclusion_proof_is_bound_to_its_index_and_size(case: tuple[int, int]) -> None:
    size, index = case
    data = [i.to_bytes(3, "big") for i in range(size + 1)]
    tree = MemoryTree.of(data)
    proof = tree.inclusion(index, size)
    for other_index in {index - 1, index + 1} - {-1, size}:
        with pytest.raises(ProofVerificationError):
            verify_inclusion(other_index, size, proof.leaf_hash, proof.hashes, proof.root)
    with pytest.raises(ProofVerificationError):
        verify_inclusion(index, size + 1, proof.leaf_hash, proof.hashes, tree.root(size + 1))
