"""Who acts in one unit of work, and may they: the actor's account (and the device token the
request came with) as the ledger says, read in the same transaction as the action, checked
once for the command (where it acts) and again for every entry it writes (workflows.access).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import orjson
from sqlalchemy import text

from custody.entries import ACCOUNT_KINDS
from custody.store import Store
from workflows import dual, reading
from workflows.access import (
    ADMINISTRATOR_MAKING,
    BY_DEVICE_SIGNED,
    SETTLES,
    administrators_made,
    device_refusal,
    entry_refusal,
    place_of,
    refusal,
)
from workflows.errors import AccessRefused

if TYPE_CHECKING:
    from workflows.unit_of_work import Work


# Entries after which the same kind at the same place may be answered otherwise: those that
# change an account, a device token or a place (workflows.fold), and the ledger's first.
_CHANGES_WHO_MAY = frozenset(
    {
        *ACCOUNT_KINDS,
        # dual control: each confirmation and signer-making change is checked (workflows.dual)
        *dual.KINDS,
        *dual.SIGNER_KINDS,
        "location_added",
        "supervisor_assigned",
        "supervisor_withdrawn",
        "ledger_created",
    }
)


__all__ = ["BY_DEVICE_SIGNED", "Gate", "console_administrators_made"]


def console_administrators_made(work: Work) -> int:
    """How many times the log's entries made an account an administrator
    (workflows.access.administrators_made), read in the unit of work's transaction: only
    the entry kinds that may (ADMINISTRATOR_MAKING), and only at the console's founding."""
    store = Store(work.conn)
    rows = store.bodies_of_kinds(ADMINISTRATOR_MAKING, 0, store.head_size())
    return administrators_made(orjson.loads(body) for _, body in rows)


class Gate:
    def __init__(self, actor: str, device: str | None = None) -> None:
        self.actor, self.device = actor, device
        # The console's unit of work (`custody init`): the only one that may make the second
        # founding administrator (workflows.access.second_founding).
        self.console = False
        self._any_account: bool | None = None
        self._allowed: set[tuple[str, str | None]] = set()  # (kind, place) checked: allowed

    def _bound(self, work: Work) -> tuple[str, str | None] | None:
        """The device token's role and place; refused if it no longer holds."""
        if self.device is None:
            return None
        work.load("devices", [self.device])
        device = work.world.devices.get(self.device)
        if device is None or device.account != self.actor:
            raise AccessRefused(f"device token {self.device} is not {self.actor}'s")
        if device.revoked_at is not None or device.expires_at <= work.now:
            raise AccessRefused(f"device token {self.device} is revoked or expired")
        return device.role, device.place

    def _any(self, work: Work) -> bool:
        if self._any_account is None:
            found = work.conn.execute(text("SELECT 1 FROM wf_accounts LIMIT 1")).first()
            self._any_account = found is not None
        return self._any_account

    def _administrators(self, work: Work) -> int:
        """How many times an account was made an administrator up to the entry checked,
        counted exactly as the replay counts it (workflows.access.administrators_made over
        the log, and the fold's count of this unit of work's entries before it), so that the
        console permits the second founding exactly when `custody verify` does; 0 unless the
        unit of work is the console's (`console`): the second founding administrator is
        made only there (workflows.access.second_founding)."""
        if not self.console:
            return 0
        return console_administrators_made(work) + work.world.administrators_made

    def _through_device(self, work: Work, time: str, data: Any) -> None:
        """An entry written through the device token, at `time` (the entry's own, which the
        ledger's clock may set after the unit of work's `now`), exactly as `custody verify`
        checks its `device` member (workflows.access.device_refusal): the token is the
        actor's, in force at that time; and a signed act (its data carries `act` or
        `act_sig`: a registry result, a release, a statement signature, a resolution) is a
        person's own act, never through a device token, which one administrator issues and
        whoever holds the scanner uses (issue 14). Raises AccessRefused."""
        if self.device is None:
            return
        why = device_refusal(work.world, self.actor, self.device, time, data)
        if why is not None:
            raise AccessRefused(why)

    def _load(self, work: Work, places: Iterable[str]) -> None:
        # One statement for the account, its device token and the places (Repository).
        wanted = {"accounts": [self.actor], "locations": places}
        if self.device is not None:
            wanted["devices"] = [self.device]
        work.repo.load_kinds(work.world, wanted)

    def admit(self, work: Work, kind: str, places: list[str]) -> None:
        """Raise AccessRefused, naming the place, unless the actor may do a command of
        `kind` at every one of these places."""
        self._load(work, places)
        account = work.world.accounts.get(self.actor)
        if account is None and kind == "account_created":
            return  # the first account's own creation: its entry is checked on writing
        bound = self._bound(work)
        # Refused whatever the place (no account, disabled, no role for it): said without a
        # place, as for an object nobody registered, which has none (docs/access.md).
        anywhere = refusal(account, kind, None, None, bound)
        if anywhere is not None:
            raise AccessRefused(anywhere)
        where: list[str | None] = [*places] or [None]
        for place in where:
            location = work.world.locations.get(place) if place is not None else None
            kind_of = location.kind if location is not None else None
            why = refusal(account, kind, place, kind_of, bound)
            if why is not None:
                raise AccessRefused(why, place)

    def reads(self, work: Work) -> reading.Scope | Literal[False]:
        """The places the actor reads at (workflows.reading.scope; None: everywhere), as the
        ledger says in this transaction, through its device token's one role and place if
        it came with one; False when it has no account or a disabled one (then the
        access check refuses it whatever the object, without naming a place)."""
        self._load(work, [])
        account = work.world.accounts.get(self.actor)
        if account is None or account.disabled:
            return False
        bound = self._bound(work)
        if bound is not None:
            role, place = bound
            return reading.scope([role], [place] if place is not None else [])
        return reading.scope(account.roles, account.places)

    def prepare(self, work: Work, places: Iterable[str]) -> None:
        """Load what checking the entries needs: the account, the device, the places."""
        self._load(work, places)
        if self.actor not in work.world.accounts:
            self._any(work)

    def check(
        self, work: Work, seq: int, time: str, kind: str, item: str | None, data: Any
    ) -> None:
        """Raise AccessRefused, naming the place, unless the actor may write this entry (of
        `seq`, at `time`), from the state just before it (workflows.access.entry_refusal;
        through the device token, device_refusal).

        The answer depends on the entry only through its kind and place (but for SETTLES,
        whose answer depends on who recorded the discrepancy: asked each time), so within
        one unit of work an answer once given holds for the entries after it (a bulk step
        of 500 asks once), until an entry that changes an account, a device token or a place:
        then every answer is asked for again."""
        self._through_device(work, time, data)
        if kind in _CHANGES_WHO_MAY:
            self._allowed.clear()
        else:
            place = place_of(work.world, kind, item, data)
            if (kind, place) in self._allowed:
                return
        why = entry_refusal(
            work.world,
            seq,
            self.actor,
            kind,
            item,
            data,
            self._bound(work),
            self._any_account,
            self._administrators(work) if kind == "account_created" else None,
        )
        if why is not None:
            raise AccessRefused(why, place_of(work.world, kind, item, data))
        if kind not in _CHANGES_WHO_MAY and kind not in SETTLES:  # SETTLES: by discrepancy
            self._allowed.add((kind, place))
