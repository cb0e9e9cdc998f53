"""Steps 1-4 of `custody verify`, folded over the checked rows in seq order.

1 entries            rows are exactly seq 0..n-1, none missing
2 canonical bodies   each body is the RFC 8785 form of an entry of the ledger's format; an
                     entry carries a nonce if the genesis names format v2 or an entry
                     before it carries one (docs/ledger.md, "Format versions and the
                     leaf salt")
3 leaf hashes        the stored leaf hash is SHA-256(0x00 || body)
4 chain links        the body's seq is its row's; prev and item_prev are the leaf hashes of
                     the entries before; time never goes back; the item and kind columns
                     repeat the body's
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custody.entries import FORMAT_V2, unsalted_message
from custody.verification.report import StepResult
from custody.verification.rows import Checked


@dataclass
class Entries:
    """Step 1: seq 0..n-1, dense."""

    result: StepResult
    expected: int = 0

    def take(self, checked: Checked) -> None:
        if checked.seq != self.expected:
            self.result.fail(
                self.expected, f"entries {self.expected} to {checked.seq - 1} are missing"
            )
        self.expected = checked.seq + 1

    def finish(self, count: int, size: int) -> None:
        if self.expected != size or count != size:
            self.result.fail(self.expected, f"{size - count} entries are missing below seq {size}")


@dataclass
class CanonicalBodies:
    """Step 2: canonical bytes of the ledger's format (the workers parsed them); salted
    (format v2) from the genesis entry if it names v2, else from the first salted entry on."""

    result: StepResult
    salted_from: int | None = None  # the seq from which every entry carries a nonce

    def take(self, checked: Checked) -> None:
        if checked.malformed is not None:
            self.result.fail(checked.seq, checked.malformed)
            return
        body = checked.body
        if body is None:
            return
        genesis = checked.seq == 0 and body.kind == "ledger_created" and body.data is not None
        if genesis and body.data is not None and body.data.get("format") == FORMAT_V2:
            self.salted_from = 0
        if body.salted:
            if self.salted_from is None:
                self.salted_from = checked.seq
        elif self.salted_from is not None:
            self.result.fail(checked.seq, unsalted_message(self.salted_from))


@dataclass
class LeafHashes:
    """Step 3: RFC 9162 section 2.1.1 leaf hashes."""

    result: StepResult

    def take(self, checked: Checked) -> None:
        if not checked.leaf_ok:
            self.result.fail(checked.seq, "the stored leaf hash is not SHA-256(0x00 || body)")


@dataclass
class ChainLinks:
    """Step 4: seq, prev, item_prev, time order and the item and kind columns."""

    result: StepResult
    prev_hex: str | None = None
    last_time: str = ""
    item_leaves: dict[str, str] = field(default_factory=dict)  # item -> hex of its last leaf

    def take(self, checked: Checked) -> None:
        body, seq = checked.body, checked.seq
        leaf_hex = checked.leaf.hex()
        if body is not None:
            fail = self.result.fail
            if body.seq != seq:
                fail(seq, f"the body stored at seq {seq} says it is seq {body.seq}")
            elif body.prev != self.prev_hex:
                fail(seq, "prev is not the leaf hash of the entry before")
            item = body.item
            if item is not None:
                if body.item_prev != self.item_leaves.get(item):
                    fail(seq, f"item_prev is not the previous entry of item {item!r}")
                self.item_leaves[item] = leaf_hex
            elif body.item_prev is not None:
                fail(seq, "item_prev is set on an entry without an item")
            if checked.item_column != item:
                fail(seq, "the item column does not repeat the body's item")
            if checked.kind_column != body.kind:
                fail(seq, "the kind column does not repeat the body's kind")
            if body.time < self.last_time:
                fail(seq, f"time {body.time} is before the entry before ({self.last_time})")
            else:
                self.last_time = body.time
        self.prev_hex = leaf_hex
