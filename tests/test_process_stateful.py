"""Hypothesis drives the process with random sequences of actions, legal and illegal, and
after every step checks what must always hold:

- a refused step names its rule and writes nothing;
- nothing is cut, loaded, melted or destroyed without its registry result where R2 applies,
  nor while a match holds it as evidence;
- no batch is destroyed without the quorum of its commission and a plant representative
  (or an ammunition expert);
- the state tables equal the replay of the ledger, and the audit passes.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from custody.errors import ActError
from custody.settings import Settings
from custody.verify import Audit
from tests.conftest import make_settings
from tests.support.databases import postgres_copy, sqlite_url
from tests.support.scenario import copy_sqlite
from tests.support.site import COMMISSION, DECISION, FORENSICS, PLANT, WAREHOUSE, Site, reopen_site
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject
from workflows.replay import check_state, replay, verify_steps
from workflows.vocabulary import needs_forensics

RULES = {f"R{n}" for n in range(1, 11)} | {"PROCESS", "INVENTORY", "ACCESS"}
REACHED: Counter[str] = Counter()  # what the runs got to, to check the search went deep


def event(name: str) -> None:
    REACHED[name] += 1


DESTROYED_OR_ON_THE_WAY = {
    "parts_removed",
    "parts_incinerated",
    "deformed",
    "cut",
    "loaded",
    "melted",
    "destroyed",
}
MEMBERS = ["chair.nurlanov", "member.abenova", "member.kim", "member.tokayeva"]


PRESENT = st.sampled_from(
    [set(MEMBERS[:3]), set(MEMBERS[:2]), {MEMBERS[0], MEMBERS[3]}, {MEMBERS[1]}, set()]
)
CHARGES = st.sampled_from([None, 0, -600])


class ProcessMachine(RuleBasedStateMachine):
    """One site per run; `make_site` is set by the test that runs the machine."""

    make_site: Callable[[], tuple[Site, ExitStack]]
    items = Bundle("items")
    batches = Bundle("batches")
    discrepancies = Bundle("discrepancies")

    def __init__(self) -> None:
        super().__init__()
        self.site, self.stack = type(self).make_site()

    def teardown(self) -> None:
        self.site.ledger.database.dispose()
        self.stack.close()

    # -- every action goes through here -----------------------------------------------------

    def attempt(self, action: Callable[[], Any], name: str = "") -> Any:
        before = self._size()
        try:
            outcome = action()
        except (RuleViolation, InvalidRequest, UnknownObject, ActError) as exc:
            self._refused(exc, before)
            return None
        if name:
            event(f"done: {name}")
        return outcome

    def _refused(self, refusal: Exception, before: int) -> None:
        if isinstance(refusal, RuleViolation):
            event(f"refused under {refusal.rule}")
            assert refusal.rule in RULES, refusal
            assert refusal.message
        assert self._size() == before, "a refused step wrote something"

    def _size(self) -> int:
        with self.site.ledger.database.read() as conn:
            return self.site.ledger.head(conn).size

    @property
    def p(self) -> Any:
        return self.site.process

    # -- rules ------------------------------------------------------------------------------

    @rule(
        target=items,
        source=st.sampled_from(["confiscated", "found", "surplus"]),
        rifled=st.booleans(),
    )
    def register(self, source: str, rifled: bool) -> str:
        return self.site.register_rifle(source=source, rifled=rifled)

    @rule(
        item=items,
        step=st.sampled_from(
            ["decision_appealed", "decision_suspended", "decision_final", "decision_reversed"]
        ),
    )
    def decision(self, item: str, step: str) -> None:
        self.attempt(lambda: self.p.decision_step("unit.serikbaev", step, [item]))

    @rule(item=items, final=st.booleans())
    def to_warehouse(self, item: str, final: bool) -> None:
        """Decision, perhaps finality, transfer and receipt: a whole stage, refusable part way."""
        self.attempt(lambda: self.p.record_decision("unit.serikbaev", [item], DECISION))
        if final:
            self.attempt(lambda: self.p.decision_step("unit.serikbaev", "decision_final", [item]))
        transfer = self.site.next_id("T")
        self.attempt(lambda: self.p.send("unit.serikbaev", transfer, WAREHOUSE, [item]))
        if self._exists("transfers", transfer):
            self.attempt(lambda: self.p.receive("sklad.omarov", transfer, [item]), "received")

    @rule(
        item=items,
        result=st.sampled_from(["no_match", "match", "not_testable"]),
        release=st.booleans(),
    )
    def forensics(self, item: str, result: str, release: bool) -> None:
        self.attempt(lambda: self.p.send_to_forensics("sklad.omarov", [item], FORENSICS))
        self.attempt(lambda: self.p.step("expert.sadykova", "forensic_received", [item]))
        act = self.site.act(
            "expert.sadykova", "registry_result_recorded", item, result=result, case="ЕРДР 1"
        )
        self.attempt(lambda: self.p.record_registry_result("expert.sadykova", item, act))
        if release:
            act = self.site.act("official.zhakupov", "evidence_released", item, case="ЕРДР 1")
            self.attempt(lambda: self.p.release_evidence("official.zhakupov", item, act))
        self.attempt(lambda: self.p.return_from_forensics("expert.sadykova", [item], WAREHOUSE))

    @rule(item=items, barrel_across=st.booleans(), step=st.sampled_from([3, 3, 3, 2, 0]))
    def prepare(self, item: str, barrel_across: bool, step: int) -> None:
        actions = [
            lambda: self.p.remove_parts("sklad.omarov", [item], ["приклад"]),
            lambda: self.p.incinerate_parts("sklad.omarov", [item]),
            lambda: self.p.deform("sklad.omarov", [item], "пресс"),
            lambda: self.p.cut(
                "sklad.omarov",
                {item: 3000},
                barrel_along=True,
                barrel_across=barrel_across,
                parts_through=True,
                files=[self.site.photo()],
            ),
        ]
        for action in actions[: step + 1]:
            self.attempt(action)

    @rule(target=batches, item=items, to_the_end=st.booleans())
    def the_lawful_way(self, item: str, to_the_end: bool) -> Any:
        """Warehouse, forensics and preparation in order, and to the end melting before a
        quorum (once refused for want of the plant) with the members present signing: long
        chains that random steps seldom build, so that batches have something to melt and
        statements become final."""
        self.to_warehouse(item, final=True)
        self.forensics(item, "no_match", release=False)
        self.prepare(item, barrel_across=True, step=3)
        if not to_the_end:
            return multiple()
        batch = self._batch([item])
        self._present(batch, [(person, "commission_member") for person in MEMBERS[:3]])
        self._destroy(batch, [item], None)  # refused, R7: nobody from the plant is there
        self._present(batch, [("plant.ivanov", "plant_representative")])
        self._destroy(batch, [item], None)
        for signer in MEMBERS[:3]:
            self.sign(batch, signer)
        return multiple(batch)

    @rule(
        target=batches,
        items=st.lists(items, min_size=1, max_size=3, unique=True),
        present=PRESENT,
        plant=st.booleans(),
        charge=CHARGES,
    )
    def melt(self, items: list[str], present: set[str], plant: bool, charge: int | None) -> str:
        return self._melt(items, present, plant, charge)

    def _melt(self, items: list[str], present: set[str], plant: bool, charge: int | None) -> str:
        batch = self._batch(items)
        people = [(person, "commission_member") for person in sorted(present)]
        if plant:
            people.append(("plant.ivanov", "plant_representative"))
        self._present(batch, people)
        self._destroy(batch, items, charge)
        return batch

    def _batch(self, items: list[str]) -> str:
        batch = self.site.next_id("B")
        self.attempt(
            lambda: self.p.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)
        )
        self.attempt(lambda: self.p.load("sklad.omarov", batch, items))
        return batch

    def _present(self, batch: str, people: list[tuple[str, str]]) -> None:
        if people:
            self.attempt(lambda: self.p.record_presence("sklad.omarov", batch, people))

    def _destroy(self, batch: str, items: list[str], charge: int | None) -> None:
        weight = 3000 * len(items) + (charge or 0)
        facts = {"charge_weight_g": weight, "scrap_weight_g": max(weight - 100, 0)}
        per_item = {i: {"files": [self.site.photo()]} for i in items}
        self.attempt(
            lambda: self.p.destroy("sklad.omarov", batch, facts, per_item=per_item), "melted"
        )

    @rule(batch=batches, signer=st.sampled_from(MEMBERS))
    def sign(self, batch: str, signer: str) -> None:
        if not self._exists("batches", batch) or not self.p.batch(batch).items:
            return  # a statement names 1 or more items: an act of none is no act (ACT_SHAPES)
        self.attempt(lambda: self.site.sign(batch, signer), "signed")
        if self._exists("batches", batch) and self.p.batch(batch).state == "final":
            event("a statement became final")

    @rule(target=discrepancies, item=items)
    def lose_track(self, item: str) -> str:
        opened = self.attempt(
            lambda: self.p.record_discrepancy("unit.serikbaev", item, "не найден")
        )
        return opened or "D-NONE"

    @rule(
        discrepancy=consumes(discrepancies),
        resolution=st.sampled_from(["found", "corrected", "lost"]),
    )
    def resolve(self, discrepancy: str, resolution: str) -> None:
        self.attempt(
            lambda: self.p.resolve_discrepancy(
                "official.zhakupov", discrepancy, resolution, "решено"
            )
        )

    @rule(hours=st.integers(1, 24 * 15))
    def time_passes(self, hours: int) -> None:
        self.site.clock.advance(hours=hours)

    def _exists(self, kind: str, key: str) -> bool:
        try:
            getattr(self.p, kind[:-2] if kind.endswith("es") else kind[:-1])(key)
        except UnknownObject:
            return False
        return True

    # -- what must always hold --------------------------------------------------------------

    @invariant()
    def what_must_always_hold(self) -> None:
        database = self.site.ledger.database
        world = replay(database)
        for item in world.items.values():
            if item.state in DESTROYED_OR_ON_THE_WAY and needs_forensics(
                item.category, item.rifled, item.source
            ):
                assert item.registry_result is not None, item
                assert item.registry_result != "match" or item.evidence_released, item
        for batch in world.batches.values():
            if batch.state in ("melted", "final"):
                commission = world.commission(batch.commission)
                moment = batch.destroyed_at or ""
                members = {m.person for m in commission.members_at(moment)}
                present = set(batch.present_in_role("commission_member")) & members
                assert len(present) >= commission.quorum_at(moment), batch
                assert batch.present_in_role("plant_representative"), batch
        assert check_state(world, database) is None
        report = Audit(database, extra_steps=verify_steps(self.site.files)).run()
        assert report.ok, report.first_failure


def _copier(
    settings: Settings, template: Site, directory: Path
) -> Callable[[], tuple[Site, ExitStack]]:
    counter = iter(range(10**6))

    def make() -> tuple[Site, ExitStack]:
        target = directory / f"run-{next(counter)}"
        target.mkdir()
        stack = ExitStack()
        if settings.database_url.startswith("sqlite"):
            copy_sqlite(
                Path(settings.database_url.removeprefix("sqlite:///")), target / "custody.db"
            )
            url = sqlite_url(target)
        else:
            url = stack.enter_context(postgres_copy(settings.database_url))
        shutil.copy2(settings.ledger_key_file, target / "ledger.key")
        shutil.copytree(settings.data_dir / "files", target / "files")
        return reopen_site(make_settings(target, url), template), stack

    return make


# Runs of 30 steps each. The rules and invariants are the same code on both kinds; PostgreSQL
# runs fewer (a copy of its template database and every step's audit take about three times
# as long there), still enough to reach every outcome checked below.
EXAMPLES = {"sqlite": 20, "postgresql": 8}


@pytest.mark.slow
def test_the_process_holds_under_random_actions(
    site_template: tuple[Settings, Site], tmp_path: Path
) -> None:
    settings_, template = site_template
    ProcessMachine.make_site = staticmethod(_copier(settings_, template, tmp_path))  # type: ignore[assignment]
    REACHED.clear()
    run_state_machine_as_test(
        ProcessMachine,
        settings=settings(
            max_examples=EXAMPLES[settings_.database_url.split(":", 1)[0].split("+")[0]],
            stateful_step_count=30,
            deadline=None,
            derandomize=True,  # the same search every run: what it must reach, it reaches
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # the search went deep enough to have tested something
    for reached in (
        "done: melted",
        "a statement became final",
        "refused under R3",
        "refused under R7",
        "refused under INVENTORY",
    ):
        assert REACHED[reached] > 0, (reached, dict(REACHED))
