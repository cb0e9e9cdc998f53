"""Who is asking, and may they: FastAPI dependencies over api.access.login and api.access.roles."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.access.login import Accounts
from api.access.reading import scope_of
from api.access.roles import ADMIN, may_any
from api.access.tokens import LOGIN, Principal
from api.errors import Forbidden, Unauthenticated
from api.system import System
from workflows.errors import AccessRefused

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def accounts_of(request: Request) -> Accounts:
    return request.app.state.accounts  # type: ignore[no-any-return]


def system_of(request: Request) -> System:
    """The ledger and the process the app serves."""
    return request.app.state.system  # type: ignore[no-any-return]


async def principal(request: Request, token: Annotated[str | None, Depends(bearer)]) -> Principal:
    if not token:
        raise Unauthenticated("log in first: send Authorization: Bearer <token>")
    return accounts_of(request).principal(token)


Caller = Annotated[Principal, Depends(principal)]


BY_DEVICE = (
    "the registers (accounts, roles, device tokens, keys) are kept by an administrator's own "
    "login: a device token, whatever its role, is for a scanner or a script and cannot "
    "issue more"
)


def require(permission: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets the request through only for a role holding `permission`
    (Forbidden, 403); `admin` only with a login token (AccessRefused BY_DEVICE, 403).
    One level, not a dependency on `principal`: each level costs every request its share."""

    async def allowed(request: Request, token: Annotated[str | None, Depends(bearer)]) -> Principal:
        if not token:
            raise Unauthenticated("log in first: send Authorization: Bearer <token>")
        caller = accounts_of(request).principal(token)
        if not may_any(caller.roles, permission):
            raise Forbidden(caller.roles, permission)
        if permission == ADMIN and caller.kind != LOGIN:
            raise AccessRefused(BY_DEVICE)
        return caller

    allowed.__name__ = f"require_{permission}"
    return allowed


EVERY_PLACE = (
    "this read holds every place together (the whole log, a report); it is for the "
    "roles that read everywhere (the auditor): staff read at their places"
)


def require_everywhere(permission: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """As `require`, and only for a caller that reads every place (api.access.reading):
    reads that cannot be cut to some places (the log's bodies by seq, the reports counted at
    a checkpoint) are refused to a place reader, 403 (AccessRefused)."""
    allowed = require(permission)

    async def everywhere(
        request: Request, token: Annotated[str | None, Depends(bearer)]
    ) -> Principal:
        caller = await allowed(request, token)
        if scope_of(caller) is not None:
            raise AccessRefused(EVERY_PLACE)
        return caller

    everywhere.__name__ = f"require_{permission}_everywhere"
    return everywhere
