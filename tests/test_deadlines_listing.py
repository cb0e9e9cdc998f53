"""The open deadlines as a list shows them, read in the database's index order and paged
there (workflows.repository.open_deadlines): overdue first, then running, each by due time
and then item, then the paused ones by item; pages of any size put together are the whole
list, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from custody.clock import format_time
from tests.support.site import DECISION, Site
from tests.test_deadlines_by_law import ALMATY
from workflows.model import Deadline


def _decide(site: Site, rifles: list[str], days_ago: int) -> None:
    day = site.clock().astimezone(ALMATY).date() - dt.timedelta(days=days_ago)
    site.process.record_decision("unit.serikbaev", rifles, {**DECISION, "date": day.isoformat()})


def _as_sorted_before(found: list[Deadline], now: str) -> list[tuple[str, str]]:
    """The order the list had when it was sorted in Python, written out again."""
    order = {"overdue": 0, "running": 2, "paused": 3}
    keyed = sorted(found, key=lambda d: (order[d.status_at(now)], d.due_at or "~", d.item))
    return [(d.item, d.rule) for d in keyed]


def test_the_list_and_its_pages_in_order(site: Site) -> None:
    rifles = [site.register_rifle() for _ in range(7)]
    _decide(site, rifles[4:6], 12)  # overdue
    _decide(site, rifles[0:2], 2)  # running
    _decide(site, [rifles[6]], 11)  # overdue, a day later
    _decide(site, rifles[2:4], 1)
    site.process.decision_step("unit.serikbaev", "decision_appealed", [rifles[3], rifles[1]])
    now = format_time(site.clock())
    shown = site.process.deadlines()
    keys = [(d.item, d.rule) for d in shown]
    assert keys == _as_sorted_before(shown, now)
    statuses = [d.status_at(now) for d in shown]
    assert statuses == ["overdue"] * 3 + ["running"] * 2 + ["paused"] * 2
    assert [d.item for d in shown[-2:]] == sorted([rifles[1], rifles[3]])
    for size in (1, 2, 3, 5, 7, 10):
        pages = [site.process.deadlines(limit=size, offset=at) for at in range(0, 9, size)]
        assert [(d.item, d.rule) for page in pages for d in page] == keys
    assert site.process.deadlines(limit=3, offset=7) == []
