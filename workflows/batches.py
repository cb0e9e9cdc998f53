"""Furnace and burn batches: loading, presence, and destruction (R7, R9).

Each item is scanned at the furnace or bunker as it is loaded. Destruction needs the quorum
of the technical commission in office at that moment, and a representative of the plant at a
furnace or an ammunition-destruction expert at a bunker (R7, R9). The charge is weighed and
reconciled against what its items weighed after cutting or depackaging: a difference beyond
the tolerance opens a discrepancy on the batch, which blocks its statement (R8), so that
nothing can leave between the cutting table and the furnace unnoticed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from custody.entries import check_name
from workflows import comebacks, registers, rules, subjects
from workflows.errors import InvalidRequest, RuleViolation
from workflows.model import Account, Member
from workflows.movements import new_discrepancy_id
from workflows.steps import advance, file_refs, unique
from workflows.unit_of_work import Work
from workflows.vocabulary import (
    BURN,
    COMMISSION_MEMBER,
    EXPERT,
    FURNACE,
    PLANT,
    PLANT_REPRESENTATIVE,
    PRESENCE_ROLES,
    WAREHOUSE,
)

# What a statement must state (R9 for burning; the furnace's own facts for melting).
FURNACE_FACTS = ("charge_weight_g", "scrap_weight_g")
BURN_FACTS = (
    "charge_weight_g",
    "scrap_weight_g",
    "method",
    "quantity",
    "explosive_type",
    "explosive_amount",
)


def open_batch(
    work: Work, batch_id: str, kind: str, location: str, installation: str, commission: str
) -> None:
    if kind not in (FURNACE, BURN):
        raise InvalidRequest("a batch is a furnace batch or a burn batch")
    places = (PLANT,) if kind == FURNACE else (PLANT, WAREHOUSE)  # a bunker may be at a range
    registers.location_of_kind(work, location, *places)
    work.load("commissions", [commission])
    work.world.commission(commission)
    work.load("batches", [batch_id])
    if work.world.find("batches", batch_id) is not None:
        raise InvalidRequest(subjects.unavailable(batch_id))  # as for any id taken
    if not installation.strip():
        raise InvalidRequest("name the furnace or bunker")
    data = {
        "kind": kind,
        "location": location,
        "installation": installation.strip(),
        "commission": commission,
    }
    work.entry("batch_opened", batch_id, data)


def load(
    work: Work,
    batch_id: str,
    item_ids: Sequence[str],
    per_item: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, str]:
    """Items scanned at the furnace or bunker, one entry each. R11: an item whose marking is
    that of one already destroyed is suspected instead of loaded; returns {item: suspicion}."""
    work.load("batches", [batch_id])
    batch = work.world.batch(batch_id)
    ids = unique(item_ids)
    work.load("items", ids)
    known = [i for i in ids if i in work.world.items]  # advance refuses the others by name
    suspected = comebacks.check_load(work, batch.location, known)
    rest = [i for i in ids if i not in suspected]
    if rest:
        advance(work, "batch_loaded", rest, {"batch": batch_id}, per_item)
    return suspected


def unload(work: Work, item_ids: Sequence[str], reason: str) -> None:
    """Take items out of the batches they are loaded into, before the batch is destroyed: one
    `unloaded` entry each, naming its batch and `reason` (one line of text). Each item goes
    back to its state before loading (cut, depackaged), where the batch is; the batch goes on
    without it, and its statement does not list it. Only an item whose destruction is
    stopped may be unloaded: its decision appealed, suspended or reversed (R1), or an open
    R11 suspicion (rules.unload_allowed). Raises InvalidRequest with no reason, RuleViolation
    (PROCESS) for an item not loaded, a batch destroyed, or nothing stopping it."""
    why = _text(reason, "reason") if reason.strip() else ""
    if not why:
        raise InvalidRequest("name the reason the item is taken out of its batch")
    ids = unique(item_ids)
    work.load("items", ids)
    per_item: dict[str, dict[str, Any]] = {}
    for item_id in ids:
        item = work.world.item(item_id)
        if item.batch is not None:
            work.load("batches", [item.batch])
            per_item[item_id] = {"batch": item.batch}
    advance(work, "unloaded", ids, {"reason": why}, per_item)


@dataclass(frozen=True)
class Present:
    """A person at a furnace or bunker, named as the statement prints them. A commission
    member's full name and position are taken from the commission's entry when not given."""

    person: str
    role: str
    full_name: str | None = None
    position: str | None = None


def record_presence(
    work: Work, batch_id: str, present: Sequence[Present | tuple[str, str]]
) -> None:
    """Who is at the furnace or bunker, each in their role: one entry each, all or none.
    Each entry carries what the statement prints of the person (full_name, position).

    Who may be recorded is the rule of the batch's kind (R7 at a furnace, R9 at a bunker),
    so that the statement the members sign (R8) names only people who could be there:
    a commission member is a member of the batch's commission now, named and placed as the
    register names them (a typed name or position that differs is refused); a plant
    representative is an account holding that role at the batch's place, named as the
    account is; an expert (no account role of their own) is named with a full name and
    position and is not one of the commission's members; and each person holds one role.
    R7 admits no expert at a melting (commission members and the plant's representative
    only); at a burn (R9) an expert is no account (their id is none) and is not named as an
    account or a commission member is, so that an expert's line cannot put someone else's
    name on the statement. Raises InvalidRequest for a malformed request, RuleViolation
    (R7/R9) for these."""
    if not present:
        raise InvalidRequest("name at least one person present")
    work.load("batches", [batch_id])
    batch = work.world.batch(batch_id)
    if batch.state != "open":
        raise InvalidRequest(f"batch {batch_id} is {batch.state}; presence is recorded before")
    rule = "R7" if batch.kind == FURNACE else "R9"
    recorded = {p["person"]: p["role"] for p in batch.present}
    work.load("commissions", [batch.commission])
    commission = work.world.commission(batch.commission)
    on_record = {m.person: m for m in commission.members_at(work.now)}
    ever = {str(m["person"]) for m in commission.members}
    people = [g if isinstance(g, Present) else Present(*g) for g in present]
    work.load("accounts", sorted({p.person for p in people if p.role != COMMISSION_MEMBER}))
    for one in people:
        if one.role not in PRESENCE_ROLES:
            roles = ", ".join(sorted(PRESENCE_ROLES))
            raise InvalidRequest(f"a role at a batch is one of {roles}")
        if one.role == EXPERT and batch.kind == FURNACE:
            raise RuleViolation(
                rule, "at a melting only commission members and a plant representative are present"
            )
        if one.person in recorded:
            if recorded[one.person] == one.role:
                raise InvalidRequest(f"{one.person} is recorded present already")
            raise RuleViolation(
                rule, f"{one.person} is recorded present as {recorded[one.person]}; one role each"
            )
        recorded[one.person] = one.role
        data: dict[str, Any] = {"person": one.person, "role": one.role}
        named = _named(work, batch.location, commission.name, on_record, ever, one, rule)
        for name, value in named.items():
            if value is not None:
                data[name] = _text(value, name.replace("_", " "))
        work.entry("presence_recorded", batch_id, data)


def _named(
    work: Work,
    place: str,
    commission: str,
    on_record: Mapping[str, Member],
    ever: set[str],
    one: Present,
    rule: str,
) -> dict[str, str | None]:
    """The full name and position the statement prints for `one`, by the rule of its role."""
    typed = {"full_name": one.full_name, "position": one.position}
    if one.role == COMMISSION_MEMBER:
        member = on_record.get(one.person)
        if member is None:
            raise RuleViolation(rule, f"{one.person} is not a member of {commission} now")
        kept = {"full_name": member.full_name, "position": member.position}
        for name, value in typed.items():
            if value is not None and value.strip() != (kept[name] or "").strip():
                what = name.replace("_", " ")
                raise RuleViolation(
                    rule, f"a member's {what} is the commission register's, not typed"
                )
        return kept
    if one.person in ever:
        raise RuleViolation(
            rule, f"{one.person} is a member of {commission}, not a {_role_words(one.role)}"
        )
    if one.role == PLANT_REPRESENTATIVE:
        account: Account | None = work.world.find("accounts", one.person)
        if (
            account is None
            or account.disabled
            or PLANT_REPRESENTATIVE not in account.roles
            or place not in account.places
        ):
            raise RuleViolation(rule, f"{one.person} is not a plant representative at {place}")
        if one.full_name is not None and one.full_name.strip() != account.name.strip():
            raise RuleViolation(rule, "a plant representative's full name is their account's")
        return {"full_name": account.name, "position": one.position}
    # An expert holds no account role (workflows.access): named in full, as the statement is.
    if not (one.full_name or "").strip() or not (one.position or "").strip():
        raise RuleViolation(rule, "an expert present is named with a full name and position")
    _not_someone_else(work, one, rule)
    return typed


def _not_someone_else(work: Work, one: Present, rule: str) -> None:
    """R9: an expert has no account, and their name is not an account's nor a member's (of
    any commission, ever), compared as a reader would (case, spacing and Unicode forms aside).
    The accounts are the staff's, a few hundred at most: read whole, not indexed by name."""
    if work.world.find("accounts", one.person) is not None:
        raise RuleViolation(rule, f"{one.person} is an account, not an expert without one")
    name = same_name(one.full_name or "")
    names = [a.name for a in work.repo.documents("accounts")] + [
        str(m.get("full_name") or "") for c in work.repo.documents("commissions") for m in c.members
    ]
    if any(same_name(other) == name for other in names):
        raise RuleViolation(rule, "an expert's full name is the name of an account or member")


def same_name(text: str) -> str:
    """A person's name as compared, not printed: NFKC, case-folded, single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _role_words(role: str) -> str:
    return role.replace("_", " ")


def _text(value: str, what: str) -> str:
    try:
        return check_name(value, what)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc


# R9's "amount of explosive or fuel", in grams as the statement's heading prints it ("…, g"):
# a fuel is weighed too. Half a tonne bounds the charge of one bunker burn with room to spare
# (docs/process.md); more is a typing slip (grams for milligrams, a digit too many).
MAX_EXPLOSIVE_G = 500_000


def _facts(kind: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    wanted = FURNACE_FACTS if kind == FURNACE else BURN_FACTS
    missing = [name for name in wanted if facts.get(name) in (None, "")]
    if missing:
        rule = "R7" if kind == FURNACE else "R9"
        raise RuleViolation(rule, "the statement must state " + ", ".join(missing))
    if kind == BURN and not explosive_amount_ok(facts["explosive_amount"]):
        raise RuleViolation(
            "R9", f"the amount of explosive or fuel is whole grams, 1 to {MAX_EXPLOSIVE_G}"
        )
    for name in ("charge_weight_g", "scrap_weight_g", "quantity"):
        value = facts.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise InvalidRequest(f"{name} is a whole number")
    return dict(facts)


def explosive_amount_ok(value: Any) -> bool:
    """R9: the amount of explosive or fuel a burn used is a whole number of grams, 1 to
    MAX_EXPLOSIVE_G (a JSON integer: not a boolean, nor text with a unit of its own)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_EXPLOSIVE_G


def destroy(
    work: Work,
    batch_id: str,
    facts: Mapping[str, Any],
    files: Sequence[Any] = (),
    per_item: Mapping[str, Mapping[str, Any]] | None = None,
    kind: str | None = None,
) -> str | None:
    """Melt (furnace) or burn (bunker) a batch; returns a weight discrepancy, if one opened.
    With `kind`, a batch of the other kind is refused (a furnace batch is not burned)."""
    work.load("batches", [batch_id])
    batch = work.world.batch(batch_id)
    if kind is not None and batch.kind != kind:
        step = "melted" if kind == FURNACE else "burned"
        raise RuleViolation("PROCESS", f"a {batch.kind} batch is not {step}", batch_id)
    if batch.state != "open" or not batch.items:
        raise InvalidRequest(f"batch {batch_id} is {batch.state} with {len(batch.items)} items")
    work.load("commissions", [batch.commission])
    violation = rules.r7_present(batch, work.world, work.now)
    if violation is not None:
        raise violation
    step = "melted" if batch.kind == FURNACE else "burned"
    stray = next((i for i in per_item or {} if i not in batch.items), None)
    if stray is not None:
        raise InvalidRequest(f"per_item names {stray}, which is not in batch {batch_id}")
    data = _facts(batch.kind, facts)
    work.load("items", batch.items)
    expected = sum(work.world.item(i).charge_weight_g or 0 for i in batch.items)
    difference = data["charge_weight_g"] - expected
    tolerance = work.config.tolerance_g(expected)
    commission = work.world.commission(batch.commission)
    data |= {
        "items_weight_g": expected,
        "difference_g": difference,
        "tolerance_g": tolerance,
        "quorum": commission.quorum_at(work.now),
        "files": file_refs(work, files),
    }
    work.entry(step, batch_id, data)
    advance(work, step, batch.items, {"batch": batch_id}, per_item)
    if abs(difference) <= tolerance:
        return None
    discrepancy = new_discrepancy_id()
    details = {
        "expected_g": expected,
        "charge_g": data["charge_weight_g"],
        "difference_g": difference,
        "tolerance_g": tolerance,
    }
    work.entry(
        "discrepancy_recorded",
        batch_id,
        {"discrepancy": discrepancy, "reason": "weight", "details": details},
    )
    return discrepancy
