"""Intake at the unit (R10) and the decision that governs an item's hold there (R1)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from custody.entries import check_name
from workflows import comebacks, grammar, registers, rules, subjects, terms
from workflows.decision_dates import dated, zone_of_place
from workflows.diversion import GONE, campaign_refusal, comeback, same_model
from workflows.errors import InvalidRequest, RuleViolation
from workflows.inventory import reserved_refusal
from workflows.machines import TERMINAL
from workflows.markings import fold_or_none
from workflows.model import Location
from workflows.steps import advance, file_refs, unique
from workflows.unit_of_work import Work
from workflows.vocabulary import (
    AMMUNITION,
    AUTHORITIES,
    CATEGORIES,
    FIREARM,
    SOURCES,
    SURPLUS,
    UNIT,
    WAREHOUSE,
)


@dataclass(frozen=True)
class Intake:
    """What a unit officer records when an item comes in."""

    category: str
    source: str
    location: str
    weight_g: int
    item: str | None = None  # the id on its label; one is made if none is given
    rifled: bool = False
    marking: str | None = None
    marking_place: str | None = None
    unmarked: bool = False  # R10: then its id is its internal tag
    quantity: int | None = None  # ammunition lots
    details: dict[str, Any] = field(default_factory=dict)  # type, model, calibre, maker, year
    # the decision that governs it: in the entry of state surplus registered at a warehouse;
    # at a unit, a decision_recorded entry of its own that starts R1's clock
    decision: dict[str, Any] | None = None
    files: Sequence[Any] = ()
    campaign: str | None = None  # the surrender campaign it came in (R15)


def new_item_id() -> str:
    return f"KZ-{uuid.uuid4().hex[:10].upper()}"


def _positive(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidRequest(f"{what} is a whole number above zero")
    return value


def check_decision(work: Work, decision: Any, place: Location | None = None) -> dict[str, Any]:
    """A decision {ref, authority, date} as entry data. Its date is a day of the calendar
    (workflows.grammar.calendar_date) from the record horizon (ProcessConfig.record_horizon)
    up to today at `place` (in its zone: decision_dates.zone_of_place): a decision is
    recorded after it is taken. With no place (recording a decision of items), today is
    each item's unit's, judged by decision_dates.dated. Raises InvalidRequest.

    Not "today somewhere on Earth" (UTC+14), as it was: a decision dated tomorrow at the
    place was accepted from 10:00 UTC (issue 19 re-attack)."""
    if not isinstance(decision, dict):
        raise InvalidRequest("a decision is {ref, authority, date}")
    ref, authority, date = decision.get("ref"), decision.get("authority"), decision.get("date")
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidRequest("a decision needs its reference (number of the case or order)")
    if authority not in AUTHORITIES:
        raise InvalidRequest(f"a decision's authority is one of {', '.join(sorted(AUTHORITIES))}")
    try:
        grammar.calendar_date(date)
    except ValueError as exc:
        raise InvalidRequest(f"a decision's date: {exc}") from None
    day = dt.date.fromisoformat(str(date))
    if place is not None:
        today = terms.local_date(work.now, zone_of_place(place))
        if day > today:
            raise InvalidRequest(f"R1: a decision's date {date} is in the future", rule="R1")
    if day < work.config.record_horizon:
        raise InvalidRequest(
            f"a decision's date {date} is before {work.config.record_horizon} (the record horizon)"
        )
    return {"ref": ref.strip(), "authority": authority, "date": date}


def _validate(work: Work, intake: Intake) -> dict[str, Any]:
    if intake.category not in CATEGORIES:
        raise InvalidRequest(f"a category is one of {', '.join(sorted(CATEGORIES))}")
    if intake.source not in SOURCES:
        raise InvalidRequest(f"a source is one of {', '.join(sorted(SOURCES))}")
    if intake.rifled and intake.category != FIREARM:
        raise InvalidRequest("only a firearm is rifled")
    if intake.category == AMMUNITION:
        _positive(intake.quantity, "the quantity of a lot")
    elif intake.quantity is not None:
        raise InvalidRequest("only a lot of ammunition has a quantity")
    # Keys the service writes into an entry's details (the transfer, a place, R11's old
    # item...) are read for every kind (`fold.touches_data` reads details.transfer): a person
    # gives none of them, here as in a discrepancy (issue 12)
    reserved = reserved_refusal(intake.details)
    if reserved is not None:
        raise InvalidRequest(reserved)
    if intake.unmarked and (intake.marking is not None or intake.marking_place is not None):
        raise RuleViolation(
            "R10",
            "an item registered as unmarked has no marking nor marking place: give the "
            "marking, or unmarked, not both",
        )
    kinds = (UNIT, WAREHOUSE) if intake.source == SURPLUS else (UNIT,)
    location = registers.location_of_kind(work, intake.location, *kinds)
    data: dict[str, Any] = {
        "category": intake.category,
        "source": intake.source,
        "location": location.id,
        "rifled": intake.rifled,
        "weight_g": _positive(intake.weight_g, "the weight in grams"),
        "details": intake.details,
        "files": file_refs(work, intake.files),
    }
    if intake.quantity is not None:
        data["quantity"] = _positive(intake.quantity, "the quantity of a lot")
    if location.kind == WAREHOUSE:
        data["decision"] = check_decision(work, intake.decision, location)
    elif intake.decision is not None:
        check_decision(work, intake.decision, location)  # refused before anything is written
    if intake.campaign is not None:
        data["campaign"] = _campaign(work, intake, location.id)
    return data


def _campaign(work: Work, intake: Intake, place: str) -> str:
    """R15: the campaign it names takes this surrender, here, today (at the place's zone)."""
    assert intake.campaign is not None
    work.load("campaigns", [intake.campaign])
    campaign = work.world.campaign(intake.campaign)
    where = work.world.find("locations", place)
    zone = where.time_zone or terms.zone_of_region(where.region) if where else None
    day = terms.local_date(work.now, zone or work.config.timezone).isoformat()
    refused = campaign_refusal(campaign, intake.source, place, day)
    if refused is not None:
        raise refused
    return campaign.id


def _identity(intake: Intake, item_id: str) -> dict[str, Any]:
    """R10: an item is identified by its marking; an unmarked one gets an internal tag."""
    if intake.unmarked:
        return {"marking": None, "marking_place": None, "internal_tag": item_id}
    if not intake.marking or not intake.marking.strip():
        raise RuleViolation(
            "R10",
            "the marking is missing; if the item has none, register it as unmarked "
            "so that it gets an internal tag",
            item_id,
        )
    return {
        "marking": intake.marking.strip(),
        "marking_place": intake.marking_place,
        "internal_tag": None,
    }


def register(work: Work, intakes: Sequence[Intake]) -> list[str]:
    """Register items (one, or a whole import), all or none."""
    prepared = []
    # The ids the request gave: a refusal names only these, never one made for it here (it
    # names no item that ever exists, issue 12)
    named: set[str] = set()
    for intake in intakes:
        item_id = check_name(intake.item or new_item_id(), "item id")
        if intake.item:
            named.add(item_id)
        data = {**_validate(work, intake), **_identity(intake, item_id)}
        prepared.append((item_id, data))
    ids = unique([item_id for item_id, _ in prepared])
    given = [d for _, d in prepared]
    alike = comebacks.marked_alike(work, [fold_or_none(d["marking"]) for d in given])
    # R10's photo before the ids: whether an id is taken is the last thing a registration
    # says (`_refuse_known`), so that nobody learns it from a request that is otherwise bad
    for item_id, d in prepared:
        _require_marking_photo(work, item_id if item_id in named else None, d)
    _refuse_known(work, ids, given, alike, named)
    # the items of each decision given at a unit, one step per decision (a file's rows often
    # share one), in the order given
    decided: dict[tuple[tuple[str, Any], ...], tuple[dict[str, Any], list[str]]] = {}
    for (item_id, d), intake in zip(prepared, intakes, strict=True):
        if intake.decision is not None and "decision" not in d:
            key = tuple(sorted(intake.decision.items()))
            decided.setdefault(key, (intake.decision, []))[1].append(item_id)
    for item_id, d in prepared:
        work.entry("item_registered", item_id, d)
        identity = fold_or_none(d["marking"])
        if identity is not None and identity in alike:
            old = comeback(d["category"], _model(d), alike[identity])
            if old is not None:
                comebacks.suspect(work, item_id, old, d["location"], "item_registered")
    if decided:
        # A decision given at a unit's intake is recorded as the step that starts R1's clock,
        # in the same transaction, checked as RecordDecision checks it (R1: not in the future)
        work.commit()  # the items exist for the step; the transaction goes on
        for decision, items in decided.values():
            record_decision(work, items, decision)
    return ids


def _model(data: dict[str, Any]) -> str | None:
    model = data["details"].get("model")
    return model if isinstance(model, str) and model.strip() else None


def _refuse_known(
    work: Work,
    ids: list[str],
    data: list[dict[str, Any]],
    alike: dict[str, list[Any]],
    named: set[str],
) -> None:
    """R10: a marking's identity (not its bytes: `АК 1` and `ak-1` are one) names one live
    item of a category and model; those gone are R11's. The refusal names the item that
    holds the marking only when it is at one of the registering account's places: another
    place's weapon is not named to a clerk who may not read it (issue 14, L1).

    Then an id taken (subjects.unavailable: not whose, nor where), last of all the checks of
    a registration (issue 12, b12 #5): an id chosen for a new item must be refused when it is
    taken, so that it is taken is told; but only to a request that every other rule accepts,
    and that, had the id been free, would have registered the item (written, signed, in the
    ledger). A request that is bad otherwise is refused for that, whether or not its id is
    taken. The other kinds' ids, and ids that read alike, are refused at the commit
    (Work.check_new_subjects), after these checks too."""
    work.load("items", ids)
    # (identity, category) -> the live items' (model, id, location): one model as R11
    # compares them
    # (and, for an intake of this request, its position in it, from 1)
    taken: dict[tuple[str, str], list[tuple[str | None, str, str | None, int | None]]] = {}
    for identity, items in alike.items():
        for item in items:
            if item.state not in TERMINAL and item.state not in GONE:
                held = (item.model, item.id, item.location, None)
                taken.setdefault((identity, item.category), []).append(held)
    account = work.world.accounts.get(work.actor)
    mine = set(account.places) if account is not None else set()
    for position, (item_id, d) in enumerate(zip(ids, data, strict=True), start=1):
        folded = fold_or_none(d["marking"])
        if not folded:
            continue
        live = taken.setdefault((folded, d["category"]), [])
        model = _model(d)
        for other_model, other, where, earlier in live:
            # R10 keeps a record without a model apart from one with a model (R11, with the
            # weapon gone, does not); two models are one when they fold alike
            if (model is None) == (other_model is None) and same_model(model, other_model):
                if earlier is not None:  # not an item yet: its id may be one made for it
                    said = (
                        f"marking {d['marking']} is given twice in this request "
                        f"(positions {earlier} and {position})"
                    )
                elif where in mine:
                    said = f"marking {d['marking']} is already registered as item {other}"
                else:
                    said = f"marking {d['marking']} is already registered to a live item"
                raise RuleViolation("R10", said, item_id if item_id in named else None)
        live.append((model, item_id, d["location"], position))
    for item_id in ids:
        if work.world.find("items", item_id) is not None:
            raise InvalidRequest(subjects.unavailable(item_id))  # not whose, nor where


def _require_marking_photo(work: Work, item_id: str | None, data: dict[str, Any]) -> None:
    if data["category"] != FIREARM or "item_registered" not in work.config.photo_steps:
        return
    why = rules.r10_photo_missing(data["files"], "the intake")
    if why is not None:
        raise RuleViolation("R10", why, item_id)


def record_decision(
    work: Work, item_ids: Sequence[str], decision: dict[str, Any], files: Sequence[Any] = ()
) -> None:
    """The decision of a court, official or commission: R1's clock starts from its date."""
    checked = check_decision(work, decision)
    ids = unique(item_ids)
    per_item = dated(work, "decision_recorded", ids, checked["date"])
    advance(work, "decision_recorded", ids, {**checked, "files": list(files)}, per_item)


def decision_step(
    work: Work,
    step: str,
    item_ids: Sequence[str],
    note: str | None,
    files: Sequence[Any] = (),
    date: str | None = None,
    document: str | None = None,
) -> None:
    """decision_appealed / _suspended / _final / _reversed, with what the clerk notes, the
    date of the event itself (today at the unit if none is given; finality, an appeal and a
    suspension need one: their commands require it) and the document it rests on (the
    court's case number, the act's reference: required of an appeal and a suspension)."""
    data: dict[str, Any] = {"files": list(files)}
    if note:
        data["note"] = note
    if document:
        data["document"] = document
    ids = unique(item_ids)
    advance(work, step, ids, data, dated(work, step, ids, date))


def return_to_owner(work: Work, item_ids: Sequence[str], owner: str) -> None:
    """A reversed decision ends in return to the owner, not destruction (R1)."""
    if not owner.strip():
        raise InvalidRequest("name the owner the item is returned to")
    advance(work, "item_returned", item_ids, {"owner": owner.strip()})
