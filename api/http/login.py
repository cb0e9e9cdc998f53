"""Logging in (OAuth2 password flow), out, device tokens, and the role matrix."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access import accounts
from api.access.auth import Caller, accounts_of, require, system_of
from api.access.roles import ADMIN, DESCRIPTIONS, PLACE_KINDS, READ, ROLES
from api.access.tokens import Principal
from api.http import device_cookie, paging
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictBody, StrictJSONRoute
from workflows.model import Device
from workflows.reading import READS_EVERYWHERE

router = APIRouter(tags=["login"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute)
Admin = Annotated[Principal, Depends(require(ADMIN))]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int = Field(description="seconds")
    role: str


class DeviceIn(StrictBody):
    username: str = Field(min_length=2, max_length=64, description="the account it acts for")
    role: str = Field(description="one of the account's roles")
    place: str | None = Field(
        default=None, description="one of the account's places (for a role that acts at places)"
    )
    label: str = Field(min_length=1, max_length=200, description="which scanner or script")
    days: int = Field(default=90, ge=1, le=accounts.MOST_DEVICE_DAYS)


class DeviceOut(BaseModel):
    device: str = Field(description="its id in the ledger (not the token)")
    username: str
    role: str
    place: str | None
    label: str
    issued_at: str
    expires_at: str
    revoked_at: str | None


class DeviceIssued(DeviceOut):
    access_token: str = Field(description="shown once; the service keeps only its hash")
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


class DevicesPage(BaseModel):
    devices: list[DeviceOut]
    next: int | None


class Me(BaseModel):
    username: str
    role: str
    roles: list[str]
    places: list[str]
    token: str = Field(description="login or device")
    device: str | None = Field(description="a device token's id in the ledger")
    permissions: list[str]


class Role(BaseModel):
    role: str
    description: str
    permissions: list[str]
    place_kinds: list[str] = Field(
        description="the kinds of place it acts at (unit, warehouse, forensics, plant); "
        "an account acts only at the places assigned to it, of these kinds"
    )
    reads: str = Field(
        description="where it reads, if it holds read: `everywhere`, or `its places` (items "
        "there or on the road to them, transfers from or to them, batches burnt there; "
        "anything elsewhere is answered 404 as unknown: docs/access.md)"
    )


def _device(device: Device) -> DeviceOut:
    return DeviceOut(
        device=device.id,
        username=device.account,
        role=device.role,
        place=device.place,
        label=device.label,
        issued_at=device.issued_at,
        expires_at=device.expires_at,
        revoked_at=device.revoked_at,
    )


@router.post("/auth/token", response_model=TokenOut)
async def login(
    request: Request, response: Response, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """Exchange a username and password for a short-lived bearer token. The first success
    from a device sets a `custody_device` cookie: sent back with later logins, it keeps the
    device's own failure budget apart from a stranger's (api.access.throttle)."""
    address = request.client.host if request.client else "unknown"
    accounts = accounts_of(request)
    # Argon2id takes tens of milliseconds of CPU on purpose: not on the event loop.
    issued = await run_in_threadpool(
        accounts.login, form.username, form.password, address, device_cookie.presented(request)
    )
    device_cookie.remember(response, request, issued, accounts.config.login_known_days)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in, role=issued.role)


@router.post("/auth/revoke", status_code=204)
async def logout(request: Request, caller: Caller) -> Response:
    """Revoke the login token this request carries (a device token is revoked by an
    administrator: POST /auth/devices/{device}/revoke)."""
    # Writes go off the loop: on SQLite they may wait for another server process's write.
    await run_in_threadpool(accounts_of(request).logout, caller)
    return Response(status_code=204)


@router.post("/auth/devices", response_model=DeviceIssued, status_code=201)
async def issue_device(request: Request, caller: Admin, body: DeviceIn) -> DeviceIssued:
    """A device token for a barcode scanner or a script (administrators only): bound to an
    account, one of its roles and one of its places, until it expires. Its issue is a
    `device_token_issued` entry; the token itself is shown once and kept only as its hash."""
    system = system_of(request)
    token, device = await run_in_threadpool(
        accounts.issue_device,
        system.process,
        caller.username,
        body.username,
        body.role,
        body.place,
        body.label,
        dt.timedelta(days=body.days),
    )
    return DeviceIssued(**_device(device).model_dump(), access_token=token)


@router.get("/auth/devices", response_model=DevicesPage)
async def list_devices(
    request: Request,
    _: Admin,
    username: str | None = None,
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> DevicesPage:
    """Every device token the ledger records (or one account's), revoked ones too."""
    with system_of(request).ledger.database.read() as conn:
        found = accounts.all_devices(conn, username)
    shown, following = paging.page(found, offset, limit)
    return DevicesPage(devices=[_device(d) for d in shown], next=following)


@router.post("/auth/devices/{device}/revoke", status_code=204)
async def revoke_device(request: Request, caller: Admin, device: str) -> Response:
    """Revoke one device token (a `device_token_revoked` entry); it stops at once here."""
    system = system_of(request)
    await run_in_threadpool(accounts.revoke_device, system.process, caller.username, device)
    accounts_of(request).forget_device(device)
    return Response(status_code=204)


@router.get("/auth/me", response_model=Me)
async def me(caller: Caller) -> Me:
    permissions = set().union(*(ROLES[r] for r in caller.roles if r in ROLES))
    return Me(
        username=caller.username,
        role=caller.role,
        roles=list(caller.roles),
        places=list(caller.places),
        token=caller.kind,
        device=caller.device,
        permissions=sorted(permissions),
    )


def _reads(role: str) -> str:
    """Where `role` reads (workflows.reading): everywhere, at its places, or (a role without
    `read`: the administrator) only the registers it keeps."""
    if role in READS_EVERYWHERE:
        return "everywhere"
    return "its places" if READ in ROLES[role] else "the registers"


@router.get("/roles", response_model=list[Role])
async def roles() -> list[Role]:
    """Who may do what, where: every role, its permissions (a writing permission is named
    for the ledger entry kind it writes), the kinds of place it acts at, and where it reads."""
    return [
        Role(
            role=role,
            description=DESCRIPTIONS[role],
            permissions=sorted(permissions),
            place_kinds=sorted(PLACE_KINDS[role]),
            reads=_reads(role),
        )
        for role, permissions in ROLES.items()
    ]
