"""Who is asking, and may they: FastAPI dependencies over api.access.login and api.access.roles."""

from __future__ import annotations

from typing import Annotated

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


class Required(OAuth2PasswordBearer):
    """A route's permission as one dependency: the bearer token read, its caller found, the
    permission checked (Forbidden, 403), and `admin` let through only with a login token
    (AccessRefused BY_DEVICE, 403); with `everywhere`, only for a caller that reads every
    place (AccessRefused EVERY_PLACE, 403). Unauthenticated (401) without a token.

    The token scheme itself, not a dependency on it: /openapi.json shows the same
    OAuth2PasswordBearer scheme on each route, and a request resolves one dependency, not
    three (each level cost an item read its share: bench/api.py)."""

    def __init__(self, permission: str, everywhere: bool = False) -> None:
        super().__init__(
            tokenUrl="/auth/token", scheme_name="OAuth2PasswordBearer", auto_error=False
        )
        self.permission, self.everywhere = permission, everywhere

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        token = await super().__call__(request)
        if not token:
            raise Unauthenticated("log in first: send Authorization: Bearer <token>")
        caller = accounts_of(request).principal(token)
        if not may_any(caller.roles, self.permission):
            raise Forbidden(caller.roles, self.permission)
        if self.permission == ADMIN and caller.kind != LOGIN:
            raise AccessRefused(BY_DEVICE)
        if self.everywhere and scope_of(caller) is not None:
            raise AccessRefused(EVERY_PLACE)
        return caller


def require(permission: str) -> Required:
    """The dependency letting a request through only for a role holding `permission`
    (Required)."""
    return Required(permission)


EVERY_PLACE = (
    "this read holds every place together (the whole log, a report); it is for the "
    "roles that read everywhere (the auditor): staff read at their places"
)


def require_everywhere(permission: str) -> Required:
    """As `require`, and only for a caller that reads every place (api.access.reading):
    reads that cannot be cut to some places (the log's bodies by seq, the reports counted at
    a checkpoint) are refused to a place reader, 403 (AccessRefused EVERY_PLACE)."""
    return Required(permission, everywhere=True)
