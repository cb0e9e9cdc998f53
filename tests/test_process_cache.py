"""The documents a Process keeps between actions (workflows.cache) never stand in for what
the database holds: a row changed elsewhere is read afresh, and an action that fails after
it folded its entries leaves none of its changes behind."""

from __future__ import annotations

import pytest

from custody.acts import new_act, sign_act
from custody.errors import ActError
from custody.verify import Audit
from tests.support.driver import Driver
from tests.support.site import DECISION, FORENSICS, WAREHOUSE, Site
from workflows.cache import DocumentCache
from workflows.model import Location
from workflows.replay import verify_steps


def _at_forensics(site: Site, count: int) -> list[str]:
    rifles = [site.register_rifle() for _ in range(count)]
    site.to_warehouse(*rifles)
    site.process.send_to_forensics("sklad.omarov", rifles, FORENSICS)
    site.process.step("expert.sadykova", "forensic_received", rifles)
    site.process.step("expert.sadykova", "test_fired", rifles)
    return rifles


def test_a_row_changed_by_another_process_is_read_afresh(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    assert len(site.process.cache) > 0  # the decided rifle is kept here
    elsewhere = Driver(site.ledger, site.files, site.process.config, site.clock)
    elsewhere.decision_step("unit.serikbaev", "decision_final", [rifle])
    elsewhere.send("unit.serikbaev", "T-9", WAREHOUSE, [rifle])
    # Kept here as decided, in transit in the database: receiving it works only from the row.
    site.process.receive("sklad.omarov", "T-9", [rifle])
    assert site.process.item(rifle).location == WAREHOUSE
    assert Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run().ok


def test_an_action_that_fails_after_its_fold_leaves_no_changed_document(site: Site) -> None:
    first, second = _at_forensics(site, 2)
    # The second rifle's act dated before its key existed: refused when the entries are
    # written (custody.acts, b12r), after both rifles were folded to their result.
    expert = site.people["expert.sadykova"]
    old = new_act(
        "registry_result_recorded",
        expert.user,
        expert.key_id,
        "1995-01-01T00:00:00.000000Z",
        second,
        result="no_match",
    )
    results = [
        (first, site.act("expert.sadykova", "registry_result_recorded", first, result="no_match")),
        (second, sign_act(old, expert.key.seed)),
    ]
    with pytest.raises(ActError, match="before its key"):
        site.process.record_registry_results("expert.sadykova", results)
    for rifle in (first, second):
        assert site.process.item(rifle).state == "test_fired"
    results = [
        (r, site.act("expert.sadykova", "registry_result_recorded", r, result="no_match"))
        for r in (first, second)
    ]
    site.process.record_registry_results("expert.sadykova", results)
    assert {site.process.item(r).registry_result for r in (first, second)} == {"no_match"}


def test_the_cache_keeps_at_most_its_capacity_and_the_newest() -> None:
    cache = DocumentCache(capacity=2)
    places = {n: Location(n, "unit", f"УП {n}", "Алматы") for n in ("A", "B", "C")}
    cache.give(("locations", n, n.encode(), place) for n, place in places.items())
    assert len(cache) == 2
    assert cache.take("locations", "A", b"A") is None  # the oldest went
    assert cache.take("locations", "C", b"C") is places["C"]
    assert cache.take("locations", "C", b"C") is None  # taken: no longer kept
    assert cache.take("locations", "B", b"B changed") is None  # bytes differ: not trusted
