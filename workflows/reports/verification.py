"""`custody verify-report`: a report's figures, checked against the ledger they claim.

    0 report       the report's own fields say which report it is (`report`, `time_zone`,
                   `year` and `place`, or `from` and `to`), each of its type: a field that is
                   not is named (ReportRequest.of)
    1 checkpoint   the report names a signed checkpoint; its size and root are the note's
    2 ledger       `custody verify`'s own steps (custody.verify) over the ledger, with the
                   report's checkpoint as one an auditor brings: every entry, signature and
                   Merkle node holds, and the checkpoint's root is the root of the ledger's
                   first `size` entries, signed by the ledger key of its time
    3 figures      the report computed again from those entries equals the report, figure by
                   figure; the first figure that differs is named (all are listed)
    4 shown        what the file shows a reader (a workbook's sheets, a PDF's pages) is what
                   the report makes, compared by the caller's ShownCheck
                   (certificates.report_check); the first difference is named

The state tables are not read: the figures come from the entries alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from custody.db import Database
from custody.note import Verifier
from custody.verification.audit import workers_for
from custody.verification.background import Background
from custody.verify import Audit, AuditorCheckpoint
from custody.verify import Report as AuditReport
from workflows.errors import InvalidRequest
from workflows.reports.figures import differences
from workflows.reports.recompute import Checkpoint, ReportRequest, at_checkpoint


@dataclass
class ReportVerdict:
    step: str | None = None  # the first step that failed
    reason: str | None = None
    differing: list[str] = field(default_factory=list)
    audit: AuditReport | None = None

    @property
    def ok(self) -> bool:
        return self.step is None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "step": self.step,
            "reason": self.reason,
            "differing": self.differing,
            "ledger": self.audit.to_json() if self.audit is not None else None,
        }


class ShownCheck(Protocol):
    """What a report's file shows besides the JSON it carries (certificates.report_check)."""

    def start(self, report: dict[str, Any]) -> None:
        """Begin any slow work (a render), to run beside the ledger's steps."""

    def check(self, report: dict[str, Any]) -> str | None:
        """None when the file shows what `report` makes; else where it differs."""

    def stop(self) -> None:
        """End what `start` began, whether or not `check` ran."""


def claimed_checkpoint(report: dict[str, Any]) -> Checkpoint:
    """The report's checkpoint, when its size and root are those of its signed note.
    Raises InvalidRequest otherwise."""
    named = report.get("checkpoint")
    if not isinstance(named, dict) or not isinstance(named.get("note"), str):
        raise InvalidRequest('field "checkpoint": the report names no signed checkpoint note')
    checkpoint = Checkpoint.from_note(named["note"])
    size, root = named.get("size"), named.get("root")
    if type(size) is not int or (size, root) != (checkpoint.size, checkpoint.root):
        raise InvalidRequest("checkpoint.size or checkpoint.root is not the signed note's")
    return checkpoint


def verify_report(
    database: Database,
    report: dict[str, Any],
    *,
    pinned_key: Verifier | None = None,
    workers: int | None = None,
    shown: ShownCheck | None = None,
) -> ReportVerdict:
    """Steps 0-4 above (step 4 with `shown` only); never raises for a report that does not
    hold, says why instead."""
    try:
        request = ReportRequest.of(report)
    except InvalidRequest as exc:
        return ReportVerdict("report", str(exc))
    try:
        checkpoint = claimed_checkpoint(report)
    except InvalidRequest as exc:
        return ReportVerdict("checkpoint", str(exc))
    if shown is None:
        return _verified(database, report, request, checkpoint, pinned_key, workers)
    shown.start(report)
    try:
        verdict = _verified(database, report, request, checkpoint, pinned_key, workers)
        if verdict.ok:
            problem = shown.check(report)
            if problem is not None:
                return ReportVerdict("shown", problem, audit=verdict.audit)
        return verdict
    finally:
        shown.stop()


def _verified(
    database: Database,
    report: dict[str, Any],
    request: ReportRequest,
    checkpoint: Checkpoint,
    pinned_key: Verifier | None,
    workers: int | None,
) -> ReportVerdict:
    """Steps 2 and 3."""
    # The figures are folded beside the ledger's steps on a large ledger (they read the same
    # entries); they are compared only if those steps hold.
    beside = workers_for(checkpoint.size, workers) > 1
    background = Background(_figures_at, database.url, request, checkpoint) if beside else None
    try:
        audit = Audit(
            database,
            pinned_key=pinned_key,
            auditor_checkpoints=[AuditorCheckpoint("of the report", checkpoint.note)],
            workers=workers,
        ).run()
        failure = audit.first_failure
        if failure is not None:
            where = f" at seq {failure.seq}" if failure.seq is not None else ""
            reason = f"step {failure.number} ({failure.name}){where}: {failure.reason}"
            return ReportVerdict("ledger", reason, audit=audit)
        if background is not None:
            recomputed = background.result()
        else:
            recomputed, _ = at_checkpoint(database, request, checkpoint)
    finally:
        if background is not None:
            background.close()
    differing = differences(report, recomputed)
    if differing:
        first = differing[0]
        reason = f"figure {first} differs from the ledger's entries up to {checkpoint.size}"
        return ReportVerdict("figures", reason, differing, audit)
    return ReportVerdict(audit=audit)


def _figures_at(url: str, request: ReportRequest, checkpoint: Checkpoint) -> dict[str, Any]:
    """at_checkpoint's figures, in a process of its own (custody.verification.background)."""
    database = Database(url)
    try:
        figures, _ = at_checkpoint(database, request, checkpoint)
        return figures
    finally:
        database.dispose()
