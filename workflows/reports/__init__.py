"""Reports a ministry files and an auditor can recompute, each a fold over the ledger's entry
bodies up to the size of a signed checkpoint (never over the state tables), so that the same
entries always give the same figures: `annual` (the small-arms statistics of a calendar
year), `compliance` (every R1 and R2 deadline, met or missed), `reconciliation` (stock by
place and weight by furnace batch). `recompute` runs the one a report names; `figures`
compares two reports figure by figure. docs/reports.md defines every figure.
"""
