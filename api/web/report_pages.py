"""The reports' pages (issue 17): the annual report with its figures, its chart by month and
its files (JSON, CSV, .xlsx, PDF), deadline compliance and stock and weight reconciliation,
each computed at today's signed checkpoint by the same code as `custody report` and
GET /reports/* (api.reports, workflows.reports).

Places: a report's figures are of every place unless one is chosen. A reader whose account
covers some places only sees the annual report of one of them; compliance and reconciliation,
of every place, are for readers who cover them all (the auditor, an official of the site).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.access.roles import READ
from api.errors import Forbidden
from api.http import reports as http_reports
from api.http.strict_json import StrictJSONRoute
from api.reports import FORMATS
from api.web import charts, i18n, queues
from api.web.dashboard import place_name
from api.web.render import Visitor, page, system_of, visitor
from certificates.words import words as paper_words
from custody.ledger import Ledger
from workflows.errors import InvalidRequest
from workflows.model import Location
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint
from workflows.repository import Repository
from workflows.world import World

router = APIRouter(prefix="/web/reports", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
Year = Annotated[int | None, Query(ge=1970, le=9998)]
Place = Annotated[str | None, Query(max_length=128)]
Day = Annotated[dt.date | None, Query()]
WEAPON_FIGURES = (
    "surrendered",
    "confiscated",
    "found",
    "surplus",
    "destroyed",
    "returned_to_owner",
    "held_as_evidence_at_year_end",
)


def N_(message: str) -> str:
    return message


NAMES = {
    "surrendered": N_("surrendered"),
    "confiscated": N_("confiscated"),
    "found": N_("found"),
    "surplus": N_("state surplus"),
    "destroyed": N_("destroyed"),
    "returned_to_owner": N_("returned to the owner"),
    "held_as_evidence_at_year_end": N_("held as evidence at the year's end"),
    "lots_registered": N_("lots registered"),
    "rounds_registered": N_("rounds registered"),
    "lots_destroyed": N_("lots destroyed"),
    "rounds_destroyed": N_("rounds destroyed"),
    "scrap_weight_kg": N_("scrap, kg"),
    "explosive_used_kg": N_("explosive used, kg"),
    "met": N_("met"),
    "met_late": N_("met late"),
    "overdue": N_("overdue"),
    "running": N_("running"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
    "missed": N_("missed, then paused"),
    # Counted together (a status); each row says which (`cancelled_by`, issue 19 fix).
    "missed_cancelled": N_("missed, then cancelled"),
    "missed_reversed": N_("missed, then reversed"),
    "missed_lost": N_("missed, then declared lost"),
}

# A deadline's fact (workflows.deadlines.fact) as the step whose entry records it: its name.
FACT_STEPS = {
    "decision": "decision_recorded",
    "appealed": "decision_appealed",
    "suspended": "decision_suspended",
    "final": "decision_final",
    "reversed": "decision_reversed",
    "lost": "discrepancy_resolved",
}


class ReportCache:
    """Reports already computed, by what was asked and the checkpoint's size and root: the
    figures over the same entries are the same, so the page and each of its files compute the
    report once. The few last ones are kept."""

    KEPT = 16

    def __init__(self) -> None:
        self._kept: dict[tuple[ReportRequest, int, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def report(self, ledger: Ledger, wanted: ReportRequest) -> dict[str, Any]:
        """The report at today's checkpoint (api.reports.compute), computed or kept."""
        checkpoint = choose_checkpoint(ledger)
        key = (wanted, checkpoint.size, checkpoint.root)
        with self._lock:
            kept = self._kept.get(key)
        if kept is None:
            kept, _ = at_checkpoint(ledger.database, wanted, checkpoint)
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > self.KEPT:
                    del self._kept[next(iter(self._kept))]
        # The note as signed now: the same tree, perhaps signed again.
        return {**kept, "checkpoint": checkpoint.to_json()}


def _reports(request: Request) -> ReportCache:
    state = request.app.state
    if not hasattr(state, "web_reports"):
        state.web_reports = ReportCache()
    return state.web_reports  # type: ignore[no-any-return]


async def _compute(request: Request, wanted: ReportRequest) -> dict[str, Any]:
    cache, ledger = _reports(request), system_of(request).ledger
    return await anyio.to_thread.run_sync(cache.report, ledger, wanted)


def _reader(me: Visitor) -> None:
    if not me.may(READ):
        raise Forbidden(me.role, READ)


def _locations(request: Request) -> dict[str, Location]:
    return {p.id: p for p in system_of(request).process.locations()}


def _covers_all(places: Sequence[str] | None, located: dict[str, Location]) -> bool:
    return places is None or set(located) <= set(places)


def _refused(me: Visitor) -> Response:
    gettext = i18n.gettext_of(me.language)
    message = gettext("Reports of every place are for readers whose account covers every place")
    return page("error.html.j2", me.language, me, 403, message=message)


def _today(request: Request) -> dt.date:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(request.app.state.timezone)
    return system_of(request).process.now().astimezone(zone).date()


@router.get("", response_class=HTMLResponse)
async def index(request: Request, me: Me) -> Response:
    """The three reports, each with what it asks for."""
    _reader(me)
    located = await anyio.to_thread.run_sync(_locations, request)
    places = queues.places_of(me.principal)
    mine = sorted(located if places is None else [p for p in places if p in located])
    today = _today(request)
    return page(
        "reports.html.j2",
        me.language,
        me,
        year=today.year,
        first=today.replace(day=1).isoformat(),
        last=today.isoformat(),
        places=mine,
        names={p: place_name(located, p, me.language) for p in located},
        every=_covers_all(places, located),
    )


def _annual_request(
    request: Request, me: Visitor, year: int | None, place: str | None, located: dict[str, Any]
) -> ReportRequest | None:
    """The annual report asked for, at a place the reader may see; None when they may not."""
    places = queues.places_of(me.principal)
    place = place or None  # the form's "every place" is an empty value
    if place is None and not _covers_all(places, located):
        return None
    if place is not None and places is not None and place not in places:
        return None
    chosen = year or _today(request).year
    return ReportRequest.annual(chosen, request.app.state.timezone, place)


@router.get("/annual", response_class=HTMLResponse)
async def annual(request: Request, me: Me, year: Year = None, place: Place = None) -> Response:
    """The annual report: its figures, its chart by month, its files."""
    _reader(me)
    located = await anyio.to_thread.run_sync(_locations, request)
    wanted = _annual_request(request, me, year, place, located)
    if wanted is None:
        return _refused(me)
    report = await _compute(request, wanted)
    gettext = i18n.gettext_of(me.language)
    months = [str(m) for m in range(1, 13)]
    query = urlencode({k: v for k, v in {"year": report["year"], "place": place}.items() if v})
    charts_of = {
        what: charts.columns(
            [
                charts.Bar(months[m], n, f"#month-{m + 1}", str(n))
                for m, n in enumerate(report["by_month"][what])
            ],
            title,
        )
        for what, title in (
            ("registered", gettext("Weapons registered per month")),
            ("destroyed", gettext("Weapons destroyed per month")),
        )
    }
    return page(
        "report_annual.html.j2",
        me.language,
        me,
        report=report,
        figures=WEAPON_FIGURES,
        words=NAMES,
        names={p: place_name(located, p, me.language) for p in located},
        charts=charts_of,
        query=query,
        formats=list(FORMATS),
    )


@router.get("/{kind}/file")
async def report_file(
    request: Request,
    me: Me,
    kind: str,
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "json",
    lang: Annotated[str | None, Query(max_length=8)] = None,
    year: Year = None,
    place: Place = None,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    """A report's file as GET /reports/* writes it, in the reader's language by default."""
    _reader(me)
    language = lang if lang in i18n.LANGUAGES else me.language
    if fmt not in FORMATS:
        raise InvalidRequest(f"no report format {fmt!r}: choose {', '.join(FORMATS)}")
    located = await anyio.to_thread.run_sync(_locations, request)
    wanted: ReportRequest | None
    if kind == "annual":
        wanted = _annual_request(request, me, year, place, located)
    elif kind in ("compliance", "reconciliation"):
        if not _covers_all(queues.places_of(me.principal), located):
            wanted = None
        else:
            wanted = _period(request, kind, first, last)
    else:
        raise InvalidRequest(f"no report {kind!r}: choose annual, compliance or reconciliation")
    if wanted is None:
        return _refused(me)
    report = await _compute(request, wanted)
    return await http_reports.report_file(request, report, wanted, fmt, language)


def _period(
    request: Request, kind: str, first: dt.date | None, last: dt.date | None
) -> ReportRequest:
    today = _today(request)
    first = first or today.replace(day=1)
    last = last or today
    if last < first:
        raise InvalidRequest("the period ends before it starts")
    return ReportRequest.between(kind, first, last, request.app.state.timezone)


def _cancelled_by(request: Request, report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(item, rule) → `lost` or `reversed`: what cancelled each missed-and-cancelled deadline
    of a compliance report, from the deadline's own fact of the miss (a cancelled deadline
    changes no more, so today's row is the report's). The report says `missed_cancelled`
    of both: a loss shown as a reversal misled (issue 19 fix)."""
    missed = report.get("missed", [])
    wanted = [(m["item"], m["rule"]) for m in missed if m["status"] == "missed_cancelled"]
    if not wanted:
        return {}
    world = World()
    with system_of(request).ledger.database.read() as conn:
        Repository(conn).load(world, "deadlines", wanted)
    found: dict[tuple[str, str], str] = {}
    for key in wanted:
        deadline = world.deadlines.get(key)
        misses = deadline.misses() if deadline is not None else []
        if misses and misses[-1]["fact"] in ("lost", "reversed"):
            found[key] = misses[-1]["fact"]
    return found


async def _between(
    request: Request, me: Visitor, kind: str, first: dt.date | None, last: dt.date | None
) -> Response:
    _reader(me)
    located = await anyio.to_thread.run_sync(_locations, request)
    if not _covers_all(queues.places_of(me.principal), located):
        return _refused(me)
    wanted = _period(request, kind, first, last)
    report = await _compute(request, wanted)
    cancelled_by = await anyio.to_thread.run_sync(_cancelled_by, request, report)
    query = urlencode({"from": report["from"], "to": report["to"]})
    return page(
        f"report_{kind}.html.j2",
        me.language,
        me,
        report=report,
        words=NAMES,
        # a batch's discrepancies settled as its signed statement words them (issue 16)
        paper_words=paper_words(me.language),
        cancelled_by=cancelled_by,
        fact_steps=FACT_STEPS,
        names={p: place_name(located, p, me.language) for p in located},
        query=query,
        formats=[f for f in FORMATS if f != "pdf"],
    )


@router.get("/compliance", response_class=HTMLResponse)
async def compliance(
    request: Request,
    me: Me,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    """Every R1 and R2 deadline of the period, met or missed and by how much."""
    return await _between(request, me, "compliance", first, last)


@router.get("/reconciliation", response_class=HTMLResponse)
async def reconciliation(
    request: Request,
    me: Me,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    """Stock by place against the last count; each batch's weights."""
    return await _between(request, me, "reconciliation", first, last)
