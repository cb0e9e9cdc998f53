"""Accounts, for administrators: make, list, change roles and places, disable and enable.
Each change is an entry of the ledger (workflows.commands.accounts) written in the same
transaction as the service's own change; disabling revokes every token at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from api.access import accounts
from api.access.accounts import User
from api.access.auth import require, system_of
from api.access.passwords import WeakPassword, hash_password
from api.access.roles import ADMIN
from api.access.tokens import Principal
from api.errors import AccountError
from api.http import paging
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictBody, StrictJSONRoute
from workflows import grammar
from workflows.commands.accounts import (
    AssignPlace,
    EnableAccount,
    GrantRole,
    WithdrawPlace,
    WithdrawRole,
)
from workflows.commands.base import Command

router = APIRouter(
    prefix="/users", tags=["accounts"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute
)
Admin = Annotated[Principal, Depends(require(ADMIN))]


class UserIn(StrictBody):
    username: str = Field(min_length=2, max_length=64)
    name: str = Field(min_length=1, max_length=256)
    role: str | None = Field(default=None, description="one role (or give `roles`)")
    roles: list[str] = Field(default_factory=list, max_length=8)
    places: list[str] = Field(
        default_factory=list, max_length=100, description="the places the account acts at"
    )
    password: str = Field(min_length=1, max_length=1024)

    @field_validator("roles", "places")
    @classmethod
    def _each_once(cls, given: list[str]) -> list[str]:
        return grammar.not_repeated(given)  # refused, not merged (issue 12, finding 4)

    def all_roles(self) -> list[str]:
        return sorted({*self.roles, *([self.role] if self.role else [])})


class UserOut(BaseModel):
    username: str
    name: str
    role: str
    roles: list[str]
    places: list[str]
    disabled: bool
    created_at: str
    password: bool = Field(description="whether it has a password to log in with")


class RoleIn(StrictBody):
    role: str


class PlaceIn(StrictBody):
    place: str


def _out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        name=user.name,
        role=user.role,
        roles=user.roles,
        places=user.places,
        disabled=user.disabled,
        created_at=user.created_at,
        password=user.password,
    )


@router.post("", response_model=UserOut, status_code=201)
async def add_user(request: Request, body: UserIn, caller: Admin) -> UserOut:
    """Make an account with its roles and places (an `account_created` entry) and its
    password."""
    accounts.check(body.username)
    strength = request.app.state.accounts.config.password_strength
    try:
        hashed = await run_in_threadpool(hash_password, body.password, strength)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None
    # Off the loop: on SQLite a write may wait for another server process's write.
    user = await run_in_threadpool(
        accounts.add,
        system_of(request).process,
        caller.username,
        body.username,
        body.name,
        body.all_roles(),
        body.places,
        hashed,
    )
    return _out(user)


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
    """Every account, its roles and places, a page at a time."""
    with system_of(request).ledger.database.read() as conn:
        found = accounts.all_users(conn)
    shown, following = paging.page(found, offset, limit)
    return UsersPage(users=[_out(u) for u in shown], next=following)


async def _change(request: Request, caller: Principal, username: str, command: Command) -> None:
    await run_in_threadpool(accounts.change, system_of(request).process, caller.username, command)
    request.app.state.accounts.forget_user(username)


@router.post("/{username}/disable", status_code=204)
async def disable_user(request: Request, username: str, caller: Admin) -> Response:
    """Disable an account (an `account_disabled` entry); its tokens stop at once."""
    process = system_of(request).process
    await run_in_threadpool(accounts.disable, process, caller.username, username)
    request.app.state.accounts.forget_user(username)
    return Response(status_code=204)


@router.post("/{username}/enable", status_code=204)
async def enable_user(request: Request, username: str, caller: Admin) -> Response:
    await _change(request, caller, username, EnableAccount(username=username))
    return Response(status_code=204)


@router.post("/{username}/roles", status_code=204)
async def grant_role(request: Request, username: str, body: RoleIn, caller: Admin) -> Response:
    """Grant a role (a `role_granted` entry)."""
    await _change(request, caller, username, GrantRole(username=username, role=body.role))
    return Response(status_code=204)


@router.delete("/{username}/roles/{role}", status_code=204)
async def withdraw_role(request: Request, username: str, role: str, caller: Admin) -> Response:
    """Withdraw a role (a `role_withdrawn` entry)."""
    await _change(request, caller, username, WithdrawRole(username=username, role=role))
    return Response(status_code=204)


@router.post("/{username}/places", status_code=204)
async def assign_place(request: Request, username: str, body: PlaceIn, caller: Admin) -> Response:
    """Assign a place the account acts at (a `place_assigned` entry)."""
    await _change(request, caller, username, AssignPlace(username=username, place=body.place))
    return Response(status_code=204)


@router.delete("/{username}/places/{place}", status_code=204)
async def withdraw_place(request: Request, username: str, place: str, caller: Admin) -> Response:
    """Withdraw a place (a `place_withdrawn` entry)."""
    await _change(request, caller, username, WithdrawPlace(username=username, place=place))
    return Response(status_code=204)
