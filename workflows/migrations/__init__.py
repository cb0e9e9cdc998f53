"""Alembic revisions of the process's tables; they follow the ledger's (custody/migrations)."""

from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "versions"
