"""Logging in (OAuth2 password flow), out, device tokens, and the role matrix."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access.auth import Caller, accounts_of
from api.access.roles import DESCRIPTIONS, ROLES
from api.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["login"], responses=PROBLEM_RESPONSES)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int | None = Field(description="seconds; absent for a device token")
    role: str


class DeviceIn(BaseModel):
    label: str = Field(min_length=1, max_length=200, description="which scanner or script")


class Me(BaseModel):
    username: str
    role: str
    token: str = Field(description="login or device")
    permissions: list[str]


class Role(BaseModel):
    role: str
    description: str
    permissions: list[str]


@router.post("/auth/token", response_model=TokenOut)
async def login(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """Exchange a username and password for a short-lived bearer token."""
    address = request.client.host if request.client else "unknown"
    # Argon2id takes tens of milliseconds of CPU on purpose: not on the event loop.
    issued = await run_in_threadpool(
        accounts_of(request).login, form.username, form.password, address
    )
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in, role=issued.role)


@router.post("/auth/revoke", status_code=204)
async def logout(request: Request, caller: Caller) -> Response:
    """Revoke the token this request carries."""
    # Writes go off the loop: on SQLite they may wait for another server process's write.
    await run_in_threadpool(accounts_of(request).logout, caller)
    return Response(status_code=204)


@router.post("/auth/devices", response_model=TokenOut)
async def device(request: Request, caller: Caller, body: DeviceIn) -> TokenOut:
    """A lasting token for a barcode scanner or a script, bound to you and your role."""
    issued = await run_in_threadpool(accounts_of(request).device_token, caller, body.label)
    return TokenOut(access_token=issued.token, expires_in=None, role=issued.role)


@router.get("/auth/me", response_model=Me)
async def me(caller: Caller) -> Me:
    return Me(
        username=caller.username,
        role=caller.role,
        token=caller.kind,
        permissions=sorted(ROLES[caller.role]),
    )


@router.get("/roles", response_model=list[Role])
async def roles() -> list[Role]:
    """Who may do what: every role and its permissions (a writing permission is named for the
    ledger entry kind it writes)."""
    return [
        Role(role=role, description=DESCRIPTIONS[role], permissions=sorted(permissions))
        for role, permissions in ROLES.items()
    ]
