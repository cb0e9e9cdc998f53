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

from sqlalchemy import select

from custody.clock import is_time
from custody.store import Store
from workflows import grammar, supervision
from workflows.access import (
    PLACE_KINDS,
    ROLES,
    created_device_refusal,
    duty_refusal,
    granted_device_refusal,
    key_owner_refusal,
    last_administrators_refusal,
    roles_together,
)
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


def needs_place(role: str, place: str) -> bool:
    """Whether an account of `role` made with `place` ("" for none) is missing its place: a
    role that acts at places (workflows.access PLACE_KINDS) with none given. `create` accepts
    that account (POST /users, `custody user add`, assigned a place later), but it acts and
    reads nowhere until a place is assigned (workflows.reading), so a form that makes one
    role at one place (api.web.admin) asks for it before anything is made."""
    return bool(PLACE_KINDS.get(role)) and not place


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
    # A token under this username from before its account (only a forged log has one) would
    # be live for it: as for a grant, refused here, by the gate and by `custody verify`.
    _load_devices(work, username)
    why = created_device_refusal(work.world, username, list(roles))
    if why is not None:
        raise AccessRefused(why)
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
    """Grant `role`; administrator or plant representative refused (InvalidRequest) to a
    supervisor or regional head of a place (workflows.supervision.above_staff); a role of
    workflows.dual.FOUR_EYES_ROLES refused to an account with device tokens not revoked
    (AccessRefused: workflows.access.granted_device_refusal), here as it is proposed and
    again by the gate and `custody verify` on the entry."""
    check_role(role)
    held = account(work, username).roles
    if role in held:
        raise InvalidRequest(f"{username} holds {role} already")
    _compatible([*held, role])
    if role in supervision.NOT_ABOVE:  # nor may a supervisor become one (issue 19)
        supervision.above_staff(work, username)
    _load_devices(work, username)
    why = granted_device_refusal(work.world, username, role)
    if why is not None:
        raise AccessRefused(why)
    work.entry("role_granted", username, {"role": role})


def _load_devices(work: Work, username: str) -> None:
    """The account's device tokens, into the World the entry is checked against."""
    table = SHELVES["devices"].table
    held: list[Device] = work.repo.documents("devices", table.c.account == username)
    work.load("devices", [d.id for d in held])


def _keep_two_administrators(work: Work, kind: str, username: str, data: dict[str, str]) -> None:
    """AccessRefused when the entry would leave fewer than two enabled administrators
    (workflows.access.last_administrators_refusal); every account is loaded, so the gate's
    check of the entry counts them all, as `custody verify` does."""
    table = SHELVES["accounts"].table
    ids = [row[0] for row in work.conn.execute(select(table.c.id))]
    work.load("accounts", ids)
    why = last_administrators_refusal(work.world, kind, username, data)
    if why is not None:
        raise AccessRefused(why)


def withdraw(work: Work, username: str, role: str) -> None:
    found = account(work, username)
    if role not in found.roles:
        raise InvalidRequest(f"{username} does not hold {role}")
    if username == work.actor and role == "administrator":
        raise InvalidRequest("an administrator does not withdraw their own administrator role")
    _keep_two_administrators(work, "role_withdrawn", username, {"role": role})
    work.entry("role_withdrawn", username, {"role": role})
    _revoke_bound(work, username, f"role {role} withdrawn", lambda d: d.role == role)


def assign(work: Work, username: str, place: str) -> None:
    """The account acts at `place` from now on; InvalidRequest if it does already, the place
    is of no kind its roles act at, or the person answers for the place above its staff
    (workflows.supervision.above_staff)."""
    found = account(work, username)
    if place in found.places:
        raise InvalidRequest(f"{username} works at {place} already")
    _check_place(work, found.roles, place)
    supervision.above_staff(work, username, [place])  # not the staff they answer above
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
    _keep_two_administrators(work, "account_disabled", username, {})
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
    role acts at places), until `expires_at` (RFC 3339 UTC). Never for an account holding a
    role of workflows.dual.FOUR_EYES_ROLES (AccessRefused:
    workflows.access.signer_device_refusal)."""
    if not DEVICE_ID.fullmatch(device_id):
        raise InvalidRequest("a device token's id is DEV- and 16 hex digits")
    found = account(work, username)
    # Who may have it at all first (as the gate checks the entry: duty_refusal), before its
    # role and place: a four-eyes role's account gets none whatever its binding (issue 14).
    why = duty_refusal(
        work.world,
        work.actor,
        "device_token_issued",
        device_id,
        {"account": username, "role": role},
    )
    if why is not None:
        raise AccessRefused(why)
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
