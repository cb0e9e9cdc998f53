"""Several actions in one transaction (Process.work_together, the server's group commit), on
SQLite and PostgreSQL: each action is whole or absent, as if it had run alone; one refused
leaves the others written; the ledger stays one chain whose replay equals the state."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custody.entries import decode
from custody.errors import ActError
from custody.verify import Audit
from tests.support.site import DECISION, FORENSICS, UNIT, Site
from workflows import intake, movements
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject
from workflows.intake import Intake
from workflows.replay import verify_steps
from workflows.steps import advance
from workflows.unit_of_work import Work


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _knife(item: str) -> Any:
    def register(work: Work) -> list[str]:
        found = Intake(
            item=item, category="edged", source="found", location=UNIT, weight_g=400, unmarked=True
        )
        return intake.register(work, [found])

    return register


def _decide(item: str) -> Any:
    return lambda work: intake.record_decision(work, [item], DECISION, [])


def test_one_refused_action_leaves_the_others_written(site: Site) -> None:
    rifles = [site.register_rifle() for _ in range(2)]
    site.to_warehouse(*rifles)
    site.process.send_to_forensics("sklad.omarov", rifles, FORENSICS)
    site.process.step("expert.sadykova", "forensic_received", rifles)
    site.process.step("expert.sadykova", "test_fired", rifles)
    shared = site.act(
        "expert.sadykova", "registry_result_recorded", rifles[0], items=rifles, result="no_match"
    )

    def twice(work: Work) -> None:
        # Refused by the ledger when its entries are written, after the fold changed both.
        movements.record_registry_results(work, [(r, shared) for r in rifles])

    knife, other = site.next_id("N"), site.next_id("N")
    before = _size(site)
    outcomes = site.process.work_together(
        [
            ("unit.serikbaev", _knife(knife)),
            ("unit.serikbaev", _decide("KZ-NOWHERE")),
            ("expert.sadykova", twice),
            ("unit.serikbaev", lambda work: advance(work, "deformed", [rifles[0]])),
            ("unit.serikbaev", _knife(other)),
        ]
    )
    assert outcomes[0] == [knife]
    assert outcomes[4] == [other]
    assert isinstance(outcomes[1], UnknownObject)
    assert isinstance(outcomes[2], ActError)
    assert "twice" in str(outcomes[2])
    assert isinstance(outcomes[3], RuleViolation)
    assert _size(site) == before + 2
    for rifle in rifles:  # folded, then undone with its savepoint: not kept anywhere
        assert site.process.item(rifle).state == "test_fired"
    assert site.process.item(knife).state == "registered"
    assert Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run().ok


def test_actions_together_see_each_others_writes(site: Site) -> None:
    knife = site.next_id("N")
    outcomes = site.process.work_together(
        [("unit.serikbaev", _knife(knife)), ("unit.serikbaev", _decide(knife))]
    )
    assert outcomes == [[knife], None]
    assert site.process.item(knife).state == "decided"
    with site.ledger.database.read() as conn:
        history = site.ledger.item_history(conn, knife)
    bodies = [decode(e.body) for e in history]
    assert [b.kind for b in bodies] == ["item_registered", "decision_recorded"]
    assert bodies[1].item_prev == history[0].leaf_hash.hex()


KINDS = {"new": "item_registered", "again": "item_registered", "decide": "decision_recorded"}


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.sampled_from(["new", "again", "decide", "unknown"]), max_size=8))
def test_together_writes_what_the_actions_alone_would(site: Site, plan: list[str]) -> None:
    """A batch writes the entries of its accepted actions, in their order, and nothing of
    those refused: a second registration of one id, a decision on an unknown item."""
    made: list[str] = []
    actions, kinds = [], []
    for step in plan:
        if step == "new" or (step in ("again", "decide") and not made):
            step = "new"
            made.append(site.next_id("N"))
        target = made[-1] if step != "unknown" else "KZ-UNKNOWN"
        actions.append(
            ("unit.serikbaev", _decide(target) if step in ("decide", "unknown") else _knife(target))
        )
        kinds.append(KINDS.get(step))
    before = _size(site)
    outcomes = site.process.work_together(actions)
    for step, outcome in zip(plan, outcomes, strict=True):
        if step == "unknown":
            assert isinstance(outcome, UnknownObject)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, InvalidRequest | RuleViolation | UnknownObject) for o in refused)
    expected = [k for k, o in zip(kinds, outcomes, strict=True) if not isinstance(o, Exception)]
    assert _size(site) == before + len(expected)
    with site.ledger.database.read() as conn:
        written = site.ledger.entries(conn, before, len(expected) + 1)
    assert [decode(e.body).kind for e in written] == expected
