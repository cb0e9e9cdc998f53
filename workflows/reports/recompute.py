"""A report at a checkpoint: the entries up to the checkpoint's size, read from a database and
folded by the report's module; and the request a report records, so that `custody
verify-report` can compute the same report again from the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from custody.checkpoint import parse_note
from custody.db import Database
from custody.entries import EntryBody
from custody.errors import CustodyError
from custody.ledger import Ledger
from custody.store import Store
from workflows.errors import InvalidRequest
from workflows.heap import collector_paused
from workflows.reports import annual, compliance, reconciliation
from workflows.reports.figures import flatten
from workflows.reports.period import Period, days, year, zone_info
from workflows.reports.tally import Tally

KINDS = ("annual", "compliance", "reconciliation")
# The entry kinds each report's fold reads (None: all; the process's fold reads them all).
_KINDS: dict[str, frozenset[str] | None] = {
    "annual": annual.KINDS,
    "compliance": None,
    "reconciliation": reconciliation.KINDS,
}
CHUNK = 20_000
_KIND = b',"kind":"'


@dataclass(frozen=True)
class Checkpoint:
    """The signed checkpoint a report is computed at: its size, root (hex) and note text."""

    size: int
    root: str
    note: str

    @classmethod
    def from_note(cls, text: str) -> Checkpoint:
        """Raises InvalidRequest for text that is not a checkpoint note."""
        try:
            body, _ = parse_note(text)
        except CustodyError as exc:
            raise InvalidRequest(f"not a signed checkpoint: {exc}") from exc
        return cls(body.size, body.root.hex(), text)

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "root": self.root, "note": self.note}


@dataclass(frozen=True)
class ReportRequest:
    """Which report, over which period, in which zone, for which place (annual only)."""

    kind: str
    period: Period
    place: str | None = None

    @classmethod
    def annual(cls, number: int, zone: str, place: str | None = None) -> ReportRequest:
        return cls("annual", year(number, zone), place)

    @classmethod
    def between(cls, kind: str, first: dt.date, last: dt.date, zone: str) -> ReportRequest:
        if kind not in ("compliance", "reconciliation"):
            raise InvalidRequest(f"no report {kind!r} over a period")
        return cls(kind, days(first, last, zone))

    @classmethod
    def of(cls, report: dict[str, Any]) -> ReportRequest:
        """The request a report was made for, from its own JSON: `report` (one of KINDS),
        `time_zone` (a zone of the tz database), and `year` (a whole number) and `place`
        (null or text) of an annual report, or `from` and `to` (days, YYYY-MM-DD) of the
        others. Raises InvalidRequest naming the first field that is not so."""
        kind = _field(report, "report", str)
        if kind not in KINDS:
            raise InvalidRequest(f'field "report": {kind!r} is not one of {", ".join(KINDS)}')
        zone = _field(report, "time_zone", str)
        try:
            zone_info(zone)
        except InvalidRequest as exc:
            raise InvalidRequest(f'field "time_zone": {exc}') from exc
        if kind == "annual":
            place = report.get("place")
            if place is not None and not isinstance(place, str):
                raise InvalidRequest(f'field "place": {_kind(place)}, not text or null')
            number = _field(report, "year", int)
            try:
                return cls.annual(number, zone, place)
            except InvalidRequest as exc:
                raise InvalidRequest(f'field "year": {exc}') from exc
        first, last = (_day(report, name) for name in ("from", "to"))
        try:
            return cls.between(kind, first, last, zone)
        except InvalidRequest as exc:
            raise InvalidRequest(f'fields "from" and "to": {exc}') from exc


def _field(report: dict[str, Any], name: str, kind: type[Any]) -> Any:
    """report[name] when it is of `kind` (a boolean is not an int); else InvalidRequest."""
    if name not in report:
        raise InvalidRequest(f'field "{name}" is missing: not a report of custody')
    value = report[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        wanted = {str: "text", int: "a whole number"}[kind]
        raise InvalidRequest(f'field "{name}": {_kind(value)}, not {wanted}')
    return value


def _day(report: dict[str, Any], name: str) -> dt.date:
    text = _field(report, name, str)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidRequest(f'field "{name}": {text[:40]!r} is not a day (YYYY-MM-DD)') from exc


def _kind(value: Any) -> str:
    """A JSON value, named for a message (its text cut short)."""
    shown = repr(value)
    return f"{type(value).__name__} {shown[:40]}{'…' if len(shown) > 40 else ''}"


def kind_of(body: bytes) -> bytes:
    """The entry's kind, read from its canonical bytes without parsing them. RFC 8785 sorts
    the members (actor, data, item, item_prev, kind, prev, seq, time), and what follows
    `kind` (hashes, a number, a time) holds no quote; a `"kind":"` inside `data` comes
    earlier, and inside a string its quotes would be escaped. So the last one is the body's."""
    start = body.rfind(_KIND) + len(_KIND)
    return body[start : body.index(b'"', start)]


def read_bodies(
    database: Database, size: int, kinds: frozenset[str] | None = None
) -> Iterator[EntryBody]:
    """The entry bodies of seq 0 .. size-1, in order, a chunk per read; with `kinds`, only
    the entries of those kinds (the others are not parsed). The bodies are taken as stored:
    `custody verify-report` verifies them first."""
    wanted = None if kinds is None else {kind.encode() for kind in kinds}
    loads, new, mark, skip = orjson.loads, object.__new__, _KIND, len(_KIND)
    for start in range(0, size, CHUNK):
        with database.read() as conn:
            rows = Store(conn).bodies(start, min(start + CHUNK, size))
        for (stored,) in rows:
            if wanted is not None:
                at = stored.rfind(mark) + skip
                if stored[at : stored.index(b'"', at)] not in wanted:
                    continue
            # The parsed object has exactly the body's fields (DESIGN §5), which are
            # EntryBody's: taken over whole, without the frozen dataclass's eight setattrs.
            body = new(EntryBody)
            body.__dict__.update(loads(stored))
            yield body


def compute(bodies: Iterator[EntryBody], request: ReportRequest) -> tuple[dict[str, Any], Tally]:
    """The report's figures over `bodies` (seq 0 on, in order), and what lies behind them."""
    if request.kind == "annual":
        year = annual.folded(bodies, request.period)
        shown = annual.report(year.tally, request.period, request.place, year.campaigns)
        return shown, year.tally
    if request.kind == "compliance":
        return compliance.report(compliance.fold(bodies), request.period)
    if request.kind == "reconciliation":
        return reconciliation.report(reconciliation.fold(bodies, request.period))
    raise InvalidRequest(f"no report {request.kind!r}: choose {', '.join(KINDS)}")


def at_checkpoint(
    database: Database, request: ReportRequest, checkpoint: Checkpoint
) -> tuple[dict[str, Any], Tally]:
    """The report over the entries the checkpoint covers, with the checkpoint named in it."""
    kinds = _KINDS[request.kind]
    with collector_paused():  # a million amounts kept behind the figures (workflows.heap)
        figures, tally = compute(read_bodies(database, checkpoint.size, kinds), request)
    return {**figures, "checkpoint": checkpoint.to_json()}, tally


def choose_checkpoint(ledger: Ledger, note: str | None = None) -> Checkpoint:
    """The checkpoint to compute at: the signed note given (it must be one of this ledger's:
    its root is the root of the ledger's first `size` entries), else a checkpoint of today's
    tree, signed now if the ledger's key is at hand, else the latest stored one.
    Raises InvalidRequest."""
    signing = note is None and ledger.signer is not None
    with ledger.database.write() if signing else ledger.database.read() as conn:
        if note is not None:
            checkpoint = Checkpoint.from_note(note)
            size = ledger.head(conn).size
            if checkpoint.size > size or checkpoint.size == 0:
                raise InvalidRequest(
                    f"the checkpoint covers {checkpoint.size} entries; the ledger has {size}"
                )
            if ledger.root(conn, checkpoint.size).hex() != checkpoint.root:
                raise InvalidRequest("the checkpoint's root is not this ledger's at its size")
            return checkpoint
        stored = ledger.issue_checkpoint(conn) if signing else ledger.latest_checkpoint(conn)
    if stored is None:
        raise InvalidRequest("the ledger has no signed checkpoint yet: run `custody checkpoint`")
    return Checkpoint.from_note(stored.note)


def explain(
    report: dict[str, Any], tally: Tally, figure: str
) -> list[tuple[str | None, int, float]]:
    """The subjects and entry seqs behind one figure of `report`, by its path. Raises
    InvalidRequest for a path that is not a figure of the report."""
    if figure not in dict(flatten(report)) and figure not in tally.behind:
        raise InvalidRequest(f"the report has no figure {figure!r}")
    place = report.get("place")
    path = f"by_place.{place}.{figure}" if place and not figure.startswith("by_place.") else figure
    return list(tally.behind.get(path, []))
