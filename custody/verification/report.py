"""What an audit says: each numbered step with its status, and the whole.

A step is "ok" only when it ran and held; "failed" names the first entry (or node, or
checkpoint) where it does not hold and why; "not run" is a step that an earlier failure kept
from running (never shown as "ok"); "incomplete" is a step that ran but could not be
completed on this machine (verify-statement's page proof under another renderer), which is
neither a pass nor a proof of forgery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "failed", "not run", "incomplete"]


@dataclass
class StepResult:
    number: int
    name: str
    status: Status = "not run"
    seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def ran(self) -> bool:
        return self.status != "not run"

    def fail(self, seq: int | None, reason: str) -> None:
        """Record the first failure only: later ones follow from it."""
        if self.status != "failed":
            self.status, self.seq, self.reason = "failed", seq, reason

    def hold(self) -> None:
        """The step ran; it holds unless it has failed already."""
        if self.status == "not run":
            self.status = "ok"

    def incomplete(self, reason: str) -> None:
        self.status, self.reason = "incomplete", reason

    def shown(self) -> str:
        """As a terminal prints it after the step's name."""
        if self.status == "failed":
            where = f" at seq {self.seq}" if self.seq is not None else ""
            return f"FAILED{where}: {self.reason}"
        if self.status == "incomplete":
            return f"could not be completed: {self.reason}"
        return self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "seq": self.seq,
            "reason": self.reason,
        }


def first_failure(steps: list[StepResult]) -> StepResult | None:
    """The first step that failed or could not be completed."""
    return next((s for s in steps if s.status in ("failed", "incomplete")), None)


@dataclass
class Report:
    origin: str | None
    size: int
    root: bytes | None
    steps: list[StepResult]
    checkpoints_checked: int = 0
    # What the auditor brought, so that a report says what its "ok" rests on: the ledger
    # key pinned (as `<name>+<key id>+<base64 key>`, None when the database's own keys were
    # the only anchor) and how many of the auditor's own checkpoints were given.
    pinned_key: str | None = None
    auditor_checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    @property
    def first_failure(self) -> StepResult | None:
        return first_failure(self.steps)

    def to_json(self) -> dict[str, Any]:
        failure = self.first_failure
        return {
            "ok": self.ok,
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex() if self.root is not None else None,
            "checkpoints_checked": self.checkpoints_checked,
            "pinned_key": self.pinned_key,
            "auditor_checkpoints": self.auditor_checkpoints,
            "steps": [step.to_json() for step in self.steps],
            "first_failure": failure.to_json() if failure is not None else None,
        }
