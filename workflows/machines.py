"""The destruction process as two state machines, one per workflow kind, defined once.

Each is a `transitions.Machine` with no model attached and auto transitions off: it is the
table of legal steps, shared by every item. An item's row holds only its state's name; to
take a step the service asks `Workflow.next_state(state, step, facts)`, which looks the step
up in the machine. A step is an entry kind of the ledger (DESIGN §5), so the log reads as
the path an item took. Where one step can lead to two states, the transition names a fact
the service supplies (`match`, `lost`, `at_warehouse`, `was_<state>`, `decision_is_<status>`).

A decision's later steps (appeal, suspension, finality, reversal) move the item's state while
it is at the unit. Once it has left (a transfer under a decision not yet final), they are
recorded wherever it is, leaving its state alone: the decision's status (the fact
`decision_is_<status>`, from `Item.decision`) says what may follow, and workflows.rules
refuses every destruction while the decision is appealed, suspended or reversed (R1). A
reversed decision ends in return to the owner from where the item rests (issue 19).

    weapon      firearms, gas and edged weapons, parts: intake, decision (R1), transfer,
                forensics (R2-R4), parts (R5), deformation and cutting (R6), melting (R7),
                statement (R8)
    ammunition  lots of ammunition and explosives: intake, decision, transfer, fuses and
                detonators out, packaging off, burning (R9), statement
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from transitions import Machine

NEW = "new"  # before the intake entry; no row is ever in it
DISCREPANCY, LOST, RETURNED, DESTROYED = "discrepancy", "lost", "returned", "destroyed"
TERMINAL = frozenset({RETURNED, DESTROYED, LOST})

# The way from intake to the warehouse, shared by both kinds.
_INTAKE: list[tuple[str, str | list[str], str, str | None]] = [
    # (step, from, to, fact that must hold)
    ("item_registered", NEW, "registered", None),
    ("item_registered", NEW, "at_warehouse", "at_warehouse"),  # surplus, registered in store
    ("decision_recorded", "registered", "decided", None),
    ("decision_appealed", ["decided", "suspended"], "appealed", None),
    ("decision_suspended", ["decided", "appealed"], "suspended", None),
    ("decision_final", ["decided", "appealed", "suspended"], "final", None),
    ("decision_reversed", ["decided", "appealed", "suspended"], "reversed", None),
    ("item_returned", "reversed", RETURNED, None),
    ("transfer_sent", ["decided", "final", "at_warehouse"], "in_transit", None),
    ("transfer_received", "in_transit", "at_warehouse", None),
]

_WEAPON = [
    *_INTAKE,
    ("forensic_sent", "at_warehouse", "to_forensics", None),
    ("forensic_received", "to_forensics", "at_forensics", None),
    ("test_fired", "at_forensics", "test_fired", None),
    ("registry_result_recorded", ["at_forensics", "test_fired"], "evidence_hold", "match"),
    ("registry_result_recorded", ["at_forensics", "test_fired"], "examined", "no_match"),
    ("evidence_released", "evidence_hold", "examined", None),
    ("forensic_returned", "examined", "at_warehouse", None),
    ("parts_removed", "at_warehouse", "parts_removed", None),
    ("parts_incinerated", "parts_removed", "parts_incinerated", None),
    ("deformed", "parts_incinerated", "deformed", None),
    ("cut", "deformed", "cut", None),
    ("batch_loaded", "cut", "loaded", None),
    # Taken out of a batch not yet melted, back to where it was loaded from (R1: an appeal).
    ("unloaded", "loaded", "cut", None),
    ("melted", "loaded", "melted", None),
    ("statement_signed", "melted", DESTROYED, None),
]

_AMMUNITION = [
    *_INTAKE,
    ("fuses_removed", "at_warehouse", "inspected", None),
    ("depackaged", "inspected", "depackaged", None),
    ("batch_loaded", "depackaged", "loaded", None),
    ("unloaded", "loaded", "depackaged", None),
    ("burned", "loaded", "burned", None),
    ("statement_signed", "burned", DESTROYED, None),
]


def _states(steps: Iterable[tuple[str, str | list[str], str, str | None]]) -> list[str]:
    seen: dict[str, None] = {NEW: None}
    for _, sources, dest, _ in steps:
        for source in [sources] if isinstance(sources, str) else sources:
            seen[source] = None
        seen[dest] = None
    return list(seen)


def _with_inventory(
    steps: list[tuple[str, str | list[str], str, str | None]],
) -> list[tuple[str, str | list[str], str, str | None]]:
    """Add the inventory: from any live state an open discrepancy blocks the item; when it
    is resolved the item goes back where it was, or is recorded as lost."""
    live = [s for s in _states(steps) if s not in TERMINAL and s != NEW]
    return [
        *steps,
        ("discrepancy_recorded", live, DISCREPANCY, None),
        ("discrepancy_resolved", DISCREPANCY, LOST, "lost"),
        *[("discrepancy_resolved", DISCREPANCY, state, f"was_{state}") for state in live],
    ]


# The decision's status (Item.decision["status"]) each later step may follow, once the item
# has left the unit: what the unit's own states decided, appealed, suspended say there.
DECISION_STEPS_AFTER: dict[str, tuple[str, ...]] = {
    "decision_appealed": ("recorded", "suspended"),
    "decision_suspended": ("recorded", "appealed"),
    "decision_final": ("recorded", "appealed", "suspended"),
    "decision_reversed": ("recorded", "appealed", "suspended"),
}
# The states of an item under a decision at the unit: there the machine's own states move.
_AT_UNIT = frozenset({"registered", "decided", "appealed", "suspended", "final", "reversed"})
AT_UNIT = _AT_UNIT
# Where an item rests at a warehouse, outside forensics, transit and batches: a reversed
# decision hands it back to its owner from there (R1).
RETURNABLE = frozenset(
    {
        "at_warehouse",
        "parts_removed",
        "parts_incinerated",
        "deformed",
        "cut",
        "inspected",
        "depackaged",
    }
)


def decision_fact(decision: dict[str, Any] | None) -> frozenset[str]:
    """The fact `decision_is_<status>` of an item's decision (Item.decision), or none."""
    status = decision.get("status") if decision else None
    return frozenset({f"decision_is_{status}"}) if isinstance(status, str) else frozenset()


def _with_decision_after_unit(
    steps: list[tuple[str, str | list[str], str, str | None]],
) -> list[tuple[str, str | list[str], str, str | None]]:
    """Add the decision's later steps from every live state after the unit (the item stays
    in its state; its decision's status moves), and the return to the owner from where it
    rests once the decision is reversed (R1)."""
    after = [s for s in _states(steps) if s not in TERMINAL and s != NEW and s not in _AT_UNIT]
    added = [
        (step, state, state, f"decision_is_{status}")
        for step, statuses in DECISION_STEPS_AFTER.items()
        for status in statuses
        for state in after
    ]
    returns = [
        ("item_returned", state, RETURNED, "decision_is_reversed")
        for state in after
        if state in RETURNABLE
    ]
    return [*steps, *added, *returns]


def _machine(name: str, steps: list[tuple[str, str | list[str], str, str | None]]) -> Machine:
    machine = Machine(
        model=None,
        states=[*_states(steps), DISCREPANCY, LOST],
        initial=NEW,
        auto_transitions=False,
        ignore_invalid_triggers=False,
        name=name,
    )
    for step, sources, dest, fact in steps:
        conditions: Any = [fact] if fact is not None else None
        machine.add_transition(step, cast(Any, sources), dest, conditions=conditions)
    return machine


def _choices(machine: Machine) -> dict[tuple[str, str], tuple[tuple[frozenset[str], str], ...]]:
    """For each (state, step), the facts each transition needs and where it leads, the most
    specific first: a branch that names a fact wins over the plain one."""
    choices = {}
    for step, event in machine.events.items():
        for state, transitions in event.transitions.items():
            ordered = sorted(transitions, key=lambda t: -len(t.conditions))
            choices[(state, step)] = tuple(
                (frozenset(str(c.func) for c in t.conditions if c.target), str(t.dest))
                for t in ordered
            )
    return choices


@dataclass(frozen=True)
class Workflow:
    """One workflow kind: its machine, and the questions the service asks it."""

    name: str
    machine: Machine
    steps: tuple[tuple[str, str | list[str], str, str | None], ...]
    choices: dict[tuple[str, str], tuple[tuple[frozenset[str], str], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Read off the machine once: every step of every item asks, twice.
        object.__setattr__(self, "choices", _choices(self.machine))

    def next_state(self, state: str, step: str, facts: frozenset[str] = frozenset()) -> str | None:
        """The state `step` leads to from `state` given `facts`, or None if it may not."""
        for needed, dest in self.choices.get((state, step), ()):
            if needed <= facts:
                return dest
        return None

    def may_follow(self, state: str, step: str) -> bool:
        """Whether `step` may follow `state` given some facts (a registry result leads on
        by its result: match or no match)."""
        return bool(self.choices.get((state, step)))

    def steps_from(self, state: str) -> list[str]:
        return [name for name, event in self.machine.events.items() if event.transitions.get(state)]

    def states(self) -> list[str]:
        return list(self.machine.states)


WEAPON = Workflow(
    "weapon",
    _machine("weapon", _with_inventory(_with_decision_after_unit(_WEAPON))),
    tuple(_WEAPON),
)
AMMUNITION = Workflow(
    "ammunition",
    _machine("ammunition", _with_inventory(_with_decision_after_unit(_AMMUNITION))),
    tuple(_AMMUNITION),
)
WORKFLOWS = {WEAPON.name: WEAPON, AMMUNITION.name: AMMUNITION}


def workflow_for(category: str) -> Workflow:
    return AMMUNITION if category == "ammunition" else WEAPON
