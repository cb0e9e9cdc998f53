"""Accounts: who may log in, under which role. The username is the name the ledger records
as the actor of every entry the user writes, and the owner of their public keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from api.access.roles import ROLES
from api.errors import AccountError
from api.tables import UserRow

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_USERS = UserRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    disabled: bool
    created_at: str


def check_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise AccountError(
            "a username is 2-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(sorted(ROLES))}")
    return role


def add(conn: Connection, user: User, password_hash: str) -> None:
    check_username(user.username)
    check_role(user.role)
    if not user.name.strip():
        raise AccountError("an account needs the person's name")
    if find(conn, user.username) is not None:
        raise AccountError(f"there is already an account {user.username!r}")
    conn.execute(
        _USERS.insert().values(
            username=user.username,
            name=user.name,
            role=user.role,
            password_hash=password_hash,
            disabled=user.disabled,
            created_at=user.created_at,
        )
    )


def find(conn: Connection, username: str) -> tuple[User, str] | None:
    """The account and its password hash."""
    row = conn.execute(select(_USERS).where(_USERS.c.username == username)).mappings().first()
    if row is None:
        return None
    return _user(row), str(row["password_hash"])


def all_users(conn: Connection) -> list[User]:
    rows = conn.execute(select(_USERS).order_by(_USERS.c.username)).mappings()
    return [_user(row) for row in rows]


def set_disabled(conn: Connection, username: str, disabled: bool) -> None:
    result = conn.execute(
        update(_USERS).where(_USERS.c.username == username).values(disabled=disabled)
    )
    if result.rowcount == 0:
        raise AccountError(f"there is no account {username!r}")


def _user(row: object) -> User:
    data = dict(row)  # type: ignore[call-overload]
    return User(
        data["username"], data["name"], data["role"], bool(data["disabled"]), data["created_at"]
    )
