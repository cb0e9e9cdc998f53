"""The destruction process: state machines, rules R1-R10, deadlines, batches, commissions.

Built by the destruction-process issue; it writes every step through `custody`.
"""
