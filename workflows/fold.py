"""The state of the process as a fold of the ledger: `apply(world, body)`, entry by entry.

The one place that says what each entry kind does to items, batches, transfers, commissions,
locations, deadlines and discrepancies. A live action folds the entries it just wrote into
the objects it loaded; a replay folds the whole log into an empty World; the two must agree
with the state tables (`workflows.replay`). The fold trusts only the entries: what it needs
to know (a quorum, a destination) is written in them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from custody.entries import EntryBody
from workflows import deadlines, membership, subjects, terms
from workflows.access import makes_administrator
from workflows.deadlines import R1, R2, TRANSIT
from workflows.diversion import FOUND_DIVERTED, compensation_refusal, confirmation_refusal
from workflows.errors import FoldError, UnknownObject
from workflows.machines import WORKFLOWS, decision_fact, workflow_for
from workflows.membership import NAMED
from workflows.model import (
    Account,
    Batch,
    Campaign,
    Commission,
    Device,
    Discrepancy,
    Item,
    Location,
    Payment,
    Proposal,
    Transfer,
)
from workflows.vocabulary import MATCH, WAREHOUSE, needs_forensics
from workflows.world import World

Handler = Callable[[World, EntryBody], None]


# What an entry's fold reaches beyond its own item, so that a live action can load exactly
# that (a replay has everything): kinds whose subject is not an item, and kinds that move
# a deadline.
SUBJECTS = {
    "location_added": "locations",
    "supervisor_assigned": "locations",
    "supervisor_withdrawn": "locations",
    "commission_member_added": "commissions",
    "commission_member_removed": "commissions",
    "transfer_closed": "transfers",
    "batch_opened": "batches",
    "presence_recorded": "batches",
    "statement_signed": "batches",
    "account_created": "accounts",
    "role_granted": "accounts",
    "role_withdrawn": "accounts",
    "place_assigned": "accounts",
    "place_withdrawn": "accounts",
    "account_disabled": "accounts",
    "account_enabled": "accounts",
    "device_token_issued": "devices",
    "device_token_revoked": "devices",
    "campaign_opened": "campaigns",
    "change_proposed": "proposals",
    "change_confirmed": "proposals",
    "change_declined": "proposals",
}
# The deadlines a kind reads or moves (one that only starts a clock needs nothing loaded).
MOVES_DEADLINES = {
    "decision_appealed": (R1,),
    "decision_suspended": (R1,),
    "decision_final": (R1,),
    "decision_reversed": (R1,),
    "transfer_sent": (R1, TRANSIT),
    "transfer_received": (R2, TRANSIT),
    "forensic_sent": (R2,),
    "discrepancy_resolved": (R1, R2, TRANSIT),
}


def touches(kind: str, item: str | None, data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The objects the fold of this entry may read or change, as (kind, key)."""
    if item is not None:
        yield from touches_subject(kind, item)
    yield from touches_data(data)


def touches_subject(kind: str, item: str) -> Iterator[tuple[str, Any]]:
    """What an entry reaches through the subject it names."""
    yield SUBJECTS.get(kind, "items"), item
    if kind in ("melted", "burned", "discrepancy_recorded", "discrepancy_resolved"):
        yield "batches", item  # these kinds are about a batch or an item
    for rule in MOVES_DEADLINES.get(kind, ()):
        yield "deadlines", (item, rule)


def touches_data(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """What an entry reaches through the objects its data names."""
    for field, table in (
        ("transfer", "transfers"),
        ("batch", "batches"),
        ("discrepancy", "discrepancies"),
        ("location", "locations"),
        ("campaign", "campaigns"),
        ("payment", "payments"),
    ):
        if isinstance(data.get(field), str):
            yield table, data[field]
    details = data.get("details")
    if isinstance(details, dict) and isinstance(details.get("transfer"), str):
        yield "transfers", details["transfer"]
    # A final signature moves every item of its batch; those the signing action loads with
    # the batch (statements.load_for_statement), as the fold cannot name them before.


def apply(world: World, body: EntryBody) -> None:
    confirmed = world.confirmed
    try:
        _apply(world, body)
    finally:
        # A confirmation holds for the one entry after it (workflows.dual).
        if world.confirmed is confirmed:
            world.confirmed = None


def _apply(world: World, body: EntryBody) -> None:
    handler = _HANDLERS.get(body.kind)
    if handler is None:
        return  # the ledger's own kinds (keys) change nothing here
    made = subjects.claimed(body.kind, body.item, body.data)
    if made is not None:
        key = subjects.folded(made[1])  # once for both: a replay folds a million ids
        refused = subjects.conflict(world, *made, key)
        if refused is not None:
            raise FoldError(body.seq, refused)
    try:
        handler(world, body)
    except UnknownObject as exc:
        raise FoldError(body.seq, str(exc)) from exc
    if made is not None:
        subjects.register(world, *made, key)


# -- helpers ------------------------------------------------------------------------------------


def _subject(body: EntryBody) -> str:
    if body.item is None:
        raise FoldError(body.seq, f"a {body.kind} entry must name its subject")
    return body.item


def _move(world: World, item_id: str, body: EntryBody, facts: frozenset[str] = frozenset()) -> Item:
    item = world.item(item_id)
    dest = WORKFLOWS[item.workflow].next_state(item.state, body.kind, facts)
    if dest is None:
        raise FoldError(body.seq, f"{body.kind} cannot follow {item.state} for item {item_id}")
    item.state = dest
    item.updated_at, item.last_seq = body.time, body.seq
    _keep_files(item, body)
    world.touch("items", item)
    return item


def _keep_files(item: Item, body: EntryBody) -> None:
    for ref in body.data.get("files", ()):
        item.files.append({**ref, "step": body.kind, "seq": body.seq})


def _deadline_step(
    world: World, item_id: str, rule: str, step: Callable[..., None], at: str
) -> None:
    deadline = world.deadline(item_id, rule)
    if deadline is not None:
        step(deadline, at)
        world.touch("deadlines", deadline)


def _start_r2(world: World, item_id: str, place: str, at: str) -> None:
    world.put("deadlines", deadlines.start_r2(item_id, place, at))


# An appeal or suspension dated on or before a step that had already destroyed or altered
# the item carries that step (workflows.decision_dates.destruction_began): a flag.
_AFTER = "after_destruction"
# What a decision's entry carries for the clock and the record, not for the decision itself.
_CLOCK_FIELDS = ("files", "date", "time_zone", "entered_late_days")


def _zone(world: World, item: Item, data: dict[str, Any]) -> str:
    """The zone R1's days are counted in: the one the entry names (written since entries
    carry it), else the unit's own, its region's, or Almaty's."""
    given = data.get("time_zone")
    if isinstance(given, str):
        return given
    place = world.find("locations", item.unit)
    if place is not None:
        return terms.place_zone(place.time_zone, place.region)
    return terms.DEFAULT_ZONE


def _note_late(item: Item, body: EntryBody, event: dict[str, Any]) -> None:
    """A late entry is a fact of its own: kept on the item's decision for its page; one
    entered after the term had run out too, with the days it stood overdue until then."""
    hidden = "overdue_until_late_entry" in event
    if (event.get("entered_late") or hidden) and item.decision is not None:
        keys = ("date", "entered_at", "delay_days") + (("overdue_until_late_entry",) * hidden)
        late = {k: event[k] for k in keys}
        item.decision.setdefault("late_entries", []).append({"step": body.kind, **late})


# -- registers ----------------------------------------------------------------------------------


def _location_added(world: World, body: EntryBody) -> None:
    data = body.data
    place = Location(id=_subject(body), kind=data["kind"], name=data["name"], region=data["region"])
    place.time_zone = data.get("time_zone")
    place.names = data.get("names", {})
    world.put("locations", place)


def _supervisor_assigned(world: World, body: EntryBody) -> None:
    """The supervision register: a person answers for a place at a level."""
    place = world.location(_subject(body))
    person, level = body.data["person"], body.data["level"]
    place.people.append({"person": person, "level": level, "since": body.time, "until": None})
    world.touch("locations", place)


def _supervisor_withdrawn(world: World, body: EntryBody) -> None:
    place = world.location(_subject(body))
    for held in place.people:
        same = held["person"] == body.data["person"] and held["level"] == body.data["level"]
        if same and held["until"] is None:
            held["until"] = body.time
    world.touch("locations", place)


def _commission_member_added(world: World, body: EntryBody) -> None:
    commission_id = _subject(body)
    commission = world.find("commissions", commission_id) or Commission(
        id=commission_id,
        name=body.data.get("name", commission_id),
        names=body.data.get("names", {}),
    )
    since = body.data.get("since", body.time)
    period = membership.overlapping(commission.members, body.data.get("person", ""), since)
    if period is not None:
        raise FoldError(body.seq, "R8: " + membership.overlap_refusal(period, since))
    membership.joined(commission.members, body.data, body.time)
    world.put("commissions", commission)


def _commission_member_removed(world: World, body: EntryBody) -> None:
    commission = world.commission(_subject(body))
    membership.left(commission.members, body.data, body.time)
    world.touch("commissions", commission)


# -- accounts: who may act, and where -----------------------------------------------------------


def _account_created(world: World, body: EntryBody) -> None:
    username, data = _subject(body), body.data
    if world.find("accounts", username) is not None:
        raise FoldError(body.seq, f"account {username} is created twice")
    world.put(
        "accounts",
        Account(
            id=username,
            name=data["name"],
            roles=list(data["roles"]),
            places=list(data["places"]),
            disabled=False,
            created_at=body.time,
            created_by=_creator(world, body),
        ),
    )
    if makes_administrator(body.kind, data):
        world.administrators_made += 1


def _creator(world: World, body: EntryBody) -> str:
    """Who made an account: the administrator who proposed it, when another's confirmation
    just before wrote it (workflows.dual); else the entry's actor."""
    if world.confirmed is not None:
        proposal = world.find("proposals", world.confirmed[1])
        if proposal is not None:
            return str(proposal.proposed_by)
    return body.actor


def _account_change(field: str, add: bool) -> Handler:
    """role_granted / role_withdrawn / place_assigned / place_withdrawn."""

    def handle(world: World, body: EntryBody) -> None:
        account = world.account(_subject(body))
        values: list[str] = getattr(account, field + "s")
        value = body.data[field]
        if (value in values) == add:
            held = "holds" if add else "does not hold"
            raise FoldError(body.seq, f"account {account.id} {held} {field} {value} already")
        if add:
            values.append(value)
            values.sort()
            if makes_administrator(body.kind, body.data):
                world.administrators_made += 1
        else:
            values.remove(value)
        world.touch("accounts", account)

    return handle


def _account_disabled(disabled: bool) -> Handler:
    def handle(world: World, body: EntryBody) -> None:
        account = world.account(_subject(body))
        account.disabled = disabled
        world.touch("accounts", account)

    return handle


def _device_token_issued(world: World, body: EntryBody) -> None:
    device_id, data = _subject(body), body.data
    if world.find("devices", device_id) is not None:
        raise FoldError(body.seq, f"device token {device_id} is issued twice")
    world.put(
        "devices",
        Device(
            id=device_id,
            account=data["account"],
            role=data["role"],
            place=data.get("place"),
            label=data["label"],
            issued_at=body.time,
            expires_at=data["expires_at"],
        ),
    )


def _device_token_revoked(world: World, body: EntryBody) -> None:
    device = world.device(_subject(body))
    device.revoked_at = body.time
    world.touch("devices", device)


# -- intake and decisions -----------------------------------------------------------------------


def _item_registered(world: World, body: EntryBody) -> None:
    item_id, data = _subject(body), body.data
    location = world.location(data["location"])
    at_warehouse = location.kind == WAREHOUSE
    workflow = workflow_for(data["category"])
    state = workflow.next_state(
        "new", body.kind, frozenset({"at_warehouse"} if at_warehouse else ())
    )
    if state is None or world.find("items", item_id) is not None:
        raise FoldError(body.seq, f"item {item_id} is registered twice")
    decision = data.get("decision")
    item = Item(
        id=item_id,
        workflow=workflow.name,
        category=data["category"],
        source=data["source"],
        state=state,
        location=location.id,
        unit=location.id,
        rifled=bool(data.get("rifled")),
        marking=data.get("marking"),
        marking_place=data.get("marking_place"),
        internal_tag=data.get("internal_tag"),
        weight_g=data["weight_g"],
        quantity=data.get("quantity"),
        details=data.get("details", {}),
        registered_at=body.time,
        updated_at=body.time,
        last_seq=body.seq,
        decision={**decision, "status": "final"} if decision else None,
        campaign=data.get("campaign"),
    )
    _keep_files(item, body)
    world.put("items", item)
    if at_warehouse and needs_forensics(item.category, item.rifled, item.source):
        _start_r2(world, item_id, location.id, body.time)


def _decision(status: str, clock: Callable[..., None] | None) -> Handler:
    def handle(world: World, body: EntryBody) -> None:
        # Once the item has left the unit, its decision's status says what may follow
        # (workflows.machines: the item stays in its state there).
        before = world.item(_subject(body)).decision
        item = _move(world, _subject(body), body, decision_fact(before))
        data = body.data
        kept = {k: v for k, v in data.items() if k not in _CLOCK_FIELDS and k != _AFTER}
        item.decision = {**(item.decision or {}), **kept, "status": status}
        began = data.get(_AFTER)
        if isinstance(began, dict):  # accepted, the fact happened; flagged (fix19h M3)
            item.decision.setdefault(
                _AFTER,
                {
                    "step": began.get("step"),
                    "step_seq": began.get("seq"),
                    "step_date": began.get("date"),
                    "by": status,
                    "date": data.get("date"),
                    "seq": body.seq,
                    "entered_at": body.time,
                },
            )
        if "date" in data:
            item.decision[f"{status}_date"] = data["date"]
        if "document" in data:  # what it rests on, kept beside its date (issue 19)
            item.decision[f"{status}_document"] = data["document"]
        if clock is None:
            return
        deadline = world.deadline(item.id, R1)
        if deadline is None:
            return
        zone = deadline.zone or terms.DEFAULT_ZONE
        late = "entered_late_days" in data
        event = deadlines.fact(status, data.get("date"), body.time, body.seq, zone, late)
        clock(deadline, deadlines.with_destruction(event, data))
        world.touch("deadlines", deadline)
        # The fact as the clock kept it: with the overdue time a late entry hid (issue 19).
        kept = deadline.facts[-1] if deadline.facts else event
        _note_late(item, body, kept if kept.get("seq") == body.seq else event)

    return handle


def _decision_recorded(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    data = body.data
    kept = {k: v for k, v in data.items() if k not in _CLOCK_FIELDS}
    item.decision = {**kept, "date": data["date"], "status": "recorded"}
    zone = _zone(world, item, data)
    late = "entered_late_days" in data
    event = deadlines.fact("decision", data["date"], body.time, body.seq, zone, late)
    world.put("deadlines", deadlines.start_r1(item.id, item.unit, zone, event))
    _note_late(item, body, event)


def _item_returned(world: World, body: EntryBody) -> None:
    """Back to its owner: at the unit from `reversed`; from a warehouse under a decision
    reversed after the item left the unit (workflows.machines)."""
    item = world.item(_subject(body))
    _move(world, item.id, body, decision_fact(item.decision))


# -- transfers ----------------------------------------------------------------------------------


def _transfer_sent(world: World, body: EntryBody) -> None:
    data = body.data
    transfer = world.find("transfers", data["transfer"]) or Transfer(
        id=data["transfer"],
        origin=data["origin"],
        destination=data["destination"],
        state="open",
        opened_at=body.time,
    )
    item = _move(world, _subject(body), body)
    transfer.sent.append(item.id)
    world.put("transfers", transfer)
    item.transfer, item.destination = transfer.id, transfer.destination
    if item.location == item.unit:
        _deadline_step(world, item.id, R1, deadlines.meet, body.time)
    # The transit watch (not a rule of the law): the sending place answers until received.
    earlier = world.deadline(item.id, TRANSIT)
    watch = deadlines.start_transit(item.id, data, body.time, body.seq)
    world.put("deadlines", deadlines.restart_transit(earlier, watch, body.time))


def _transfer_received(world: World, body: EntryBody) -> None:
    transfer = world.transfer(body.data["transfer"])
    item = _move(world, _subject(body), body)
    transfer.received.append(item.id)
    world.touch("transfers", transfer)
    item.location, item.destination, item.transfer = transfer.destination, None, None
    _deadline_step(world, item.id, TRANSIT, deadlines.meet, body.time)
    if needs_forensics(item.category, item.rifled, item.source) and not world.deadline(item.id, R2):
        _start_r2(world, item.id, transfer.destination, body.time)
    else:  # received at another warehouse before forensics: R2 is that one's now
        _deadline_step(world, item.id, R2, deadlines.move_r2, transfer.destination)


def _transfer_closed(world: World, body: EntryBody) -> None:
    transfer = world.transfer(_subject(body))
    transfer.state, transfer.closed_at = "closed", body.time
    world.touch("transfers", transfer)


# -- forensics ----------------------------------------------------------------------------------


def _forensic_sent(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    item.destination = body.data["forensics"]
    _deadline_step(world, item.id, R2, deadlines.meet, body.time)


def _forensic_received(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    item.location, item.destination = item.destination or item.location, None


def _registry_result_recorded(world: World, body: EntryBody) -> None:
    act = body.data["act"]
    result = act["result"]
    item = _move(
        world, _subject(body), body, frozenset({"match" if result == MATCH else "no_match"})
    )
    item.registry_result, item.case_ref = result, act.get("case")


def _evidence_released(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    item.evidence_released = True


def _forensic_returned(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    item.location = body.data["warehouse"]


def _step(world: World, body: EntryBody) -> None:
    """A step that only moves the item (parts, deformation, cutting, depackaging...)."""
    _move(world, _subject(body), body)


def _weighed(world: World, body: EntryBody) -> None:
    """cut / depackaged: the step, and the weight the item brings to a charge."""
    item = _move(world, _subject(body), body)
    item.charge_weight_g = body.data["weight_g"]


def _fuses_removed(world: World, body: EntryBody) -> None:
    item = _move(world, _subject(body), body)
    item.fuses = {k: body.data[k] for k in ("fuses", "firing_devices", "detonators")}


# -- batches and statements ---------------------------------------------------------------------


def _batch_opened(world: World, body: EntryBody) -> None:
    data = body.data
    world.put(
        "batches",
        Batch(
            id=_subject(body),
            kind=data["kind"],
            location=data["location"],
            installation=data["installation"],
            commission=data["commission"],
            state="open",
            opened_at=body.time,
        ),
    )


def _batch_loaded(world: World, body: EntryBody) -> None:
    batch = world.batch(body.data["batch"])
    item = _move(world, _subject(body), body)
    batch.items.append(item.id)
    # Loaded again after it was taken out of this batch: its last `unloaded` record says so,
    # for the commission to read both (templates/_batch_unloaded.html.j2).
    again = [u for u in batch.unloaded if u["item"] == item.id and "loaded_again_at" not in u]
    if again:
        again[-1].update(
            {
                "loaded_again_at": body.time,
                "loaded_again_seq": body.seq,
                "loaded_again_by": body.actor,
            }
        )
    world.touch("batches", batch)
    item.batch, item.location = batch.id, batch.location


def _unloaded(world: World, body: EntryBody) -> None:
    """An item taken out of a batch not yet destroyed: back to its state before loading, at
    the batch's place; the batch goes on without it (not on its statement)."""
    batch, item_id = world.batch(body.data["batch"]), _subject(body)
    if item_id not in batch.items or batch.state != "open":
        raise FoldError(body.seq, f"{item_id} is not in open batch {batch.id}")
    item = _move(world, item_id, body)
    batch.items.remove(item.id)
    batch.unloaded.append(
        {
            "item": item.id,
            "reason": body.data["reason"],
            "seq": body.seq,
            "at": body.time,
            "by": body.actor,
        }
    )
    world.touch("batches", batch)
    item.batch = None


def _presence_recorded(world: World, body: EntryBody) -> None:
    batch = world.batch(_subject(body))
    present = {"person": body.data["person"], "role": body.data["role"], "at": body.time}
    present.update({k: body.data[k] for k in NAMED if k in body.data})
    batch.present.append(present)
    world.touch("batches", batch)


def _destroyed(state: str) -> Handler:
    """melted / burned: about a batch, its facts; about an item, its move (data names the batch)."""

    def handle(world: World, body: EntryBody) -> None:
        if "batch" in body.data:
            _move(world, _subject(body), body)
            return
        batch = world.batch(_subject(body))
        batch.state, batch.destroyed_at = state, body.time
        batch.quorum = body.data["quorum"]
        batch.facts = {k: v for k, v in body.data.items() if k != "quorum"}
        world.touch("batches", batch)

    return handle


def _statement_signed(world: World, body: EntryBody) -> None:
    batch = world.batch(_subject(body))
    act = body.data["act"]
    batch.signatures.append({"person": act["person"], "key_id": act["key_id"], "seq": body.seq})
    batch.statement = act["statement"]
    signers = {s["person"] for s in batch.signatures}
    if batch.state != "final" and batch.quorum is not None and len(signers) >= batch.quorum:
        batch.state = "final"
        for item_id in batch.items:
            _move(world, item_id, body)
    world.touch("batches", batch)


# -- discrepancies ------------------------------------------------------------------------------


def _discrepancy_recorded(world: World, body: EntryBody) -> None:
    subject, data = _subject(body), body.data
    discrepancy = Discrepancy(
        id=data["discrepancy"],
        subject=subject,
        reason=data["reason"],
        opened_at=body.time,
        opened_seq=body.seq,
        details=data.get("details", {}),
        opened_by=body.actor,
    )
    world.put("discrepancies", discrepancy)
    if subject in world.batches:
        batch = world.batch(subject)
        batch.discrepancy = discrepancy.id
        world.touch("batches", batch)
        return
    before = world.item(subject).state
    item = _move(world, subject, body)
    item.discrepancy, item.state_before_discrepancy = discrepancy.id, before
    transfer_id = discrepancy.details.get("transfer")
    if discrepancy.reason == "received_not_sent" and transfer_id is not None:
        transfer = world.transfer(transfer_id)
        transfer.unexpected.append(subject)
        world.touch("transfers", transfer)


def _discrepancy_resolved(world: World, body: EntryBody) -> None:
    subject, data = _subject(body), body.data
    discrepancy = world.discrepancy(data["discrepancy"])
    discrepancy.resolved_at, discrepancy.resolution = body.time, data["resolution"]
    discrepancy.note = data.get("note")
    if "corrected_charge_g" in data:  # a batch's weight settled corrected: the right figure
        discrepancy.details = {
            **discrepancy.details,
            "corrected_charge_g": data["corrected_charge_g"],
        }
    world.touch("discrepancies", discrepancy)
    if subject in world.batches:
        batch = world.batch(subject)
        batch.discrepancy = None
        world.touch("batches", batch)
        return
    item = world.item(subject)
    lost = data["resolution"] == "lost"
    fact = "lost" if lost else f"was_{item.state_before_discrepancy}"
    item = _move(world, subject, body, frozenset({fact}))
    item.discrepancy, item.state_before_discrepancy = None, None
    if lost:
        for rule in (R1, R2, TRANSIT):
            deadline = world.deadline(item.id, rule)
            if deadline is not None:  # one cancelled overdue keeps its miss (issue 19, H2)
                deadlines.cancel(deadline, body.time, body.seq, "lost")
                world.touch("deadlines", deadline)


# -- diversion, campaigns, compensation (R11-R14) -------------------------------------------------


def _touch_item(world: World, item: Item, body: EntryBody) -> None:
    item.updated_at, item.last_seq = body.time, body.seq
    world.touch("items", item)


def _diversion_suspected(world: World, body: EntryBody) -> None:
    """R11: the item's marking is that of one melted, on a signed statement, or returned."""
    item, data = world.item(_subject(body)), body.data
    if item.diversion is not None:
        raise FoldError(body.seq, f"item {item.id} is suspected already ({item.diversion})")
    discrepancy = Discrepancy(
        id=data["discrepancy"],
        subject=item.id,
        reason="diversion_suspected",
        opened_at=body.time,
        opened_seq=body.seq,
        details={k: v for k, v in data.items() if k != "discrepancy"},
        opened_by=body.actor,
    )
    world.put("discrepancies", discrepancy)
    item.diversion = discrepancy.id
    _touch_item(world, item, body)


def _diversion_resolved(world: World, body: EntryBody) -> None:
    """R11: an official's signed act settles the suspicion; the item may then be destroyed."""
    item, data = world.item(_subject(body)), body.data
    discrepancy = world.discrepancy(data["discrepancy"])
    if item.diversion != discrepancy.id or not discrepancy.open:
        raise FoldError(body.seq, f"{discrepancy.id} is not an open suspicion about {item.id}")
    act = data["act"]
    discrepancy.resolved_at, discrepancy.resolution = body.time, act["outcome"]
    discrepancy.note = act.get("note")
    world.touch("discrepancies", discrepancy)
    item.diversion = None
    item.diversion_cleared.append(discrepancy.details["old_item"])
    if act["outcome"] in FOUND_DIVERTED:
        item.diversion_found = discrepancy.id
    _touch_item(world, item, body)


def _campaign_opened(world: World, body: EntryBody) -> None:
    data = body.data
    world.put(
        "campaigns",
        Campaign(
            id=_subject(body),
            name=data["name"],
            starts=data["starts"],
            ends=data["ends"],
            places=list(data["places"]),
            budget_tenge=data["budget_tenge"],
            tariffs=dict(data["tariffs"]),
            opened_at=body.time,
        ),
    )


def _compensation_paid(world: World, body: EntryBody) -> None:
    item, data = world.item(_subject(body)), body.data
    first = world.paid.get(data.get("marking_folded") or "")
    refused = compensation_refusal(item, world.find("payments", first) or first)
    if refused is not None:
        raise FoldError(body.seq, str(refused))
    payment = Payment(
        id=data["payment"],
        item=item.id,
        campaign=data["campaign"],
        marking_folded=data.get("marking_folded"),
        amount_tenge=data["amount_tenge"],
        reference=data["reference"],
        recipient=data["recipient"],
        paid_by=body.actor,
        paid_at=body.time,
        paid_seq=body.seq,
    )
    world.put("payments", payment)
    if payment.marking_folded:
        world.paid[payment.marking_folded] = payment.id
    item.compensation = payment.id
    _touch_item(world, item, body)


def _compensation_confirmed(world: World, body: EntryBody) -> None:
    payment = world.payment(body.data["payment"])
    refused = confirmation_refusal(payment, body.actor)
    if refused is not None or payment.item != body.item:
        raise FoldError(body.seq, str(refused or f"{payment.id} is not about {body.item}"))
    payment.confirmed_by, payment.confirmed_at = body.actor, body.time
    world.touch("payments", payment)


# -- dual control: proposed changes and their confirmation (workflows.dual) ---------------------


def _change_proposed(world: World, body: EntryBody) -> None:
    proposal_id, data = _subject(body), body.data
    if world.find("proposals", proposal_id) is not None:
        raise FoldError(body.seq, f"change {proposal_id} is proposed twice")
    world.put(
        "proposals",
        Proposal(
            id=proposal_id,
            kind=data["kind"],
            fields=dict(data["fields"]),
            concerns=data["concerns"],
            proposed_by=body.actor,
            proposed_at=body.time,
            proposed_seq=body.seq,
        ),
    )


def _change_decided(state: str) -> Handler:
    def handle(world: World, body: EntryBody) -> None:
        proposal = world.proposal(_subject(body))
        if proposal.state != "proposed":
            raise FoldError(body.seq, f"change {proposal.id} is {proposal.state} already")
        proposal.state, proposal.decided_by, proposal.decided_at = state, body.actor, body.time
        if state == "declined":
            proposal.reason = body.data.get("reason")
        else:
            world.confirmed = (body.seq, proposal.id)
        world.touch("proposals", proposal)

    return handle


_HANDLERS: dict[str, Handler] = {
    "location_added": _location_added,
    "supervisor_assigned": _supervisor_assigned,
    "supervisor_withdrawn": _supervisor_withdrawn,
    "commission_member_added": _commission_member_added,
    "commission_member_removed": _commission_member_removed,
    "item_registered": _item_registered,
    "decision_recorded": _decision_recorded,
    "decision_appealed": _decision("appealed", deadlines.pause),
    "decision_suspended": _decision("suspended", deadlines.pause),
    "decision_final": _decision("final", deadlines.finalise),
    "decision_reversed": _decision("reversed", deadlines.reverse),
    "item_returned": _item_returned,
    "transfer_sent": _transfer_sent,
    "transfer_received": _transfer_received,
    "transfer_closed": _transfer_closed,
    "forensic_sent": _forensic_sent,
    "forensic_received": _forensic_received,
    "test_fired": _step,
    "registry_result_recorded": _registry_result_recorded,
    "evidence_released": _evidence_released,
    "forensic_returned": _forensic_returned,
    "parts_removed": _step,
    "parts_incinerated": _step,
    "deformed": _step,
    "cut": _weighed,
    "fuses_removed": _fuses_removed,
    "depackaged": _weighed,
    "batch_opened": _batch_opened,
    "batch_loaded": _batch_loaded,
    "unloaded": _unloaded,
    "presence_recorded": _presence_recorded,
    "melted": _destroyed("melted"),
    "burned": _destroyed("burned"),
    "statement_signed": _statement_signed,
    "discrepancy_recorded": _discrepancy_recorded,
    "discrepancy_resolved": _discrepancy_resolved,
    "account_created": _account_created,
    "role_granted": _account_change("role", True),
    "role_withdrawn": _account_change("role", False),
    "place_assigned": _account_change("place", True),
    "place_withdrawn": _account_change("place", False),
    "account_disabled": _account_disabled(True),
    "account_enabled": _account_disabled(False),
    "device_token_issued": _device_token_issued,
    "device_token_revoked": _device_token_revoked,
    "diversion_suspected": _diversion_suspected,
    "diversion_resolved": _diversion_resolved,
    "campaign_opened": _campaign_opened,
    "compensation_paid": _compensation_paid,
    "compensation_confirmed": _compensation_confirmed,
    "change_proposed": _change_proposed,
    "change_confirmed": _change_decided("confirmed"),
    "change_declined": _change_decided("declined"),
}
