"""Settings of the process, from the environment (CUSTODY_*) like the ledger's.

CUSTODY_PHOTO_STEPS              steps at which a firearm needs a photo with its marking
                                 visible (R10), comma-separated; default item_registered,
                                 cut, melted
CUSTODY_WEIGHT_TOLERANCE_G       the charge of a furnace or bunker may differ from the sum of
CUSTODY_WEIGHT_TOLERANCE_PERCENT its items' weights by the larger of these (default 200 g
                                 and 1 %); beyond it the statement is blocked until resolved
CUSTODY_TIMEZONE                 the zone days are counted in at a place that names none and
                                 whose region is not one of Kazakhstan's (default Asia/Almaty)
CUSTODY_LATE_ENTRY_DAYS          a decision, appeal, suspension or finality entered more than
                                 this many days after its own date is entered late (default 3)
CUSTODY_NOTICE_DUE_SOON_HOURS    a due-soon notice goes this long before the due time (24)
CUSTODY_NOTICE_ACK_HOURS         an overdue notice not acknowledged this long after it was
                                 sent goes to the next level up (24)
CUSTODY_LONG_PAUSE_DAYS          an appeal or suspension that has stopped R1's clock longer than
                                 this many days is said in the deadline's reasons and told to the
                                 unit's supervisor (default 60; fix19f M3)
CUSTODY_TRANSIT_HOURS            the transit watch (not a rule of the law): a transfer not
                                 received this many hours of elapsed time after it was sent
                                 is overdue, on the sending place's list (default 72: 3 days);
                                 written into each `transfer_sent` entry, so that a replay
                                 needs no settings and a change applies to transfers sent after
                                 it
CUSTODY_RECORD_HORIZON           the earliest date a decision may bear and a commission
                                 membership may start (default 1991-12-16, the day the
                                 Republic's independence was declared): older is a typo
CUSTODY_RECIPIENT_SECRET         the service's secret that keys the hash a compensation's
                                 recipient is recorded by (HMAC-SHA-256 of their national
                                 identity number, R14); at least 32 bytes; no payment is
                                 written without it. Never logged, never in the ledger
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ProcessConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTODY_", env_file=".env", extra="ignore")

    photo_steps: Annotated[frozenset[str], NoDecode] = frozenset(
        {"item_registered", "cut", "melted"}
    )
    weight_tolerance_g: int = Field(default=200, ge=0)
    weight_tolerance_percent: float = Field(default=1.0, ge=0)
    timezone: str = "Asia/Almaty"
    late_entry_days: int = Field(default=3, ge=0, le=3650)
    notice_due_soon_hours: float = Field(default=24, ge=0, le=24 * 30)
    notice_ack_hours: float = Field(default=24, gt=0, le=24 * 30)
    long_pause_days: int = Field(default=60, ge=1, le=3650)
    transit_hours: int = Field(default=72, ge=1, le=24 * 90)
    record_horizon: dt.date = dt.date(1991, 12, 16)
    recipient_secret: SecretStr | None = Field(default=None, min_length=32)

    @field_validator("photo_steps", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    def tolerance_g(self, expected_g: int) -> int:
        """How far a charge may be from the items' weights without a discrepancy."""
        return max(self.weight_tolerance_g, round(expected_g * self.weight_tolerance_percent / 100))
