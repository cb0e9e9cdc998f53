"""Settings of the process, from the environment (CUSTODY_*) like the ledger's.

CUSTODY_PHOTO_STEPS              steps at which a firearm needs a photo with its marking
                                 visible (R10), comma-separated; default item_registered,
                                 cut, melted
CUSTODY_WEIGHT_TOLERANCE_G       the charge of a furnace or bunker may differ from the sum of
CUSTODY_WEIGHT_TOLERANCE_PERCENT its items' weights by the larger of these (default 200 g
                                 and 1 %); beyond it the statement is blocked until resolved
CUSTODY_RECORD_HORIZON           the earliest date a decision may bear and a commission
                                 membership may start (default 1991-12-16, the day the
                                 Republic's independence was declared): older is a typo
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ProcessConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTODY_", env_file=".env", extra="ignore")

    photo_steps: Annotated[frozenset[str], NoDecode] = frozenset(
        {"item_registered", "cut", "melted"}
    )
    weight_tolerance_g: int = Field(default=200, ge=0)
    weight_tolerance_percent: float = Field(default=1.0, ge=0)
    record_horizon: dt.date = dt.date(1991, 12, 16)

    @field_validator("photo_steps", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    def tolerance_g(self, expected_g: int) -> int:
        """How far a charge may be from the items' weights without a discrepancy."""
        return max(self.weight_tolerance_g, round(expected_g * self.weight_tolerance_percent / 100))
