"""The dashboard's figures, counted by SQL over the state tables (the fold of the ledger),
and the lists behind them, read with the same conditions so that a figure and its list agree.

Figures (all at the reader's places; `places` None is every place):
- items by place and state: wf_items grouped by (location, state);
- overdue deadlines: open (not met, not cancelled) R1, R2 and transit-watch clocks whose due
  time has passed (workflows.deadlines), by rule and by the item's place (an open R1 keeps its
  item at the unit, an open R2 at the warehouse, an open transit watch at the sending place:
  the step that moves the item meets the clock);
- destroyed per month: items whose batch's statement is final (state destroyed: R8, the
  statement signed by the quorum is what confirms destruction) counted in the calendar month,
  in the service's time zone, of their batch's melted / burned entry, the last `MONTHS`
  months; apart from them, in the same months, the items melted or burned whose statement is
  not final yet (state melted or burned: signatures missing), which are not counted destroyed
  (issue 16); weight melted: the charge weight of the furnace batches melted in that month at
  the places (grams, as the melted entry gives it);
- open discrepancies: not resolved, about an item at the places, or a batch or transfer there;
  among them the open diversion suspicions (R11: a destroyed or returned weapon come back).

Reading only, plain SQL on the driver connection like the work queues (api.web.queues).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import orjson

from custody.clock import parse_time
from workflows.diversion import SUSPECTED
from workflows.model import Batch, Discrepancy, Item, Transfer
from workflows.repository import Repository

MONTHS = 12
DESTROYED_STATES = ("destroyed",)  # on a final statement (R8)
NOT_FINAL_STATES = ("melted", "burned")  # melted or burned, the statement not final yet
BATCH_STATES = DESTROYED_STATES + NOT_FINAL_STATES
# The law's deadlines and the ministry's transit watch (not a rule of the law, but overdue
# all the same: fix19h LOW, the dashboard had left it out).
RULES = ("R1", "R2", "transit")


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows, computed at `now` (RFC 3339 UTC)."""

    now: str
    by_place: dict[str, dict[str, int]]  # place -> state -> items
    by_state: dict[str, int]  # state -> items
    overdue: dict[str, dict[str, int]]  # rule -> place -> open clocks past due
    months: list[str]  # YYYY-MM, oldest first
    destroyed: dict[str, int]  # month -> items on a final statement
    melted_g: dict[str, int]  # month -> charge weight of furnace batches, grams
    discrepancies: int
    next_due: str | None  # the soonest open due time after `now`: the overdue figures hold until
    total: int = 0
    overdue_total: dict[str, int] = field(default_factory=dict)
    suspicions: int = 0  # open discrepancies of reason diversion_suspected (R11)
    # month -> items melted or burned whose statement is not final (not counted destroyed)
    not_final: dict[str, int] = field(default_factory=dict)


class Reader:
    """The reads of the dashboard and of its lists, at some places or everywhere."""

    def __init__(self, repo: Repository, places: Sequence[str] | None) -> None:
        self.repo, self.places = repo, list(places) if places is not None else None

    def _in(self, column: str) -> tuple[str, list[str]]:
        if self.places is None:
            return "", []
        if not self.places:  # an account of a placed role without places sees nothing
            return " AND 1 = 0", []
        return f" AND {column} IN ({', '.join('?' * len(self.places))})", list(self.places)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return list(self.repo.raw.execute(self.repo._sql(sql), list(params)).fetchall())

    def _at_places(self, place: str) -> bool:
        return self.places is None or place in self.places

    # -- figures -----------------------------------------------------------------------------

    def figures(self, now: str, zone: str) -> Figures:
        by_place: dict[str, dict[str, int]] = {}
        by_state: dict[str, int] = {}
        where, params = self._in("location")
        sql = f"SELECT location, state, COUNT(*) FROM wf_items WHERE 1 = 1{where} GROUP BY 1, 2"
        for place, state, n in self._rows(sql, params):
            by_place.setdefault(str(place), {})[str(state)] = int(n)
            by_state[str(state)] = by_state.get(str(state), 0) + int(n)
        overdue: dict[str, dict[str, int]] = {rule: {} for rule in RULES}
        where, params = self._in("i.location")
        sql = (
            "SELECT d.rule, i.location, COUNT(*) FROM wf_deadlines d JOIN wf_items i "
            "ON i.id = d.item WHERE d.closed IS NULL AND d.due_at IS NOT NULL AND d.due_at < ?"
            f"{where} GROUP BY 1, 2"
        )
        for rule, place, n in self._rows(sql, [now, *params]):
            overdue.setdefault(str(rule), {})[str(place)] = int(n)
        sql = "SELECT MIN(due_at) FROM wf_deadlines WHERE closed IS NULL AND due_at >= ?"
        next_due = self._rows(sql, [now])[0][0]
        months = last_months(now, zone, MONTHS)
        destroyed = dict.fromkeys(months, 0)
        not_final = dict.fromkeys(months, 0)
        melted = dict.fromkeys(months, 0)
        batches = self.destroyed_batches()
        where, params = self._in("location")
        marks = ", ".join("?" * len(BATCH_STATES))
        sql = (
            f"SELECT batch, state, COUNT(*) FROM wf_items WHERE state IN ({marks}) "
            f"AND batch IS NOT NULL{where} GROUP BY batch, state"
        )
        for batch_id, state, n in self._rows(sql, [*BATCH_STATES, *params]):
            batch = batches.get(str(batch_id))
            month = month_of(batch.destroyed_at, zone) if batch and batch.destroyed_at else None
            counted = destroyed if state in DESTROYED_STATES else not_final
            if month in counted:
                counted[month] += int(n)
        for batch in batches.values():
            month = month_of(batch.destroyed_at or "", zone)
            if batch.kind == "furnace" and month in melted and self._at_places(batch.location):
                melted[month] += int(batch.facts.get("charge_weight_g") or 0)
        open_ones = self.open_discrepancies()[0]
        return Figures(
            now=now,
            by_place=by_place,
            by_state=by_state,
            overdue=overdue,
            months=months,
            destroyed=destroyed,
            not_final=not_final,
            melted_g=melted,
            discrepancies=len(open_ones),
            suspicions=sum(1 for d in open_ones if d.reason == SUSPECTED),
            next_due=str(next_due) if next_due is not None else None,
            total=sum(by_state.values()),
            overdue_total={rule: sum(overdue[rule].values()) for rule in RULES},
        )

    def destroyed_batches(self) -> dict[str, Batch]:
        """Every melted, burned or final batch, by id (a few per week: read whole)."""
        data = self.repo._bytes
        sql = f"SELECT {data} FROM wf_batches WHERE state IN ('melted', 'burned', 'final')"
        found = (Batch.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, []))
        return {b.id: b for b in found}

    def open_discrepancies(self) -> tuple[list[Discrepancy], set[str]]:
        """Open discrepancies about an item at the places, or a batch or transfer there,
        oldest first; and which of their subjects are items."""
        data = self.repo._bytes
        sql = f"SELECT {data} FROM wf_discrepancies WHERE resolved_at IS NULL"
        found = [Discrepancy.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, [])]
        subjects = [d.subject for d in found]
        where, params = self._in("location")
        marks = ", ".join("?" * len(subjects)) or "NULL"
        sql = f"SELECT id FROM wf_items WHERE id IN ({marks}){where}"
        items = {str(r[0]) for r in self._rows(sql, [*subjects, *params])}
        here = set(items)
        if self.places is None:
            here |= set(subjects)
        else:
            batches = self.destroyed_batches() | self._open_batches()
            here |= {b.id for b in batches.values() if self._at_places(b.location)}
            for row in self._rows(f"SELECT {data} FROM wf_transfers", []):
                transfer = Transfer.from_json(orjson.loads(bytes(row[0])))
                if self._at_places(transfer.origin) or self._at_places(transfer.destination):
                    here.add(transfer.id)
        kept = sorted((d for d in found if d.subject in here), key=lambda d: d.opened_seq)
        return kept, items

    def _open_batches(self) -> dict[str, Batch]:
        data = self.repo._bytes
        sql = f"SELECT {data} FROM wf_batches WHERE state = 'open'"
        found = (Batch.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, []))
        return {b.id: b for b in found}

    # -- the lists behind them ---------------------------------------------------------------

    def items(self, wanted: ItemFilter, now: str, zone: str, limit: int) -> tuple[list[Item], int]:
        """The items behind a figure (id order, `limit` of them after `wanted.after`) and how
        many there are in all."""
        conditions, params = ["1 = 1"], []
        if wanted.state is not None:
            conditions.append("i.state = ?")
            params.append(wanted.state)
        if wanted.location is not None:
            conditions.append("i.location = ?")
            params.append(wanted.location)
        if wanted.overdue is not None:
            conditions.append(
                "EXISTS (SELECT 1 FROM wf_deadlines d WHERE d.item = i.id AND d.rule = ? "
                "AND d.closed IS NULL AND d.due_at IS NOT NULL AND d.due_at < ?)"
            )
            params += [wanted.overdue, now]
        for month, states in (
            (wanted.destroyed, DESTROYED_STATES),
            (wanted.not_final, NOT_FINAL_STATES),
        ):
            if month is None:
                continue
            batches = [
                b.id
                for b in self.destroyed_batches().values()
                if b.destroyed_at and month_of(b.destroyed_at, zone) == month
            ]
            marks = ", ".join("?" * len(batches)) or "NULL"
            listed = ", ".join("?" * len(states))
            conditions.append(f"i.batch IN ({marks}) AND i.state IN ({listed})")
            params += [*batches, *states]
        where, places = self._in("i.location")
        condition = " AND ".join(conditions) + where
        params += places
        total = int(self._rows(f"SELECT COUNT(*) FROM wf_items i WHERE {condition}", params)[0][0])
        after = ""
        if wanted.after is not None:
            after, params = " AND i.id > ?", [*params, wanted.after]
        data = self.repo._bytes.replace("data", "i.data")
        sql = (
            f"SELECT {data} FROM wf_items i WHERE {condition}{after} "
            f"ORDER BY i.id LIMIT {int(limit)}"
        )
        items = [Item.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, params)]
        return items, total


@dataclass(frozen=True)
class ItemFilter:
    """What a figure's list is filtered by; each given narrows it."""

    state: str | None = None
    location: str | None = None
    overdue: str | None = None  # R1 | R2 | transit
    destroyed: str | None = None  # YYYY-MM: on a final statement, destroyed that month
    after: str | None = None
    not_final: str | None = None  # YYYY-MM: melted or burned that month, statement not final

    def query(self, **changes: str | None) -> str:
        """The list's address query string, with `changes`."""
        fields = {
            "state": self.state,
            "location": self.location,
            "overdue": self.overdue,
            "destroyed": self.destroyed,
            "not_final": self.not_final,
            "after": self.after,
            **changes,
        }
        return urlencode({k: v for k, v in fields.items() if v is not None})


def month_of(moment: str, zone: str) -> str:
    """The calendar month (YYYY-MM) of an RFC 3339 time in `zone`; "" for no time."""
    if not moment:
        return ""
    return parse_time(moment).astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def last_months(now: str, zone: str, count: int) -> list[str]:
    """The `count` calendar months up to and including now's in `zone`, oldest first."""
    today = parse_time(now).astimezone(ZoneInfo(zone)).date()
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]
