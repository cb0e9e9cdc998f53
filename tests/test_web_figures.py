"""The dashboard's figures (api.web.figures) and what the dashboard keeps of them
(api.web.dashboard.FigureCache), on a real site through the real commands, with a clock the
test moves: an overdue figure changes with time alone, kept figures are given again only while
nothing changed, and places narrow every figure."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from api.reports import compute
from api.system import System
from api.web.dashboard import FigureCache
from api.web.figures import last_months, month_of
from api.web.report_pages import ReportCache
from custody.clock import format_time
from tests.support.site import PLANT, UNIT, WAREHOUSE, Site
from workflows.reports.recompute import ReportRequest

ZONE = "Asia/Almaty"


def system_of(site: Site) -> System:
    return System(site.ledger, site.process)


def test_an_overdue_r1_figure_changes_with_time_alone(site: Site) -> None:
    cache = FigureCache()
    item = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [item], _decision(site))
    before = cache.figures(system_of(site), None)
    assert before.figures.overdue["R1"].get(UNIT, 0) == 0
    site.clock.advance(days=12)  # past the tenth day: no entry written, the tree as it was
    after = cache.figures(system_of(site), None)
    assert after.size == before.size
    assert after.figures.overdue["R1"][UNIT] == 1
    assert after.figures.overdue_total["R1"] == before.figures.overdue_total["R1"] + 1


def test_kept_figures_are_given_again_only_while_the_ledger_stays_the_same(site: Site) -> None:
    cache = FigureCache()
    first = cache.figures(system_of(site), None)
    assert cache.figures(system_of(site), None) is first
    site.register_rifle()
    again = cache.figures(system_of(site), None)
    assert again is not first
    assert again.size > first.size
    assert again.figures.by_state["registered"] == first.figures.by_state.get("registered", 0) + 1
    # Each set of places is kept apart.
    mine = cache.figures(system_of(site), [WAREHOUSE])
    assert mine is not again
    assert mine.figures.by_state.get("registered", 0) == 0


def test_destroyed_items_and_weight_melted_count_in_the_month_of_melting_at_the_plant(
    site: Site,
) -> None:
    """Items count destroyed only on a final statement (R8, issue 16: a melted batch whose
    signatures are missing was counted destroyed); until then they are counted apart, as
    melted with the statement not final. The weight melted is the charge's at once."""
    month = month_of(format_time(site.clock()), ZONE)
    before = FigureCache().figures(system_of(site), None).figures
    items = [site.register_rifle(source="surplus", rifled=False) for _ in range(3)]
    site.to_warehouse(*items)
    site.prepare(*items)
    batch = site.melt(*items, charge_weight_g=9_100)
    melted = FigureCache().figures(system_of(site), None).figures
    assert melted.destroyed[month] == before.destroyed[month]
    assert melted.not_final[month] == before.not_final[month] + 3
    assert melted.melted_g[month] == before.melted_g[month] + 9_100
    site.sign(batch, "chair.nurlanov", "member.abenova")
    everywhere = FigureCache().figures(system_of(site), None).figures
    assert everywhere.destroyed[month] == before.destroyed[month] + 3
    assert everywhere.not_final[month] == before.not_final[month]
    plant = FigureCache().figures(system_of(site), [PLANT]).figures
    assert plant.destroyed[month] == everywhere.destroyed[month]
    unit = FigureCache().figures(system_of(site), [UNIT]).figures
    assert unit.destroyed[month] == unit.not_final[month] == 0
    assert unit.melted_g[month] == 0


def _decision(site: Site) -> dict[str, str]:
    day = site.clock().astimezone(ZoneInfo(ZONE)).date().isoformat()
    return {"ref": "2-77/2026", "authority": "court", "date": day}


@given(
    st.datetimes(
        min_value=dt.datetime(1971, 1, 1),
        max_value=dt.datetime(9990, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(["Asia/Almaty", "Asia/Aqtau", "UTC", "Pacific/Kiritimati", "Pacific/Niue"]),
    st.integers(min_value=1, max_value=40),
)
def test_last_months_are_consecutive_and_end_with_now_s_month_in_the_zone(
    moment: dt.datetime, zone: str, count: int
) -> None:
    now = format_time(moment)
    months = last_months(now, zone, count)
    assert len(months) == count == len(set(months))
    assert months == sorted(months)
    assert months[-1] == month_of(now, zone)
    for earlier, later in itertools.pairwise(months):
        year, month = int(earlier[:4]), int(earlier[5:])
        assert later == (f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}")


def test_a_kept_report_is_given_again_at_the_same_checkpoint_and_computed_anew_after_it(
    site: Site,
) -> None:
    cache = ReportCache()
    year = site.clock().astimezone(ZoneInfo(ZONE)).year
    wanted = ReportRequest.annual(year, ZONE)
    first = cache.report(site.ledger, wanted)
    again = cache.report(site.ledger, wanted)
    assert again == first
    assert again["checkpoint"]["size"] == first["checkpoint"]["size"]
    site.register_rifle(source="confiscated")
    after = cache.report(site.ledger, wanted)
    assert after["checkpoint"]["size"] > first["checkpoint"]["size"]
    confiscated = after["weapons"]["confiscated"]["total"]
    assert confiscated == first["weapons"]["confiscated"]["total"] + 1
    # What was kept is what the report's own code computes at that checkpoint.
    fresh, _ = compute(site.ledger, wanted, after["checkpoint"]["note"])
    assert fresh == after


def test_a_weapon_come_back_is_counted_as_suspected_at_the_places_of_its_new_item(
    site: Site,
) -> None:
    from tests.test_diversion import _destroyed, _register

    before = FigureCache().figures(system_of(site), None).figures
    old, batch = _destroyed(site, "АК 424242")
    new = _register(site, "ak-424242")  # the melted rifle's marking, typed in Latin letters
    after = FigureCache().figures(system_of(site), None).figures
    assert after.suspicions == before.suspicions + 1
    assert after.discrepancies == before.discrepancies + 1
    # at the unit where the new item stands, not at a warehouse that never held it
    assert FigureCache().figures(system_of(site), [UNIT]).figures.suspicions >= 1
    assert FigureCache().figures(system_of(site), [WAREHOUSE]).figures.suspicions == 0
    assert site.process.item(new).diversion is not None
    assert old not in (new, batch)
