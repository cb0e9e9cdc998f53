"""The service's own tables: credentials, tokens, login attempts and the answers kept for
Idempotency-Key. None of it is process state: who may do what, where, is in the ledger
(workflows.accounts), and these rows are linked to its accounts by username."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

_NAME = 128


class UserRow(SQLModel, table=True):
    """An account's password (Argon2id); the account itself is the ledger's."""

    __tablename__ = "api_users"

    username: str = Field(sa_column=Column(String(_NAME), primary_key=True))
    password_hash: str = Field(sa_column=Column(String(256), nullable=False))
    created_at: str = Field(sa_column=Column(String(32), nullable=False))


class TokenRow(SQLModel, table=True):
    """A bearer token, kept as its SHA-256 only: a copy of the database logs nobody in."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        Index("ix_api_tokens_username", "username"),
        Index("ix_api_tokens_device", "device"),
    )

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    username: str = Field(sa_column=Column(String(_NAME), nullable=False))
    role: str = Field(sa_column=Column(String(32), nullable=False))  # a device's; "" for a login
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # login | device
    label: str | None = Field(default=None, sa_column=Column(String(256), nullable=True))
    created_at: str = Field(sa_column=Column(String(32), nullable=False))
    expires_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    revoked_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    device: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    place: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))


class LoginAttemptRow(SQLModel, table=True):
    """Every login attempt, kept for audit (a success erases nothing): `checking` while its
    password is being checked (it counts as a failure until settled), then `failure` or
    `success`; `refused` when the throttle turned it away unchecked. `device` is the SHA-256
    of the login device's cookie, if it sent one. `known` says whether that device (or, without
    one, the address) had logged in to this account before, which decides the counter it falls
    under (api.access.throttle)."""

    __tablename__ = "api_login_attempts"
    __table_args__ = (
        Index("ix_api_login_attempts_username", "username", "at"),
        Index("ix_api_login_attempts_address", "address", "at"),
        Index("ix_api_login_attempts_device", "username", "device"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    username: str = Field(sa_column=Column(String(_NAME), nullable=False))
    address: str = Field(sa_column=Column(String(64), nullable=False))
    at: str = Field(sa_column=Column(String(32), nullable=False))
    known: bool = Field(sa_column=Column(Boolean, nullable=False))
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    device: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class LoginLockRow(SQLModel, table=True):
    """One row per account and per address tried, locked by each attempt's transaction (an
    upsert), so that counting the attempts and admitting one is a single step on PostgreSQL
    too; on SQLite BEGIN IMMEDIATE already makes it one."""

    __tablename__ = "api_login_locks"

    key: str = Field(sa_column=Column(String(_NAME + 16), primary_key=True))
    attempts: int = Field(sa_column=Column(BigInteger, nullable=False))


class LoginAlertRow(SQLModel, table=True):
    """An account or an address whose failed logins reached the limit: for administrators."""

    __tablename__ = "api_login_alerts"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: str = Field(sa_column=Column(String(32), nullable=False))
    scope: str = Field(sa_column=Column(String(16), nullable=False))  # account|address|known
    username: str = Field(sa_column=Column(String(_NAME), nullable=False))
    address: str = Field(sa_column=Column(String(64), nullable=False))
    failures: int = Field(sa_column=Column(Integer, nullable=False))


class IdempotentRow(SQLModel, table=True):
    """The first answer to a write sent with an Idempotency-Key, written in the same
    transaction as the write itself: a retry finds either both or neither."""

    __tablename__ = "api_idempotency"

    username: str = Field(sa_column=Column(String(_NAME), primary_key=True))
    key: str = Field(sa_column=Column(String(256), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status: int = Field(sa_column=Column(Integer, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: str = Field(sa_column=Column(String(32), nullable=False))
    last_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class ContactRow(SQLModel, table=True):
    """Where a person is told of deadlines: their e-mail, kept apart from the accounts (a
    person in the supervision register may have no account here). Set by administrators."""

    __tablename__ = "api_contacts"

    username: str = Field(sa_column=Column(String(_NAME), primary_key=True))
    email: str = Field(sa_column=Column(String(320), nullable=False))
    updated_at: str = Field(sa_column=Column(String(32), nullable=False))


class NoticeRow(SQLModel, table=True):
    """A notice of a due-soon or overdue deadline to one person: written once (the unique
    key), sent by whichever worker holds its lease, acknowledged by a person."""

    __tablename__ = "api_notices"
    __table_args__ = (
        Index(
            "ux_api_notices_once",
            "item",
            "rule",
            "due_at",
            "kind",
            "level",
            "person",
            unique=True,
        ),
        Index("ix_api_notices_unsent", "sent_at", "lease_until"),
        Index("ix_api_notices_person", "person"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    item: str = Field(sa_column=Column(String(_NAME), nullable=False))
    rule: str = Field(sa_column=Column(String(8), nullable=False))
    due_at: str = Field(sa_column=Column(String(32), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # due_soon | overdue
    level: str = Field(sa_column=Column(String(16), nullable=False))
    person: str = Field(sa_column=Column(String(_NAME), nullable=False))
    place: str = Field(sa_column=Column(String(_NAME), nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(320), nullable=True))
    created_at: str = Field(sa_column=Column(String(32), nullable=False))
    lease_owner: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    lease_until: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    attempts: int = Field(sa_column=Column(Integer, nullable=False, default=0))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    acknowledged_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    acknowledged_by: str | None = Field(
        default=None, sa_column=Column(String(_NAME), nullable=True)
    )


class NoticeMarkRow(SQLModel, table=True):
    """How far the notice worker has read the ledger for one kind of its look-ups (`appeals`:
    the seq of the last appeal or suspension read): a row, so that a restarted worker goes
    on from it rather than reading every entry again (api.notices.worker, fix19j)."""

    __tablename__ = "api_notice_marks"

    name: str = Field(sa_column=Column(String(32), primary_key=True))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))


class NoticeAppealRow(SQLModel, table=True):
    """An appeal or suspension the notice worker has read and may still owe notices for
    (`appeal_waits` while its item is not gone, `destroyed_early` when it carries
    `after_destruction`): what of its entry the notices need, so that no pass reads it from
    the ledger again. One whose item is gone and that carries no flag is removed."""

    __tablename__ = "api_notice_appeals"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    item: str = Field(sa_column=Column(String(_NAME), nullable=False))
    entered_at: str = Field(sa_column=Column(String(32), nullable=False))
    flagged: bool = Field(sa_column=Column(Boolean, nullable=False))


class PreferenceRow(SQLModel, table=True):
    """What the web pages remember of an account: its language and time zone."""

    __tablename__ = "web_preferences"

    username: str = Field(sa_column=Column(String(_NAME), primary_key=True))
    language: str = Field(sa_column=Column(String(8), nullable=False))
    timezone: str = Field(sa_column=Column(String(64), nullable=False))


class KeyRequestRow(SQLModel, table=True):
    """A person's request to have a key registered: the challenge the service gave them, then
    the public key they made and its proof of possession over that challenge, until an
    administrator registers it (api.key_requests). The private key never comes here."""

    __tablename__ = "web_key_requests"
    __table_args__ = (Index("ix_web_key_requests_owner", "owner"),)

    challenge: str = Field(sa_column=Column(String(64), primary_key=True))
    owner: str = Field(sa_column=Column(String(_NAME), nullable=False))
    issued_at: str = Field(sa_column=Column(String(32), nullable=False))
    public_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    sig: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    label: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    submitted_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    key_id: str | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    # When a newer request of the same person superseded it (it then cannot serve).
    superseded_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))


class AuditJobRow(SQLModel, table=True):
    """`custody verify` started from the auditor's page (api.web.verify_jobs): the one running,
    else the last, whichever server process runs it. One row (id 1): one audit at a time."""

    __tablename__ = "web_audit_job"
    __table_args__ = (CheckConstraint("id = 1", name="ck_web_audit_job_single_row"),)

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    number: int = Field(sa_column=Column(Integer, nullable=False))
    started_by: str = Field(sa_column=Column(String(_NAME), nullable=False))
    started_at: str = Field(sa_column=Column(String(32), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    done: int = Field(sa_column=Column(BigInteger, nullable=False))
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    heartbeat_at: str = Field(sa_column=Column(String(32), nullable=False))
    finished_at: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    report: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class IssuedTokenRow(SQLModel, table=True):
    """A device token issued on the administrator's page, until the page after the issuing
    form shows it once (api.web.issued_tokens): sealed under a key only the browser session's
    cookie gives, and keyed by a hash of that cookie."""

    __tablename__ = "web_issued_tokens"

    session: str = Field(sa_column=Column(String(64), primary_key=True))
    sealed: str = Field(sa_column=Column(Text, nullable=False))
    issued_at: str = Field(sa_column=Column(String(32), nullable=False))
