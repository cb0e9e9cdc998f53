"""The service's side of dual control (workflows.dual): a change that makes a signer or an
administrator is proposed by one administrator and written when another confirms it, each
an entry through the process's commands (workflows.commands.changes), with the service's own
part in the same transaction:

- a person's key sent with its owner's request (api.key_requests) is checked when proposed
  and again when confirmed, and its challenge is used up only then;
- an account given a role of workflows.dual.FOUR_EYES_ROLES by a confirmation (a signer, an
  administrator, a unit officer, an auditor, a paymaster) loses the password an
  administrator may have given it, and its logins end: a lone administrator never holds
  such an account's credentials; its key requests not yet registered go (api.key_requests.void).
  Its person gets a password at the console (`custody user password`), never from an
  administrator's page or route.

    proposal = propose(process, "admin", "role_granted", {"username": "kim", "role": "official"})
    confirm(process, "admin2", proposal)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete

from api import key_requests
from api.access import tokens
from api.tables import UserRow
from workflows import dual
from workflows.commands import AddKey, RotateKey
from workflows.commands.base import REGISTRY
from workflows.commands.changes import ConfirmChange, DeclineChange, ProposeChange
from workflows.model import Proposal
from workflows.process import Process
from workflows.repository import SHELVES, Repository
from workflows.unit_of_work import Work
from workflows.world import World

_USERS = UserRow.__table__  # type: ignore[attr-defined]

# The changes after which the account they concern holds a role of FOUR_EYES_ROLES: its
# password, if an administrator gave it one, goes.
_MAKES_ACCOUNT = frozenset({"account_created", "role_granted"})


def _guarded(inner: Any, over_http: bool) -> bool:
    """Whether a key change goes through its owner's request (api.key_requests.step): over
    HTTP always; at the console (`custody change`, the demo), when it carries a proof."""
    return isinstance(inner, AddKey | RotateKey) and (over_http or inner.possession is not None)


def propose(
    process: Process, actor: str, change: str, fields: dict[str, Any], over_http: bool = False
) -> str:
    """Propose a change (`change`: its entry kind; `fields`: its command's input); returns
    the proposal's id. A key is checked against its owner's request as it would be at
    registration (api.key_requests.step), its challenge left unused."""
    command = ProposeChange(change=change, fields=fields)
    inner = REGISTRY[change].model_validate(fields) if change in dual.SIGNER_KINDS else None
    with process.work(actor) as work:
        if isinstance(inner, AddKey | RotateKey) and _guarded(inner, over_http):
            key_requests.step(inner, lambda w: None, mark=False)(work)
        proposal: str = command.perform(work)
    return proposal


def confirm(process: Process, actor: str, proposal_id: str, over_http: bool = False) -> Any:
    """Confirm a proposal (workflows.commands.changes.ConfirmChange) with the service's part
    (above) in the same transaction. Returns what the change's command returns."""
    with process.work(actor) as work:
        proposal = _proposal(work, proposal_id)
        inner = REGISTRY[proposal.kind].model_validate(proposal.fields)
        confirmation = ConfirmChange(proposal=proposal_id)
        perform: Callable[[Work], Any] = confirmation.perform
        if _guarded(inner, over_http):
            perform = key_requests.step(inner, confirmation.perform)
        result = perform(work)
        if proposal.kind in _MAKES_ACCOUNT and dual.needs_four_eyes(proposal.kind, proposal.fields):
            take_password(work, proposal.concerns)
            # A key asked for before the role is not registered after it (issue 14).
            key_requests.void(work.conn, proposal.concerns)
    return result


def decline(process: Process, actor: str, proposal_id: str, reason: str) -> None:
    process.run(actor, DeclineChange(proposal=proposal_id, reason=reason))


def take_password(work: Work, username: str) -> None:
    """The account's password and login tokens go (its person sets a password at the
    console): whoever set it before, maybe the administrator who proposed the change, is
    out."""
    work.conn.execute(delete(_USERS).where(_USERS.c.username == username))
    tokens.revoke_logins(work.conn, username, work.moment)


def _proposal(work: Work, proposal_id: str) -> Proposal:
    work.load("proposals", [proposal_id])
    found: Proposal = work.world.proposal(proposal_id)
    return found


def pending(process: Process) -> list[Proposal]:
    """The proposals awaiting confirmation, oldest first."""
    table = SHELVES["proposals"].table
    with process.ledger.database.read() as conn:
        found: list[Proposal] = Repository(conn).documents("proposals", table.c.state == "proposed")
    return sorted(found, key=lambda p: p.proposed_seq)


def find(process: Process, proposal_id: str) -> Proposal | None:
    with process.ledger.database.read() as conn:
        world = World()
        Repository(conn).load(world, "proposals", [proposal_id])
        found: Proposal | None = world.proposals.get(proposal_id)
    return found
