"""Alembic revisions of the service's own tables; they follow the process's."""

from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "versions"
