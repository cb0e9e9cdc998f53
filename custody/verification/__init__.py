"""`custody verify`: a full audit of a ledger database that trusts only `ledger_entries`.

One module per numbered step (DESIGN §5, docs/ledger.md "Verifying"):

    1-4 entry_steps       entries, canonical bodies, leaf hashes, chain links
    5-6 signature_steps   ledger signatures (and --key), people's acts
    7   tables_step       derived tables
    8   tree_step         Merkle tree
    9   checkpoint_step   checkpoints, stored and the auditor's

`rows` is the per-entry work done in worker processes, `report` the step results ("ok",
"failed", "not run", "incomplete"), `audit` the runner that folds the rows through the steps.
"""
