"""The errors of the ways in, beside the ledger's and the process's (api/problems.py maps
them all to problem+json).

    ApiError                  (a CustodyError)
    ├── Unauthenticated       no token, or one unknown, expired or revoked: 401
    ├── Forbidden             a valid user whose role does not hold the permission: 403
    │   └── NotYours          a notice acknowledged by someone it was not written to: 403
    ├── Throttled             too many failed logins for the account or the address: 429
    ├── AccountError          an account that cannot be made or changed as asked: 422
    ├── IdempotencyConflict   an Idempotency-Key sent again with another request: 422
    ├── MalformedIdempotencyKey an Idempotency-Key that is not 1-256 printable ASCII characters: 400
    ├── TooLarge              an upload over CUSTODY_UPLOAD_MAX_BYTES: 413
    └── UnsupportedMediaType  a JSON body sent as another type (text/plain), or untyped: 415
"""

from __future__ import annotations

from collections.abc import Sequence

from custody.errors import CustodyError


class ApiError(CustodyError):
    """Base of the errors of the ways in."""


class Unauthenticated(ApiError):
    pass


class Forbidden(ApiError):
    """`roles`: the role (or every role) the caller holds, none of which holds `permission`;
    an account left with no role (all withdrawn) is told so, not "the role  may not"."""

    def __init__(self, roles: str | Sequence[str], permission: str) -> None:
        held = [r for r in ([roles] if isinstance(roles, str) else roles) if r]
        self.role, self.permission = (held[0] if held else ""), permission
        if not held:
            said = f"the account holds no role that may do {permission}"
        elif len(held) == 1:
            said = f"the role {held[0]} may not do {permission}"
        else:
            said = f"none of the roles {', '.join(held)} may do {permission}"
        super().__init__(said)


class NotYours(Forbidden):
    """A notice written to someone else: each person acknowledges their own (issue 19; the
    notice's person is not named). `roles`: those the caller holds, as for Forbidden."""

    MESSAGE = "a notice is acknowledged only by the person it was written to"

    def __init__(self, roles: str | Sequence[str]) -> None:
        held = [r for r in ([roles] if isinstance(roles, str) else roles) if r]
        self.role, self.permission = (held[0] if held else ""), "acknowledge"
        ApiError.__init__(self, self.MESSAGE)


class Throttled(ApiError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


class AccountError(ApiError, ValueError):
    pass


class IdempotencyConflict(ApiError):
    pass


class MalformedIdempotencyKey(ApiError):
    """An Idempotency-Key that is not one: empty, too long or unprintable."""


class TooLarge(ApiError):
    """An upload over the size limit: 413."""


class UnsupportedMediaType(ApiError):
    """A route that takes JSON sent a body of another Content-Type, or of none: 415
    (api.http.strict_json.check_media_type); the message names the type expected."""
