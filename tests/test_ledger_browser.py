"""The auditor's ledger browser (api.web.ledger_browser) on a real ledger, SQLite and
PostgreSQL: paging by seq through any filters, in pages of any size and with any scan limit,
gives exactly the entries a plain reading of every body picks, each once and in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.ledger_browser import Filters, browse
from custody.bootstrap import init
from custody.clock import format_time
from custody.entries import NewEntry, decode
from custody.ledger import Ledger
from tests.conftest import make_settings
from tests.support.databases import postgres_database, sqlite_url

KINDS = ("item_registered", "cut", "deformed", "inventory_counted")
ACTORS = ("sklad.omarov", "unit.serikbaev", "expert.sadykova")
SUBJECTS = ("KZ-1", "KZ-2", "KZ-3", None)
START = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Ledger, list[tuple[int, str, str, str | None, str]]]]:
    """A ledger of 240 entries of mixed kinds, actors and subjects, an hour apart each
    three; and each entry as (seq, kind, actor, subject, time), read back from its body."""
    directory = tmp_path_factory.mktemp("browser")

    def with_url(url: str) -> Iterator[tuple[Ledger, list[tuple[int, str, str, str | None, str]]]]:
        moments = iter(START + dt.timedelta(minutes=20 * n) for n in range(10_000))
        ledger = init(make_settings(directory, url), clock=lambda: next(moments)).ledger
        with ledger.database.write() as conn:
            ledger.append_many(
                conn,
                [
                    NewEntry(
                        kind=KINDS[n % 4],
                        actor=ACTORS[n % 3],
                        item=SUBJECTS[n % 7 % 4],
                        data={"n": n},
                    )
                    for n in range(120)
                ],
            )
        for n in range(120, 240):
            ledger.record(
                NewEntry(
                    kind=KINDS[n % 4],
                    actor=ACTORS[n % 3],
                    item=SUBJECTS[n % 5 % 4],
                    data={"kind": KINDS[(n + 1) % 4], "actor": ACTORS[(n + 1) % 3]},
                )
            )
        with ledger.database.read() as conn:
            bodies = [decode(e.body) for e in ledger.entries(conn, 0, 1000)]
        yield ledger, [(b.seq, b.kind, b.actor, b.item, b.time) for b in bodies]
        ledger.database.dispose()

    if request.param == "sqlite":
        yield from with_url(sqlite_url(Path(directory)))
    else:
        with postgres_database() as url:
            yield from with_url(url)


times = st.sampled_from(
    ["", *(format_time(START + dt.timedelta(minutes=n)) for n in (0, 150, 900, 2000, 9000))]
)
filters = st.builds(
    Filters,
    kind=st.sampled_from(("", *KINDS, "ledger_created")),
    subject=st.sampled_from(("", "KZ-1", "KZ-3", "KZ-404")),
    actor=st.sampled_from(("", *ACTORS, "system")),
    since=times,
    until=times,
)


@given(wanted=filters, size=st.integers(1, 60), scan=st.integers(1, 300))
def test_paging_through_any_filters_gives_each_matching_entry_once_in_seq_order(
    filled: tuple[Ledger, list[tuple[int, str, str, str | None, str]]],
    wanted: Filters,
    size: int,
    scan: int,
) -> None:
    ledger, entries = filled
    expected = [
        seq
        for seq, kind, actor, subject, time in entries
        if (not wanted.kind or kind == wanted.kind)
        and (not wanted.subject or subject == wanted.subject)
        and (not wanted.actor or actor == wanted.actor)
        and (not wanted.since or time >= wanted.since)
        and (not wanted.until or time < wanted.until)
    ]
    shown: list[int] = []
    after, pages = -1, 0
    with ledger.database.read() as conn:
        while True:
            page = browse(conn, wanted, after, size, scan)
            assert len(page.entries) <= size
            shown += [e.seq for e in page.entries]
            pages += 1
            if page.next_after is None:
                break
            assert page.next_after > after  # keyset paging always moves on
            after = page.next_after
            assert pages <= len(entries) + 1
    assert shown == expected


def test_an_entry_is_shown_with_its_decoded_body(
    filled: tuple[Ledger, list[tuple[int, str, str, str | None, str]]],
) -> None:
    ledger, entries = filled
    with ledger.database.read() as conn:
        page = browse(conn, Filters(kind="cut", subject="KZ-2"), -1, 1)
    (entry,) = page.entries
    seq, kind, actor, subject, time = next(e for e in entries if e[0] == entry.seq)
    assert (entry.kind, entry.actor, entry.subject, entry.time) == (kind, actor, subject, time)
    assert entry.data == {"n": seq - 1}
    assert len(entry.leaf_hash) == 64


def test_a_body_that_is_not_an_entry_is_shown_as_such_not_a_crash(ledger: Ledger) -> None:
    from sqlalchemy import text

    from api.web.ledger_browser import MALFORMED

    for n in range(3):
        ledger.record(NewEntry(kind="cut", actor="sklad.omarov", item=f"KZ-{n}"))
    with ledger.database.write() as conn:  # as someone with the database's password could
        conn.execute(text("UPDATE ledger_entries SET body = :b WHERE seq = 2"), {"b": b"{oops"})
    for since in ("", "2000-01-01T00:00:00.000000Z"):
        with ledger.database.read() as conn:
            page = browse(conn, Filters(since=since))
        assert [e.seq for e in page.entries] == [0, 1, 2, 3]
        shown = page.entries[2]
        assert shown.kind == MALFORMED
        assert shown.data["bytes"] == "{oops"
        assert "canonical" in shown.data["error"]
