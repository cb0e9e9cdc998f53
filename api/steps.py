"""Every step of the process the API offers, as data: the entry kind it writes (which is also
its permission and its path, POST /steps/{kind}), what its request carries, and the call into
`workflows` it makes. The API decides nothing here; the process does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api import step_models as m
from custody import keyring
from custody.keys import parse_public_key
from custody.store import Store
from workflows import batches, intake, inventory, movements, preparation, registers, statements
from workflows.errors import RuleViolation
from workflows.intake import Intake
from workflows.steps import advance
from workflows.unit_of_work import Work
from workflows.vocabulary import BURN, FURNACE


@dataclass(frozen=True)
class Step:
    kind: str
    model: type[m.Model]
    run: Callable[[Work, Any], Any]
    summary: str


def _register(work: Work, body: m.RegisterIn) -> list[str]:
    intakes = [
        Intake(
            **{k: v for k, v in i.model_dump().items() if k not in ("decision", "files")},
            decision=i.decision.model_dump() if i.decision else None,
            files=m.files(i.files),
        )
        for i in body.intakes
    ]
    return intake.register(work, intakes)


def _decision_step(kind: str) -> Callable[[Work, m.DecisionStepIn], None]:
    def run(work: Work, body: m.DecisionStepIn) -> None:
        intake.decision_step(work, kind, body.items, body.note, m.files(body.files))

    return run


def _plain(kind: str) -> Callable[[Work, m.ItemsIn], None]:
    def run(work: Work, body: m.ItemsIn) -> None:
        advance(work, kind, body.items)

    return run


def _destroy(kind: str) -> Callable[[Work, m.DestroyIn], str | None]:
    def run(work: Work, body: m.DestroyIn) -> str | None:
        work.load("batches", [body.batch])
        found = work.world.batches.get(body.batch)
        if found is not None and found.kind != kind:
            step = "melted" if kind == FURNACE else "burned"
            raise RuleViolation("PROCESS", f"a {found.kind} batch is not {step}", body.batch)
        return batches.destroy(work, body.batch, body.facts, m.files(body.files), body.per_item)

    return run


def _key_added(work: Work, body: m.KeyAddIn) -> None:
    key = keyring.person_key(body.owner, body.purpose, parse_public_key(body.public_key))
    work.entry("key_added", None, {"key": key})


def _key_rotated(work: Work, body: m.KeyRotateIn) -> None:
    known = Store(work.conn).key_records()
    new_key = parse_public_key(body.public_key)
    work.entry("key_rotated", None, keyring.rotation(known, body.key_id, new_key))


def _cut(work: Work, body: m.CutIn) -> None:
    per_item = (
        {item: m.files(given) for item, given in body.per_item_files.items()}
        if body.per_item_files
        else None
    )
    preparation.cut(
        work,
        body.weights,
        barrel_along=body.barrel_along,
        barrel_across=body.barrel_across,
        parts_through=body.parts_through,
        files=m.files(body.files),
        per_item_files=per_item,
    )


STEPS: list[Step] = [
    Step("item_registered", m.RegisterIn, _register, "Register items at intake (R10)"),
    Step(
        "decision_recorded",
        m.DecisionRecordIn,
        lambda w, b: intake.record_decision(w, b.items, b.decision.model_dump(), m.files(b.files)),
        "Record the court's or official's decision (starts the R1 clock)",
    ),
    Step(
        "decision_appealed",
        m.DecisionStepIn,
        _decision_step("decision_appealed"),
        "An appeal: the R1 clock stops",
    ),
    Step(
        "decision_suspended",
        m.DecisionStepIn,
        _decision_step("decision_suspended"),
        "A suspension: the R1 clock stops",
    ),
    Step(
        "decision_final",
        m.DecisionStepIn,
        _decision_step("decision_final"),
        "The decision is final: the R1 clock runs again",
    ),
    Step(
        "decision_reversed",
        m.DecisionStepIn,
        _decision_step("decision_reversed"),
        "The decision is reversed: the item goes back to its owner",
    ),
    Step(
        "item_returned",
        m.ReturnIn,
        lambda w, b: intake.return_to_owner(w, b.items, b.owner),
        "Hand items back to their owner after a reversed decision",
    ),
    Step(
        "transfer_sent",
        m.SendIn,
        lambda w, b: movements.send(w, b.transfer, b.destination, b.items),
        "Send items on a transfer (meets R1)",
    ),
    Step(
        "transfer_received",
        m.ReceiveIn,
        lambda w, b: movements.receive(w, b.transfer, b.items),
        "Receive scanned items; returns the discrepancies it opened",
    ),
    Step(
        "transfer_closed",
        m.CloseIn,
        lambda w, b: movements.close(w, b.transfer),
        "Close a transfer; items sent but not received become discrepancies",
    ),
    Step(
        "forensic_sent",
        m.ForensicSendIn,
        lambda w, b: movements.send_to_forensics(w, b.items, b.forensics),
        "Send rifled firearms to forensics (meets R2)",
    ),
    Step(
        "forensic_received",
        m.ItemsIn,
        _plain("forensic_received"),
        "The forensic unit receives items",
    ),
    Step("test_fired", m.ItemsIn, _plain("test_fired"), "Items test-fired"),
    Step(
        "registry_result_recorded",
        m.RegistryResultsIn,
        lambda w, b: movements.record_registry_results(
            w, [(r.item, r.act.signed()) for r in b.results]
        ),
        "Bullet-registry results, each the examiner's own signed act (R3, R4)",
    ),
    Step(
        "evidence_released",
        m.ReleaseIn,
        lambda w, b: movements.release_evidence(w, b.item, b.act.signed()),
        "Release from evidence hold, the authorising official's signed act (R4)",
    ),
    Step(
        "forensic_returned",
        m.ForensicReturnIn,
        lambda w, b: movements.return_from_forensics(w, b.items, b.warehouse),
        "Return items from forensics to a warehouse",
    ),
    Step(
        "parts_removed",
        m.PartsRemovedIn,
        lambda w, b: preparation.remove_parts(w, b.items, b.parts, m.files(b.files)),
        "Non-metallic parts removed (R5)",
    ),
    Step(
        "parts_incinerated",
        m.ItemsWithFilesIn,
        lambda w, b: preparation.incinerate_parts(w, b.items, m.files(b.files)),
        "Removed parts incinerated (R5)",
    ),
    Step(
        "deformed",
        m.DeformIn,
        lambda w, b: preparation.deform(w, b.items, b.method, m.files(b.files)),
        "Items deformed (after the registry result, R3)",
    ),
    Step("cut", m.CutIn, _cut, "Barrels cut along and across, other parts through (R6)"),
    Step(
        "fuses_removed",
        m.FusesIn,
        lambda w, b: preparation.remove_fuses(
            w, b.item, b.fuses, b.firing_devices, b.detonators, m.files(b.files)
        ),
        "Fuses, firing devices and detonators removed and counted (R9)",
    ),
    Step(
        "depackaged",
        m.DepackageIn,
        lambda w, b: preparation.depackage(w, b.weights, m.files(b.files)),
        "Ammunition lots depackaged and weighed (R9)",
    ),
    Step(
        "batch_opened",
        m.BatchOpenIn,
        lambda w, b: batches.open_batch(
            w, b.batch, b.kind, b.location, b.installation, b.commission
        ),
        "Open a furnace or burn batch",
    ),
    Step(
        "batch_loaded",
        m.LoadIn,
        lambda w, b: batches.load(w, b.batch, b.items),
        "Load items scanned at the furnace or bunker",
    ),
    Step(
        "presence_recorded",
        m.PresenceIn,
        lambda w, b: batches.record_presence(
            w,
            b.batch,
            [batches.Present(p.person, p.role, p.full_name, p.position) for p in b.present],
        ),
        "Record who is present at a batch (R7, R9)",
    ),
    Step(
        "melted",
        m.DestroyIn,
        _destroy(FURNACE),
        "Melt a furnace batch; returns a weight discrepancy it opened, if any (R7)",
    ),
    Step(
        "burned",
        m.DestroyIn,
        _destroy(BURN),
        "Burn an ammunition batch; returns a weight discrepancy it opened, if any (R9)",
    ),
    Step(
        "statement_signed",
        m.StatementSignIn,
        lambda w, b: statements.sign(w, b.batch, b.act.signed()),
        "Sign a destruction statement with your own key (R8)",
    ),
    Step(
        "discrepancy_recorded",
        m.DiscrepancyIn,
        lambda w, b: inventory.record(w, b.subject, b.reason, b.details),
        "Record an inventory discrepancy; it blocks the item until resolved",
    ),
    Step(
        "discrepancy_resolved",
        m.ResolveIn,
        lambda w, b: inventory.resolve(w, b.discrepancy, b.resolution, b.note),
        "Settle a discrepancy: found, corrected or lost",
    ),
    Step(
        "location_added",
        m.LocationIn,
        lambda w, b: registers.add_location(w, b.location, b.kind, b.name, b.region, b.names),
        "Add a unit, warehouse, forensic unit or plant",
    ),
    Step(
        "commission_member_added",
        m.MemberIn,
        lambda w, b: registers.add_member(
            w, b.commission, b.person, b.role, b.name, b.since, b.full_name, b.position, b.names
        ),
        "A person joins a commission",
    ),
    Step(
        "commission_member_removed",
        m.MemberOutIn,
        lambda w, b: registers.remove_member(w, b.commission, b.person),
        "A person leaves a commission",
    ),
    Step(
        "inventory_counted",
        m.CountIn,
        lambda w, b: inventory.count(w, b.location, b.items),
        "An inventory count: discrepancies for what is missing and what is extra",
    ),
    Step(
        "key_added",
        m.KeyAddIn,
        _key_added,
        "Register a person's public key; it holds from the next entry on",
    ),
    Step(
        "key_rotated",
        m.KeyRotateIn,
        _key_rotated,
        "Replace a person's key: the old holds up to this entry, the new from the next",
    ),
    Step(
        "key_revoked",
        m.KeyRevokeIn,
        lambda w, b: w.entry("key_revoked", None, {"key_id": b.key_id, "reason": b.reason}),
        "Revoke a person's key: no act it signs holds from this entry on",
    ),
]
