"""The ledger's tables (DESIGN §7). Only `ledger_entries` is trusted by `custody verify`;
every other table here is a cache of a fold of its bodies, and verify checks it against one.

- ledger_entries  seq, the exact canonical body bytes, leaf hash, ledger signature, key id;
                  `item` repeats body.item so an item's own chain can be found by index,
                  `kind` repeats body.kind so a fold can read only the kinds it needs
                  (both checked by `custody verify`, step 4)
- merkle_nodes    every perfect subtree hash of level >= 1 (level 0 is ledger_entries.leaf_hash)
- ledger_head     one row: tree size, its compact range, the last leaf and time, the current
                  ledger key. PostgreSQL writers lock this row, which serialises appends
- checkpoints     every signed checkpoint ever issued
- ledger_keys     the key registry (custody.keys) as of the last entry
- ledger_acts     the hash of every person's act recorded, so that none is recorded twice
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

# SQLite makes only "INTEGER PRIMARY KEY" an alias of the rowid; BIGINT would add an index.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class LedgerEntryRow(SQLModel, table=True):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_item_seq", "item", "seq"),
        Index("ix_ledger_entries_kind_seq", "kind", "seq"),
    )

    seq: int = Field(sa_column=Column(SeqType, primary_key=True, autoincrement=False))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sig: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    key_id: str = Field(sa_column=Column(String(8), nullable=False))
    item: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    # Null only in a row written by hand: the migration fills it for older rows, and step 4
    # of verify fails a row whose kind column is not its body's kind.
    kind: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class MerkleNodeRow(SQLModel, table=True):
    __tablename__ = "merkle_nodes"
    __table_args__ = {"sqlite_with_rowid": False}

    level: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LedgerHeadRow(SQLModel, table=True):
    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_ledger_head_single_row"),)

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    peaks: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    last_leaf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    last_time: str | None = Field(default=None, sa_column=Column(String(27), nullable=True))
    origin: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    ledger_key_id: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))


class CheckpointRow(SQLModel, table=True):
    __tablename__ = "checkpoints"

    size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    key_id: str = Field(sa_column=Column(String(8), nullable=False))
    issued_at: str = Field(sa_column=Column(String(27), nullable=False))


class LedgerKeyRow(SQLModel, table=True):
    __tablename__ = "ledger_keys"

    key_id: str = Field(sa_column=Column(String(8), primary_key=True))
    owner: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    purpose: str = Field(sa_column=Column(String(16), nullable=False))
    name: str = Field(sa_column=Column(String(255), nullable=False))
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    added_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    valid_from_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    rotated_at_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    revoked_at_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    replaced_by: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))


class LedgerActRow(SQLModel, table=True):
    __tablename__ = "ledger_acts"
    __table_args__ = {"sqlite_with_rowid": False}

    digest: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
