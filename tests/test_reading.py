"""The reading rule (workflows.reading) and the one place it is written in SQL
(workflows.repository: a place reader's item search), searched for disagreements by Hypothesis
on SQLite and PostgreSQL: for any items, anywhere, on the road or not, and any reader, the
search at the reader's places finds exactly the items the rule says they read."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.site import Site
from workflows import reading
from workflows.access import ADMINISTRATOR, AUDITOR, PLACE_KINDS, WAREHOUSE_CLERK
from workflows.model import Batch, Item, Transfer
from workflows.repository import ItemSearch, Repository
from workflows.world import World

PLACES = ["P-1", "P-2", "P-3", "P-4"]
ON_THE_ROAD = ["in_transit", "to_forensics"]
SETTLED = ["registered", "decided", "at_warehouse", "at_forensics", "cut"]
NOW = "2026-11-30T00:00:00Z"


class Undone(Exception):
    """Raised to roll the example's rows back."""


@st.composite
def items(draw: st.DrawFn, number: int) -> Item:
    moving = draw(st.booleans())
    state = draw(st.sampled_from(ON_THE_ROAD if moving else SETTLED))
    return Item(
        id=f"HYP-{number:04d}",
        workflow="weapon",
        category="firearm",
        source="surplus",
        state=state,
        location=draw(st.sampled_from(PLACES)),
        unit="P-1",
        rifled=False,
        marking=None,
        marking_place=None,
        internal_tag=None,
        weight_g=1000,
        quantity=None,
        details={},
        registered_at=NOW,
        updated_at=NOW,
        last_seq=0,
        # The fold gives an item a destination only while it is on the road.
        destination=draw(st.sampled_from(PLACES)) if moving else None,
    )


readers = st.one_of(st.none(), st.frozensets(st.sampled_from(PLACES)))


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    found=st.integers(min_value=0, max_value=12).flatmap(
        lambda n: st.tuples(*(items(i) for i in range(n)))
    ),
    reader=readers,
)
def test_the_search_at_a_readers_places_finds_what_the_rule_lets_them_read(
    site: Site, found: tuple[Item, ...], reader: frozenset[str] | None
) -> None:
    try:
        with site.ledger.database.write() as conn:
            world = World()
            for item in found:
                world.put("items", item)
            repo = Repository(conn)
            repo.save(world)
            search = ItemSearch(after="HYP-", limit=1000, places=reader)
            listed = {i.id for i in repo.search_items(search, NOW) if i.id.startswith("HYP-")}
            expected = {i.id for i in found if reading.sees_document(reader, i)}
            assert listed == expected
            raise Undone
    except Undone:
        pass


@given(
    location=st.sampled_from(PLACES),
    destination=st.sampled_from(PLACES),
    origin=st.sampled_from(PLACES),
    places=st.frozensets(st.sampled_from(PLACES)),
)
def test_a_placed_reader_reads_only_what_touches_its_places(
    location: str, destination: str, origin: str, places: frozenset[str]
) -> None:
    """No object is read from outside its places; a role that acts at no place reads all."""
    transfer = Transfer("T-1", origin, destination, "open", NOW)
    batch = Batch("B-1", "furnace", location, "ДСП-3", "TK-1", "open", NOW)
    reader = reading.scope([WAREHOUSE_CLERK], places)
    assert reader == places
    assert reading.sees_document(reader, transfer) == bool({origin, destination} & places)
    assert reading.sees_document(reader, batch) == (location in places)
    assert reading.scope([WAREHOUSE_CLERK, AUDITOR], places) is None
    # The administrator reads the registers, not item bodies: beside a placed role it
    # does not widen that role's reading to every place (issue 14, finding 4).
    assert reading.scope([WAREHOUSE_CLERK, ADMINISTRATOR], places) == places
    assert reading.scope([ADMINISTRATOR], ()) == frozenset()
    assert not PLACE_KINDS[AUDITOR]
    assert reading.scope(["no_such_role"], ()) == frozenset()
