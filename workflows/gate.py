"""Who acts in one unit of work, and may they: the actor's account (and the device token the
request came with) as the ledger says, read in the same transaction as the action, checked
once for the command (where it acts) and again for every entry it writes (workflows.access).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from workflows.access import entry_refusal, place_of, refusal
from workflows.errors import AccessRefused

if TYPE_CHECKING:
    from workflows.unit_of_work import Work


class Gate:
    def __init__(self, actor: str, device: str | None = None) -> None:
        self.actor, self.device = actor, device
        self._any_account: bool | None = None

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
        where: list[str | None] = [*places] or [None]
        for place in where:
            location = work.world.locations.get(place) if place is not None else None
            kind_of = location.kind if location is not None else None
            why = refusal(account, kind, place, kind_of, bound)
            if why is not None:
                raise AccessRefused(why, place)

    def prepare(self, work: Work, places: Iterable[str]) -> None:
        """Load what checking the entries needs: the account, the device, the places."""
        self._load(work, places)
        if self.actor not in work.world.accounts:
            self._any(work)

    def check(self, work: Work, seq: int, kind: str, item: str | None, data: Any) -> None:
        why = entry_refusal(
            work.world,
            seq,
            self.actor,
            kind,
            item,
            data,
            self._bound(work),
            self._any_account,
        )
        if why is not None:
            raise AccessRefused(why, place_of(work.world, kind, item, data))
