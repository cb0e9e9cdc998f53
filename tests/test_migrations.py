"""Alembic migrations: the schema they build is exactly the tables' metadata, and they go
down and up again cleanly, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import api.tables  # noqa: F401  (and the service's)
import custody.tables  # noqa: F401  (registers the ledger's tables)
import workflows.tables  # noqa: F401  (and the process's)
from api.system import MIGRATIONS
from custody import migrate
from custody.db import Database

LEDGER_TABLES = {
    "ledger_entries",
    "merkle_nodes",
    "ledger_head",
    "checkpoints",
    "ledger_keys",
    "ledger_acts",
}


def test_the_migrated_schema_is_the_tables_metadata(database_url: str) -> None:
    database = Database(database_url)
    migrate.upgrade(database, MIGRATIONS)
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    database.dispose()
    assert differences == []


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    database = Database(database_url)
    migrate.upgrade(database)
    assert set(inspect(database.engine).get_table_names()) >= LEDGER_TABLES
    config = migrate.alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not LEDGER_TABLES & set(inspect(database.engine).get_table_names())
    migrate.upgrade(database)
    migrate.upgrade(database)  # again: nothing to do
    assert database.is_migrated()
    database.dispose()
