"""The dashboard (managers' page, an auditor's home page) and the lists behind its figures.

The figures (api.web.figures) are counted by SQL over the state tables and kept, per set of
places, until the ledger grows (its tree size), the month turns, or the soonest open
deadline falls due (an overdue figure changes with time alone); a render with nothing changed
reads the tree size and draws the page from what is kept. Everything is at the reader's
places (the auditor and administrator, who act at no place, see all of them).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access.roles import READ
from api.errors import Forbidden
from api.http.strict_json import StrictJSONRoute
from api.system import System
from api.web import charts, i18n, queues
from api.web.figures import RULES, Figures, ItemFilter, Reader, month_of
from api.web.render import Visitor, page, system_of, visitor
from custody.clock import format_time
from workflows.model import Location
from workflows.repository import Repository

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
LISTED = 100  # rows of a list page; a link leads to the next
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Kept:
    size: int
    figures: Figures
    places: dict[str, Location]


class FigureCache:
    """The last figures of each set of places, with the tree size they were counted at."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, ...] | None, Kept] = {}
        self._lock = threading.Lock()

    def figures(self, system: System, places: Sequence[str] | None) -> Kept:
        key = tuple(sorted(places)) if places is not None else None
        now = format_time(system.process.now())
        zone = system.process.config.timezone
        with system.ledger.database.read() as conn:
            size = system.ledger.head(conn).size
            with self._lock:
                kept = self._kept.get(key)
            if kept is not None and _holds(kept, size, now, zone):
                return kept
            repo = Repository(conn)
            figures = Reader(repo, places).figures(now, zone)
            located = {p.id: p for p in repo.documents("locations")}
        kept = Kept(size, figures, located)
        with self._lock:
            self._kept[key] = kept
        return kept


def _holds(kept: Kept, size: int, now: str, zone: str) -> bool:
    figures = kept.figures
    return (
        kept.size == size
        and (figures.next_due is None or now < figures.next_due)
        and month_of(now, zone) == figures.months[-1]
    )


def cache_of(request: Request) -> FigureCache:
    state = request.app.state
    if not hasattr(state, "dashboard"):
        state.dashboard = FigureCache()
    return state.dashboard  # type: ignore[no-any-return]


def _reader(me: Visitor) -> None:
    if not me.may(READ):
        raise Forbidden(me.role, READ)


def place_name(places: dict[str, Location], place: str, language: str) -> str:
    found = places.get(place)
    if found is None:
        return place
    return found.names.get(language) or found.name


async def dashboard_page(request: Request, me: Visitor) -> Response:
    _reader(me)
    system = system_of(request)
    places = queues.places_of(me.principal)
    kept = await run_in_threadpool(cache_of(request).figures, system, places)
    return page("dashboard.html.j2", me.language, me, **_view(kept, me.language))


def _view(kept: Kept, language: str) -> dict[str, Any]:
    gettext = i18n.gettext_of(language)
    figures = kept.figures
    state_name = {s: gettext(m) for s, m in i18n.STATES.items()}
    states = sorted(figures.by_state, key=lambda s: (-figures.by_state[s], s))
    by_state = [
        charts.Bar(
            state_name.get(s, s),
            figures.by_state[s],
            f"/web/items?state={s}",
            _n(figures.by_state[s], language),
        )
        for s in states
    ]
    destroyed = [
        charts.Bar(
            _short(m),
            figures.destroyed[m],
            f"/web/items?destroyed={m}",
            _n(figures.destroyed[m], language),
        )
        for m in figures.months
    ]
    melted = [
        charts.Bar(
            _short(m),
            figures.melted_g[m] / 1000,
            f"/web/items?destroyed={m}",
            _kg(figures.melted_g[m], language),
        )
        for m in figures.months
    ]
    shown = sorted(figures.by_place, key=lambda p: place_name(kept.places, p, language).casefold())
    return {
        "figures": figures,
        "names": {p: place_name(kept.places, p, language) for p in kept.places},
        "shown_places": shown,
        "states_of": {
            p: sorted(figures.by_place[p].items(), key=lambda kv: (-kv[1], kv[0])) for p in shown
        },
        "state_label": state_name,
        "rules": RULES,
        "kg": lambda grams: _kg(grams, language),
        "state_chart": charts.rows(by_state, gettext("Items by state")),
        "destroyed_chart": charts.columns(destroyed, gettext("Items destroyed per month")),
        "melted_chart": charts.columns(melted, gettext("Weight melted per month, kg")),
    }


def _short(month: str) -> str:
    """2026-11 as a bar's label has room for it: 11.26."""
    return f"{month[5:]}.{month[2:4]}"


def _n(value: int, language: str) -> str:
    """A count as `language` writes numbers (babel, as the pages' `number` filter)."""
    return format_decimal(value, locale=language)


def _kg(grams: int, language: str) -> str:
    """Grams as kilograms with one decimal, as `language` writes it (babel, as the pages'
    `number` filter): 12345 -> "12.3" in English, "12,3" in Russian and Kazakh (issue 16:
    the charts said "304.3" on ru and kk pages)."""
    return format_decimal(grams / 1000, format="#,##0.0", locale=language)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, me: Me) -> Response:
    return await dashboard_page(request, me)


State = Annotated[str | None, Query(max_length=32)]
Place = Annotated[str | None, Query(max_length=128)]


@router.get("/items", response_class=HTMLResponse)
async def item_list(
    request: Request,
    me: Me,
    state: State = None,
    location: Place = None,
    overdue: Annotated[str | None, Query(max_length=8)] = None,
    destroyed: Annotated[str | None, Query(max_length=7)] = None,
    after: Place = None,
    not_final: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    """The items behind a figure of the dashboard, at the reader's places, in id order."""
    _reader(me)
    gettext = i18n.gettext_of(me.language)
    if (
        (state is not None and state not in i18n.STATES)
        or (overdue is not None and overdue not in RULES)
        or (destroyed is not None and not _MONTH.match(destroyed))
        or (not_final is not None and not _MONTH.match(not_final))
    ):
        message = gettext("This list has no such filter; open it from the dashboard")
        return page("error.html.j2", me.language, me, 422, message=message)
    wanted = ItemFilter(state, location, overdue, destroyed, after, not_final)
    system = system_of(request)
    places = queues.places_of(me.principal)

    def read() -> tuple[list[Any], int, dict[str, Location], list[Any]]:
        now = format_time(system.process.now())
        zone = system.process.config.timezone
        with system.ledger.database.read() as conn:
            repo = Repository(conn)
            reader = Reader(repo, places)
            items, total = reader.items(wanted, now, zone, LISTED)
            located = {p.id: p for p in repo.documents("locations")}
            batches = []
            month = destroyed or not_final
            if month is not None:
                batches = sorted(
                    (
                        b
                        for b in reader.destroyed_batches().values()
                        if month_of(b.destroyed_at or "", zone) == month
                        and (places is None or b.location in places)
                        and (b.state == "final") == (not_final is None)
                    ),
                    key=lambda b: b.id,
                )
        return items, total, located, batches

    items, total, located, batches = await run_in_threadpool(read)
    following = None
    if len(items) == LISTED and total > LISTED:
        following = "/web/items?" + wanted.query(after=items[-1].id)
    return page(
        "item_list.html.j2",
        me.language,
        me,
        items=items,
        total=total,
        wanted=wanted,
        following=following,
        names={p: place_name(located, p, me.language) for p in located},
        batches=batches,
        kg=lambda grams: _kg(grams, me.language),
    )


@router.get("/discrepancies", response_class=HTMLResponse)
async def discrepancies(
    request: Request, me: Me, reason: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    """The open discrepancies at the reader's places, oldest first; `reason` keeps those of
    one reason (`diversion_suspected`: R11's suspicions, with the old item, its batch and its
    statement)."""
    _reader(me)
    system = system_of(request)
    places = queues.places_of(me.principal)

    def read() -> tuple[list[Any], set[str]]:
        with system.ledger.database.read() as conn:
            return Reader(Repository(conn), places).open_discrepancies()

    found, items = await run_in_threadpool(read)
    if reason is not None:
        found = [d for d in found if d.reason == reason]
    return page(
        "discrepancies.html.j2", me.language, me, discrepancies=found, items=items, reason=reason
    )
