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
from api.errors import AccountError, Unauthenticated
from custody.clock import Clock, format_time
from custody.db import Database

WRONG = "wrong username or password, or the account is disabled"


@dataclass(frozen=True)
class Issued:
    token: str
    role: str
    expires_in: int  # seconds


class Accounts:
    def __init__(self, database: Database, config: ApiConfig, clock: Clock) -> None:
        self.database, self.config, self.clock = database, config, clock
        self.cache = TokenCache()

    def login(self, username: str, password: str, address: str) -> Issued:
        now = self.clock()
        with self.database.read() as conn:
            throttle.check(conn, username, address, now, self.config)
            found = accounts.find(conn, username)
        hashed = found[1] if found is not None else None
        if hashed is None:
            waste_time(password)
        user_ok = found is not None and not found[0].disabled
        if found is None or hashed is None or not check_password(hashed, password) or not user_ok:
            with self.database.write(lock=False) as conn:
                throttle.record_failure(conn, username, address, now)
            raise Unauthenticated(WRONG)
        account = found[0]
        lifetime = dt.timedelta(seconds=self.config.token_seconds)
        window = dt.timedelta(minutes=self.config.login_window_minutes)
        with self.database.write(lock=False) as conn:
            throttle.forget(conn, username, now, window)
            token = tokens.issue(conn, account.id, LOGIN, now, format_time(now + lifetime))
        role = account.roles[0] if account.roles else ""
        return Issued(token, role, self.config.token_seconds)

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
