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
from api.errors import Unauthenticated
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
        now = self.clock()
        with self.database.read() as conn:
            throttle.check(conn, username, address, now, self.config)
            found = accounts.find(conn, username)
        if found is None:
            waste_time(password)
        user_ok = found is not None and not found[0].disabled
        if found is None or not check_password(found[1], password) or not user_ok:
            with self.database.write(lock=False) as conn:
                throttle.record_failure(conn, username, address, now)
            raise Unauthenticated(WRONG)
        user = found[0]
        lifetime = dt.timedelta(seconds=self.config.token_seconds)
        window = dt.timedelta(minutes=self.config.login_window_minutes)
        with self.database.write(lock=False) as conn:
            throttle.forget(conn, username, now, window)
            token = tokens.issue(conn, user.username, user.role, LOGIN, now, lifetime)
        return Issued(token, user.role, self.config.token_seconds)

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
