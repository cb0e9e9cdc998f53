"""Accounts, for administrators: make, list, disable (which revokes every token at once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access import accounts, tokens
from api.access.accounts import User
from api.access.auth import require, system_of
from api.access.passwords import WeakPassword, hash_password
from api.access.roles import ADMIN
from api.access.tokens import Principal
from api.errors import AccountError
from api.http import paging
from api.http.problems import PROBLEM_RESPONSES
from api.system import System
from custody.clock import format_time

router = APIRouter(prefix="/users", tags=["accounts"], responses=PROBLEM_RESPONSES)
Admin = Annotated[Principal, Depends(require(ADMIN))]


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    name: str = Field(min_length=1, max_length=256)
    role: str
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    username: str
    name: str
    role: str
    disabled: bool
    created_at: str


@router.post("", response_model=UserOut, status_code=201)
async def add_user(request: Request, body: UserIn, _: Admin) -> UserOut:
    accounts.check_username(body.username)
    accounts.check_role(body.role)
    strength = request.app.state.accounts.config.password_strength
    try:
        hashed = await run_in_threadpool(hash_password, body.password, strength)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None
    system = system_of(request)
    user = User(body.username, body.name, body.role, False, format_time(system.clock()))
    await run_in_threadpool(_add, system, user, hashed)
    return UserOut(**user.__dict__)


def _add(system: System, user: User, hashed: str) -> None:
    # Off the loop: on SQLite a write may wait for another server process's write.
    with system.ledger.database.write(lock=False) as conn:
        accounts.add(conn, user, hashed)


class UsersPage(BaseModel):
    users: list[UserOut]
    next: int | None = Field(description="pass as `offset` for the next page; null at the end")


@router.get("", response_model=UsersPage)
async def list_users(
    request: Request,
    _: Admin,
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> UsersPage:
    """Every account, a page at a time."""
    with system_of(request).ledger.database.read() as conn:
        found = accounts.all_users(conn)
    shown, following = paging.page(found, offset, limit)
    return UsersPage(users=[UserOut(**u.__dict__) for u in shown], next=following)


@router.post("/{username}/disable", status_code=204)
async def disable_user(request: Request, username: str, _: Admin) -> Response:
    await run_in_threadpool(_disable, system_of(request), username)
    request.app.state.accounts.forget_user(username)
    return Response(status_code=204)


def _disable(system: System, username: str) -> None:
    with system.ledger.database.write(lock=False) as conn:
        accounts.set_disabled(conn, username, True)
        tokens.revoke_all(conn, username, system.clock())
