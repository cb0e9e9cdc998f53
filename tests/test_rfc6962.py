"""Leaf and node hashing against the transparency-dev/merkle constants (RFC 6962 test tree)."""

from __future__ import annotations

import base64

from custody.rfc6962 import EMPTY_ROOT, leaf_hash, node_hash
from tests.support.vectors import load

TREE = load("rfc6962_tree.json")


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == TREE["roots"][0]


def test_leaf_hashes_match_the_test_tree() -> None:
    for index, data in enumerate(TREE["leaf_inputs"]):
        assert leaf_hash(bytes.fromhex(data)).hex() == TREE["node_hashes"][0][index]


def test_node_hashes_match_the_test_tree() -> None:
    for level in range(1, len(TREE["node_hashes"])):
        below = TREE["node_hashes"][level - 1]
        for index, expected in enumerate(TREE["node_hashes"][level]):
            left, right = bytes.fromhex(below[2 * index]), bytes.fromhex(below[2 * index + 1])
            assert node_hash(left, right).hex() == expected


def test_hello_world_leaf_matches_go_sumdb() -> None:
    extra = TREE["extra_leaf_hashes"][0]
    expected = base64.b64decode(extra["leaf_hash_b64"])
    assert leaf_hash(extra["data_utf8"].encode()) == expected
