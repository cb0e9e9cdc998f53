"""Settings of the notices, from the environment (CUSTODY_*) like the others'.

CUSTODY_SMTP_URL                  the mail server: smtp://[user:password@]host[:port]
                                  (add ?starttls=1 to upgrade) or smtps://...; unset, notices
                                  are written and shown but not e-mailed
CUSTODY_NOTICE_FROM               the sender's address (default custody@localhost)
CUSTODY_NOTICE_INTERVAL_SECONDS   how often `custody serve` runs a pass (default 60)
CUSTODY_NOTICE_LEASE_SECONDS      how long a worker holds the notices it is sending before
                                  another may take them over (default 120)
CUSTODY_SMTP_TIMEOUT_SECONDS      how long to wait for the mail server (default 30)
(When notices go, and to whom: CUSTODY_NOTICE_DUE_SOON_HOURS, CUSTODY_NOTICE_ACK_HOURS in
workflows.config.)
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NoticeConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTODY_", env_file=".env", extra="ignore")

    smtp_url: str = ""
    notice_from: str = "custody@localhost"
    notice_interval_seconds: float = Field(default=60, gt=0, le=24 * 3600)
    notice_lease_seconds: float = Field(default=120, gt=0, le=24 * 3600)
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=600)
    notice_batch: int = Field(default=500, ge=1, le=10_000)
