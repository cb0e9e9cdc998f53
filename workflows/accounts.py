"""Accounts, roles, places and device tokens, kept in the ledger like everything else, so that
who was allowed to do what, where and when can be proven from the log alone (DESIGN §2).

An account's history is its entries: `account_created` (name, roles, places),
`role_granted` / `role_withdrawn`, `place_assigned` / `place_withdrawn`, `account_disabled` /
`account_enabled`; a device token's are `device_token_issued` (its id, account, role, place,
label, expiry) and `device_token_revoked`. None carries a password hash or a token: the
service keeps those, linked by username.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from custody.clock import is_time
from custody.store import Store
from workflows import grammar
from workflows.access import PLACE_KINDS, ROLES, key_owner_refusal, roles_together
from workflows.errors import AccessRefused, InvalidRequest
from workflows.model import Account, Device
from workflows.repository import SHELVES
from workflows.unit_of_work import Work

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
DEVICE_ID = re.compile(r"DEV-[0-9A-F]{16}")


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InvalidRequest(
            "a username is 2-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRequest(f"unknown role {role!r}; roles: {', '.join(sorted(ROLES))}")
    return role


def account(work: Work, username: str) -> Account:
    work.load("accounts", [username])
    return work.world.account(username)


def _check_place(work: Work, roles: Sequence[str], place: str) -> None:
    """A place exists and is of a kind one of these roles acts at."""
    work.load("locations", [place])
    kind = work.world.location(place).kind
    if not any(kind in PLACE_KINDS[r] for r in roles):
        acting = ", ".join(roles) or "no role"
        raise InvalidRequest(f"{place} is a {kind}; an account with {acting} does not act there")


def create(
    work: Work, username: str, name: str, roles: Sequence[str], places: Sequence[str]
) -> None:
    check_username(username)
    if not name.strip():
        raise InvalidRequest("an account needs the person's name")
    if not roles:
        raise InvalidRequest("an account needs a role")
    # A role or place given twice is refused, not merged: the entry must hold what was asked
    # (a proposal signs the list as given, issue 12 finding 4).
    try:
        grammar.not_repeated(list(roles))
        grammar.not_repeated(list(places))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    for role in roles:
        check_role(role)
    _compatible(roles)
    work.load("accounts", [username])
    if work.world.find("accounts", username) is not None:
        raise InvalidRequest(f"there is already an account {username!r}")
    owned = next((k for k in Store(work.conn).key_records() if k.owner == username), None)
    if owned is not None:
        raise AccessRefused(key_owner_refusal(username, owned.key_id))
    for place in places:
        _check_place(work, roles, place)
    data = {"name": name.strip(), "roles": sorted(set(roles)), "places": sorted(set(places))}
    work.entry("account_created", username, data)


def _compatible(roles: Sequence[str]) -> None:
    """AccessRefused unless one account may hold `roles` together (workflows.access
    INCOMPATIBLE); the gate checks it again on the entry, as `custody verify` does."""
    why = roles_together(roles)
    if why is not None:
        raise AccessRefused(why)


def grant(work: Work, username: str, role: str) -> None:
    check_role(role)
    held = account(work, username).roles
    if role in held:
        raise InvalidRequest(f"{username} holds {role} already")
    _compatible([*held, role])
    work.entry("role_granted", username, {"role": role})


def withdraw(work: Work, username: str, role: str) -> None:
    found = account(work, username)
    if role not in found.roles:
        raise InvalidRequest(f"{username} does not hold {role}")
    if username == work.actor and role == "administrator":
        raise InvalidRequest("an administrator does not withdraw their own administrator role")
    work.entry("role_withdrawn", username, {"role": role})
    _revoke_bound(work, username, f"role {role} withdrawn", lambda d: d.role == role)


def assign(work: Work, username: str, place: str) -> None:
    found = account(work, username)
    if place in found.places:
        raise InvalidRequest(f"{username} works at {place} already")
    _check_place(work, found.roles, place)
    work.entry("place_assigned", username, {"place": place})


def unassign(work: Work, username: str, place: str) -> None:
    if place not in account(work, username).places:
        raise InvalidRequest(f"{username} does not work at {place}")
    work.entry("place_withdrawn", username, {"place": place})
    _revoke_bound(work, username, f"place {place} withdrawn", lambda d: d.place == place)


def _revoke_bound(work: Work, username: str, reason: str, bound: Callable[[Device], bool]) -> None:
    """Revoke, by a `device_token_revoked` entry each, the account's device tokens in force
    that are `bound` to the role or place just withdrawn: withdrawal is for good, and a
    token does not come back to life when the role or place is given again (the service
    revokes its token row beside: api.access.accounts.change)."""
    table = SHELVES["devices"].table
    held: list[Device] = work.repo.documents("devices", table.c.account == username)
    for device in sorted(held, key=lambda d: d.id):
        if device.revoked_at is None and bound(device):
            work.entry("device_token_revoked", device.id, {"account": username, "reason": reason})


def disable(work: Work, username: str) -> None:
    if username == work.actor:
        raise InvalidRequest("an administrator does not disable their own account")
    if account(work, username).disabled:
        raise InvalidRequest(f"the account {username} is disabled already")
    work.entry("account_disabled", username, {})


def enable(work: Work, username: str) -> None:
    if not account(work, username).disabled:
        raise InvalidRequest(f"the account {username} is enabled already")
    work.entry("account_enabled", username, {})


def issue_device(
    work: Work,
    device_id: str,
    username: str,
    role: str,
    place: str | None,
    label: str,
    expires_at: str,
) -> None:
    """A device token bound to an account, one of its roles, one of its places (where the
    role acts at places), until `expires_at` (RFC 3339 UTC)."""
    if not DEVICE_ID.fullmatch(device_id):
        raise InvalidRequest("a device token's id is DEV- and 16 hex digits")
    found = account(work, username)
    if found.disabled:
        raise InvalidRequest(f"the account {username} is disabled")
    if role not in found.roles:
        raise InvalidRequest(f"{username} does not hold {role}")
    if PLACE_KINDS[role] and place is None:
        raise InvalidRequest(f"a {role}'s device token is bound to one of their places")
    if place is not None:
        if place not in found.places:
            raise InvalidRequest(f"{username} does not work at {place}")
        _check_place(work, [role], place)
    if not is_time(expires_at) or expires_at <= work.now:
        raise InvalidRequest("a device token expires at a time to come (RFC 3339 UTC)")
    if not label.strip():
        raise InvalidRequest("say which scanner or script the token is for")
    data = {
        "account": username,
        "role": role,
        "place": place,
        "label": label.strip(),
        "expires_at": expires_at,
    }
    work.entry("device_token_issued", device_id, data)


def revoke_device(work: Work, device_id: str, reason: str) -> Device:
    work.load("devices", [device_id])
    device = work.world.device(device_id)
    if device.revoked_at is not None:
        raise InvalidRequest(f"device token {device_id} is revoked already")
    work.entry("device_token_revoked", device_id, {"account": device.account, "reason": reason})
    return device
