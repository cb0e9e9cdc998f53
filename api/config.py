"""Settings of the service, from the environment (CUSTODY_*) like the ledger's.

CUSTODY_TOKEN_SECONDS              how long a login's bearer token lasts (default 1800)
CUSTODY_UPLOAD_MAX_BYTES           the largest photo, scan or video accepted (default 64 MiB)
CUSTODY_REQUEST_MAX_BYTES          the largest body of any other request (default 16 MiB)
CUSTODY_JSON_MAX_DEPTH             how deep a request's JSON may nest (default 32)
CUSTODY_LOGIN_FAILURES_PER_ACCOUNT failed logins allowed per account and per address within
CUSTODY_LOGIN_FAILURES_PER_ADDRESS the window before further tries must wait (429)
CUSTODY_LOGIN_WINDOW_MINUTES       (defaults 5, 20 and 15 minutes)
CUSTODY_LOGIN_DELAY_SECONDS        the first wait at the limit, doubled with each failure
                                   beyond it up to the window (default 30)
CUSTODY_LOGIN_KNOWN_DAYS           how long an address a user logged in from stays theirs:
                                   others' failures do not hold it back (default 90)
CUSTODY_PASSWORD_STRENGTH          Argon2id cost: interactive (default), moderate or sensitive
CUSTODY_WORKERS                    server processes `custody serve` runs (default: one per core)
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTODY_", env_file=".env", extra="ignore")

    token_seconds: int = Field(default=1800, ge=1, le=24 * 3600)
    # A browser session's token is renewed for token_seconds more as it is used (sliding
    # expiry), never beyond this many seconds after its login (the absolute cap).
    session_max_seconds: int = Field(default=12 * 3600, ge=1, le=7 * 24 * 3600)
    upload_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    request_max_bytes: int = Field(default=16 * 1024 * 1024, ge=64 * 1024)
    json_max_depth: int = Field(default=32, ge=8, le=200)
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_delay_seconds: int = Field(default=30, ge=1)
    login_known_days: int = Field(default=90, ge=1)
    password_strength: Literal["interactive", "moderate", "sensitive"] = "interactive"  # noqa: S105
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
