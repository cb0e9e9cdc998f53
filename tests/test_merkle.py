"""Tree addressing, roots and proof generation against the RFC 6962 test tree and the
independent implementation in tests/support/rfc9162_reference.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custody import merkle
from tests.support import rfc9162_reference as ref
from tests.support.memtree import MemoryTree
from tests.support.vectors import load

TREE = load("rfc6962_tree.json")
LEAVES = [bytes.fromhex(x) for x in TREE["leaf_inputs"]]


def test_roots_of_every_prefix_of_the_test_tree() -> None:
    tree = MemoryTree.of(LEAVES)
    for size, expected in enumerate(TREE["roots"]):
        assert tree.root(size).hex() == expected


def test_peaks_give_the_root_as_they_grow() -> None:
    tree = MemoryTree()
    for size, data in enumerate(LEAVES, start=1):
        tree.append(ref.mth([data]))
        assert merkle.root_from_peaks(tree.peaks).hex() == TREE["roots"][size]
        assert len(tree.peaks) == bin(size).count("1")


def test_stored_nodes_are_exactly_the_perfect_subtrees() -> None:
    tree = MemoryTree.of(LEAVES)
    for level in range(1, len(TREE["node_hashes"])):
        for index, expected in enumerate(TREE["node_hashes"][level]):
            assert tree.nodes[(level, index)].hex() == expected
    interior = [node for node in tree.nodes if node[0] > 0]
    assert len(interior) == len(LEAVES) - 1


@pytest.mark.parametrize("case", TREE["inclusion"], ids=lambda c: f"{c['index']}-of-{c['size']}")
def test_inclusion_paths_match_proofgen(case: dict[str, object]) -> None:
    tree = MemoryTree.of(LEAVES)
    proof = tree.inclusion(int(case["index"]), int(case["size"]))  # type: ignore[call-overload]
    assert [h.hex() for h in proof.hashes] == case["proof"]


@pytest.mark.parametrize(
    "case", TREE["consistency"], ids=lambda c: f"{c['old_size']}-to-{c['new_size']}"
)
def test_consistency_proofs_match_proofgen(case: dict[str, object]) -> None:
    tree = MemoryTree.of(LEAVES)
    proof = tree.consistency(int(case["old_size"]), int(case["new_size"]))  # type: ignore[call-overload]
    assert [h.hex() for h in proof.hashes] == case["proof"]


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))
    )
)
def test_inclusion_paths_equal_the_rfc_recursion(sizes: tuple[int, int]) -> None:
    size, index = sizes
    data = [i.to_bytes(4, "big") for i in range(size)]
    assert list(MemoryTree.of(data).inclusion(index, size).hashes) == ref.path(index, data)


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))
    )
)
def test_consistency_proofs_equal_the_rfc_recursion(sizes: tuple[int, int]) -> None:
    old, new = sizes
    data = [i.to_bytes(4, "big") for i in range(new)]
    assert list(MemoryTree.of(data).consistency(old, new).hashes) == ref.proof(old, data)


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=2**20))
def test_every_requested_range_is_left_aligned(lo_unit: int, length: int) -> None:
    level = length.bit_length()
    lo = lo_unit << level
    nodes = merkle.range_nodes(lo, lo + length)
    assert sum(1 << level for level, _ in nodes) == length
    assert len(nodes) == bin(length).count("1")


def test_unaligned_range_is_refused() -> None:
    with pytest.raises(ValueError, match="left-aligned"):
        merkle.range_nodes(1, 4)


@given(st.integers(min_value=2, max_value=2**62))
def test_proofs_need_logarithmically_many_nodes(size: int) -> None:
    index = size // 3
    assert len(merkle.nodes_for(merkle.inclusion_ranges(index, size))) <= 2 * size.bit_length()
    old = max(1, size // 2 + 1)
    assert len(merkle.nodes_for(merkle.consistency_ranges(old, size))) <= 2 * size.bit_length()
