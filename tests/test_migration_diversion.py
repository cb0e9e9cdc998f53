"""Migration 0005_diversion on a database made before it (SQLite and PostgreSQL): every item
gets its marking's identity, indexed, and the new fields of its document, so that the rows
are the ones the fold now makes."""

from __future__ import annotations

import json

import orjson
from alembic import command
from sqlalchemy import text

from api.system import MIGRATIONS
from custody import migrate
from custody.db import Database
from workflows.model import Item
from workflows.repository import row_of

OLD_ITEM = {
    "id": "KZ-OLD-1",
    "workflow": "weapon",
    "category": "firearm",
    "source": "confiscated",
    "state": "registered",
    "location": "UNIT-ALM",
    "unit": "UNIT-ALM",
    "rifled": True,
    "marking": "АК-74 №1986",
    "marking_place": None,
    "internal_tag": None,
    "weight_g": 3600,
    "quantity": None,
    "details": {"model": "AK-74"},
    "registered_at": "2026-11-01T10:00:00.000000Z",
    "updated_at": "2026-11-01T10:00:00.000000Z",
    "last_seq": 7,
}


# A document as the fold wrote it before 0005: every field of the time, none of the new ones.
BEFORE = {
    k: v
    for k, v in Item(**OLD_ITEM).to_json().items()  # type: ignore[arg-type]
    if k not in ("diversion", "diversion_cleared", "campaign", "compensation")
}


def test_items_made_before_it_get_their_identity_and_new_fields(database_url: str) -> None:
    database = Database(database_url)
    config = migrate.alembic_config(MIGRATIONS)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004_accounts")
        conn.execute(
            text(
                "INSERT INTO wf_items (id, workflow, category, source, state, location, "
                "marking, batch, last_seq, data) VALUES (:id, 'weapon', 'firearm', "
                "'confiscated', 'registered', 'UNIT-ALM', :marking, NULL, 7, :data)"
            ),
            {"id": OLD_ITEM["id"], "marking": OLD_ITEM["marking"], "data": json.dumps(BEFORE)},
        )
    migrate.upgrade(database, MIGRATIONS)
    with database.engine.connect() as conn:
        row = dict(conn.execute(text("SELECT * FROM wf_items")).mappings().one())
    database.dispose()
    assert row["marking_folded"] == "AK74№1986"
    assert row["campaign"] is None
    item = Item.from_json(json.loads(row["data"]))
    expected = row_of("items", item)  # what the fold's row of that item is
    assert {**row, "data": json.loads(row["data"])} == {
        **expected,
        "data": orjson.loads(expected["data"]),
    }
