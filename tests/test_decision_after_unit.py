"""Issue 19 (fix19f, HIGH): an appeal lodged in time, after the item had left the unit.

The attack: a decision dated today, the smoothbore sent to the warehouse and received the
same day (allowed from `decided`); the next day the appeal, dated the decision's day, could
be recorded by nobody, and the item went on to be cut under an appeal. Now the appeal (and a
suspension, finality or reversal) is recorded by the decision's place, whoever has the item,
and no step destroys or alters it until the decision is final; a reversal hands it back to
its owner from the warehouse. On SQLite and PostgreSQL; `custody verify` agrees with each
entry the process accepted.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.web import i18n, scan
from custody.verify import Audit, verify
from tests.support.forge import append_unchecked
from tests.support.site import DECISION, UNIT, Site
from workflows.commands import AppealDecision, SuspendDecision
from workflows.errors import AccessRefused, RuleViolation
from workflows.replay import refold, verify_steps

ACCESS = 11  # custody verify's access step (tests/test_access.py)


def _smoothbore_at_warehouse(site: Site) -> str:
    """The repro: decided today, sent and received the same day, not final."""
    item = site.sent_not_final()
    site.clock.advance(days=1)
    return item


def _appeal(site: Site, actor: str, item: str, step: str = "decision_appealed") -> None:
    site.process.decision_step(
        actor, step, [item], files=(), date=DECISION["date"], document="апелляция 2-99/2026"
    )


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _verified(site: Site) -> None:
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    assert report.ok, report.first_failure


def _refused_r1(site: Site, item: str, words: str) -> None:
    with pytest.raises(RuleViolation) as refusal:
        site.prepare(item)
    assert refusal.value.rule == "R1", refusal.value
    assert words in refusal.value.message, refusal.value
    assert site.process.item(item).state == "at_warehouse"


def test_appeal_lodged_in_time_after_transfer_blocks_cutting(site: Site) -> None:
    item = _smoothbore_at_warehouse(site)
    _appeal(site, "unit.serikbaev", item)
    held = site.process.item(item)
    assert held.state == "at_warehouse"
    assert held.decision is not None
    assert held.decision["status"] == "appealed"
    _refused_r1(site, item, "the decision is appealed; the item may not be destroyed")
    # Final again: the destruction goes on.
    site.process.decision_step("unit.serikbaev", "decision_final", [item])
    site.prepare(item)
    assert site.process.item(item).state == "cut"
    _verified(site)


def test_suspension_by_official_after_transfer_blocks_parts_removal(site: Site) -> None:
    item = _smoothbore_at_warehouse(site)
    _appeal(site, "official.zhakupov", item, "decision_suspended")
    _refused_r1(site, item, "the decision is suspended")
    _verified(site)


def test_warehouse_clerk_may_not_record_appeal_of_unit_decision(site: Site) -> None:
    item = _smoothbore_at_warehouse(site)
    with pytest.raises(AccessRefused):
        _appeal(site, "sklad.omarov", item)


def test_appeal_after_final_decision_is_refused_at_warehouse(site: Site) -> None:
    item = site.register_rifle(rifled=False)
    site.to_warehouse(item)  # decided and final, then sent
    with pytest.raises(RuleViolation) as refusal:
        _appeal(site, "unit.serikbaev", item)
    assert refusal.value.rule == "PROCESS"


def test_reversal_after_transfer_returns_item_from_warehouse(site: Site) -> None:
    item = _smoothbore_at_warehouse(site)
    _appeal(site, "unit.serikbaev", item)
    site.process.decision_step("unit.serikbaev", "decision_reversed", [item])
    _refused_r1(site, item, "the decision was reversed; the item goes back to its owner")
    site.process.return_to_owner("sklad.omarov", [item], "Иванов И. И.")
    assert site.process.item(item).state == "returned"
    _verified(site)


def test_return_without_reversal_is_refused_at_warehouse(site: Site) -> None:
    item = _smoothbore_at_warehouse(site)
    with pytest.raises(RuleViolation):
        site.process.return_to_owner("sklad.omarov", [item], "Иванов И. И.")


WORDS = {"ru": "уничтож", "kk": "жою", "en": "may not be destroyed"}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_contested_refusal_reads_in_every_language(language: str) -> None:
    message = "the decision is appealed; the item may not be destroyed until the decision is final"
    shown = i18n.refusal(RuleViolation("R1", message, "KZ-1"), language)
    assert shown.startswith("R1: "), shown
    assert WORDS[language] in shown, shown
    assert language == "en" or "may not be destroyed" not in shown


# -- fix19f M3: no pause of R1 without its date and document ----------------------------------


@pytest.mark.parametrize("command", [AppealDecision, SuspendDecision])
@pytest.mark.parametrize(
    "given",
    [{}, {"date": DECISION["date"]}, {"document": "дело 2а-1/2026"}, {"document": "   "}],
    ids=["nothing", "no_document", "no_date", "blank_document"],
)
def test_unit_officer_alone_stops_r1_with_no_date_nor_document_is_refused(
    site: Site, command: type[AppealDecision], given: dict[str, str]
) -> None:
    item = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [item], DECISION)
    before = _size(site)
    with pytest.raises(ValidationError) as refusal:
        site.process.run("unit.serikbaev", command.model_validate({"items": [item], **given}))
    fields = {str(e["loc"][0]) for e in refusal.value.errors()}
    assert fields <= {"date", "document"}
    assert fields
    assert _size(site) == before
    assert site.process.item(item).state == "decided"


def test_appeal_keeps_its_document_on_the_decision(site: Site) -> None:
    item = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [item], DECISION)
    command = AppealDecision(items=[item], date=DECISION["date"], document="дело 2а-3/2026")
    site.process.run("unit.serikbaev", command)
    decision = site.process.item(item).decision
    assert decision is not None
    assert decision["appealed_document"] == "дело 2а-3/2026"
    assert decision["appealed_date"] == DECISION["date"]


def test_unit_officer_scan_lists_appeal_of_item_now_at_warehouse(site: Site) -> None:
    """The web's way in: the scan page of the decision's unit finds the item for a step of
    its decision (not "no item found at your places"), and for no other step."""
    item = _smoothbore_at_warehouse(site)
    looked, _ = scan._look(site.process, [item], "decision_appealed", [UNIT])
    assert looked[item][2] is False  # not elsewhere: it is the decision's place
    assert looked[item][1] is None  # nothing stops the appeal
    looked, _ = scan._look(site.process, [item], "transfer_sent", [UNIT])
    assert looked[item][2] is True


def test_clerk_forged_appeal_at_warehouse_fails_verify_access(site: Site) -> None:
    """An insider with the ledger key writes the appeal in the clerk's name: verify's access
    step refuses it by the decision's place (the unit), as the process refused it live."""
    item = _smoothbore_at_warehouse(site)
    _verified(site)
    signer = site.ledger.signer
    assert signer is not None
    data = {"date": DECISION["date"], "document": "дело 2а-1/2026", "files": []}
    with site.ledger.database.engine.begin() as conn:
        forged = append_unchecked(conn, signer, "decision_appealed", "sklad.omarov", item, data)
    refold(site.ledger.database)  # the insider brings the state rows along: only access tells
    report = verify(site.ledger.database, extra_steps=verify_steps(site.files))
    [access] = [step for step in report.steps if step.number == ACCESS]
    assert access.status == "failed"
    assert access.seq == forged.seq
    assert "sklad.omarov (warehouse_clerk) may not write decision_appealed" in str(access.reason)


# -- fix19h LOW: a refusal to the unit's officer tells nothing of the item elsewhere ----------

STATE_WORDS = ("cut", "deformed", "parts removed", "at warehouse", "destroyed", "discrepancy")


def test_refused_later_step_of_an_item_elsewhere_names_only_the_decision(site: Site) -> None:
    item = site.register_rifle(rifled=False)
    site.to_warehouse(item)  # decided and final, then sent and received
    site.prepare(item)  # cut at the warehouse: the unit's officer does not read it there
    with pytest.raises(RuleViolation) as refusal:
        _appeal(site, "unit.serikbaev", item)
    message = refusal.value.message
    assert refusal.value.rule == "PROCESS"
    assert "decision appealed cannot follow a decision that is final" in message
    assert not any(word in message for word in STATE_WORDS), message
    shown = i18n.refusal(refusal.value, "ru")
    assert "Разрезано" not in shown
    assert "cut" not in shown


def test_refused_later_step_of_an_item_with_a_discrepancy_elsewhere_says_nothing_of_it(
    site: Site,
) -> None:
    item = _smoothbore_at_warehouse(site)
    site.process.record_discrepancy("sklad.omarov", item, "не найден при пересчёте")
    with pytest.raises(RuleViolation) as refusal:
        _appeal(site, "unit.serikbaev", item)
    message = refusal.value.message
    assert "has left the unit" in message
    assert not any(word in message for word in STATE_WORDS), message
    assert "D-" not in message
