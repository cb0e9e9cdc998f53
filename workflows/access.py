"""Who may do what, and where (DESIGN §2), as data: each role, the permissions it holds, and
the kinds of place it acts at; and the one check, entry by entry, that the process makes when
it writes and `custody verify` makes again from the ledger alone.

A permission that writes is named for the ledger entry kind it writes, so that the matrix
reads like the log: a warehouse clerk may write `deformed`, a forensic examiner
`registry_result_recorded`. Besides those: `read` (items, transfers, batches, deadlines,
their history and files), `upload` (photos and documents for the steps one may do),
`admin` (accounts, places, commissions, people's public keys). Least privilege: nobody holds a
permission their work does not need, the auditor holds only `read`, and people's acts (a
registry result, a release, a statement signature) are refused unless signed by the user's
own key, whatever the role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from custody.entries import ACCOUNT_KINDS
from workflows import dual
from workflows.vocabulary import FORENSICS, PLANT, UNIT, WAREHOUSE

READ = "read"
UPLOAD = "upload"
ADMIN = "admin"

UNIT_OFFICER = "unit_officer"
WAREHOUSE_CLERK = "warehouse_clerk"
FORENSIC_EXAMINER = "forensic_examiner"
COMMISSION_MEMBER = "commission_member"
PLANT_REPRESENTATIVE = "plant_representative"
OFFICIAL = "official"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"
PAYMASTER = "paymaster"

# Written beside the step that found it (an intake, a batch load) by whoever did that step,
# or by hand where someone sees it (R11).
_SUSPECTS = "diversion_suspected"


# A decision's later steps: done at the place of the decision (the unit that recorded it,
# the item's `unit`), wherever the item is now (place_of; issue 19).
DECISION_LATER: Final = frozenset(
    {"decision_appealed", "decision_suspended", "decision_final", "decision_reversed"}
)

ROLES: Final[dict[str, frozenset[str]]] = {
    UNIT_OFFICER: frozenset(
        {
            READ,
            UPLOAD,
            "item_registered",
            "decision_recorded",
            "decision_appealed",
            "decision_suspended",
            "decision_final",
            "decision_reversed",
            "item_returned",
            "transfer_sent",
            "discrepancy_recorded",
            "inventory_counted",
            _SUSPECTS,
        }
    ),
    WAREHOUSE_CLERK: frozenset(
        {
            READ,
            UPLOAD,
            "item_registered",  # state surplus is registered where it is stored
            "transfer_sent",
            "transfer_received",
            "transfer_closed",
            # A decision reversed after the item left the unit: it is handed back to its
            # owner where it lies (R1, issue 19).
            "item_returned",
            "forensic_sent",
            "parts_removed",
            "parts_incinerated",
            "deformed",
            "cut",
            "fuses_removed",
            "depackaged",
            "batch_opened",
            "batch_loaded",
            # An item whose destruction is stopped (R1, R11) taken out of an open batch.
            "unloaded",
            "presence_recorded",
            "melted",
            "burned",
            "discrepancy_recorded",
            "inventory_counted",
            _SUSPECTS,
        }
    ),
    FORENSIC_EXAMINER: frozenset(
        {
            READ,
            UPLOAD,
            "forensic_received",
            "test_fired",
            "registry_result_recorded",
            "forensic_returned",
        }
    ),
    COMMISSION_MEMBER: frozenset({READ, "statement_signed"}),
    PLANT_REPRESENTATIVE: frozenset({READ}),
    # The authorising official: ends evidence holds and settles discrepancies; records what
    # became of a decision (appeal, suspension, finality, reversal) at the unit that
    # recorded it, as its unit officer does (R1, issue 19).
    OFFICIAL: frozenset(
        {
            READ,
            "evidence_released",
            "discrepancy_resolved",
            "diversion_resolved",
            *DECISION_LATER,
        }
    ),
    AUDITOR: frozenset({READ}),
    ADMINISTRATOR: frozenset(
        {
            ADMIN,
            "location_added",
            "commission_member_added",
            "commission_member_removed",
            "supervisor_assigned",
            "supervisor_withdrawn",
            "key_added",
            "key_rotated",
            "key_revoked",
            *ACCOUNT_KINDS,
            *dual.KINDS,
            "campaign_opened",
        }
    ),
    # Pays compensation for surrendered items at the unit (R12), and checks another's
    # payment (R13: never their own).
    PAYMASTER: frozenset({READ, "compensation_paid", "compensation_confirmed"}),
}

DESCRIPTIONS: Final[dict[str, str]] = {
    UNIT_OFFICER: "registers items at intake, records decisions, appeals and suspensions, "
    "hands items over for transfer",
    WAREHOUSE_CLERK: "receives transfers, sends rifled firearms to forensics, removes parts, "
    "deforms, cuts, loads and runs furnace and burn batches, counts the inventory, hands "
    "back to its owner an item whose decision was reversed",
    FORENSIC_EXAMINER: "receives and test-fires items, records bullet-registry results with "
    "their own key, returns items",
    COMMISSION_MEMBER: "signs destruction statements with their own key",
    PLANT_REPRESENTATIVE: "is recorded as present at melting; reads",
    OFFICIAL: "releases items from evidence hold with their own key, settles discrepancies, "
    "records appeals, suspensions, finality and reversals of decisions",
    AUDITOR: "reads everything, writes nothing",
    ADMINISTRATOR: "manages accounts, places, commissions, surrender campaigns and people's "
    "public keys",
    PAYMASTER: "pays compensation for surrendered items and checks the payments of others",
}

# Where each role acts: an account acts only at the places assigned to it, and only at those
# of a kind its role acts at (a clerk at their warehouse and at the plant or burning site
# their batches go to). Roles with none act at no place: they keep the registers (the
# administrator) or only read (the auditor).
PLACE_KINDS: Final[dict[str, frozenset[str]]] = {
    UNIT_OFFICER: frozenset({UNIT}),
    WAREHOUSE_CLERK: frozenset({WAREHOUSE, PLANT}),
    FORENSIC_EXAMINER: frozenset({FORENSICS}),
    COMMISSION_MEMBER: frozenset({WAREHOUSE, PLANT}),
    PLANT_REPRESENTATIVE: frozenset({PLANT}),
    OFFICIAL: frozenset({UNIT, WAREHOUSE, FORENSICS, PLANT}),
    AUDITOR: frozenset(),
    ADMINISTRATOR: frozenset(),
    PAYMASTER: frozenset({UNIT, WAREHOUSE}),
}

PERMISSIONS: Final[frozenset[str]] = frozenset().union(*ROLES.values())

# Separation of duties: pairs of roles one account never holds together. The administrator
# makes accounts, places, commissions and keys; holding beside that a role that signs
# statements, releases evidence, attends a melting or pays money would let one person make
# the commission and then be it.
INCOMPATIBLE: Final[frozenset[frozenset[str]]] = frozenset(
    frozenset({ADMINISTRATOR, other})
    for other in (COMMISSION_MEMBER, OFFICIAL, PLANT_REPRESENTATIVE, PAYMASTER)
)

# Entries about an account (its username is the entry's item) that its own holder never
# writes: an administrator's roles, places and enabling are another administrator's act.
OWN_ACCOUNT_KINDS: Final[frozenset[str]] = frozenset(
    {"role_granted", "role_withdrawn", "place_assigned", "place_withdrawn", "account_enabled"}
)


def may(role: str, permission: str) -> bool:
    return permission in ROLES.get(role, frozenset())


def may_any(roles: Iterable[str], permission: str) -> bool:
    return any(permission in ROLES.get(role, ()) for role in roles)


# -- where an entry is done ---------------------------------------------------------------------

# Kinds done where their item is now.
_AT_ITEM = frozenset(
    {
        "decision_recorded",
        "item_returned",
        "transfer_sent",
        "forensic_sent",
        "test_fired",
        "registry_result_recorded",
        "evidence_released",
        "forensic_returned",
        "parts_removed",
        "parts_incinerated",
        "deformed",
        "cut",
        "fuses_removed",
        "depackaged",
        "unloaded",  # where it lies: the batch's place, where it was loaded
        "diversion_resolved",
        "compensation_paid",
        "compensation_confirmed",
    }
)


def place_of(world: Any, kind: str, item: str | None, data: Mapping[str, Any]) -> str | None:
    """The place where an entry of `kind` about `item` with `data` is done, from the state
    before it (a workflows.world.World): where the item is, where the transfer goes, where the
    batch burns; None for entries done at no place (registers, keys, accounts) or about an
    object the World does not hold (the fold then refuses the entry itself).

    Raises nothing: the verifier calls it for every entry of the log."""
    if kind in _AT_ITEM:
        found = world.items.get(item)
        return found.location if found is not None else None
    if kind in DECISION_LATER:  # the decision's place: the unit that recorded it
        found = world.items.get(item)
        return found.unit if found is not None else None
    if kind in ("item_registered", "batch_opened"):
        location = data.get("location")
        return location if isinstance(location, str) else None
    if kind == "inventory_counted":
        return item
    if kind == _SUSPECTS:  # where it was found: the intake's unit, the batch's site
        place = data.get("place")
        return place if isinstance(place, str) else None
    if kind == "forensic_received":
        found = world.items.get(item)
        return (found.destination or found.location) if found is not None else None
    if kind == "transfer_received":
        return _destination(world, data.get("transfer"))
    if kind == "transfer_closed":
        return _destination(world, item)
    if kind == "batch_loaded":
        return _batch_place(world, data.get("batch"))
    if kind in ("presence_recorded", "statement_signed"):
        return _batch_place(world, item)
    if kind in ("melted", "burned"):
        return _batch_place(world, data.get("batch", item))
    if kind in ("discrepancy_recorded", "discrepancy_resolved"):
        return _discrepancy_place(world, kind, item, data)
    return None


def _destination(world: Any, transfer_id: Any) -> str | None:
    transfer = world.transfers.get(transfer_id) if isinstance(transfer_id, str) else None
    return transfer.destination if transfer is not None else None


def _batch_place(world: Any, batch_id: Any) -> str | None:
    batch = world.batches.get(batch_id) if isinstance(batch_id, str) else None
    return batch.location if batch is not None else None


def _discrepancy_place(
    world: Any, kind: str, item: str | None, data: Mapping[str, Any]
) -> str | None:
    details = data.get("details")
    if kind == "discrepancy_recorded" and isinstance(details, dict):
        # Found where it was counted, or on the transfer its receiver checks.
        if isinstance(details.get("counted_at"), str):
            return str(details["counted_at"])
        if isinstance(details.get("transfer"), str):
            return _destination(world, details["transfer"])
    if item in world.batches:
        return _batch_place(world, item)
    found = world.items.get(item)
    return found.location if found is not None else None


# -- may this account do it there ---------------------------------------------------------------


def refusal(
    account: Any,
    kind: str,
    place: str | None,
    place_kind: str | None,
    bound: tuple[str, str | None] | None = None,
) -> str | None:
    """Why `account` (a workflows.model.Account, or None) may not write an entry of `kind` at
    `place` (of `place_kind`), in words its user understands; None when it may.

    `bound` narrows the account to one role and place: a device token's (role, place)."""
    if account is None:
        return "there is no account of that name in the ledger"
    name = account.id
    if account.disabled:
        return f"the account {name} is disabled"
    roles = [r for r in account.roles if kind in ROLES.get(r, ())]
    if bound is not None:
        roles = [r for r in roles if r == bound[0]]
    if not roles:
        held = ", ".join(account.roles) or "no role"
        return f"{name} ({held}) may not write {kind}"
    if place is None:
        return None
    if place not in account.places or (bound is not None and bound[1] != place):
        return f"{name} does not work at {place}: only its own staff may write {kind} there"
    if place_kind is not None:
        for role in roles:  # a loop, not any() over a generator: verify asks this per entry
            if place_kind in PLACE_KINDS[role]:
                return None
    acting = ", ".join(roles)
    return f"{place} is a {place_kind or 'place nobody registered'}: no {acting} acts there"


def incompatible(roles: Iterable[str]) -> tuple[str, str] | None:
    """The first pair (sorted) of INCOMPATIBLE roles that `roles` holds together; None."""
    held = set(roles)
    for pair in sorted(sorted(p) for p in INCOMPATIBLE):
        if held.issuperset(pair):
            return pair[0], pair[1]
    return None


def roles_together(roles: Iterable[str]) -> str | None:
    """Why one account may not hold `roles` together (INCOMPATIBLE), in plain words; None."""
    pair = incompatible(roles)
    if pair is None:
        return None
    return (
        f"separation of duties: one account does not hold these roles together: "
        f"{pair[0]}, {pair[1]}; give them to two people"
    )


# Entries that settle a discrepancy (data["discrepancy"]): never by the account that
# recorded it (duty_refusal). Their answer depends on the discrepancy, not only on where.
SETTLES: Final[frozenset[str]] = frozenset({"discrepancy_resolved", "diversion_resolved"})


def _settles_own(world: Any, actor: str, discrepancy_id: Any) -> str | None:
    found = world.discrepancies.get(discrepancy_id) if isinstance(discrepancy_id, str) else None
    if found is None or found.opened_by != actor:
        return None
    return (
        f"separation of duties: {actor} recorded {discrepancy_id} and may not settle it; "
        "another official does it"
    )


def duty_refusal(
    world: Any, actor: str, kind: str, item: str | None, data: Mapping[str, Any]
) -> str | None:
    """Why `actor` may not write this account entry under separation of duties, from the
    World just before it; None when they may (or when the entry is not about accounts).

    - An administrator never changes their own account (OWN_ACCOUNT_KINDS: roles, places,
      enabling) nor issues a device token to themselves.
    - A device token is never bound to the administrator role (tokens are for scanners and
      scripts; an administrator logs in).
    - An account never holds INCOMPATIBLE roles, at `account_created` or `role_granted`.
    - A discrepancy or a diversion suspicion is never settled (SETTLES) by the account that
      recorded it: one holding a clerk's and an official's roles would otherwise write an
      item off as lost on their own word.

    Raises nothing: the verifier calls it for every entry of the log."""
    if kind in SETTLES:
        return _settles_own(world, actor, data.get("discrepancy"))
    if kind in OWN_ACCOUNT_KINDS and item == actor:
        return (
            f"separation of duties: {actor} may not change their own account ({kind}); "
            "another administrator does it"
        )
    if kind == "device_token_issued":
        if data.get("account") == actor:
            return (
                f"separation of duties: {actor} may not issue a device token to themselves; "
                "another administrator does it"
            )
        if data.get("role") == ADMINISTRATOR:
            return (
                "a device token is for a scanner or a script and is never bound to the "
                "administrator role: an administrator logs in"
            )
        return signer_device_refusal(world.accounts.get(data.get("account")))
    if kind == "account_created":
        roles = data.get("roles", ())
        return roles_together(roles) or created_device_refusal(world, str(item), roles)
    if kind == "role_granted":
        found = world.accounts.get(item)
        held = list(found.roles) if found is not None else []
        return roles_together([*held, str(data.get("role"))]) or granted_device_refusal(
            world, str(item), data.get("role")
        )
    if kind in ("account_disabled", "role_withdrawn"):
        return last_administrators_refusal(world, kind, item, data)
    return None


def signer_device_refusal(account: Any) -> str | None:
    """Why no device token is issued for `account` (a workflows.model.Account, or None): it
    holds a role given only with four eyes (workflows.dual.FOUR_EYES_ROLES: a signer's, the
    administrator's, a unit officer's, the auditor's, a paymaster's). A device token is
    issued by one administrator and held by whoever has the scanner or script, so a token of
    such an account would let that administrator act in the role four eyes gave it (issue
    14): end custody, read every body, pay. Least privilege: tokens are for the clerks'
    scanners; these people log in. None when it may. Raises nothing: the verifier calls it
    for every entry."""
    if account is None:
        return None
    held = sorted(r for r in account.roles if r in dual.FOUR_EYES_ROLES)
    if not held:
        return None
    return (
        f"four eyes: {account.id} holds a role given only with four eyes ({', '.join(held)}): "
        "a device token is never issued for such an account; its person logs in"
    )


def live_devices(world: Any, username: str) -> list[str]:
    """The ids of the device tokens of `username` the World holds unrevoked (expired or not:
    from the ledger alone, an entry's check does not know its time), sorted."""
    return sorted(
        d.id for d in world.devices.values() if d.account == username and d.revoked_at is None
    )


BY_DEVICE_SIGNED = (
    "a signed act (a registry result, a release, a statement signature) is a person's own: "
    "it is sent with their own login, never with a device token"
)


def device_refusal(
    world: Any, actor: str, device_id: str, time: str, data: Mapping[str, Any]
) -> str | None:
    """Why `actor` may not have written an entry at `time` (RFC 3339 UTC, as entries carry
    it) through device token `device_id` (the body's `device`, docs/ledger.md): the World
    just before the entry holds no such token, or it is another account's, revoked by an
    entry before this one, or expired by `time`; or the entry carries a person's signed
    act (`act`, `act_sig`), which is never sent with a device token (issue 14). None when
    it may; the role and place the token binds are then the entry's (device_bound). The
    World must hold the token (a replay's holds them all; workflows.gate loads it live).
    Raises nothing: the verifier calls it for every entry written through a token."""
    device = world.devices.get(device_id)
    if device is None or device.account != actor:
        return f"device token {device_id} is not {actor}'s"
    if device.revoked_at is not None:
        return f"device token {device_id} was revoked at {device.revoked_at}, before this entry"
    if device.expires_at <= time:
        return f"device token {device_id} expired at {device.expires_at}"
    if "act" in data or "act_sig" in data:
        return BY_DEVICE_SIGNED
    return None


def device_bound(world: Any, device_id: str | None) -> tuple[str, str | None] | None:
    """The (role, place) device token `device_id` binds its account to, as the World holds
    it; None for no token, or one the World does not hold (device_refusal says why)."""
    device = world.devices.get(device_id) if device_id is not None else None
    return (device.role, device.place) if device is not None else None


def granted_device_refusal(world: Any, username: str, role: Any) -> str | None:
    """Why `role` is not granted to `username`: it is a role of workflows.dual.FOUR_EYES_ROLES
    and the account holds device tokens not revoked (signer_device_refusal, the other order).
    Refused, not revoked on the way: the administrators revoke them first, knowingly
    (docs/access.md). The World must hold the account's device tokens (a replay's holds them
    all; workflows.accounts loads them live). None when it may. Raises nothing."""
    if role not in dual.FOUR_EYES_ROLES:
        return None
    live = live_devices(world, username)
    if not live:
        return None
    return (
        f"four eyes: {username} holds device tokens ({', '.join(live)}): a role given only "
        f"with four eyes ({role}) is never granted to an account with a device token; "
        "revoke them first"
    )


def created_device_refusal(world: Any, username: str, roles: Any) -> str | None:
    """`granted_device_refusal` of an `account_created` with `roles` (a list of role ids):
    a token issued under a username before its account was made (forged into the log: the
    process issues none for an unknown account) is live for the account once made. None
    when it may, or when `roles` is not a list. Raises nothing."""
    if not isinstance(roles, list | tuple):
        return None
    for role in sorted(r for r in roles if isinstance(r, str)):
        why = granted_device_refusal(world, username, role)
        if why is not None:
            return why
    return None


# The fewest enabled administrators a ledger keeps once it has two: one alone would make
# every change that needs four eyes with nobody to confirm it, or never make one again.
FEWEST_ADMINISTRATORS: Final = 2


def enabled_administrators(accounts: Iterable[Any]) -> int:
    """How many of these accounts (workflows.model.Account) hold the administrator role and
    are enabled."""
    return sum(1 for a in accounts if ADMINISTRATOR in a.roles and not a.disabled)


def last_administrators_refusal(
    world: Any, kind: str, item: str | None, data: Mapping[str, Any]
) -> str | None:
    """Why this `account_disabled` or `role_withdrawn` may not be written: it takes an
    enabled administrator away while the ledger has FEWEST_ADMINISTRATORS enabled or fewer
    (dual control would be void: one administrator alone, nobody to confirm). The World must
    hold every account (a replay's does; workflows.accounts loads them live). None when it
    may. Raises nothing: the verifier calls it for every entry."""
    found = world.accounts.get(item)
    if found is None or found.disabled or ADMINISTRATOR not in found.roles:
        return None
    if kind == "role_withdrawn" and data.get("role") != ADMINISTRATOR:
        return None
    if enabled_administrators(world.accounts.values()) > FEWEST_ADMINISTRATORS:
        return None
    return (
        f"four eyes: {item} is one of the last {FEWEST_ADMINISTRATORS} enabled administrators; "
        "another administrator is made (proposed and confirmed) before one is disabled or "
        "loses the role"
    )


def key_owner_refusal(username: str, key_id: str) -> str:
    """Why no account is made named `username`, who owns key `key_id` already. A key whose
    owner has no account is a witness's (an act key is made only for an account:
    workflows.commands.keys), and a witness key is never made in an account holder's name
    (api.key_requests.witness_owner_refusal); an account made afterwards in the key owner's
    name would put a witness key in a member's name all the same."""
    return (
        f"{username} owns key {key_id} already (a witness's): an account is never made in a "
        "key owner's name, so that no witness key is an account holder's; choose another "
        "username"
    )


def founding(kind: str, actor: str, item: str | None, data: Mapping[str, Any]) -> bool:
    """The first account of a ledger: its genesis actor makes itself the administrator
    (`custody init`). Only while no account exists does this hold."""
    return (
        kind == "account_created"
        and item == actor
        and list(data.get("roles", ())) == [ADMINISTRATOR]
        and not data.get("places")
    )


def second_founding(
    world: Any, actor: str, kind: str, item: str | None, data: Mapping[str, Any], admins: int
) -> bool:
    """The second administrator of a ledger, made at the console (`custody init --second`)
    by its one administrator while it is the only one (`admins`: how many times an account
    was ever made an administrator up to this entry, `makes_administrator`, counted by the
    replay and by the console alike, so that disabling the other administrator or
    withdrawing its role does not reopen it). From then on every
    administrator is made by one and confirmed by another (workflows.dual). Over HTTP this
    is never done (workflows.gate: only the console's unit of work may); a ledger made
    before dual control gets its second administrator so."""
    founder = world.accounts.get(actor)
    return (
        admins == 1
        and founder is not None
        and ADMINISTRATOR in founder.roles
        and kind == "account_created"
        and item != actor
        and list(data.get("roles", ())) == [ADMINISTRATOR]
        and not data.get("places")
    )


def makes_administrator(kind: str, data: Mapping[str, Any]) -> bool:
    """Whether an entry makes an account an administrator: `account_created` with the role,
    or `role_granted` of it. The replay counts these (World.administrators_made) and the
    console counts them in the log the same way (administrators_made), so that the second
    founding is permitted at the console exactly when `custody verify` permits it."""
    if kind == "account_created":
        roles = data.get("roles")
        return isinstance(roles, list) and ADMINISTRATOR in roles
    return kind == "role_granted" and data.get("role") == ADMINISTRATOR


ADMINISTRATOR_MAKING: Final[tuple[str, ...]] = ("account_created", "role_granted")


def administrators_made(bodies: Iterable[Mapping[str, Any]]) -> int:
    """How many times the entries (decoded bodies: kind, data) made an account an
    administrator (makes_administrator): the replay's count of the log up to there."""
    return sum(1 for b in bodies if makes_administrator(b["kind"], b.get("data") or {}))


def entry_refusal(
    world: Any,
    seq: int,
    actor: str,
    kind: str,
    item: str | None,
    data: Mapping[str, Any],
    bound: tuple[str, str | None] | None = None,
    any_account: bool | None = None,
    accounts: int | None = None,
) -> str | None:
    """Why `actor` may not have written this entry, from the World as it was just before it
    (its accounts, locations, items, transfers and batches); None when they may. The one
    check the process makes as it writes and `custody verify` makes again from the log.

    `any_account` says whether any account exists, `accounts` how many enabled
    administrators (a live World holds only what it loaded; a replay's holds them all; 0
    where the second founding may not be done, over HTTP).

    Besides who may write the kind there, and the separations of duties (`duty_refusal`),
    a change that makes a signer or an administrator, or grants a unit officer's, the
    auditor's or a paymaster's role (workflows.dual.FOUR_EYES_ROLES), is refused unless another
    administrator confirmed it just before (workflows.dual), but for the two founding
    administrators."""
    if kind == "ledger_created":
        return None if seq == 0 else "a ledger is created once, at seq 0"
    account = world.accounts.get(actor)
    if account is None:
        exists = bool(world.accounts) if any_account is None else any_account
        if not exists and founding(kind, actor, item, data):
            return None
        return f"{actor} has no account"
    place = place_of(world, kind, item, data)
    location = world.locations.get(place) if place is not None else None
    kind_of = location.kind if location is not None else None
    why = refusal(account, kind, place, kind_of, bound)
    if why is None:
        why = duty_refusal(world, actor, kind, item, data)
    if why is None:
        why = dual.refusal(world, seq, actor, kind, item, data)
        if why is not None and kind == "account_created" and accounts != 0:
            count = world.administrators_made if accounts is None else accounts
            if second_founding(world, actor, kind, item, data, count):
                return None
    return why
