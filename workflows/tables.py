"""The state tables of the process: a cache of the fold of the ledger (`workflows.fold`).

Each object is kept whole as JSON in `data`, beside the few columns the ways in search by
(state, location, marking, due time). `custody verify` replays the ledger and compares every
row with what the replay made (`workflows.replay`), so nothing here is trusted on its own.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Text
from sqlmodel import Field, SQLModel

_ID = 128
_FOLDED = 512  # an id's folded form: a compatibility character may fold to several


class ItemRow(SQLModel, table=True):
    __tablename__ = "wf_items"
    __table_args__ = (
        Index("ix_wf_items_state", "state"),
        Index("ix_wf_items_location", "location"),
        Index("ix_wf_items_marking", "marking"),
        Index("ix_wf_items_marking_folded", "marking_folded"),
        Index("ix_wf_items_campaign", "campaign"),
    )

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    workflow: str = Field(sa_column=Column(String(16), nullable=False))
    category: str = Field(sa_column=Column(String(16), nullable=False))
    source: str = Field(sa_column=Column(String(16), nullable=False))
    state: str = Field(sa_column=Column(String(32), nullable=False))
    location: str = Field(sa_column=Column(String(_ID), nullable=False))
    marking: str | None = Field(default=None, sa_column=Column(String(_ID), nullable=True))
    # R11, R14: the marking's identity (workflows.markings.fold), and the campaign it came in.
    marking_folded: str | None = Field(default=None, sa_column=Column(String(_ID), nullable=True))
    campaign: str | None = Field(default=None, sa_column=Column(String(_ID), nullable=True))
    batch: str | None = Field(default=None, sa_column=Column(String(_ID), nullable=True))
    last_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class LocationRow(SQLModel, table=True):
    __tablename__ = "wf_locations"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class CommissionRow(SQLModel, table=True):
    __tablename__ = "wf_commissions"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class TransferRow(SQLModel, table=True):
    __tablename__ = "wf_transfers"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class BatchRow(SQLModel, table=True):
    __tablename__ = "wf_batches"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "wf_deadlines"
    __table_args__ = (Index("ix_wf_deadlines_due_at_item", "due_at", "item", "rule"),)

    item: str = Field(sa_column=Column(String(_ID), primary_key=True))
    rule: str = Field(sa_column=Column(String(8), primary_key=True))
    due_at: str | None = Field(default=None, sa_column=Column(String(27), nullable=True))
    closed: str | None = Field(default=None, sa_column=Column(String(27), nullable=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class DiscrepancyRow(SQLModel, table=True):
    __tablename__ = "wf_discrepancies"
    __table_args__ = (Index("ix_wf_discrepancies_subject", "subject"),)

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    subject: str = Field(sa_column=Column(String(_ID), nullable=False))
    resolved_at: str | None = Field(default=None, sa_column=Column(String(27), nullable=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class AccountRow(SQLModel, table=True):
    """An account's roles and places (the fold of its entries); no credential."""

    __tablename__ = "wf_accounts"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class DeviceRow(SQLModel, table=True):
    __tablename__ = "wf_devices"
    __table_args__ = (Index("ix_wf_devices_account", "account"),)

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    account: str = Field(sa_column=Column(String(_ID), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class CampaignRow(SQLModel, table=True):
    __tablename__ = "wf_campaigns"

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class PaymentRow(SQLModel, table=True):
    """A compensation paid (R12-R14): found by its item, and by its marking's identity."""

    __tablename__ = "wf_payments"
    __table_args__ = (
        Index("ix_wf_payments_item", "item"),
        Index("ix_wf_payments_marking_folded", "marking_folded"),
        Index("ix_wf_payments_campaign", "campaign"),
    )

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    item: str = Field(sa_column=Column(String(_ID), nullable=False))
    marking_folded: str | None = Field(default=None, sa_column=Column(String(_ID), nullable=True))
    campaign: str = Field(sa_column=Column(String(_ID), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class IdRow(SQLModel, table=True):
    """The id register by folded id (workflows.subjects): two ids that read alike are one."""

    __tablename__ = "wf_ids"

    folded: str = Field(sa_column=Column(String(_FOLDED), primary_key=True))
    data: str = Field(sa_column=Column(Text, nullable=False))


class ProposalRow(SQLModel, table=True):
    """A proposed signer-making change and whether another administrator decided it
    (workflows.dual): found by its state, for the queue awaiting confirmation."""

    __tablename__ = "wf_proposals"
    __table_args__ = (Index("ix_wf_proposals_state", "state"),)

    id: str = Field(sa_column=Column(String(_ID), primary_key=True))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))
