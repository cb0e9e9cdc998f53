"""Dual control (four eyes) of every change that makes a signer, an administrator, or a holder
of another four-eyes role (FOUR_EYES_ROLES): the one
definition, asked as an entry is written (workflows.gate) and again, entry by entry, by
`custody verify`'s access step (workflows.replay), from the ledger alone.

One administrator alone could otherwise make a final, signed destruction statement: make
stand-in accounts, set their passwords, register keys for them, add them to the commission
to outvote its real members, and sign as them (issue 14, the one-administrator forgery). Nor
may they make a stand-in who ends custody without a signature (a unit officer reverses a
decision and returns the weapon), reads every body at every place (the auditor), or pays
money and confirms the payment as the second paymaster (R13) (issue 14, second round).

A **signer-making change** (`makes_signer`) is:

- `account_created` holding a role of FOUR_EYES_ROLES, or `role_granted` of one: the
  administrator, every role whose acts are signed or who stands at the furnace
  (commission member, official, forensic examiner, plant representative: DUAL_ROLES), and
  the unit officer, the auditor and the paymaster;
- `key_added` or `key_rotated` of an **act** key (a person's key that signs acts);
- `commission_member_added` and `commission_member_removed` (who counts for the quorum).

Each is written only as the entry right after a `change_confirmed` (same unit of work, same
actor) that confirms a `change_proposed` of exactly that change (`matches`), and the
confirming administrator is neither its proposer, nor the account it concerns, nor the
administrator who created that account (`confirmation_refusal`). The founding accounts
(`custody init`: the genesis actor and a second administrator, written by the console before
any other account) are the one exception (workflows.access.founding).

    change_proposed   item: proposal id (CHG-...); data {"kind", "fields", "concerns"}
    change_confirmed  item: proposal id; data {} ; the change itself is the next entry
    change_declined   item: proposal id; data {"reason"}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

PROPOSED, CONFIRMED, DECLINED = "change_proposed", "change_confirmed", "change_declined"
KINDS: Final[frozenset[str]] = frozenset({PROPOSED, CONFIRMED, DECLINED})
PROPOSAL_ID = re.compile(r"CHG-[0-9A-F]{16}")

# Roles one administrator never grants alone: the administrator (who makes the others), and
# those whose acts are signed with their own key or who are recorded at the furnace
# (workflows.access ROLES: statement_signed, evidence_released, registry_result_recorded;
# presence at melting).
DUAL_ROLES: Final[frozenset[str]] = frozenset(
    {
        "administrator",
        "commission_member",
        "official",
        "forensic_examiner",
        "plant_representative",
    }
)

# Roles whose holder, alone, ends custody (the unit officer: decision_reversed then
# item_returned, no signature asked), reads every body at every place (the auditor), or pays
# money (the paymaster: R13's second paymaster would be the same person). They are made only
# with four eyes too, and the confirmation drops an administrator's password as for a signer
# (api.access.changes). The warehouse clerk is not among them: nothing a clerk does alone ends
# custody (melting and burning need the commission's signed statement, a discrepancy an
# official), and clerks are made often, by one administrator (docs/access.md).
# DUAL_ROLES alone still says who sends a key request (act keys are the signers'); no
# account holding any of FOUR_EYES_ROLES holds a device token (workflows.access).
FOUR_EYES_ROLES: Final[frozenset[str]] = DUAL_ROLES | frozenset(
    {"unit_officer", "auditor", "paymaster"}
)

# The kinds that may make a signer; `makes_signer` says which of their entries do.
SIGNER_KINDS: Final[frozenset[str]] = frozenset(
    {
        "account_created",
        "role_granted",
        "key_added",
        "key_rotated",
        "commission_member_added",
        "commission_member_removed",
    }
)


def makes_signer(kind: str, item: str | None, data: Mapping[str, Any]) -> bool:
    """Whether an entry of `kind` with `data` makes a signer, an administrator or another
    holder of a FOUR_EYES_ROLES role (above).
    Raises nothing: the verifier calls it for every entry."""
    if kind == "account_created":
        roles = data.get("roles")
        return isinstance(roles, list) and any(r in FOUR_EYES_ROLES for r in roles)
    if kind == "role_granted":
        return data.get("role") in FOUR_EYES_ROLES
    if kind in ("key_added", "key_rotated"):
        key = data.get("key")
        return isinstance(key, dict) and key.get("purpose") == "act"
    return kind in ("commission_member_added", "commission_member_removed")


def needs_four_eyes(kind: str, fields: Mapping[str, Any]) -> bool:
    """Whether a command of `kind` with input `fields` (workflows.commands) makes a signer or
    an administrator: `makes_signer` of the entry it would write (a rotation: always, as
    the purpose is the rotated key's)."""
    if kind == "account_created":
        return any(r in FOUR_EYES_ROLES for r in fields.get("roles") or ())
    if kind == "role_granted":
        return fields.get("role") in FOUR_EYES_ROLES
    if kind == "key_added":
        return fields.get("purpose") == "act"
    return kind in SIGNER_KINDS


def concerns(kind: str, fields: Mapping[str, Any], key_owner: str | None = None) -> str:
    """The account a proposed change (a command's `kind` and input `fields`) is about: the
    account made or granted, the key's owner (`key_owner` for a rotation, found by its key
    id), the commission's member."""
    if kind in ("account_created", "role_granted"):
        return str(fields.get("username"))
    if kind == "key_added":
        return str(fields.get("owner"))
    if kind == "key_rotated":
        return str(key_owner)
    return str(fields.get("person"))


def matches(
    fields: Mapping[str, Any], kind: str, item: str | None, data: Mapping[str, Any]
) -> bool:
    """Whether the entry (`kind`, `item`, `data`) is the change proposed with the command
    input `fields`: the same account and roles, role, key, or commission, person and role.
    Raises nothing."""
    if kind == "account_created":
        return (
            item == fields.get("username")
            and data.get("roles") == sorted(set(fields.get("roles") or ()))
            and data.get("places") == sorted(set(fields.get("places") or ()))
        )
    if kind == "role_granted":
        return item == fields.get("username") and data.get("role") == fields.get("role")
    key = data.get("key")
    if kind == "key_added":
        return (
            isinstance(key, dict)
            and key.get("owner") == fields.get("owner")
            and key.get("purpose") == fields.get("purpose")
            and key.get("public_key") == fields.get("public_key")
        )
    if kind == "key_rotated":
        return (
            isinstance(key, dict)
            and data.get("key_id") == fields.get("key_id")
            and key.get("public_key") == fields.get("public_key")
        )
    if kind == "commission_member_added":
        since = fields.get("since")
        return (
            item == fields.get("commission")
            and data.get("person") == fields.get("person")
            and data.get("role") == fields.get("role")
            and (since is None or data.get("since") == since)
        )
    if kind == "commission_member_removed":
        return item == fields.get("commission") and data.get("person") == fields.get("person")
    return False


def confirmation_refusal(world: Any, proposal: Any, actor: str) -> str | None:
    """Why `actor` may not confirm (or decline) `proposal` (a workflows.model.Proposal), from
    the World before it; None when they may. Raises nothing."""
    if proposal.state != "proposed":
        return f"four eyes: {proposal.id} is {proposal.state} already"
    if proposal.proposed_by == actor:
        return (
            f"four eyes: {actor} proposed {proposal.id} and may not confirm it; "
            "another administrator does"
        )
    if proposal.concerns == actor:
        return (
            f"four eyes: {proposal.id} is about {actor}'s own account; another "
            "administrator confirms it"
        )
    account = world.accounts.get(proposal.concerns)
    if account is not None and account.created_by == actor:
        return (
            f"four eyes: {actor} created the account {proposal.concerns} and may not confirm "
            f"{proposal.id} about it; another administrator does"
        )
    return None


def refusal(
    world: Any, seq: int, actor: str, kind: str, item: str | None, data: Mapping[str, Any]
) -> str | None:
    """Why this entry may not be written as it is, under dual control, from the World just
    before it; None when it may. A signer-making entry needs, as the entry just before it,
    a `change_confirmed` by the same actor of a proposal of exactly this change; a
    `change_confirmed` or `change_declined` needs a proposal still open that this actor may
    decide. Raises nothing: the verifier calls it for every entry of the log."""
    if kind in (CONFIRMED, DECLINED):
        proposal = world.proposals.get(item)
        if proposal is None:
            return f"four eyes: no change {item!r} was proposed"
        return confirmation_refusal(world, proposal, actor)
    if kind not in SIGNER_KINDS or not makes_signer(kind, item, data):
        return None
    confirmed = world.confirmed
    proposal = world.proposals.get(confirmed[1]) if confirmed is not None else None
    if (
        confirmed is None
        or confirmed[0] != seq - 1
        or proposal is None
        or proposal.decided_by != actor
        or proposal.kind != kind
        or not matches(proposal.fields, kind, item, data)
    ):
        return (
            f"four eyes: {kind} makes a signer, an administrator, a unit officer, an auditor "
            "or a paymaster, and one administrator never does it alone: propose it "
            "(change_proposed) and another administrator confirms it"
        )
    return None
