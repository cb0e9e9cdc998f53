"""The pieces the reports stand on: the kind read from canonical bytes without parsing them,
whatever the data holds; figures compared path by path; periods in the report's zone."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custody.entries import KINDS, encode_body
from workflows.errors import InvalidRequest
from workflows.reports.figures import differences, flatten
from workflows.reports.period import days, year
from workflows.reports.recompute import kind_of

TRICKY = st.sampled_from(['","kind":"melted', ',"kind":"', '"kind"', "kind", "\\", '"', "ё"])
TEXT = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=20), TRICKY)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(TEXT, st.just("kind")), inner, max_size=4),
    ),
    max_leaves=12,
)


@given(
    kind=st.sampled_from(sorted(KINDS)),
    data=st.dictionaries(st.one_of(TEXT, st.just("kind")), JSON, max_size=5),
    item=st.one_of(st.none(), st.just("KZ-1")),
)
def test_kind_of_reads_the_bodys_own_kind_whatever_its_data_hold(
    kind: str, data: dict[str, object], item: str | None
) -> None:
    body = encode_body(7, "2026-12-31T19:30:00.000000Z", "unit.a", kind, item, None, None, data)
    assert kind_of(body) == kind.encode()


def test_a_changed_figure_is_named_by_its_path() -> None:
    report = {"weapons": {"destroyed": {"total": 5, "by_category": {"gas": 1}}}, "missed": []}
    changed = {"weapons": {"destroyed": {"total": 5, "by_category": {"gas": 2}}}, "missed": []}
    assert differences(report, changed) == ["weapons.destroyed.by_category.gas"]
    listed = {"missed": [{"item": "A", "late_by_hours": 2.0}]}
    assert differences(listed, {"missed": [{"item": "A", "late_by_hours": 3.0}]}) == [
        "missed[0].late_by_hours"
    ]
    assert differences(listed, {"missed": []}) == [
        "missed",
        "missed[0].item",
        "missed[0].late_by_hours",
    ]
    assert dict(flatten({"by_month": {"destroyed": [0, 1]}})) == {"by_month.destroyed": [0, 1]}


def test_a_year_in_almaty_starts_at_19_00_utc_the_evening_before() -> None:
    period = year(2026, "Asia/Almaty")
    assert period.start == "2025-12-31T19:00:00.000000Z"
    assert period.end == "2026-12-31T19:00:00.000000Z"
    assert period.holds("2026-12-31T18:59:59.999999Z")
    assert not period.holds("2026-12-31T19:00:00.000000Z")
    assert period.first == dt.date(2026, 1, 1)


@pytest.mark.parametrize(("number", "zone"), [(2026, "Mars/Olympus"), (10_000, "UTC")])
def test_a_year_that_cannot_be_is_refused(number: int, zone: str) -> None:
    with pytest.raises(InvalidRequest):
        year(number, zone)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(1, 1, 1), dt.date(1, 1, 2)),
        (dt.date(9999, 12, 30), dt.date(9999, 12, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 1, 31)),
    ],
)
def test_a_period_at_the_ends_of_the_calendar_or_backwards_is_refused(
    first: dt.date, last: dt.date
) -> None:
    with pytest.raises(InvalidRequest):
        days(first, last, "Asia/Almaty")
