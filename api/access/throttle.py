"""Failed logins, counted per account and per address over a sliding window, in the database
so that every server of one database counts the same."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Connection

from api.config import ApiConfig
from api.errors import Throttled
from api.tables import LoginFailureRow
from custody.clock import format_time, parse_time

_FAILURES = LoginFailureRow.__table__  # type: ignore[attr-defined]


def check(
    conn: Connection, username: str, address: str, now: dt.datetime, config: ApiConfig
) -> None:
    """Raise Throttled while either count is at its limit within the window."""
    since = format_time(now - dt.timedelta(minutes=config.login_window_minutes))
    for column, value, limit in (
        (_FAILURES.c.username, username, config.login_failures_per_account),
        (_FAILURES.c.address, address, config.login_failures_per_address),
    ):
        count, oldest = conn.execute(
            select(func.count(), func.min(_FAILURES.c.at)).where(
                and_(column == value, _FAILURES.c.at > since)
            )
        ).one()
        if count >= limit:
            free_at = parse_time(oldest) + dt.timedelta(minutes=config.login_window_minutes)
            raise Throttled(max(1, math.ceil((free_at - now).total_seconds())))


def record_failure(conn: Connection, username: str, address: str, now: dt.datetime) -> None:
    conn.execute(_FAILURES.insert().values(username=username, address=address, at=format_time(now)))


def forget(conn: Connection, username: str, now: dt.datetime, window: dt.timedelta) -> None:
    """After a good login: the account's failures are forgiven; old rows are dropped."""
    conn.execute(delete(_FAILURES).where(_FAILURES.c.username == username))
    conn.execute(delete(_FAILURES).where(_FAILURES.c.at <= format_time(now - window)))
