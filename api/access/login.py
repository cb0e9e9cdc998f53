"""Logging in and out: a password exchanged for a short-lived token that acts with the
account's roles and places as the ledger says them (device tokens, which an administrator
issues, are in api.access.accounts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from api.access import accounts, throttle, tokens
from api.access.passwords import check_password, waste_time
from api.access.token_cache import TokenCache
from api.access.tokens import DEVICE, LOGIN, Principal
from api.config import ApiConfig
from api.errors import AccountError, Throttled, Unauthenticated
from custody.clock import Clock, format_time
from custody.db import Database
from workflows.accounts import USERNAME

ADDRESS_CHARS = 64  # an IPv6 address with a zone is at most 45; kept bounded all the same
WRONG = "wrong username or password, or the account is disabled"


@dataclass(frozen=True)
class Issued:
    token: str
    role: str
    expires_in: int  # seconds
    device_cookie: str | None = None  # a new `custody_device` value to set, if one was given


class Accounts:
    def __init__(self, database: Database, config: ApiConfig, clock: Clock) -> None:
        self.database, self.config, self.clock = database, config, clock
        self.cache = TokenCache()

    def login(
        self, username: str, password: str, address: str, device_cookie: str | None = None
    ) -> Issued:
        """A token for the right password, unless the throttle holds the attempt back
        (Throttled, recorded). The attempt is admitted before its password is checked, so
        parallel guesses cannot all pass one count (api.access.throttle). `device_cookie`:
        the `custody_device` cookie the request carried; a success without a valid one
        gives a new one (`Issued.device_cookie`), which makes this device known.

        A username outside the grammar (workflows.accounts.USERNAME: 2-64 characters) names
        no account and never can: it is refused as a wrong login before anything is written,
        so that nobody fills the login records (or an administrator's terminal) with it."""
        if not USERNAME.fullmatch(username):
            raise Unauthenticated(WRONG)
        address = address[:ADDRESS_CHARS]
        device = throttle.device_digest(device_cookie)
        with self.database.write(lock=False) as conn:
            admission = throttle.admit(conn, username, address, self.clock(), self.config, device)
        if admission.retry_after:
            raise Throttled(admission.retry_after)
        with self.database.read() as conn:
            found = accounts.find(conn, username)
        hashed = found[1] if found is not None else None
        if hashed is None:
            waste_time(password)
        account = found[0] if found is not None else None
        if account is None or hashed is None or not check_password(hashed, password):
            account = None
        if account is not None and account.disabled:
            account = None
        now = self.clock()
        lifetime = dt.timedelta(seconds=self.config.token_seconds)
        fresh = throttle.new_device_cookie() if device is None else None
        given = throttle.device_digest(fresh)
        with self.database.write(lock=False) as conn:
            throttle.settle(conn, admission, account is not None, now, self.config, given)
            if account is not None:
                token = tokens.issue(conn, account.id, LOGIN, now, format_time(now + lifetime))
        if account is None:  # raised once the failure is committed
            raise Unauthenticated(WRONG)
        role = account.roles[0] if account.roles else ""
        return Issued(token, role, self.config.token_seconds, fresh)

    def alerts(self, limit: int) -> list[throttle.Alert]:
        with self.database.read() as conn:
            return throttle.alerts(conn, limit)

    def principal(self, token: str) -> Principal:
        hashed, now = tokens.digest(token), format_time(self.clock())
        cached = self.cache.get(hashed, now)
        if cached is not None:
            return cached
        with self.database.read() as conn:
            found = tokens.resolve(conn, hashed, now)
        if found is None:
            raise Unauthenticated("the token is unknown, expired or revoked")
        self.cache.put(*found)
        return found[0]

    def expiry(self, principal: Principal) -> str | None:
        """When the principal's token expires, as last looked up (RFC 3339 UTC)."""
        return self.cache.expiry(principal.token_hash)

    def renew(self, principal: Principal) -> str | None:
        """Sliding expiry of a browser session: its login token lives token_seconds more,
        up to session_max_seconds after login (tokens.renew). Returns the new expiry or None."""
        with self.database.write(lock=False) as conn:
            until = tokens.renew(
                conn,
                principal.token_hash,
                self.clock(),
                self.config.token_seconds,
                self.config.session_max_seconds,
            )
        if until is not None:
            self.cache.drop(token_hash=principal.token_hash)
        return until

    def logout(self, principal: Principal) -> None:
        """Revoke the login's own token. A device token is revoked by an administrator, in
        the ledger (api.access.accounts.revoke_device)."""
        if principal.kind == DEVICE:
            raise AccountError("a device token is revoked by an administrator, not by itself")
        with self.database.write(lock=False) as conn:
            tokens.revoke(conn, principal.token_hash, self.clock())
        self.cache.drop(token_hash=principal.token_hash)

    def forget_device(self, device: str) -> None:
        """After a device token is revoked here: it goes at once."""
        self.cache.drop(device=device)

    def forget_user(self, username: str) -> None:
        """After an account is disabled here: its cached tokens go at once."""
        self.cache.drop(username=username)
