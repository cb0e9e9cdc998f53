"""Reading the process: items (searched, paged), an item's own chain of entries with proofs,
transfers, batches and their statements, deadlines, places. Every route needs `read`, and a
caller of a placed role reads only at its places (api.access.reading): its lists hold what
is there, and an object elsewhere is answered 404 as if unknown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.access import reading
from api.access.auth import Caller, require, system_of
from api.access.roles import ADMIN, READ, may_any
from api.access.tokens import Principal
from api.deadline_reasons import notices_of, reasons, unattended_places
from api.errors import Forbidden
from api.http import paging
from api.http.ledger import EntryOut, entry_fields
from api.http.problems import PROBLEM_RESPONSES
from custody.clock import format_time
from workflows.errors import InvalidRequest, UnknownObject
from workflows.machines import NEW, WORKFLOWS
from workflows.repository import ItemSearch
from workflows.vocabulary import CATEGORIES, SOURCES

router = APIRouter(tags=["reading"], responses=PROBLEM_RESPONSES)
JSON = "application/json"
Reader = Annotated[Principal, Depends(require(READ))]


async def require_any(caller: Caller) -> Principal:
    """The registers (places, commissions): for readers and for administrators."""
    if not (may_any(caller.roles, READ) or may_any(caller.roles, ADMIN)):
        raise Forbidden(caller.roles, READ)
    return caller


class ItemsPage(BaseModel):
    items: list[dict[str, Any]]
    next: str | None = Field(description="pass as `after` for the next page; null at the end")


class HistoryEntry(EntryOut):
    inclusion: list[str] = Field(description="RFC 9162 inclusion proof to the tree of `size`")


class History(BaseModel):
    item: str
    size: int
    root: str
    entries: list[HistoryEntry]


class DeadlineOut(BaseModel):
    item: str
    status: str = Field(
        description="running, overdue, paused, met, met_late, cancelled; missed (stopped by an "
        "appeal or suspension dated after the term ran out) or missed_cancelled (reversed or "
        "declared lost after it ran out: its fact says which): the miss stays, with "
        "days_overdue in its fact"
    )
    started_at: str
    due_at: str | None
    paused_at: str | None
    met_at: str | None
    cancelled_at: str | None
    rule: str = Field(
        description="R1, R2, or transit: the ministry's watch on an item sent and not yet "
        "received (CUSTODY_TRANSIT_HOURS of elapsed time from transfer_sent; not a rule of "
        "the law, so no R-number)"
    )
    place: str | None = Field(
        description="whose deadline it is: the unit (R1), warehouse (R2), the sending place "
        "(transit)"
    )
    zone: str | None = Field(description="the tz zone R1's days are counted in")
    counted_from: str | None = Field(description="the date the running term counts from")
    facts: list[dict[str, Any]] = Field(
        description="the dated events that moved it: decision, appeal, suspension, finality, "
        "each with its date, entry time, delay_days and entered_late; one dated after the "
        "term ran out also with missed, missed_due_at and days_overdue; one dated inside "
        "the term but entered after it ran out with overdue_until_late_entry (days) and "
        "overdue_due_at"
    )
    late_entries: list[dict[str, Any]] = Field(description="the facts entered late")
    overdue_until_late_entry: list[int] = Field(
        default_factory=list,
        description="days the term stood overdue until each late entry dated inside it",
    )
    paused_days: int | None = Field(
        default=None,
        description="whole days the clock has stood stopped by an appeal or suspension so far "
        "(null when it is not stopped); past CUSTODY_LONG_PAUSE_DAYS the place's supervisor "
        "is told (a long_pause notice)",
    )
    why: list[str] = Field(description="the same, as sentences")
    notices: list[dict[str, Any]] = Field(description="notices written, sent, acknowledged")


# The words a filter of /items takes: a word outside them is a 422 naming the ones there are,
# not an empty page that reads as "none" (b12).
STATES = frozenset(s for w in WORKFLOWS.values() for s in w.states() if s != NEW)


def _known(name: str, given: str | None, words: frozenset[str]) -> None:
    if given is not None and given not in words:
        raise InvalidRequest(f"{name} is one of {', '.join(sorted(words))}, not {given!r}")


@router.get("/items", response_model=ItemsPage)
async def items(
    request: Request,
    caller: Reader,
    state: str | None = None,
    location: str | None = None,
    source: str | None = None,
    category: str | None = None,
    batch: str | None = None,
    overdue: Annotated[bool | None, Query(description="with a deadline past due")] = None,
    q: Annotated[str | None, Query(max_length=128, description="text in the marking")] = None,
    after: Annotated[str | None, Query(max_length=128)] = None,
    limit: paging.Limit = 100,
) -> ItemsPage:
    _known("state", state, STATES)
    _known("source", source, SOURCES)
    _known("category", category, CATEGORIES)
    search = ItemSearch(
        state,
        location,
        source,
        category,
        batch,
        overdue,
        q,
        after,
        limit + 1,
        places=reading.scope_of(caller),
    )
    found = system_of(request).process.items(search)
    more = len(found) > limit
    page = found[:limit]
    return ItemsPage(items=[i.to_json() for i in page], next=page[-1].id if more and page else None)


@router.get("/items/{item_id}", response_model=dict[str, Any])
async def item(request: Request, item_id: str, caller: Reader) -> Response:
    # The document as the state table holds it: it is JSON already, and parsing it to write
    # it again would cost as much as reading it (bench/api.py); only a place reader's is
    # parsed, to see where the item is.
    process = system_of(request).process
    return Response(reading.item_json(process, caller, item_id), media_type=JSON)


@router.get("/items/{item_id}/history", response_model=History)
async def history(request: Request, item_id: str, caller: Reader) -> History:
    """The item's own chain of entries, each with its inclusion proof to one tree size."""
    system = system_of(request)
    reading.check_subject(system.process, caller, item_id)
    ledger = system.ledger
    with ledger.database.read() as conn:
        entries = ledger.item_history(conn, item_id)
        if not entries:
            raise UnknownObject(f"no entry names item {item_id!r}")
        size = ledger.head(conn).size
        proofs = [ledger.inclusion_proof(conn, e.seq, size) for e in entries]
    return History(
        item=item_id,
        size=size,
        root=proofs[0].root.hex(),
        entries=[
            HistoryEntry(**entry_fields(e), inclusion=[h.hex() for h in p.hashes])
            for e, p in zip(entries, proofs, strict=True)
        ],
    )


@router.get("/transfers/{transfer_id}", response_model=dict[str, Any])
async def transfer(request: Request, transfer_id: str, caller: Reader) -> dict[str, Any]:
    """A transfer, for readers where it left from or where it goes."""
    found = system_of(request).process.transfer(transfer_id)
    reading.check(caller, found, "transfer", transfer_id)
    return found.to_json()


@router.get("/batches/{batch_id}", response_model=dict[str, Any])
async def batch(request: Request, batch_id: str, caller: Reader) -> dict[str, Any]:
    """A batch, for readers where it burns."""
    found = system_of(request).process.batch(batch_id)
    reading.check(caller, found, "batch", batch_id)
    return found.to_json()


class StatementOut(BaseModel):
    statement: dict[str, Any]
    sha256: str = Field(description="what each member present signs, in a statement_signed act")


@router.get("/batches/{batch_id}/statement", response_model=StatementOut)
async def statement(request: Request, batch_id: str, caller: Reader) -> StatementOut:
    process = system_of(request).process
    reading.check(caller, process.batch(batch_id), "batch", batch_id)
    content, digest = process.statement(batch_id)
    return StatementOut(statement=content, sha256=digest)


class DeadlinesPage(BaseModel):
    deadlines: list[DeadlineOut]
    next: int | None = Field(description="pass as `offset` for the next page; null at the end")


class RegisterPage(BaseModel):
    entries: list[dict[str, Any]]
    next: int | None = Field(description="pass as `offset` for the next page; null at the end")


@router.get("/deadlines", response_model=DeadlinesPage)
async def deadlines(
    request: Request,
    caller: Reader,
    include_closed: Annotated[
        bool, Query(description="also those met late, cancelled or missed and cancelled")
    ] = False,
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> DeadlinesPage:
    """What is due and what is overdue, overdue first (times in UTC), a page at a time; a
    place reader's, those of its places."""
    system = system_of(request)
    process = system.process
    now = process.now()
    reader = reading.scope_of(caller)
    if reader is None:
        # One more than the page, read by the database's own order: is there a next page?
        shown = process.deadlines(include_closed, limit + 1, offset)
    else:
        mine = [d for d in process.deadlines(include_closed) if d.place in reader]
        shown = mine[offset : offset + limit + 1]
    following = offset + limit if len(shown) > limit else None
    shown = shown[:limit]
    notices = notices_of(system.ledger.database, shown)
    nobody = unattended_places(process.locations(), process.disabled_accounts())
    long_pause = process.config.long_pause_days
    return DeadlinesPage(
        deadlines=[
            DeadlineOut(**reasons(d, now, notices.get((d.item, d.rule), []), nobody, long_pause))
            for d in shown
        ],
        next=following,
    )


@router.get("/locations", response_model=RegisterPage)
async def locations(
    request: Request,
    _: Annotated[Principal, Depends(require_any)],
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> RegisterPage:
    """Units, warehouses, forensic units and plants, a page at a time."""
    shown, following = paging.page(system_of(request).process.locations(), offset, limit)
    return RegisterPage(entries=[place.to_json() for place in shown], next=following)


@router.get("/commissions", response_model=RegisterPage)
async def commissions(
    request: Request,
    _: Annotated[Principal, Depends(require_any)],
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> RegisterPage:
    """Commissions with their members, each from when and until when, a page at a time."""
    shown, following = paging.page(system_of(request).process.commissions(), offset, limit)
    return RegisterPage(entries=[c.to_json() for c in shown], next=following)


@router.get("/time")
async def server_time(request: Request) -> dict[str, str]:
    """The server's clock (UTC), for devices that sign acts."""
    return {"now": format_time(system_of(request).process.now())}
