"""The one id register (workflows.subjects): an id names one subject, of one kind, for ever.

Entries name their subject in one field, so two subjects of different kinds sharing an id
would be one subject to every reader (issue 12: a discrepancy on item `B-1` landed on batch
`B-1`; an edged weapon called `TK-1` mixed its entries with its commission's and its signed
statement failed `verify-statement`). Each test refuses one such second use, on SQLite and
PostgreSQL, and shows that nothing was written; the last shows that a ledger written around
the process fails `custody verify` at step 10.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from custody.verify import Audit
from tests.support import forge
from tests.support.site import COMMISSION, PLANT, UNIT, WAREHOUSE, Site
from workflows.errors import InvalidRequest, RuleViolation
from workflows.intake import Intake
from workflows.replay import verify_steps
from workflows.subjects import KINDS, unavailable

TABLES = ("wf_items", "wf_batches", "wf_locations", "wf_commissions", "wf_transfers")


def _written(site: Site) -> tuple[Any, ...]:
    """The ledger's size and every register table's rows: what a refusal must leave alone."""
    with site.ledger.database.read() as conn:
        size = site.ledger.head(conn).size
        rows = tuple(
            tuple(conn.execute(text(f"SELECT id, data FROM {t} ORDER BY id")).all())
            for t in (*TABLES, "wf_discrepancies")
        )
    return size, rows


def _refused(site: Site, action: Callable[[], object], taken: str) -> None:
    """Refused with the one sentence for an id taken, whatever holds it (issue 14, L1: not
    which kind, nor whether the reader may see it), and nothing written."""
    before = _written(site)
    with pytest.raises(InvalidRequest) as refused:
        action()
    assert str(refused.value) == unavailable(taken)
    assert "an id names one subject for ever" in str(refused.value)
    assert _written(site) == before


def _edged(item: str) -> Intake:
    return Intake(
        item=item,
        category="edged",
        source="found",
        location=UNIT,
        weight_g=400,
        marking=f"ШШ №{item}",
        details={"type": "шашка"},
    )


def _open_batch(site: Site, batch: str) -> None:
    site.process.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)


def test_item_id_cannot_reuse_a_batch_id(site: Site) -> None:
    _open_batch(site, "B-1")
    _refused(
        site,
        lambda: site.process.register("unit.serikbaev", _edged("B-1")),
        "B-1",
    )


def test_edged_weapon_cannot_take_its_commissions_id(site: Site) -> None:
    _refused(
        site,
        lambda: site.process.register("unit.serikbaev", _edged(COMMISSION)),
        COMMISSION,
    )


def test_item_id_cannot_reuse_a_place_id(site: Site) -> None:
    _refused(
        site,
        lambda: site.process.register("unit.serikbaev", _edged(WAREHOUSE)),
        WAREHOUSE,
    )


def test_one_import_cannot_name_a_place_among_its_items(site: Site) -> None:
    # all or none: the good intake beside it is not written either
    _refused(
        site,
        lambda: site.process.register("unit.serikbaev", _edged("KZ-GOOD"), _edged(PLANT)),
        PLANT,
    )


def test_batch_id_cannot_reuse_an_item_id(site: Site) -> None:
    rifle = site.register_rifle()
    _refused(site, lambda: _open_batch(site, rifle), rifle)


def test_transfer_id_cannot_reuse_an_item_id(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision(
        "unit.serikbaev", [rifle], {"ref": "1/2026", "authority": "court", "date": "2026-10-28"}
    )
    site.process.decision_step("unit.serikbaev", "decision_final", [rifle])
    _refused(
        site,
        lambda: site.process.send("unit.serikbaev", rifle, WAREHOUSE, [rifle]),
        rifle,
    )


def test_place_id_cannot_reuse_a_commission_id(site: Site) -> None:
    _refused(
        site,
        lambda: site.process.add_location("admin", COMMISSION, "unit", "УП", "Алматы"),
        COMMISSION,
    )


def test_commission_id_cannot_reuse_an_item_id(site: Site) -> None:
    rifle = site.register_rifle()
    _refused(
        site,
        lambda: site.process.add_commission_member(
            "admin", rifle, "member.kim", "member", "Комиссия"
        ),
        rifle,
    )


def test_a_commission_and_a_transfer_still_grow_under_their_own_id(site: Site) -> None:
    site.process.add_commission_member("admin", COMMISSION, "member.tokayeva", "member")
    guns = [site.register_rifle(source="surplus") for _ in range(2)]
    decision = {"ref": "1/2026", "authority": "court", "date": "2026-10-28"}
    site.process.record_decision("unit.serikbaev", guns, decision)
    site.process.send("unit.serikbaev", "T-1", WAREHOUSE, guns[:1])
    site.process.send("unit.serikbaev", "T-1", WAREHOUSE, guns[1:])
    assert site.process.transfer("T-1").sent == guns


def test_a_ledger_that_reuses_an_id_across_kinds_fails_verify_at_step_10(site: Site) -> None:
    # An insider with the ledger key appends an intake named like the commission, around
    # the process: every entry is chained and signed, only the replay can tell.
    signer = site.ledger.signer
    assert signer is not None
    with site.ledger.database.engine.begin() as conn:
        forged = forge.append_unchecked(
            conn,
            signer,
            "item_registered",
            "unit.serikbaev",
            COMMISSION,
            {
                "category": "edged",
                "source": "found",
                "location": UNIT,
                "rifled": False,
                "weight_g": 400,
                "details": {},
                "files": [],
                "marking": "ШШ №7",
                "marking_place": None,
                "internal_tag": None,
            },
        )
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    failure = report.first_failure
    assert failure is not None
    assert (failure.number, failure.name, failure.seq) == (10, "state replay", forged.seq)
    assert f"id {COMMISSION} names {KINDS['commissions']} already" in failure.reason


def test_an_id_taken_is_one_sentence_whoever_holds_it_and_wherever(site: Site) -> None:
    """Issue 14, L1: a unit officer choosing an id learns that it is taken, never what took
    it nor where: an item at their own unit, a weapon at the warehouse they may not read, a
    batch, a place, a commission are refused word for word alike (but for the id)."""
    mine = site.register_rifle()
    theirs = site.register_rifle()
    site.to_warehouse(theirs)  # now at WH-ALM, where the unit officer does not read
    _open_batch(site, "B-9")
    said = {}
    for taken in (mine, theirs, "B-9", WAREHOUSE, COMMISSION):
        with pytest.raises(InvalidRequest) as refused:
            site.process.register("unit.serikbaev", _edged(taken))
        said[taken] = str(refused.value).replace(taken, "<id>")
    assert len(set(said.values())) == 1, said
    assert "item" not in next(iter(said.values()))
    assert site.process.item(theirs).location == WAREHOUSE


def test_r10_names_the_item_holding_a_marking_only_at_the_readers_places(site: Site) -> None:
    """R10 refuses a second live weapon of a marking; the refusal names the first one's id
    to a reader of its place, and to another only that the marking is registered."""
    here = site.register_rifle(marking="АК-74 №555001")
    away = site.register_rifle(marking="АК-74 №555002")
    site.to_warehouse(away)
    for marking, named in (("АК-74 №555001", here), ("АК-74 №555002", None)):
        with pytest.raises(RuleViolation) as refused:
            site.register_rifle(marking=marking)
        assert refused.value.rule == "R10"
        if named is not None:
            assert f"as item {named}" in refused.value.message
        else:
            assert away not in refused.value.message
            assert (
                refused.value.message == f"marking {marking} is already registered to a live item"
            )


# Issue 12 (b12final), finding 3: ids that read alike on a label are one id.
LOOK_ALIKES = [
    ("KZ-7001", "kz-7001"),  # case
    ("KZ-7001", "\u039a\u0396-7001"),  # ΚΖ-7001, all Greek
    ("KX-7001", "\u041a\u0425-7001"),  # КХ-7001, all Cyrillic
    ("KZ 1", "KZ  1"),  # a run of two spaces
]


def _edged_marked(item: str, marking: str) -> Intake:
    return Intake(
        item=item,
        category="edged",
        source="found",
        location=UNIT,
        weight_g=400,
        marking=marking,
        details={"type": "шашка"},
    )


def _written_and_ids(site: Site) -> tuple[Any, ...]:
    with site.ledger.database.read() as conn:
        ids = tuple(conn.execute(text("SELECT folded, data FROM wf_ids ORDER BY folded")).all())
    return _written(site), ids


@pytest.mark.parametrize(("first", "second"), LOOK_ALIKES)
def test_attack_an_id_that_reads_as_a_registered_one_is_refused(
    site: Site, first: str, second: str
) -> None:
    site.process.register("unit.serikbaev", _edged_marked(first, "ШШ 101"))
    before = _written_and_ids(site)
    with pytest.raises(InvalidRequest) as refused:
        site.process.register("unit.serikbaev", _edged_marked(second, "ШШ 202"))
    assert str(refused.value) == unavailable(second)
    assert _written_and_ids(site) == before


def test_attack_two_ids_that_read_alike_in_one_intake_are_refused(site: Site) -> None:
    before = _written_and_ids(site)
    with pytest.raises(InvalidRequest) as refused:
        site.process.register(
            "unit.serikbaev", _edged_marked("X-1", "ШШ 301"), _edged_marked("x-1", "ШШ 302")
        )
    assert "ids X-1 and x-1 read alike" in str(refused.value)
    assert _written_and_ids(site) == before


def test_attack_a_look_alike_id_of_another_kind_is_refused(site: Site) -> None:
    _open_batch(site, "B-77")
    before = _written_and_ids(site)
    with pytest.raises(InvalidRequest) as refused:
        site.process.register("unit.serikbaev", _edged_marked("\u0412-77", "ШШ 401"))  # В-77
    assert str(refused.value) == unavailable("\u0412-77")
    assert _written_and_ids(site) == before


def test_the_id_register_keeps_each_id_once_by_its_folded_form(site: Site) -> None:
    site.process.register("unit.serikbaev", _edged_marked("KZ-9", "ШШ 501"))
    with site.ledger.database.read() as conn:
        row = conn.execute(text("SELECT data FROM wf_ids WHERE folded = 'KZ9'")).scalar_one()
    assert '"id":"KZ-9"' in row.replace(" ", "")
    assert '"kind":"items"' in row.replace(" ", "")


def test_a_ledger_with_a_look_alike_id_fails_verify_at_step_10(site: Site) -> None:
    site.process.register("unit.serikbaev", _edged_marked("KZ-5", "ШШ 601"))
    signer = site.ledger.signer
    assert signer is not None
    with site.ledger.database.engine.begin() as conn:
        forged = forge.append_unchecked(
            conn,
            signer,
            "item_registered",
            "unit.serikbaev",
            "kz-5",
            {
                "category": "edged",
                "source": "found",
                "location": UNIT,
                "rifled": False,
                "weight_g": 400,
                "details": {},
                "files": [],
                "marking": "ШШ 602",
                "marking_place": None,
                "internal_tag": None,
            },
        )
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    failure = report.first_failure
    assert failure is not None
    assert (failure.number, failure.name, failure.seq) == (10, "state replay", forged.seq)
    assert "id kz-5 reads as id KZ-5" in failure.reason


def _firearm(item: str, **changed: Any) -> Intake:
    given: dict[str, Any] = {
        "item": item,
        "category": "firearm",
        "source": "found",
        "location": UNIT,
        "weight_g": 3600,
        "marking": f"АК-74 №{item}",
        "marking_place": "ствольная коробка",
        "details": {"type": "автомат", "model": "AK-74"},
    }
    return Intake(**{**given, **changed})


# Requests bad for another reason than their id, each named for its defect.
OTHERWISE_BAD: dict[str, dict[str, Any]] = {
    "r10_no_marking": {"marking": None, "marking_place": None},
    "r10_no_photo": {},  # a firearm's intake without the marking's photo (photo_steps)
    "r10_marking_of_a_live_weapon": {"marking": "MARKING-OF-A-LIVE-ONE"},
    "decision_in_the_future": {
        "decision": {"ref": "2-1/2099", "authority": "court", "date": "2099-01-01"}
    },
    "unmarked_with_a_marking": {"unmarked": True},
    "weight_zero": {"weight_g": 0},
}


@pytest.mark.parametrize("defect", list(OTHERWISE_BAD), ids=list(OTHERWISE_BAD))
def test_a_request_bad_otherwise_says_the_same_whether_its_id_is_taken_or_free(
    site: Site, defect: str
) -> None:
    """Issue 12 (b12 #5): an officer registering under the id of a weapon at a place they
    may not read (GET /items/{id}: 404 to them) was told "id ... is not available" before
    any other check: an existence oracle for any request. That an id is taken is now the
    last thing said: a request another rule refuses is refused for that, word for word alike
    for a taken id and a free one, and nothing is written."""
    site.register_rifle(marking="MARKING-OF-A-LIVE-ONE")
    away = site.register_rifle()
    site.to_warehouse(away)  # at WH-ALM: the unit officer does not read there
    changed = OTHERWISE_BAD[defect]
    said = {}
    for item in (away, "KZ-FREE-1"):
        intake = _firearm(item, **changed)
        if defect != "r10_no_photo":
            intake = replace(intake, files=[site.photo(f"marking {item}")])
        before = _written(site)
        with pytest.raises((InvalidRequest, RuleViolation, ValidationError)) as refused:
            site.process.register("unit.serikbaev", intake)
        assert _written(site) == before
        said[item] = str(refused.value).replace(item, "<id>")
    assert len(set(said.values())) == 1, said
    assert "not available" not in said["KZ-FREE-1"]
    # and a request nothing else refuses is told the id is taken: it must be
    intake = _firearm(away, marking="АК-74 №FREE-9", files=[site.photo("marking free")])
    _refused(site, lambda: site.process.register("unit.serikbaev", intake), away)
