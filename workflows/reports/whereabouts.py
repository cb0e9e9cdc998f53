"""Where each item is, entry by entry: the places' stock as a fold of the ledger.

`Whereabouts.apply(body)` returns the moves an entry makes, each (item, from, to, how):
`from` is the place whose stock it leaves (None: it was on the road or not yet registered)
and `to` the place whose stock it joins (None: on the road, or gone for good). `how` is

    registered   taken in at a place (item_registered)
    moved        sent or loaded onward; received on arrival (transfers, forensics, batches)
    destroyed    melted or burned (the item's own melted / burned entry)
    returned     handed back to its owner (item_returned)
    lost         a discrepancy resolved as lost
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custody.entries import EntryBody

Move = tuple[str, str | None, str | None, str]
NO_MOVES: list[Move] = []


@dataclass
class Whereabouts:
    place: dict[str, str | None] = field(default_factory=dict)  # None: on the road
    since: dict[str, int] = field(default_factory=dict)  # item -> seq of the entry that put it
    gone: dict[str, str] = field(default_factory=dict)  # item -> destroyed | returned | lost
    transfers: dict[str, str] = field(default_factory=dict)  # transfer -> destination
    forensics: dict[str, str] = field(default_factory=dict)  # item -> forensic unit it goes to
    batches: dict[str, str] = field(default_factory=dict)  # batch -> its plant or site

    def apply(self, body: EntryBody) -> list[Move]:
        handler = _MOVES.get(body.kind)
        if handler is None or body.item is None:
            return NO_MOVES
        moves = handler(self, body, body.item)
        for item, *_ in moves:
            self.since[item] = body.seq
        return moves

    def _to(self, item: str, target: str | None, how: str) -> list[Move]:
        source = self.place.get(item)
        self.place[item] = target
        return [(item, source, target, how)]

    def _gone(self, item: str, how: str) -> list[Move]:
        self.gone[item] = how
        return self._to(item, None, how)

    def _registered(self, body: EntryBody, item: str) -> list[Move]:
        self.place[item] = body.data["location"]
        return [(item, None, body.data["location"], "registered")]

    def _transfer_sent(self, body: EntryBody, item: str) -> list[Move]:
        self.transfers[body.data["transfer"]] = body.data["destination"]
        return self._to(item, None, "moved")

    def _transfer_received(self, body: EntryBody, item: str) -> list[Move]:
        return self._to(item, self.transfers.get(body.data["transfer"]), "moved")

    def _forensic_sent(self, body: EntryBody, item: str) -> list[Move]:
        self.forensics[item] = body.data["forensics"]
        return self._to(item, None, "moved")

    def _forensic_received(self, body: EntryBody, item: str) -> list[Move]:
        return self._to(item, self.forensics.pop(item, None), "moved")

    def _forensic_returned(self, body: EntryBody, item: str) -> list[Move]:
        return self._to(item, body.data["warehouse"], "moved")

    def _batch_opened(self, body: EntryBody, batch: str) -> list[Move]:
        self.batches[batch] = body.data["location"]
        return NO_MOVES

    def _batch_loaded(self, body: EntryBody, item: str) -> list[Move]:
        return self._to(item, self.batches.get(body.data["batch"]), "moved")

    def _destroyed(self, body: EntryBody, item: str) -> list[Move]:
        if "batch" not in body.data:
            return NO_MOVES  # the batch's own entry: its items each have theirs
        return self._gone(item, "destroyed")

    def _returned(self, body: EntryBody, item: str) -> list[Move]:
        return self._gone(item, "returned")

    def _resolved(self, body: EntryBody, item: str) -> list[Move]:
        if body.data.get("resolution") != "lost" or item not in self.place:
            return NO_MOVES  # found or corrected; or a batch's discrepancy
        return self._gone(item, "lost")


_MOVES = {
    "item_registered": Whereabouts._registered,
    "transfer_sent": Whereabouts._transfer_sent,
    "transfer_received": Whereabouts._transfer_received,
    "forensic_sent": Whereabouts._forensic_sent,
    "forensic_received": Whereabouts._forensic_received,
    "forensic_returned": Whereabouts._forensic_returned,
    "batch_opened": Whereabouts._batch_opened,
    "batch_loaded": Whereabouts._batch_loaded,
    "melted": Whereabouts._destroyed,
    "burned": Whereabouts._destroyed,
    "item_returned": Whereabouts._returned,
    "discrepancy_resolved": Whereabouts._resolved,
}
MOVING = frozenset(_MOVES)
