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
from custody.entries import EntryBody, validate
from custody.errors import CustodyError
from custody.store import Store
from workflows.errors import InvalidRequest
from workflows.reports import annual, compliance, reconciliation
from workflows.reports.period import Period, days, year
from workflows.reports.tally import Tally

KINDS = ("annual", "compliance", "reconciliation")
CHUNK = 5000


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
        """The request a report was made for, from its own JSON. Raises InvalidRequest."""
        try:
            kind, zone = report["report"], report["time_zone"]
            if kind == "annual":
                return cls.annual(int(report["year"]), zone, report.get("place"))
            first = dt.date.fromisoformat(report["from"])
            return cls.between(kind, first, dt.date.fromisoformat(report["to"]), zone)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequest(f"not a report of custody: {exc}") from exc


def read_bodies(database: Database, size: int) -> Iterator[EntryBody]:
    """The entry bodies of seq 0 .. size-1, in order, a chunk per read."""
    for start in range(0, size, CHUNK):
        with database.read() as conn:
            rows = Store(conn).entries(start, min(start + CHUNK, size))
        for entry in rows:
            yield validate(orjson.loads(entry.body))


def compute(bodies: Iterator[EntryBody], request: ReportRequest) -> tuple[dict[str, Any], Tally]:
    """The report's figures over `bodies` (seq 0 on, in order), and what lies behind them."""
    if request.kind == "annual":
        tally = annual.fold(bodies, request.period)
        return annual.report(tally, request.period, request.place), tally
    if request.kind == "compliance":
        return compliance.report(compliance.fold(bodies), request.period)
    if request.kind == "reconciliation":
        return reconciliation.report(reconciliation.fold(bodies, request.period))
    raise InvalidRequest(f"no report {request.kind!r}: choose {', '.join(KINDS)}")


def at_checkpoint(
    database: Database, request: ReportRequest, checkpoint: Checkpoint
) -> tuple[dict[str, Any], Tally]:
    """The report over the entries the checkpoint covers, with the checkpoint named in it."""
    figures, tally = compute(read_bodies(database, checkpoint.size), request)
    return {**figures, "checkpoint": checkpoint.to_json()}, tally
