"""Every error of the destruction process, in one family.

    WorkflowError                (a CustodyError: the API maps the whole family in one place)
    ├── RuleViolation            a step the law or the process does not allow now; it names the
    │                            rule (R1 ... R10 of DESIGN §3, or PROCESS / INVENTORY / ACCESS)
    │                            and the item, in words a warehouse clerk understands
    │   └── AccessRefused        ACCESS: the actor's roles or places do not allow it there
    ├── UnknownObject            an item, batch, transfer, location or commission nobody registered
    ├── InvalidRequest           a request that is malformed before any rule applies (a negative
    │                            weight, a photo that is not one)
    ├── FoldError                replay met an entry the process could not have written
    └── ZonesOutdated            the machine's tz database is older than Kazakhstan's 2024
                                 change: every due time would be an hour off

Guards return a RuleViolation rather than raising it, so that rules stay plain functions of
plain data; the service raises the first one it gets.
"""

from __future__ import annotations

from custody.errors import CustodyError

# Rule ids beyond R1-R10 (DESIGN §3): the order of the process itself, the inventory (an open
# discrepancy blocks an item), and who may do a step at all.
PROCESS = "PROCESS"
INVENTORY = "INVENTORY"
ACCESS = "ACCESS"


class WorkflowError(CustodyError):
    """Base of the errors of the destruction process."""


class RuleViolation(WorkflowError):
    """A refused step: `rule` is "R1" ... "R10", PROCESS, INVENTORY or ACCESS."""

    def __init__(
        self, rule: str, message: str, item: str | None = None, batch: str | None = None
    ) -> None:
        self.rule = rule
        self.message = message
        self.item = item
        self.batch = batch  # a refusal about a batch's statement (R8) names the batch
        where = f" (item {item})" if item is not None else ""
        where = f" (batch {batch})" if batch is not None and item is None else where
        super().__init__(f"{rule}: {message}{where}")

    def about(self, item: str) -> RuleViolation:
        """The same refusal, naming the item (for bulk steps)."""
        return RuleViolation(self.rule, self.message, item)

    def about_batch(self, batch: str) -> RuleViolation:
        """The same refusal, naming the batch (a statement's signature: issue 16, it was
        called an item)."""
        return RuleViolation(self.rule, self.message, batch=batch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleViolation) and (
            self.rule,
            self.message,
            self.item,
            self.batch,
        ) == (other.rule, other.message, other.item, other.batch)

    def __hash__(self) -> int:
        return hash((self.rule, self.message, self.item, self.batch))


class AccessRefused(RuleViolation):
    """ACCESS: the actor has no account, a disabled one, no role that permits the step, or
    does not work at the place it is done at (`place`, when there is one)."""

    def __init__(self, message: str, place: str | None = None) -> None:
        super().__init__(ACCESS, message)
        self.place = place


class UnknownObject(WorkflowError, LookupError):
    """No item, batch, transfer, location or commission of that id has been registered."""


class InvalidRequest(WorkflowError, ValueError):
    """A request that is malformed before any rule applies, or a value a rule bounds (a date
    in the future or out of order, R1): then `rule` names it ("R1") and `item` the item, as
    a RuleViolation's do (the API's problem+json carries both members, r19)."""

    def __init__(self, message: str, *, rule: str | None = None, item: str | None = None) -> None:
        self.rule = rule
        self.item = item
        super().__init__(message)


class FoldError(WorkflowError):
    """The log holds an entry the process could not have written (found by replay): a step
    from a state that does not allow it, or about an object nobody registered."""

    def __init__(self, seq: int, message: str) -> None:
        self.seq = seq
        super().__init__(f"entry {seq}: {message}")


class ZonesOutdated(WorkflowError):
    """The tz database zoneinfo reads (the system's, PYTHONTZPATH) is older than tzdata 2024a:
    Almaty and the east of Kazakhstan moved from UTC+6 to UTC+5 on 1 March 2024, and with an
    older one every due time there would be 24:00 an hour early (workflows.terms)."""
