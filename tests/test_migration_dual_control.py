"""Migration 0008_dual_control on a database made before it (SQLite and PostgreSQL): each
account gets `created_by`, the actor of its `account_created` entry, as the fold now makes it
(so that `custody verify` finds the rows it replays), and the register of proposed changes
(`wf_proposals`) is there, empty."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from api.system import MIGRATIONS
from custody import migrate
from custody.db import Database

ACCOUNTS = {"admin": "admin", "sklad.omarov": "admin", "kim": "admin.two"}  # -> its creator


def test_accounts_made_before_it_name_who_made_them(database_url: str) -> None:
    database = Database(database_url)
    config = migrate.alembic_config(MIGRATIONS)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007_opened_by")
        for seq, (username, creator) in enumerate(ACCOUNTS.items(), start=1):
            body = {"seq": seq, "kind": "account_created", "actor": creator, "item": username}
            conn.execute(
                text(
                    "INSERT INTO ledger_entries (seq, body, leaf_hash, sig, key_id, item) "
                    "VALUES (:seq, :body, :leaf, :sig, 'k', :item)"
                ),
                {
                    "seq": seq,
                    "body": json.dumps(body).encode(),
                    "leaf": b"\0" * 32,
                    "sig": b"\0" * 64,
                    "item": username,
                },
            )
            document = {"id": username, "name": username, "roles": [], "places": []}
            document |= {"disabled": False, "created_at": "2026-11-30T00:00:00.000000Z"}
            conn.execute(
                text("INSERT INTO wf_accounts (id, data) VALUES (:id, :d)"),
                {"id": username, "d": json.dumps(document)},
            )
    migrate.upgrade(database, MIGRATIONS)
    with database.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, data FROM wf_accounts")).fetchall())
        proposals = conn.execute(text("SELECT count(*) FROM wf_proposals")).scalar()
    database.dispose()
    assert {u: json.loads(d)["created_by"] for u, d in stored.items()} == ACCOUNTS
    assert proposals == 0
