"""Schema migrations (Alembic), run by `custody init` and on the first start of the service."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from custody.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant will do; it keeps two PostgreSQL processes from migrating at the same time.
_MIGRATION_LOCK = 0x637573746F6479


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    """The ledger's revisions, and those of the layers above that build on them."""
    from alembic.config import Config  # imported here: 0.1 s that only migrations need

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    locations = [MIGRATIONS / "versions", *extra_versions]
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return config


def upgrade(database: Database, extra_versions: Sequence[Path] = ()) -> None:
    """Bring the schema to the newest revision; safe to run from several processes at once."""
    from alembic import command

    config = alembic_config(extra_versions)
    with database.engine.execution_options(custody_write=True).begin() as conn:
        if database.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")
