"""The process as the tests drive it: each call builds its command (workflows.commands) and
runs it through `Process.run`, the one way every action is done, so that what the tests prove
holds for the HTTP API, the CLI, imports and the demo alike. The names read like the process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from custody.acts import SignedAct
from workflows import dual
from workflows.commands import batches as b
from workflows.commands import intake as i
from workflows.commands import inventory as v
from workflows.commands import movements as m
from workflows.commands import preparation as p
from workflows.commands import registers as r
from workflows.commands.base import Command
from workflows.commands.changes import ConfirmChange, ProposeChange
from workflows.commands.fields import ActIn
from workflows.intake import Intake
from workflows.process import Process
from workflows.repository import Repository
from workflows.terms import DEFAULT_ZONE
from workflows.world import World

# What a test's appeal or suspension rests on unless it says (their commands require one).
DOCUMENTED = {"decision_appealed": "дело 2-77/2026", "decision_suspended": "определение 3/2026"}

DECISION_STEPS = {
    "decision_appealed": i.AppealDecision,
    "decision_suspended": i.SuspendDecision,
    "decision_final": i.FinaliseDecision,
    "decision_reversed": i.ReverseDecision,
}


def intake_in(intake: Intake) -> dict[str, Any]:
    fields = asdict(intake)
    fields["files"] = list(intake.files)
    return fields


# The founding administrators (workflows.process.Process.found): a change that makes a
# signer is proposed by one and confirmed by the other (workflows.dual).
ADMINS = ("admin", "admin2")


class Driver(Process):
    def run(self, actor: str, command: Command, device: str | None = None) -> Any:
        """As Process.run; a change that makes a signer or an administrator (workflows.dual)
        asked of one founding administrator is proposed by them and confirmed by the other,
        as two administrators do it. Tests of dual control itself use `Process.run`."""
        founding = getattr(self, "_founding", False)
        fields = command.model_dump(mode="json", exclude_none=True)
        if dual.needs_four_eyes(command.kind, fields) and actor in ADMINS and not founding:
            return self.four_eyes(command, actor)
        return super().run(actor, command, device)

    def found(self, second: str = ADMINS[1]) -> str | None:
        self._founding = True
        try:
            return super().found(second)
        finally:
            self._founding = False

    def four_eyes(self, command: Command, proposer: str = "admin") -> Any:
        """Propose `command` as `proposer`, confirm it as the other founding administrator;
        returns what the command returns."""
        fields = command.model_dump(mode="json", exclude_none=True)
        confirmer = next(a for a in ADMINS if a != proposer)
        with self.ledger.database.read() as conn:  # its creator never confirms it
            world = World()
            Repository(conn).load(world, "accounts", [dual.concerns(command.kind, fields)])
        if any(a.created_by == confirmer for a in world.accounts.values()):
            proposer, confirmer = confirmer, proposer
        proposal = super().run(proposer, ProposeChange(change=command.kind, fields=fields))
        return super().run(confirmer, ConfirmChange(proposal=proposal))

    def add_location(
        self,
        actor: str,
        location: str,
        kind: str,
        name: str,
        region: str,
        names: Mapping[str, str] | None = None,
    ) -> None:
        given = {"location": location, "kind": kind, "name": name, "region": region}
        self.run(actor, r.AddLocation.model_validate({**given, "names": names}))

    def add_commission_member(
        self,
        actor: str,
        commission: str,
        person: str,
        role: str,
        name: str | None = None,
        since: str | None = None,
        full_name: str | None = None,
        position: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        command = r.AddCommissionMember.model_validate(
            {
                "commission": commission,
                "person": person,
                "role": role,
                "name": name,
                "since": since,
                "full_name": full_name,
                "position": position,
                "names": names,
            }
        )
        self.run(actor, command)

    def remove_commission_member(self, actor: str, commission: str, person: str) -> None:
        self.run(actor, r.RemoveCommissionMember(commission=commission, person=person))

    def register(self, actor: str, *intakes: Intake) -> list[str]:
        command = i.RegisterItems.model_validate({"intakes": [intake_in(x) for x in intakes]})
        return self.run(actor, command)  # type: ignore[no-any-return]

    def record_decision(
        self, actor: str, items: Sequence[str], decision: dict[str, Any], files: Sequence[Any] = ()
    ) -> None:
        given = {"items": list(items), "decision": decision, "files": list(files)}
        self.run(actor, i.RecordDecision.model_validate(given))

    def decision_step(
        self,
        actor: str,
        step: str,
        items: Sequence[str],
        note: str | None = None,
        files: Sequence[Any] = (),
        date: str | None = None,
        document: str | None = None,
    ) -> None:
        """A later step of a decision; finality, an appeal or a suspension, if no date is
        given, dated today in the default zone (the tests' units are in Almaty's); an appeal
        or a suspension, if no document is given, resting on a case number made up here."""
        if date is None and step in ("decision_final", *DOCUMENTED):
            date = self.clock().astimezone(ZoneInfo(DEFAULT_ZONE)).date().isoformat()
        if document is None and step in DOCUMENTED:
            document = DOCUMENTED[step]
        given = {"items": list(items), "note": note, "files": list(files), "date": date}
        if document is not None:
            given["document"] = document
        self.run(actor, DECISION_STEPS[step].model_validate(given))

    def return_to_owner(self, actor: str, items: Sequence[str], owner: str) -> None:
        self.run(actor, i.ReturnToOwner(items=list(items), owner=owner))

    def send(self, actor: str, transfer: str, destination: str, items: Sequence[str]) -> None:
        command = m.SendTransfer(transfer=transfer, destination=destination, items=list(items))
        self.run(actor, command)

    def receive(self, actor: str, transfer: str, items: Sequence[str]) -> list[str]:
        return self.run(actor, m.ReceiveTransfer(transfer=transfer, items=list(items)))  # type: ignore[no-any-return]

    def close_transfer(self, actor: str, transfer: str) -> list[str]:
        return self.run(actor, m.CloseTransfer(transfer=transfer))  # type: ignore[no-any-return]

    def send_to_forensics(self, actor: str, items: Sequence[str], forensics: str) -> None:
        self.run(actor, m.SendToForensics(items=list(items), forensics=forensics))

    def step(
        self, actor: str, step: str, items: Sequence[str], data: Mapping[str, Any] | None = None
    ) -> None:
        plain = {"forensic_received": m.ReceiveAtForensics, "test_fired": m.TestFire}[step]
        self.run(actor, plain(items=list(items)))

    def record_registry_result(self, actor: str, item: str, act: SignedAct) -> None:
        self.record_registry_results(actor, [(item, act)])

    def record_registry_results(self, actor: str, results: Sequence[tuple[str, SignedAct]]) -> None:
        given = [{"item": item, "act": ActIn.of(act)} for item, act in results]
        self.run(actor, m.RecordRegistryResults.model_validate({"results": given}))

    def release_evidence(self, actor: str, item: str, act: SignedAct) -> None:
        self.run(actor, m.ReleaseEvidence(item=item, act=ActIn.of(act)))

    def return_from_forensics(self, actor: str, items: Sequence[str], warehouse: str) -> None:
        self.run(actor, m.ReturnFromForensics(items=list(items), warehouse=warehouse))

    def remove_parts(
        self, actor: str, items: Sequence[str], parts: Sequence[str], files: Sequence[Any] = ()
    ) -> None:
        given = {"items": list(items), "parts": list(parts), "files": list(files)}
        self.run(actor, p.RemoveParts.model_validate(given))

    def incinerate_parts(self, actor: str, items: Sequence[str], files: Sequence[Any] = ()) -> None:
        given = {"items": list(items), "files": list(files)}
        self.run(actor, p.IncinerateParts.model_validate(given))

    def deform(
        self, actor: str, items: Sequence[str], method: str, files: Sequence[Any] = ()
    ) -> None:
        given = {"items": list(items), "method": method, "files": list(files)}
        self.run(actor, p.Deform.model_validate(given))

    def cut(
        self,
        actor: str,
        weights: Mapping[str, int],
        *,
        barrel_along: bool,
        barrel_across: bool,
        parts_through: bool,
        files: Sequence[Any] = (),
        per_item_files: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        given = {
            "weights": dict(weights),
            "barrel_along": barrel_along,
            "barrel_across": barrel_across,
            "parts_through": parts_through,
            "files": list(files),
            "per_item_files": {k: list(v) for k, v in per_item_files.items()}
            if per_item_files
            else None,
        }
        self.run(actor, p.Cut.model_validate(given))

    def remove_fuses(
        self,
        actor: str,
        item: str,
        fuses: int,
        firing_devices: int,
        detonators: int,
        files: Sequence[Any] = (),
    ) -> None:
        given = {
            "item": item,
            "fuses": fuses,
            "firing_devices": firing_devices,
            "detonators": detonators,
            "files": list(files),
        }
        self.run(actor, p.RemoveFuses.model_validate(given))

    def depackage(self, actor: str, weights: Mapping[str, int], files: Sequence[Any] = ()) -> None:
        self.run(
            actor, p.Depackage.model_validate({"weights": dict(weights), "files": list(files)})
        )

    def open_batch(
        self, actor: str, batch: str, kind: str, location: str, installation: str, commission: str
    ) -> None:
        given = {
            "batch": batch,
            "kind": kind,
            "location": location,
            "installation": installation,
            "commission": commission,
        }
        self.run(actor, b.OpenBatch.model_validate(given))

    def load(self, actor: str, batch: str, items: Sequence[str]) -> None:
        self.run(actor, b.LoadBatch(batch=batch, items=list(items)))

    def record_presence(
        self, actor: str, batch: str, present: Sequence[tuple[str | None, ...]]
    ) -> None:
        """Each one present as (person, role[, full_name[, position]]), None left out."""
        fields = ("person", "role", "full_name", "position")
        given = [
            {k: v for k, v in zip(fields, one, strict=False) if v is not None} for one in present
        ]
        self.run(actor, b.RecordPresence.model_validate({"batch": batch, "present": given}))

    def destroy(
        self,
        actor: str,
        batch: str,
        facts: Mapping[str, Any],
        files: Sequence[Any] = (),
        per_item: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str | None:
        kind = self.batch(batch).kind
        given = {
            "batch": batch,
            "facts": dict(facts),
            "files": list(files),
            "per_item": {k: dict(v) for k, v in per_item.items()} if per_item else None,
        }
        destroy = b.Melt if kind == "furnace" else b.Burn
        return self.run(actor, destroy.model_validate(given))  # type: ignore[no-any-return]

    def sign_statement(self, actor: str, batch: str, act: SignedAct) -> None:
        self.run(actor, b.SignStatement(batch=batch, act=ActIn.of(act)))

    def record_discrepancy(
        self, actor: str, subject: str, reason: str, details: dict[str, Any] | None = None
    ) -> str:
        command = v.RecordDiscrepancy(subject=subject, reason=reason, details=details)
        return self.run(actor, command)  # type: ignore[no-any-return]

    def count_inventory(self, actor: str, location: str, scanned: Sequence[str]) -> dict[str, Any]:
        return self.run(actor, v.CountInventory(location=location, items=list(scanned)))  # type: ignore[no-any-return]

    def resolve_discrepancy(
        self,
        actor: str,
        discrepancy: str,
        resolution: str,
        note: str,
        corrected_charge_g: int | None = None,
    ) -> None:
        command = v.ResolveDiscrepancy(
            discrepancy=discrepancy,
            resolution=resolution,
            note=note,
            corrected_charge_g=corrected_charge_g,
        )
        self.run(actor, command)
