"""Destruction statements and intake labels: signed PDF/A documents that verify offline.

Built by the statements issue; it reads the ledger through `custody`.
"""
