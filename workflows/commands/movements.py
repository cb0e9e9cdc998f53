"""Transfers between places, and the forensic unit's part (R2, R3, R4)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from workflows import grammar, movements, reading
from workflows.access import place_of
from workflows.commands.base import Command, command, read_at
from workflows.commands.fields import ActIn, Id, Items, Part
from workflows.steps import advance
from workflows.unit_of_work import Work
from workflows.world import unknown


def transfer_place(work: Work, kind: str, transfer: str) -> set[str]:
    """Where a transfer's receiver works: its destination."""
    work.load("transfers", [transfer])
    place = place_of(work.world, kind, transfer, {"transfer": transfer})
    return {place} if place is not None else set()


@command
class SendTransfer(Command):
    kind: ClassVar[str] = "transfer_sent"
    summary: ClassVar[str] = "Send items on a transfer (meets R1)"
    transfer: Id
    destination: Id
    items: Items

    def run(self, work: Work) -> None:
        movements.send(work, self.transfer, self.destination, self.items)


@command
class ReceiveTransfer(Command):
    kind: ClassVar[str] = "transfer_received"
    summary: ClassVar[str] = "Receive scanned items; returns the discrepancies it opened"
    transfer: Id
    items: Items = Field(description="as scanned on arrival")

    def objects(self) -> list[tuple[str, str]]:
        return [("transfers", self.transfer)]

    def acts_at(self, work: Work) -> set[str]:
        return transfer_place(work, self.kind, self.transfer)

    def seen(self, work: Work) -> None:
        """Command.seen, and each scanned item the transfer does not expect that is
        registered must be at the transfer's origin (put on the vehicle unrecorded: received,
        not sent) or at a place the clerk reads, else it is answered as an unknown id:
        recording it received, not sent (a discrepancy) would freeze a weapon of a third
        place and tell that it exists (the desk's breaker, issue 15; docs/access.md)."""
        super().seen(work)
        reader = work.gate.reads(work)
        transfer = work.world.find("transfers", self.transfer)
        if reader is False or transfer is None:
            return
        others = [i for i in self.items if not transfer.expects(i)]
        work.load("items", others)
        for item in others:
            found = work.world.find("items", item)
            if found is None or found.location == transfer.origin:
                continue
            if not reading.sees(reader, read_at(work, "items", found)):
                raise unknown("items", item)

    def run(self, work: Work) -> list[str]:
        return movements.receive(work, self.transfer, self.items)


@command
class CloseTransfer(Command):
    kind: ClassVar[str] = "transfer_closed"
    summary: ClassVar[str] = "Close a transfer; items sent but not received become discrepancies"
    transfer: Id

    def objects(self) -> list[tuple[str, str]]:
        return [("transfers", self.transfer)]

    def acts_at(self, work: Work) -> set[str]:
        return transfer_place(work, self.kind, self.transfer)

    def run(self, work: Work) -> list[str]:
        return movements.close(work, self.transfer)


@command
class SendToForensics(Command):
    kind: ClassVar[str] = "forensic_sent"
    summary: ClassVar[str] = "Send rifled firearms to forensics (meets R2)"
    items: Items
    forensics: Id

    def run(self, work: Work) -> None:
        movements.send_to_forensics(work, self.items, self.forensics)


class PlainStep(Command):
    """A step that needs nothing but the items."""

    items: Items

    def run(self, work: Work) -> None:
        advance(work, self.kind, self.items)


@command
class ReceiveAtForensics(PlainStep):
    kind: ClassVar[str] = "forensic_received"
    summary: ClassVar[str] = "The forensic unit receives items"


@command
class TestFire(PlainStep):
    __test__ = False  # a step of the process, not a pytest class
    kind: ClassVar[str] = "test_fired"
    summary: ClassVar[str] = "Items test-fired"


class ResultIn(Part):
    item: Id
    act: ActIn


@command
class RecordRegistryResults(Command):
    kind: ClassVar[str] = "registry_result_recorded"
    summary: ClassVar[str] = "Bullet-registry results, each the examiner's own signed act (R3, R4)"
    results: list[ResultIn] = Field(min_length=1, max_length=1000)

    def subjects(self) -> list[str]:
        return [r.item for r in self.results]

    @model_validator(mode="after")
    def _one_result_per_item(self) -> RecordRegistryResults:
        # Two results for one item in one request contradict or repeat each other: neither
        # may be dropped in silence, so the request is refused whole.
        grammar.not_repeated([r.item for r in self.results])
        return self

    def run(self, work: Work) -> None:
        movements.record_registry_results(work, [(r.item, r.act.signed()) for r in self.results])


@command
class ReleaseEvidence(Command):
    kind: ClassVar[str] = "evidence_released"
    summary: ClassVar[str] = (
        "Release from evidence hold, the authorising official's signed act (R4)"
    )
    item: Id
    act: ActIn

    def run(self, work: Work) -> None:
        movements.release_evidence(work, self.item, self.act.signed())


@command
class ReturnFromForensics(Command):
    kind: ClassVar[str] = "forensic_returned"
    summary: ClassVar[str] = "Return items from forensics to a warehouse"
    items: Items
    warehouse: Id

    def run(self, work: Work) -> None:
        movements.return_from_forensics(work, self.items, self.warehouse)
