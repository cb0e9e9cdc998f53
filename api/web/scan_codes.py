"""What a scanner typed, read as the item it names: a label's QR payload
(`custody-item:v1;id=<id>`), an item id, or a marking.

A scanner is a keyboard: what it types goes through the computer's keyboard state. With Caps
Lock on, a label's payload arrives as `CUSTODY-ITEM:V1;ID=kz-b70f...`; with the Russian
layout (ЙЦУКЕН) as `сгыещвн-шеуьЖм1жшв=ЛЯ-И70А9250В2`. Both are read back to what the label
says, but only where the payload's own prefix shows the keyboard state, and only after the
code as typed named nothing. Ids are case-sensitive (docs/identifiers.md: letters are never
case-folded), so an id typed in another case is not folded; undoing Caps Lock restores the
exact id the label carries. A marking is found as typed, else by its identity
(workflows.markings.fold: look-alike letters, case, spaces and dashes), among the items the
reader reads only, and a marking that several of those share (R10 allows it for another
model or category) names none of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from certificates.labels import qr_text
from workflows import reading
from workflows.markings import fold
from workflows.reading import EVERYWHERE, Scope
from workflows.repository import Repository
from workflows.world import World

PAYLOAD = qr_text("")  # "custody-item:v1;id=" and the id after it

# The Russian (ЙЦУКЕН) layout's character on each key of a US (QWERTY) keyboard, unshifted
# then shifted: what a scanner set to type QWERTY positions types under that layout.
_QWERTY_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?@#$^&'
_RUSSIAN_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю." + 'ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"№;:?'
QWERTY: dict[int, str] = {ord(r): q for q, r in zip(_QWERTY_KEYS, _RUSSIAN_KEYS, strict=True)}


def _payload_id(code: str) -> str | None:
    """The id after a label's prefix, the prefix matched in any case; None without it."""
    if code[: len(PAYLOAD)].lower() == PAYLOAD:
        return code[len(PAYLOAD) :]
    return None


def read_code(code: str) -> str:
    """What the scanner typed (any text), stripped, without the label's prefix (in any case)."""
    code = code.strip()
    found = _payload_id(code)
    return code if found is None else found


def candidates(code: str) -> list[str]:
    """What a scanned code may name, in the order tried: as typed (without the prefix), then,
    for a payload whose prefix came in upper case (Caps Lock), its id in the case swapped
    back, then, for one typed under the Russian layout, the keys it was typed on."""
    code = code.strip()
    tried = [read_code(code)]
    typed = _payload_id(code)
    if typed is None:
        qwerty = code.translate(QWERTY)
        typed = _payload_id(qwerty) if qwerty != code else None
        if typed is None:
            return tried
        tried.append(typed)
        code = qwerty
    if code[: len(PAYLOAD)] == PAYLOAD.upper():
        tried.append(typed.swapcase())
    return list(dict.fromkeys(tried))


@dataclass
class Found:
    """The items scanned codes name: `ids` code -> item id; `shared` code -> how many items
    the marking it was read as names (two or more: none chosen, the label must be scanned)."""

    ids: dict[str, str] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)


def find_all(
    repo: Repository, codes: Sequence[str], world: World | None = None, reader: Scope = EVERYWHERE
) -> Found:
    """The items the codes (as scanned) name, in one read for any number of codes (the OR of
    three indexed lookups: id, ix_wf_items_marking, marking_folded). For each code: an id
    among its `candidates`, else the one item whose marking is it as typed or has its
    identity; a marking several items have (as typed or by identity: `AK 1` and `АК 1` are
    one plate's two writings) is `shared`, none chosen. Codes naming nothing are left out.
    The documents of the items read are put into `world` (a new one if None), as
    Repository.load puts them: the scan's check needs them, and the same statement reads them
    (Repository.items_named).

    A marking is read only among the items `reader` (workflows.reading.Scope) reads: one
    that names only items elsewhere is left out as one naming nothing, and `shared` counts
    only the items the reader sees (docs/access.md: a marking is no label in hand; it would
    tell which weapon another place holds). An id is found wherever its item is: the caller
    says it is not at the reader's places."""
    tried = {c: candidates(c) for c in dict.fromkeys(codes) if c.strip()}
    ids = sorted({c for cs in tried.values() for c in cs if c})
    markings = sorted({cs[0] for cs in tried.values() if cs[0]})
    folded = sorted({f for f in map(fold, markings) if f})
    if not ids:
        return Found()
    world = World() if world is None else world
    rows = repo.items_named(world, ids, markings, folded)
    known: set[str] = set()
    by_marking: dict[str, list[str]] = {}
    by_folded: dict[str, list[str]] = {}
    for item_id, marking, marking_folded in rows:
        known.add(item_id)
        if not reading.sees(reader, reading.item_places(world.item(item_id))):
            continue  # its id names it; its marking, for this reader, nothing
        if marking is not None:  # an unmarked item has an internal tag, not a marking
            by_marking.setdefault(str(marking), []).append(item_id)
        if marking_folded is not None:
            by_folded.setdefault(str(marking_folded), []).append(item_id)
    found = Found()
    for code, cs in tried.items():
        marked = {*by_marking.get(cs[0], ()), *by_folded.get(fold(cs[0]), ())}
        _choose(found, code, cs, known, sorted(marked))
    return found


def _choose(found: Found, code: str, tried: list[str], known: set[str], marked: list[str]) -> None:
    # An id names its item before a marking that happens to read the same.
    named = next((c for c in tried if c in known), None)
    if named is not None:
        found.ids[code] = named
    elif len(marked) == 1:
        found.ids[code] = marked[0]
    elif marked:
        found.shared[code] = len(marked)
