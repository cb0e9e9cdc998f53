"""The rules R1-R10 (DESIGN §3) and R11 (workflows.diversion) as guards: plain functions of
plain data and the time.

A guard returns None when the step may go ahead, or the RuleViolation that stops it, in a
sentence a warehouse clerk understands. `check_step` runs the guards of a step in order:
first what blocks an item whatever is asked (an open discrepancy, a finished item), then the
law's gates (R1, R3, R4), then what the step itself needs (R5-R10), and last the order of the
process; where the law dictates that order, the refusal names its rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from custody.acts import MAX_CLOCK_SKEW
from custody.clock import is_time, parse_time
from workflows.config import ProcessConfig
from workflows.diversion import BLOCKED, suspicion_blocks
from workflows.errors import INVENTORY, PROCESS, RuleViolation
from workflows.machines import (
    AT_UNIT,
    DECISION_STEPS_AFTER,
    DISCREPANCY,
    TERMINAL,
    WORKFLOWS,
    decision_fact,
)
from workflows.model import Batch, Item
from workflows.vocabulary import (
    AMMUNITION,
    BURN,
    COMMISSION_MEMBER,
    EXPERT,
    FIREARM,
    FURNACE,
    MARKING_PHOTO,
    MATCH,
    PLANT_REPRESENTATIVE,
    needs_forensics,
)
from workflows.world import World


class Check(NamedTuple):
    """A step asked for one item, as the rules see it (a tuple: one is made per item of a
    bulk step)."""

    step: str
    item: Item
    data: dict[str, Any]
    world: World
    now: str  # RFC 3339 UTC
    config: ProcessConfig


Guard = Callable[[Check], RuleViolation | None]

# Steps that destroy or alter a weapon beyond what test-firing can undo (R3).
DESTRUCTIVE = frozenset(
    {"parts_removed", "parts_incinerated", "deformed", "cut", "batch_loaded", "melted"}
)


def _refuse(rule: str, message: str) -> RuleViolation:
    return RuleViolation(rule, message)


# -- what blocks an item whatever is asked ------------------------------------------------------


def open_discrepancy(check: Check) -> RuleViolation | None:
    item = check.item
    if item.state == DISCREPANCY and check.step != "discrepancy_resolved":
        return _refuse(
            INVENTORY, f"{item.name} has an open discrepancy ({item.discrepancy}); resolve it first"
        )
    return None


def open_suspicion(check: Check) -> RuleViolation | None:
    """R11: a weapon suspected of diversion is not destroyed until an official says why."""
    return suspicion_blocks(check.item, check.step)


def finished(check: Check) -> RuleViolation | None:
    if check.item.state in TERMINAL:
        return _refuse(
            PROCESS, f"{check.item.name} is {check.item.state}; nothing more can be done"
        )
    return None


# -- the law's gates ----------------------------------------------------------------------------


def r1_decision_in_force(check: Check) -> RuleViolation | None:
    """R1: an item leaves the unit only under a decision that is neither appealed nor
    suspended; a reversed decision sends it back to its owner."""
    state = check.item.state
    if state == "registered":
        return _refuse("R1", "no decision has been recorded; the item stays at the unit")
    if state in ("appealed", "suspended"):
        return _refuse(
            "R1", f"the decision is {state}; the item stays at the unit until it is final"
        )
    if state == "reversed":
        return _refuse("R1", REVERSED)
    return None


REVERSED = "the decision was reversed; the item goes back to its owner"
# The decision's statuses under which nothing destroys the item (R1): an appeal or a
# suspension holds it until the decision is final; a reversal sends it back to its owner.
CONTESTED = ("appealed", "suspended")


def r1_not_destroyed_while_contested(check: Check) -> RuleViolation | None:
    """R1: while the decision is appealed or suspended (not final again) no step destroys or
    alters the item, wherever it is; a reversed decision ends in return to the owner, not
    destruction (issue 19: an appeal lodged in time after the item had left the unit); and
    a decision recorded but not final yet (no `decision_final`) holds it too, until its
    finality is recorded (fix19h M3: an appeal may still come)."""
    decision = check.item.decision
    status = decision.get("status") if decision else None
    if status in CONTESTED:
        return _refuse(
            "R1",
            f"the decision is {status}; the item may not be destroyed until the decision is final",
        )
    if status == "reversed":
        return _refuse("R1", REVERSED)
    if status == NOT_FINAL:
        return _refuse("R1", NOT_FINAL_YET)
    return None


# A decision recorded and not (yet) final: the ledger knows a decision is final only from
# its `decision_final` (or an intake that carries the decision, state surplus, which is
# final). Until then nothing destroys the item (fix19h M3): an appeal may still come.
NOT_FINAL = "recorded"
NOT_FINAL_YET = (
    "the decision is not final yet; the item may not be destroyed until its finality is recorded"
)


# The decision's statuses under which R1 holds every step that destroys or alters the item
# (r1_not_destroyed_while_contested): appealed, suspended, reversed, or not final yet.
R1_HOLDING = (*CONTESTED, "reversed", NOT_FINAL)


def destruction_stopped(item: Item) -> bool:
    """Whether something the law or R11 sets stops the item's destruction now: its decision
    appealed, suspended, reversed or not final yet (R1), or an open suspicion of diversion
    (R11)."""
    decision = item.decision
    status = decision.get("status") if decision else None
    return status in R1_HOLDING or item.diversion is not None


def unload_allowed(check: Check) -> RuleViolation | None:
    """An item is taken out of a batch (`unloaded`) only from a batch not yet destroyed, and
    only while its destruction is stopped (destruction_stopped): the rest of the batch then
    goes on without it, and it is not on the statement (R1, R8; issue 19). A reason is
    required (workflows.batches.unload)."""
    item = check.item
    # The batch it is in, unless the step names another: possible_steps asks with no data.
    named = check.data.get("batch", item.batch)
    batch: Batch | None = check.world.find("batches", named)
    if item.state != "loaded" or named is None or named != item.batch:
        return None  # the machine's order refuses it (in_order), or the fold (not in it)
    if batch is not None and item.id not in batch.items:
        return None
    if batch is not None and batch.state != "open":
        return _refuse(PROCESS, f"batch {batch.id} is already {batch.state}")
    if not destruction_stopped(item):
        return _refuse(
            PROCESS,
            f"nothing stops the destruction of {item.name}: only an item whose decision is "
            "appealed, suspended, reversed or not final, or suspected of diversion, is unloaded",
        )
    return None


# The destructive steps R3 gates, as a clerk would name them in a sentence.
_GATED_STEPS = {
    "parts_removed": "parts removal",
    "parts_incinerated": "parts incineration",
    "deformed": "deformation",
    "cut": "cutting",
    "batch_loaded": "loading into a furnace",
    "melted": "melting",
}


def r3_registry_gate(check: Check) -> RuleViolation | None:
    """R3 and R4: no destruction before the registry result; none while a match holds it."""
    item = check.item
    if not needs_forensics(item.category, item.rifled, item.source):
        return None
    step = _GATED_STEPS.get(check.step, check.step.replace("_", " "))
    if item.registry_result is None:
        return _refuse("R3", f"the bullet-registry result must be recorded before {step}")
    if item.registry_result == MATCH and not item.evidence_released:
        return _refuse(
            "R4",
            f"a registry match holds the item as evidence for case {item.case_ref} "
            "until an authorised release",
        )
    return None


def r4_evidence_hold(check: Check) -> RuleViolation | None:
    if check.item.state == "evidence_hold":
        return _refuse(
            "R4",
            f"the item is held as evidence for case {check.item.case_ref} until an "
            "authorised release",
        )
    return None


# -- what a step needs --------------------------------------------------------------------------


def r6_cut_through(check: Check) -> RuleViolation | None:
    """R6: along and across the barrel, and every other part through."""
    data, item = check.data, check.item
    missing = [] if data.get("parts_cut_through") else ["other parts cut through"]
    if item.category in (FIREARM, "gas"):
        missing = [
            *(["barrel cut along"] if not data.get("barrel_cut_along") else []),
            *(["barrel cut across"] if not data.get("barrel_cut_across") else []),
            *missing,
        ]
    if missing:
        return _refuse("R6", "the cutting must be recorded as done: " + ", ".join(missing))
    return _weight(check)


# A weight taken after intake (cut, depackaged) may exceed the intake weight by the scales'
# error only: the larger of these (docs/process.md). Cutting and unpacking take metal and
# packaging away, never add any: 99,999 g for a 3,292 g rifle is a typo or a swapped item.
WEIGHT_SLACK_G = 50
WEIGHT_SLACK_PERCENT = 2


def heaviest_after_intake(intake_g: int) -> int:
    """The most a later weight of an item weighed `intake_g` grams at intake may be, in grams:
    the intake weight plus the larger of WEIGHT_SLACK_G and WEIGHT_SLACK_PERCENT of it."""
    return intake_g + max(WEIGHT_SLACK_G, -(-intake_g * WEIGHT_SLACK_PERCENT // 100))


def _weight(check: Check) -> RuleViolation | None:
    """A whole positive number of grams, no heavier than the intake weight allows
    (heaviest_after_intake)."""
    weight = check.data.get("weight_g")
    if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
        return _refuse(PROCESS, "weigh the item now (weight_g, a whole number of grams)")
    item = check.item
    if weight > heaviest_after_intake(item.weight_g):
        return _refuse(
            PROCESS,
            f"{item.name} weighs {weight} g now but {item.weight_g} g at intake: a weight "
            f"after intake is at most {heaviest_after_intake(item.weight_g)} g; weigh it again",
        )
    return None


def r9_fuses_counted(check: Check) -> RuleViolation | None:
    counts = [check.data.get(k) for k in ("fuses", "firing_devices", "detonators")]
    if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
        return _refuse("R9", "count the fuses, firing devices and detonators removed (0 if none)")
    return None


def batch_accepts(check: Check) -> RuleViolation | None:
    batch: Batch | None = check.world.find("batches", check.data.get("batch"))
    if batch is None:
        return _refuse(PROCESS, f"there is no batch {check.data.get('batch')!r}")
    wanted = BURN if check.item.category == AMMUNITION else FURNACE
    if batch.kind != wanted:
        return _refuse(
            "R9" if wanted == BURN else "R7", f"{check.item.name} goes to a {wanted} batch"
        )
    if batch.state != "open":
        return _refuse(PROCESS, f"batch {batch.id} is already {batch.state}")
    return None


def r10_marking_photo(check: Check) -> RuleViolation | None:
    """R10: a firearm is known by its marking; at the configured steps a photo must show it."""
    item = check.item
    if item.category != FIREARM or check.step not in check.config.photo_steps:
        return None
    why = r10_photo_missing(check.data.get("files", ()), check.step.replace("_", " "))
    return _refuse("R10", why) if why is not None else None


IMAGES = frozenset({"image/jpeg", "image/png"})
"""What a photo of a marking is (workflows.media): a PDF or a video shows no plate to R10."""


def r10_photo_missing(files: Sequence[Any], what: str) -> str | None:
    """Why `files` (entry data: {sha256, size, media_type, role}) hold no R10 photo of the
    marking for `what` ("the intake", "cut"), or None: a file of role `marking` that is an
    image. The media type is the store's, checked against the file (FileStore.check_refs)."""
    marked = [f for f in files if f.get("role") == MARKING_PHOTO]
    if any(f.get("media_type") in IMAGES for f in marked):
        return None
    if marked:
        return f"the marking photo is {marked[0].get('media_type')}: a photo is a JPEG or PNG image"
    return f"{what} of a firearm needs a photo with its marking visible"


# -- the order of the process -------------------------------------------------------------------

# Where the law itself dictates the order, a step out of order is refused under its rule.
_ORDER_RULES = {
    "transfer_sent": "R1",
    "parts_incinerated": "R5",
    "deformed": "R5",
    "batch_loaded": "R6",
    "melted": "R7",
    "forensic_returned": "R4",
    "depackaged": "R9",
    "burned": "R9",
}


# Steps that follow the decision's status once the item has left the unit (machines).
_BY_DECISION = frozenset(
    {
        "decision_appealed",
        "decision_suspended",
        "decision_final",
        "decision_reversed",
        "item_returned",
    }
)


def in_order(check: Check, facts: frozenset[str] | None = frozenset()) -> RuleViolation | None:
    """PROCESS (or the step's own rule) when the step may not follow the item's state given
    `facts`; `facts=None` asks whether it may given any facts (a page's preview, before the
    person has said, e.g., what the registry answered)."""
    item = check.item
    workflow = WORKFLOWS[item.workflow]
    if check.step in _BY_DECISION:  # as the fold gives it (fold._decision), even to a preview
        facts = (facts or frozenset()) | decision_fact(item.decision)
    if facts is None:
        if workflow.may_follow(item.state, check.step):
            return None
    elif workflow.next_state(item.state, check.step, facts) is not None:
        return None
    rule = _ORDER_RULES.get(check.step, PROCESS)
    if check.step == "batch_loaded" and item.workflow == AMMUNITION:
        rule = "R9"
    allowed = ", ".join(possible_steps(check)) or "none"
    step = check.step.replace("_", " ")
    return _refuse(rule, f"{step} cannot follow {item.state.replace('_', ' ')} (next: {allowed})")


def possible_steps(check: Check) -> list[str]:
    """The steps a refusal's "(next: ...)" offers for `check.item` (r19 LOW): those its
    machine allows from its state, a decision's step only under its decision's status
    (machines.DECISION_STEPS_AFTER, item_returned only once reversed), and none that a
    guard of the step refuses now: the step's own guards, from the table the step itself
    runs (_GUARDS), asked with nothing sent. The guards that read only what the step is
    sent (SENT_GUARDS: photos, weights, counts, the batch to load into) are passed over:
    a step listed may still be refused for what it is sent. A list of step names, in the
    machine's order."""
    item = check.item
    workflow = WORKFLOWS[item.workflow]
    decided = decision_fact(item.decision)
    found = []
    for step in workflow.steps_from(item.state):
        if step in _BY_DECISION and workflow.next_state(item.state, step, decided) is None:
            continue
        probe = check._replace(step=step, data={})
        guards = (g for g in _GUARDS.get(step, _ALWAYS) if g not in SENT_GUARDS)
        if all(guard(probe) is None for guard in guards):
            found.append(step)
    return found


STEP_GUARDS: dict[str, Sequence[Guard]] = {
    "transfer_sent": [r1_decision_in_force],
    "parts_removed": [r3_registry_gate],
    "parts_incinerated": [r3_registry_gate],
    "deformed": [r3_registry_gate],
    "cut": [r3_registry_gate, r6_cut_through, r10_marking_photo],
    "batch_loaded": [r3_registry_gate, batch_accepts],
    "melted": [r3_registry_gate, r10_marking_photo],
    "forensic_returned": [r4_evidence_hold],
    "fuses_removed": [r9_fuses_counted],
    "depackaged": [_weight],
    "unloaded": [unload_allowed],
}


_ALWAYS: tuple[Guard, ...] = (open_discrepancy, finished, open_suspicion)
# The guards that read only what a step is sent, which a "(next: ...)" cannot know: every
# other guard of a step's table is asked by possible_steps (a guard added later is asked
# unless it is named here; unload_allowed was left out of a list of those asked: fix19j).
SENT_GUARDS: frozenset[Guard] = frozenset(
    {r6_cut_through, r10_marking_photo, _weight, r9_fuses_counted, batch_accepts}
)
# R1 before the step's own gates: what destroys or alters the weapon (diversion.BLOCKED,
# the same steps an R11 suspicion stops) waits while its decision is contested.
_WITH_R1: dict[str, Sequence[Guard]] = {**dict.fromkeys(BLOCKED, ()), **STEP_GUARDS}
_GUARDS: dict[str, tuple[Guard, ...]] = {
    step: (*_ALWAYS, *((r1_not_destroyed_while_contested,) if step in BLOCKED else ()), *guards)
    for step, guards in _WITH_R1.items()
}


def check_step(check: Check, facts: frozenset[str] | None = frozenset()) -> RuleViolation | None:
    """The first rule that stops `check.step` for `check.item`, or None (`facts=None`: given
    whichever facts the step may come with, as in_order says). A decision's later step for
    an item that has left the unit is refused in words of the decision alone
    (`away_refusal`)."""
    violation = _first(check, facts)
    if violation is not None and check.step in DECISION_STEPS_AFTER and away(check.item):
        violation = away_refusal(check, violation)
    return violation.about(check.item.id) if violation is not None else None


def _first(check: Check, facts: frozenset[str] | None) -> RuleViolation | None:
    for guard in _GUARDS.get(check.step, _ALWAYS):
        violation = guard(check)
        if violation is not None:
            return violation
    return in_order(check, facts)


def away(item: Item) -> bool:
    """The item has left the unit that decided: elsewhere, or on the road from it."""
    return item.state not in AT_UNIT and (item.location != item.unit or item.transfer is not None)


def away_refusal(check: Check, violation: RuleViolation) -> RuleViolation:
    """A refusal of a decision's later step (appeal, suspension, finality, reversal) for an
    item that has left the unit, said without the item's state where it is now: the unit's
    officer records these steps wherever the item is (workflows.access, place_of) but reads
    only their own places, and a refusal naming `cut`, `destroyed` or a discrepancy there
    told them what their role may not read (fix19h LOW). The decision's own status is
    theirs to know: a step out of the decision's order says it and what may follow."""
    decision = check.item.decision or {}
    status = str(decision.get("status") or "none")
    step = check.step.replace("_", " ")
    if check.item.state not in TERMINAL and check.item.state != DISCREPANCY:
        allowed = [s for s, after in DECISION_STEPS_AFTER.items() if status in after]
        following = ", ".join(allowed) or "none"
        return _refuse(
            PROCESS, f"{step} cannot follow a decision that is {status} (next: {following})"
        )
    return _refuse(
        PROCESS,
        f"{step} cannot be recorded now: the item has left the unit, and where it is and "
        "what became of it are for the place that holds it",
    )


# -- batches ------------------------------------------------------------------------------------


def r7_present(batch: Batch, world: World, now: str) -> RuleViolation | None:
    """R7 (and R9 for ammunition): a quorum of the commission, in office now, and for
    melting a representative of the plant, for burning an ammunition-destruction expert."""
    commission = world.commission(batch.commission)
    members = {m.person for m in commission.members_at(now)}
    present = set(batch.present_in_role(COMMISSION_MEMBER)) & members
    rule = "R7" if batch.kind == FURNACE else "R9"
    quorum = commission.quorum_at(now)
    if len(present) < quorum:
        return _refuse(
            rule,
            f"{len(present)} of the commission's {len(members)} members are recorded "
            f"present; the quorum is {quorum}",
        )
    needed = PLANT_REPRESENTATIVE if batch.kind == FURNACE else EXPERT
    if not batch.present_in_role(needed):
        return _refuse(rule, f"a {needed.replace('_', ' ')} must be recorded present")
    return None


def r8_may_sign(batch: Batch, world: World, person: str, now: str) -> RuleViolation | None:
    """R8: the statement is signed by the commission members who were present."""
    if batch.state == "final":
        return _refuse("R8", f"the statement of batch {batch.id} is final: its quorum signed it")
    if batch.state not in ("melted", "burned"):
        return _refuse("R8", f"batch {batch.id} has not been destroyed yet; nothing to sign")
    if batch.discrepancy is not None:
        return _refuse(
            "R8", f"the statement is blocked by discrepancy {batch.discrepancy}; resolve it first"
        )
    if person not in batch.present_in_role(COMMISSION_MEMBER):
        return _refuse("R8", f"{person} was not recorded present as a commission member")
    commission = world.commission(batch.commission)
    if person not in {m.person for m in commission.members_at(batch.destroyed_at or now)}:
        return _refuse("R8", f"{person} was not a member of {commission.name} at the time")
    if any(s["person"] == person for s in batch.signatures):
        return _refuse("R8", f"{person} has signed this statement already")
    return None


def r8_signed_in_time(batch: Batch, signed_at: str, now: str) -> RuleViolation | None:
    """R8: a member signs what they saw destroyed, when they sign it. The act's `time`
    (RFC 3339 UTC) may not be before the melting or burning entry (`batch.destroyed_at`),
    nor later than `now` by more than custody.acts.MAX_CLOCK_SKEW (5 minutes: a signer's
    clock a little ahead of the server's). None when it holds, or when the time is not one
    at all (the ledger refuses that act as malformed: custody.acts)."""
    if not is_time(signed_at):
        return None
    at = parse_time(signed_at)
    if batch.destroyed_at is not None and at < parse_time(batch.destroyed_at):
        return _refuse(
            "R8",
            f"the signature's time {signed_at} is before the destruction at "
            f"{batch.destroyed_at}: a statement is not signed before the fact",
        )
    if at > parse_time(now) + MAX_CLOCK_SKEW:
        minutes = int(MAX_CLOCK_SKEW.total_seconds() // 60)
        return _refuse(
            "R8",
            f"the signature's time {signed_at} is more than {minutes} minutes ahead of "
            f"the clock ({now})",
        )
    return None
