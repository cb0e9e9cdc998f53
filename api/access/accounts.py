"""The service's side of accounts: each change is a command of the process (its ledger entry,
workflows.commands.accounts) and the service's own change (a password, a token) in one
transaction, so that the two never part. The username is the name the ledger records as the
actor of every entry the user writes, and the owner of their public keys.

    add(process, "admin", "sklad.omarov", "Омаров Е. М.", ["warehouse_clerk"], ["WH-ALM"], hash)
    change(process, "admin", AssignPlace(username="sklad.omarov", place="PLANT-TMR"))
    token, device = issue_device(process, "admin", "sklad.omarov", "warehouse_clerk", "WH-ALM",
                                 "сканер №2", dt.timedelta(days=90))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from api import key_requests
from api.access import tokens
from api.errors import AccountError
from api.tables import UserRow
from custody.clock import format_time
from workflows import dual
from workflows.accounts import check_username
from workflows.commands.accounts import (
    CreateAccount,
    DisableAccount,
    IssueDeviceToken,
    RevokeDeviceToken,
)
from workflows.commands.base import Command
from workflows.errors import InvalidRequest
from workflows.model import Account, Device
from workflows.process import Process
from workflows.repository import Repository
from workflows.world import World

_USERS = UserRow.__table__  # type: ignore[attr-defined]
MOST_DEVICE_DAYS = 366  # a device token lasts at most a year: it is renewed, not kept


@dataclass(frozen=True)
class User:
    """An account as the service shows it: the ledger's account, and whether it has a
    password to log in with."""

    username: str
    name: str
    roles: list[str]
    places: list[str]
    disabled: bool
    created_at: str
    password: bool

    @property
    def role(self) -> str:
        return self.roles[0] if self.roles else ""


def _user(account: Account, password: bool) -> User:
    return User(
        account.id,
        account.name,
        list(account.roles),
        list(account.places),
        account.disabled,
        account.created_at,
        password,
    )


def _set_password(conn: Connection, username: str, password_hash: str, now: str) -> None:
    conn.execute(delete(_USERS).where(_USERS.c.username == username))
    conn.execute(
        _USERS.insert().values(username=username, password_hash=password_hash, created_at=now)
    )


def add(
    process: Process,
    actor: str,
    username: str,
    name: str,
    roles: Sequence[str],
    places: Sequence[str],
    password_hash: str,
) -> User:
    """Make an account (its entry) and its password, together."""
    check(username)
    command = CreateAccount(username=username, name=name, roles=list(roles), places=list(places))
    with process.work(actor) as work:
        command.perform(work)
        _set_password(work.conn, username, password_hash, work.now)
        account = Account(
            username, command.name, sorted(set(roles)), sorted(set(places)), False, work.now
        )
    return _user(account, True)


def set_password(process: Process, username: str, password_hash: str) -> None:
    """Give an account of the ledger a (new) password: the first administrator's, made by
    `custody init` without one, or after a forgotten one. Its login tokens end."""
    with process.ledger.database.write(lock=False) as conn:
        if find(conn, username) is None:
            raise AccountError(f"there is no account {username!r} in the ledger")
        now = process.clock()
        _set_password(conn, username, password_hash, format_time(now))
        tokens.revoke_logins(conn, username, now)


def change(process: Process, actor: str, command: Command) -> None:
    """A change of roles, places or of being enabled: its entry, through the command. A
    device token the change revokes in the ledger (one bound to a role or place withdrawn:
    workflows.accounts) is revoked here too, in the same transaction, for good; a signer's
    role withdrawn voids the account's pending key requests (api.key_requests.void)."""
    with process.work(actor) as work:
        command.perform(work)
        for new in work.news:
            if new.kind == "device_token_revoked" and new.item is not None:
                tokens.revoke_device(work.conn, new.item, work.moment)
            if _ends_signer(new.kind, new.data) and new.item is not None:
                key_requests.void(work.conn, new.item)


def _ends_signer(kind: str, data: dict[str, object]) -> bool:
    """A signer's role withdrawn, or an account disabled: its key requests not yet
    registered go (api.key_requests.void), so none made before is registered after."""
    return kind == "account_disabled" or (
        kind == "role_withdrawn" and data.get("role") in dual.DUAL_ROLES
    )


def disable(process: Process, actor: str, username: str) -> int:
    """Disable an account: its entry, each of its device tokens revoked in the ledger, and
    every token it holds revoked at once. Returns how many tokens were revoked."""
    with process.work(actor) as work:
        DisableAccount(username=username).perform(work)
        key_requests.void(work.conn, username)
        for device in _devices_of(work.conn, username):
            if device.revoked_at is None:
                RevokeDeviceToken(device=device.id, reason="account disabled").perform(work)
        return tokens.revoke_all(work.conn, username, work.moment)


def issue_device(
    process: Process,
    actor: str,
    username: str,
    role: str,
    place: str | None,
    label: str,
    lifetime: dt.timedelta,
) -> tuple[str, Device]:
    """A device token, issued by an administrator: its entry (id, account, role, place,
    expiry) and the token, kept as its hash. Returns the token, shown once, and its record."""
    if not dt.timedelta(0) < lifetime <= dt.timedelta(days=MOST_DEVICE_DAYS):
        raise AccountError(f"a device token lasts from a moment to {MOST_DEVICE_DAYS} days")
    device = tokens.new_device_id()
    with process.work(actor) as work:
        expires = format_time(work.moment + lifetime)
        command = IssueDeviceToken(
            device=device,
            username=username,
            role=role,
            place=place,
            label=label,
            expires_at=expires,
        )
        command.perform(work)
        token = tokens.issue(
            work.conn,
            username,
            tokens.DEVICE,
            work.moment,
            expires,
            role=role,
            place=place,
            device=device,
            label=command.label,
        )
    # As the ledger records it (the fold of its entry: issued at the entry's time), so that
    # this answer and GET /auth/devices show one issued_at.
    record = work.world.device(device)
    return token, record


def revoke_device(process: Process, actor: str, device: str, reason: str = "revoked") -> str:
    """Revoke one device token: its entry and its row. Returns the account it was bound to."""
    with process.work(actor) as work:
        work.load("devices", [device])
        found = work.world.devices.get(device)
        RevokeDeviceToken(device=device, reason=reason).perform(work)
        tokens.revoke_device(work.conn, device, work.moment)
    assert found is not None
    return found.account


def find(conn: Connection, username: str) -> tuple[Account, str | None] | None:
    """The ledger's account of that name and its password hash (None if it has none)."""
    world = World()
    Repository(conn).load(world, "accounts", [username])
    account = world.accounts.get(username)
    if account is None:
        return None
    row = conn.execute(select(_USERS.c.password_hash).where(_USERS.c.username == username))
    hashed = row.scalar()
    return account, hashed


def all_users(conn: Connection) -> list[User]:
    with_password = set(conn.execute(select(_USERS.c.username)).scalars())
    found: list[Account] = Repository(conn).documents("accounts")
    return [_user(a, a.id in with_password) for a in sorted(found, key=lambda a: a.id)]


def all_devices(conn: Connection, username: str | None = None) -> list[Device]:
    found: list[Device] = Repository(conn).documents("devices")
    return sorted(
        (d for d in found if username is None or d.account == username),
        key=lambda d: (d.account, d.issued_at, d.id),
    )


def _devices_of(conn: Connection, username: str) -> list[Device]:
    return all_devices(conn, username)


def check(username: str) -> str:
    """The username's form (workflows.accounts), as the service's own error."""
    try:
        return check_username(username)
    except InvalidRequest as exc:
        raise AccountError(str(exc)) from None
