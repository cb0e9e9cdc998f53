"""Logging in and out, and device tokens: the account side of the service, on the database
alone (the ledger is not involved: who did what is recorded by the entries themselves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from api.access import accounts, throttle, tokens
from api.access.passwords import check_password, waste_time
from api.access.token_cache import TokenCache
from api.access.tokens import DEVICE, LOGIN, Principal
from api.config import ApiConfig
from api.errors import Throttled, Unauthenticated
from custody.clock import Clock, format_time
from custody.db import Database

WRONG = "wrong username or password, or the account is disabled"


@dataclass(frozen=True)
class Issued:
    token: str
    role: str
    expires_in: int | None  # seconds; None for a device token


class Accounts:
    def __init__(self, database: Database, config: ApiConfig, clock: Clock) -> None:
        self.database, self.config, self.clock = database, config, clock
        self.cache = TokenCache()

    def login(self, username: str, password: str, address: str) -> Issued:
        """A token for the right password, unless the throttle holds the attempt back
        (Throttled, recorded). The attempt is admitted before its password is checked, so
        parallel guesses cannot all pass one count (api.access.throttle)."""
        with self.database.write(lock=False) as conn:
            admission = throttle.admit(conn, username, address, self.clock(), self.config)
        if admission.retry_after:
            raise Throttled(admission.retry_after)
        with self.database.read() as conn:
            found = accounts.find(conn, username)
        if found is None:
            waste_time(password)
        user = found[0] if found is not None and check_password(found[1], password) else None
        if user is not None and user.disabled:
            user = None
        now = self.clock()
        lifetime = dt.timedelta(seconds=self.config.token_seconds)
        with self.database.write(lock=False) as conn:
            throttle.settle(conn, admission, user is not None, now, self.config)
            if user is not None:
                token = tokens.issue(conn, user.username, user.role, LOGIN, now, lifetime)
        if user is None:  # raised once the failure is committed
            raise Unauthenticated(WRONG)
        return Issued(token, user.role, self.config.token_seconds)

    def alerts(self, limit: int) -> list[throttle.Alert]:
        with self.database.read() as conn:
            return throttle.alerts(conn, limit)

    def device_token(self, principal: Principal, label: str) -> Issued:
        """A lasting token for a scanner or script, bound to the account and its role."""
        with self.database.write(lock=False) as conn:
            token = tokens.issue(
                conn, principal.username, principal.role, DEVICE, self.clock(), None, label
            )
        return Issued(token, principal.role, None)

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

    def logout(self, principal: Principal) -> None:
        with self.database.write(lock=False) as conn:
            tokens.revoke(conn, principal.token_hash, self.clock())
        self.cache.drop(token_hash=principal.token_hash)

    def forget_user(self, username: str) -> None:
        """After an account is disabled here: its cached tokens go at once."""
        self.cache.drop(username=username)
