"""Each account's language and time zone, remembered for its pages (table web_preferences)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import delete
from sqlalchemy.engine import Connection

from api.errors import AccountError
from api.tables import PreferenceRow
from api.web.i18n import LANGUAGES
from api.zones import canonical
from workflows.errors import InvalidRequest

_PREFERENCES = PreferenceRow.__table__  # type: ignore[attr-defined]
ZONE = "Asia/Almaty"


@dataclass(frozen=True)
class Preferences:
    name: str  # the person's name, from the account
    language: str | None  # None until chosen
    timezone: str
    # What a page drawn from the state shows changes only with these: the ledger's size
    # (every state table is written with its entries) and the person's open notices (count,
    # newest id). A page kept under a version is current while the version is.
    version: tuple[int, int, int] = (0, 0, 0)


# One indexed look-up per page, on the driver like the token's (api.access.tokens).
# The name is the ledger's account's (workflows.accounts); the service keeps no copy.
_READ = (
    "SELECT a.data, p.language, p.timezone, "
    "(SELECT size FROM ledger_head WHERE id = 1), "
    "(SELECT COUNT(*) FROM api_notices n WHERE n.person = a.id AND n.acknowledged_at IS NULL), "
    "(SELECT MAX(id) FROM api_notices n WHERE n.person = a.id AND n.acknowledged_at IS NULL) "
    "FROM wf_accounts a LEFT JOIN web_preferences p ON p.username = a.id WHERE a.id = ?"
)


def of(conn: Connection, username: str, default_zone: str = ZONE) -> Preferences:
    postgres = conn.dialect.name == "postgresql"
    raw = conn.connection.driver_connection
    row = raw.execute(_READ.replace("?", "%s") if postgres else _READ, (username,)).fetchone()  # type: ignore[union-attr]
    if row is None:
        return Preferences(username, None, default_zone)
    version = (int(row[3] or 0), int(row[4] or 0), int(row[5] or 0))
    name = str(orjson.loads(row[0])["name"])
    return Preferences(name, row[1], row[2] or default_zone, version)


def check_zone(zone: str) -> str:
    """The canonical IANA name of `zone` (a link is taken as its zone, api.zones); AccountError
    for a posix/ or right/ name or one no zone has."""
    try:
        return canonical(zone)
    except InvalidRequest as exc:
        raise AccountError(f"unknown time zone {zone[:64]!r}") from exc


def save(conn: Connection, username: str, language: str, timezone: str) -> None:
    if language not in LANGUAGES:
        raise AccountError(f"no language {language!r}: {', '.join(LANGUAGES)}")
    timezone = check_zone(timezone)
    conn.execute(delete(_PREFERENCES).where(_PREFERENCES.c.username == username))
    conn.execute(
        _PREFERENCES.insert().values(username=username, language=language, timezone=timezone)
    )
