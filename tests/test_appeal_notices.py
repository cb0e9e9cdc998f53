"""Issue 19 (fix19h, M2): an appeal recorded after R1 was met by the transfer is told.

The attack: the smoothbore left the unit under a decision not final yet (R1 met by the
transfer); the appeal lodged in time was recorded the next day, and nobody was told: the
long-pause notice covers only a clock still stopped at the unit. Now the unit that decided
and the place holding the item each get one `appeal_waits` notice (destruction
waits), mailed to a real SMTP server, once; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

import workflows.commands as c
from api.notices import outbox
from api.notices.config import NoticeConfig
from api.notices.worker import one_pass
from api.system import System
from custody.clock import format_time
from tests.support.mailbox import Mailbox
from tests.support.notices import notices_of
from tests.support.site import DECISION, FORENSICS, WAREHOUSE, Site
from tests.test_notices import box, system

__all__ = ["box", "system"]  # the fixtures of tests/test_notices.py


@pytest.fixture
def told(site: Site, system: System) -> System:
    """The warehouse's clerk on its staff, with an address."""
    staff = c.AssignSupervisor(location=WAREHOUSE, person="sklad.omarov", level="staff")
    site.process.run("admin", staff)
    with site.ledger.database.write() as conn:
        outbox.set_contact(conn, "sklad.omarov", "omarov@police.kz", format_time(site.clock()))
    return system


def _at_warehouse(site: Site) -> str:
    item = site.sent_not_final()
    site.clock.advance(days=1)
    return item


def _appeal(site: Site, item: str) -> None:
    site.process.decision_step(
        "unit.serikbaev",
        "decision_appealed",
        [item],
        date=DECISION["date"],
        document="апелляция 2-88/2026",
    )


def test_appeal_after_the_item_left_the_unit_is_told_to_both_places(
    site: Site, told: System, box: Mailbox
) -> None:
    item = _at_warehouse(site)
    config = NoticeConfig(smtp_url=box.url)
    one_pass(told, config)
    assert notices_of(told, "appeal_waits") == []
    _appeal(site, item)
    done = one_pass(told, config)
    assert done.written == 2
    assert notices_of(told, "appeal_waits") == [
        (item, "sklad.omarov", WAREHOUSE),
        (item, "unit.ospanov", "UNIT-ALM"),
    ]
    for address in ("omarov@police.kz", "unit.ospanov@police.kz"):
        [mail] = box.to(address)
        assert item in mail["Subject"]
        assert "Решение обжаловано" in mail["Subject"]
        assert "may not be destroyed until the decision is final" in mail.get_content()
    assert one_pass(told, config).written == 0  # each once


def test_appeal_at_the_unit_gives_no_such_notice(site: Site, told: System, box: Mailbox) -> None:
    item = site.register_rifle(rifled=False)
    site.process.record_decision("unit.serikbaev", [item], DECISION)
    _appeal(site, item)
    one_pass(told, NoticeConfig(smtp_url=box.url))
    assert notices_of(told, "appeal_waits") == []


def test_appeal_final_again_before_the_pass_is_not_told(
    site: Site, told: System, box: Mailbox
) -> None:
    item = _at_warehouse(site)
    _appeal(site, item)
    site.process.decision_step("unit.serikbaev", "decision_final", [item])
    one_pass(told, NoticeConfig(smtp_url=box.url))
    assert notices_of(told, "appeal_waits") == []


def test_a_pass_reads_only_the_appeals_written_since_the_last_one(
    site: Site, told: System, box: Mailbox
) -> None:
    """fix19j: each pass read every appeal and suspension the ledger ever held. Now it reads
    those after a high-water mark kept in a row (a restarted worker goes on from it), and
    keeps what it may still owe notices for: the result is the one reading them all gave."""
    item = _at_warehouse(site)
    config = NoticeConfig(smtp_url=box.url)
    _appeal(site, item)
    first = one_pass(told, config)
    assert (first.appeals_read, first.written) == (1, 2)
    again = one_pass(told, config)
    assert (again.appeals_read, again.written) == (0, 0)
    restarted = System(site.ledger, site.process)  # a new worker on the same database
    assert one_pass(restarted, config).appeals_read == 0
    # The appeal read before is still watched: the item sent on to forensics, the place it
    # goes to is told on a pass that reads no entry, as a pass reading them all told it.
    expert = c.AssignSupervisor(location=FORENSICS, person="expert.sadykova", level="staff")
    site.process.run("admin", expert)
    site.process.send_to_forensics("sklad.omarov", [item], FORENSICS)
    moved = one_pass(restarted, config)
    assert (moved.appeals_read, moved.written) == (0, 1)
    assert (item, "expert.sadykova", FORENSICS) in notices_of(told, "appeal_waits")
    # A new appeal is read, once.
    other = _at_warehouse(site)
    _appeal(site, other)
    assert one_pass(restarted, config).appeals_read == 1
    assert one_pass(restarted, config).appeals_read == 0
    assert (other, "sklad.omarov", WAREHOUSE) in notices_of(told, "appeal_waits")


def test_an_appeal_whose_item_is_gone_is_no_longer_watched(
    site: Site, told: System, box: Mailbox
) -> None:
    item = _at_warehouse(site)
    _appeal(site, item)
    site.process.decision_step("unit.serikbaev", "decision_reversed", [item])
    config = NoticeConfig(smtp_url=box.url)
    one_pass(told, config)
    assert _watched(told) == [item]
    site.process.return_to_owner("sklad.omarov", [item], "Иванов И. И.")
    one_pass(told, config)
    assert _watched(told) == []  # returned: no notice can come of it again


def _watched(system: System) -> list[str]:
    with system.ledger.database.read() as conn:
        return [r[0] for r in conn.execute(text("SELECT item FROM api_notice_appeals"))]
