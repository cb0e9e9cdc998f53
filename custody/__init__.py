"""The ledger: entries, hash chain, Merkle tree, checkpoints, proofs, keys and verification."""
