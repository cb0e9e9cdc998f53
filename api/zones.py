"""Time zone names a request may give: the IANA database's own zones, by their canonical
names. A link (an alias, e.g. Asia/Calcutta, US/Eastern) is taken as the zone it links to; the
`posix/` and `right/` trees, a name no zone has, and one too long are refused. So a renderer
that makes one statement per zone (GET /batches/{id}/statement.pdf?tz=) makes at most one per
real zone, not one per spelling (issue 12: 599 names, and posix/ and right/ copies, each a
new render and a new file in the cache).

The zones and links are read from the tzdata.zi the system's time zone database ships
(`Z name ...` and `L target link` lines, zoneinfo.TZPATH); where there is none, every name
zoneinfo knows outside posix/ and right/ is taken as it is.
"""

from __future__ import annotations

import functools
import zoneinfo
from pathlib import Path

from workflows.errors import InvalidRequest

MOST_CHARS = 64
_TREES = ("posix/", "right/")


@functools.cache
def _names() -> tuple[frozenset[str], dict[str, str]]:
    """(canonical zone names, link -> the canonical zone it names)."""
    for root in zoneinfo.TZPATH:
        source = Path(root) / "tzdata.zi"
        if not source.is_file():
            continue
        zones: set[str] = set()
        links: dict[str, str] = {}
        for line in source.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0] == "Z":
                zones.add(fields[1])
            elif len(fields) == 3 and fields[0] == "L":
                links[fields[2]] = fields[1]
        if zones:
            zones.add("UTC")  # the usual spelling of Etc/UTC, kept as it is given
            links.pop("UTC", None)
            return frozenset(zones), {k: v for k, v in links.items() if v in zones}
    known = zoneinfo.available_timezones()
    return frozenset(z for z in known if not z.startswith(_TREES)), {}


def canonical(name: str) -> str:
    """The canonical IANA name of the zone `name` gives (itself, or the zone a link names);
    InvalidRequest for posix/ and right/ names, unknown names and names over 64 characters."""
    if len(name) > MOST_CHARS or name.startswith(_TREES):
        raise InvalidRequest(f"unknown time zone {name[:MOST_CHARS]!r}: give an IANA zone name")
    zones, links = _names()
    found = name if name in zones else links.get(name)
    if found is None:
        raise InvalidRequest(f"unknown time zone {name!r}: give an IANA zone name")
    return found
