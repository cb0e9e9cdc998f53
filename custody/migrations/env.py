"""Alembic environment: migrations run on the connection `custody.migrate` hands over, or on
CUSTODY_DATABASE_URL when a developer runs `alembic` by hand (`alembic revision` included)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import custody.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    from custody.db import Database
    from custody.settings import Settings

    database = Database(Settings().database_url)
    with database.engine.begin() as conn:
        run(conn)


main()
