"""Issue 19 (fix19h, HIGH): an item whose destruction is stopped, taken out of its batch.

The attack: an appeal recorded for an item already loaded into a furnace batch blocked the
whole batch (melting refused for every item) and nothing could take the item out; a
reversal then left it stuck in `loaded`. Now the warehouse clerk unloads it (`unloaded`,
naming the batch and the reason), the rest of the batch is melted and its statement lists
only them; after a reversal the unloaded item is handed back to its owner. On SQLite and
PostgreSQL; `custody verify` replays every entry.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import ValidationError

from api.web.commission import unloaders
from api.web.render import text
from custody.clock import utc_now
from custody.entries import decode
from custody.store import Store
from custody.verify import Audit
from tests.support.driver import Driver
from tests.support.forge import append_unchecked
from tests.support.site import COMMISSION, DECISION, FORENSICS, PLANT, Site
from tests.test_reports_annual import checkpoint
from workflows.commands import UnloadItems
from workflows.config import ProcessConfig
from workflows.errors import AccessRefused, RuleViolation, UnknownObject
from workflows.replay import refold, verify_steps
from workflows.reports.recompute import ReportRequest, at_checkpoint

MEMBERS = ("chair.nurlanov", "member.abenova", "member.kim")


def _loaded(site: Site, *items: str, legacy: Sequence[str] = ()) -> str:
    """A furnace batch with `items` loaded and the quorum and plant recorded present; the
    `legacy` ones (cut under a decision not final, `_cut_under_open_decision`) loaded as a
    ledger written before fix19h M3 loaded them (no rule checked then refuses it now)."""
    batch = site.next_id("B")
    site.process.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)
    site.process.load("sklad.omarov", batch, list(items))
    if legacy:
        _as_before(site, [("batch_loaded", item, {"batch": batch}) for item in legacy])
    present = [(person, "commission_member") for person in MEMBERS]
    present.append(("plant.ivanov", "plant_representative"))
    site.process.record_presence("sklad.omarov", batch, present)
    return batch


def _as_before(site: Site, entries: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Entries by the warehouse clerk as a ledger written before fix19h M3 holds them (a
    step that destroys or alters an item under a decision not final was allowed then): the
    entries appended with no rule checked, the state rows refolded as `custody deadlines
    --rebuild` does, and a process opened again on them."""
    signer = site.ledger.signer
    assert signer is not None
    while utc_now() <= site.clock.now:  # the ledger's time never goes back (verify step 4)
        time.sleep(0.01)
    with site.ledger.database.engine.begin() as conn:
        for kind, item, data in entries:
            append_unchecked(conn, signer, kind, "sklad.omarov", item, data)
    refold(site.ledger.database)
    site.clock.now = utc_now()
    site.process = Driver(site.ledger, site.files, ProcessConfig(), site.clock)


PREPARING = ("parts_removed", "parts_incinerated", "deformed", "cut")


def _cut_under_open_decision(site: Site, count: int = 2) -> list[str]:
    """Smoothbore weapons decided, sent, received and cut: the first under a decision not
    final yet, as a ledger written before fix19h M3 holds it (it is the one whose decision
    is appealed once it is in the furnace's batch), the others final."""
    items = [site.sent_not_final()]
    items += [site.register_rifle(rifled=False) for _ in range(count - 1)]
    site.to_warehouse(*items[1:])
    site.prepare(*items[1:])
    with site.ledger.database.read() as conn:
        done = [decode(e.body) for e in Store(conn).item_entries(items[1])]
    _as_before(site, [(b.kind, items[0], b.data) for b in done if b.kind in PREPARING])
    return items


def _appeal(site: Site, item: str) -> None:
    site.process.decision_step(
        "unit.serikbaev",
        "decision_appealed",
        [item],
        date=DECISION["date"],
        document="апелляция 2-77/2026",
    )


def _unload(site: Site, item: str, actor: str = "sklad.omarov", reason: str = "апелляция") -> None:
    site.process.run(actor, UnloadItems(items=[item], reason=reason))


def _verified(site: Site) -> None:
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    assert report.ok, report.first_failure


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _melt_per_item(site: Site, batch: str, items: list[str]) -> None:
    site.process.destroy(
        "sklad.omarov",
        batch,
        {"charge_weight_g": 3000 * len(items), "scrap_weight_g": 3000 * len(items) - 100},
        files=[site.photo("furnace")],
        per_item={i: {"files": [site.photo(f"melt {i}")]} for i in items},
    )


def test_appealed_item_is_unloaded_and_the_rest_of_the_batch_is_melted(site: Site) -> None:
    appealed, other = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[appealed])
    _appeal(site, appealed)
    # The appeal stops the whole batch: no item is melted while the appealed one is in it.
    before = _size(site)
    with pytest.raises(RuleViolation) as refusal:
        _melt_per_item(site, batch, [appealed, other])
    assert refusal.value.rule == "R1"
    assert _size(site) == before
    _unload(site, appealed, reason="апелляция по делу 2-77/2026")
    taken = site.process.item(appealed)
    assert taken.state == "cut"
    assert taken.batch is None
    assert taken.location == PLANT  # where it was loaded: the item does not move
    held = site.process.batch(batch)
    assert held.items == [other]
    assert [u["item"] for u in held.unloaded] == [appealed]
    assert held.unloaded[0]["reason"] == "апелляция по делу 2-77/2026"
    _melt_per_item(site, batch, [other])
    assert site.process.item(other).state == "melted"
    assert site.process.item(appealed).state == "cut"
    content, _ = site.process.statement(batch)
    assert [i["id"] for i in content["items"]] == [other]
    site.sign(batch, *MEMBERS[:2])
    assert site.process.item(other).state == "destroyed"
    assert site.process.item(appealed).state == "cut"
    _verified(site)


def test_reversed_item_is_unloaded_and_returned_to_its_owner(site: Site) -> None:
    appealed, other = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[appealed])
    _appeal(site, appealed)
    site.process.decision_step("unit.serikbaev", "decision_reversed", [appealed])
    # Loaded, it cannot be handed back: it is taken out first.
    with pytest.raises(RuleViolation):
        site.process.return_to_owner("sklad.omarov", [appealed], "Иванов И. И.")
    _unload(site, appealed, reason="решение отменено")
    site.process.return_to_owner("sklad.omarov", [appealed], "Иванов И. И.")
    assert site.process.item(appealed).state == "returned"
    _melt_per_item(site, batch, [other])
    assert site.process.batch(batch).items == [other]
    _verified(site)


def test_reconciliation_weighs_the_batch_without_the_unloaded_item(site: Site) -> None:
    appealed, other = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[appealed])
    _appeal(site, appealed)
    _unload(site, appealed)
    _melt_per_item(site, batch, [other])
    today = dt.date.fromisoformat(DECISION["date"])
    request = ReportRequest.between(
        "reconciliation", today - dt.timedelta(days=1), today + dt.timedelta(days=2), "Asia/Almaty"
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    weighed = report["batches"][batch]
    assert [i["item"] for i in weighed["items"]] == [other]
    assert weighed["items_weight_g"] == 3000


def test_unloading_with_nothing_stopping_the_destruction_is_refused(site: Site) -> None:
    items = _cut_under_open_decision(site)
    site.process.decision_step("unit.serikbaev", "decision_final", items[:1])
    batch = _loaded(site, *items)
    before = _size(site)
    with pytest.raises(RuleViolation) as refusal:
        _unload(site, items[0])
    assert refusal.value.rule == "PROCESS"
    assert "nothing stops the destruction" in refusal.value.message
    assert _size(site) == before
    assert site.process.item(items[0]).state == "loaded"
    assert site.process.batch(batch).items == items


def test_unloading_needs_a_reason_and_a_clerk_of_the_place(site: Site) -> None:
    appealed, other = _cut_under_open_decision(site)
    _loaded(site, other, legacy=[appealed])
    _appeal(site, appealed)
    before = _size(site)
    with pytest.raises(ValidationError):
        UnloadItems.model_validate({"items": [appealed], "reason": ""})
    with pytest.raises(ValidationError):
        UnloadItems.model_validate({"items": [appealed]})
    with pytest.raises(UnknownObject):  # the unit's officer does not read the plant
        _unload(site, appealed, actor="unit.serikbaev")
    with pytest.raises(AccessRefused):  # an official there does not unload
        _unload(site, appealed, actor="official.zhakupov")
    assert _size(site) == before
    assert site.process.item(appealed).state == "loaded"


def test_unloading_from_a_melted_batch_is_refused(site: Site) -> None:
    items = _cut_under_open_decision(site)
    site.process.decision_step("unit.serikbaev", "decision_final", items[:1])
    batch = _loaded(site, *items)
    _melt_per_item(site, batch, items)
    with pytest.raises(RuleViolation):
        _unload(site, items[0])
    assert site.process.item(items[0]).state == "melted"


def test_suspended_item_is_unloaded(site: Site) -> None:
    suspended, other = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[suspended])
    site.process.decision_step(
        "official.zhakupov",
        "decision_suspended",
        [suspended],
        date=DECISION["date"],
        document="определение № 5",
    )
    _unload(site, suspended, reason="исполнение приостановлено")
    _melt_per_item(site, batch, [other])
    assert site.process.batch(batch).items == [other]
    # Final again, it goes to a batch of its own.
    site.process.decision_step("unit.serikbaev", "decision_final", [suspended])
    again = _loaded(site, suspended)
    _melt_per_item(site, again, [suspended])
    assert site.process.item(suspended).state == "melted"
    _verified(site)


TAKEN_OUT = {"ru": "изъят", "kk": "алынды", "en": "taken out"}
LOADED_AGAIN = {"ru": "загружен снова", "kk": "қайта тиелді", "en": "loaded again"}
NOT_IN = {
    "ru": "не в партии",
    "kk": "партияда жоқ",
    "en": "not in the batch",
}


def _rows(html: str) -> dict[str, str]:
    """The taken-out table's rows by item: their text, tags dropped, spaces joined."""
    rows = re.findall(r'<tr data-item="([^"]+)">(.*?)</tr>', html, re.S)
    return {item: " ".join(re.sub(r"<[^>]+>", " ", row).split()) for item, row in rows}


def test_the_batch_page_shows_the_commission_what_was_taken_out_and_loaded_again(
    site: Site,
) -> None:
    # r19 MED: the batch's page listed only the items in it; the commission signing did not
    # see the items taken out, nor that one taken out was loaded again.
    appealed, other = _cut_under_open_decision(site)
    back, _ = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[appealed, back])
    _appeal(site, appealed)
    _appeal(site, back)
    _unload(site, appealed, reason="апелляция по делу 2-77/2026")
    _unload(site, back)
    # The appeal dismissed: its decision final, it is loaded into the same batch again.
    site.process.decision_step("unit.serikbaev", "decision_final", [back])
    site.process.load("sklad.omarov", batch, [back])
    held = site.process.batch(batch)
    assert held.items == [other, back]
    assert held.unloaded[0]["by"] == "sklad.omarov"
    assert held.unloaded[1]["loaded_again_by"] == "sklad.omarov"
    assert "loaded_again_at" not in held.unloaded[0]
    for language in ("ru", "kk", "en"):
        people = unloaders(site.ledger.database, held)
        assert people == {"sklad.omarov": "Сотрудник sklad.omarov"}
        rows = _rows(text("_batch_unloaded.html.j2", language, None, b=held, people=people))
        assert set(rows) == {appealed, back}
        assert "апелляция по делу 2-77/2026" in rows[appealed]
        for row in rows.values():
            assert TAKEN_OUT[language] in row
            # named as the other cards name people, not by the login alone (fix19j)
            assert "Сотрудник sklad.omarov (sklad.omarov)" in row
        assert NOT_IN[language] in rows[appealed]
        assert LOADED_AGAIN[language] in rows[back]
        assert LOADED_AGAIN[language] not in rows[appealed]
    _verified(site)


def test_a_refusals_next_steps_are_only_those_no_rule_on_the_item_refuses(site: Site) -> None:
    # r19 LOW: "unloaded cannot follow cut (next: ...)" listed every step the machine has
    # from `cut`: loading again (refused, R1: appealed), another appeal, the return to the
    # owner (refused: not reversed). Now only those no rule reading the item refuses.
    appealed, other = _cut_under_open_decision(site)
    batch = _loaded(site, other, legacy=[appealed])
    _appeal(site, appealed)
    _unload(site, appealed)
    before = _size(site)
    with pytest.raises(RuleViolation) as refusal:
        site.process.run("sklad.omarov", UnloadItems(items=[appealed], reason="ещё раз"))
    assert _size(site) == before
    found = re.search(r"unloaded cannot follow cut \(next: ([^)]*)\)", refusal.value.message)
    assert found is not None, refusal.value.message
    offered = found.group(1).split(", ")
    assert set(offered) == {
        "decision_suspended",
        "decision_final",
        "decision_reversed",
        "discrepancy_recorded",
    }
    # One of them offered, the appeal ended, is accepted; the item is then loaded again.
    site.process.decision_step("unit.serikbaev", "decision_final", [appealed])
    site.process.load("sklad.omarov", batch, [appealed])
    assert site.process.item(appealed).state == "loaded"


def _offered(refusal: RuleViolation, step: str, state: str) -> list[str]:
    found = re.search(rf"{step} cannot follow {state} \(next: ([^)]*)\)", refusal.message)
    assert found is not None, refusal.message
    return found.group(1).split(", ")


def test_next_steps_offer_unloading_only_where_the_unloading_would_be_accepted(
    site: Site,
) -> None:
    # fix19j: possible_steps asked a list of guards without unload_allowed, so a loaded item
    # whose decision is final was offered `unloaded`, which the step then refused.
    appealed, final = _cut_under_open_decision(site)
    _loaded(site, final, legacy=[appealed])
    _appeal(site, appealed)
    with pytest.raises(RuleViolation) as refusal:
        site.process.send_to_forensics("sklad.omarov", [final], FORENSICS)
    offered = _offered(refusal.value, "forensic sent", "loaded")
    assert "unloaded" not in offered
    assert "melted" in offered
    with pytest.raises(RuleViolation) as unloading:
        _unload(site, final)
    assert "nothing stops the destruction" in unloading.value.message
    # The appealed one, whose unloading is accepted, is offered it.
    with pytest.raises(RuleViolation) as refusal:
        site.process.send_to_forensics("sklad.omarov", [appealed], FORENSICS)
    offered = _offered(refusal.value, "forensic sent", "loaded")
    assert "unloaded" in offered
    assert "melted" not in offered  # R1: appealed
    _unload(site, appealed)
    assert site.process.item(appealed).state == "cut"
