"""Migration 0007_opened_by on a database made before it (SQLite and PostgreSQL): a
discrepancy or suspicion opened by a person's entry gets that entry's actor as `opened_by`;
one an inventory count opened keeps none, as the fold gives it none."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from api.system import MIGRATIONS
from custody import migrate
from custody.db import Database

ROWS = {  # id -> (the opening entry's kind, its actor)
    "D-1": ("discrepancy_recorded", "off.alm"),
    "D-2": ("diversion_suspected", "unit.serikbaev"),
    "D-3": ("inventory_counted", "sklad.omarov"),
}


def test_discrepancies_made_before_it_name_who_opened_them(database_url: str) -> None:
    database = Database(database_url)
    config = migrate.alembic_config(MIGRATIONS)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006_one_head")
        for seq, (discrepancy, (kind, actor)) in enumerate(ROWS.items(), start=10):
            body = json.dumps({"seq": seq, "kind": kind, "actor": actor}).encode()
            conn.execute(
                text(
                    "INSERT INTO ledger_entries (seq, body, leaf_hash, sig, key_id, item) "
                    "VALUES (:seq, :body, :leaf, :sig, 'k', NULL)"
                ),
                {"seq": seq, "body": body, "leaf": b"\0" * 32, "sig": b"\0" * 64},
            )
            document = {"id": discrepancy, "subject": "KZ-1", "reason": "x", "opened_seq": seq}
            conn.execute(
                text("INSERT INTO wf_discrepancies (id, subject, data) VALUES (:id, 'KZ-1', :d)"),
                {"id": discrepancy, "d": json.dumps(document)},
            )
    migrate.upgrade(database, MIGRATIONS)
    with database.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, data FROM wf_discrepancies")).fetchall())
    database.dispose()
    opened = {d: json.loads(data).get("opened_by") for d, data in stored.items()}
    assert opened == {"D-1": "off.alm", "D-2": "unit.serikbaev", "D-3": None}
