"""Dual control (four eyes) of what makes a signer or an administrator (issue 14, the
one-administrator forgery; workflows.dual): each such change is proposed by one
administrator and takes effect only when another, neither its proposer, nor the account it
concerns, nor that account's creator, confirms it. Refused as it is written (ACCESS,
nothing written), and failed again by `custody verify`'s access step when written straight
into the ledger with the ledger key. Also issue 16: a commission period that would overlap
another of the same person is refused (R8)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custody.clock import format_time, parse_time
from custody.entries import NewEntry
from custody.keyfile import PersonKey
from tests.support.site import COMMISSION, Site
from workflows import dual
from workflows.access import ROLES
from workflows.commands import (
    AddCommissionMember,
    AddKey,
    ConfirmChange,
    CreateAccount,
    DeclineChange,
    DisableAccount,
    GrantRole,
    ProposeChange,
    RemoveCommissionMember,
)
from workflows.commands.base import Command
from workflows.errors import AccessRefused, RuleViolation
from workflows.model import Proposal
from workflows.process import Process
from workflows.replay import replay
from workflows.world import World


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _alone(site: Site, actor: str, command: Command) -> AccessRefused:
    """`command` done by one administrator alone (not through the tests' Driver, which
    proposes and confirms with both): refused naming four eyes, nothing written."""
    before = _size(site)
    with pytest.raises(AccessRefused) as refused:
        Process.run(site.process, actor, command)
    assert "four eyes" in str(refused.value)
    assert _size(site) == before
    return refused.value


def _key() -> str:
    return base64.b64encode(PersonKey.generate().public_key).decode()


def _propose(site: Site, actor: str, command: Command) -> str:
    fields = command.model_dump(mode="json", exclude_none=True)
    proposal = Process.run(site.process, actor, ProposeChange(change=command.kind, fields=fields))
    assert isinstance(proposal, str)
    return proposal


def _refusals(site: Site) -> list[tuple[int, str]]:
    refused: list[tuple[int, str]] = []
    replay(site.ledger.database, refused)
    return refused


def test_every_signer_making_change_is_refused_to_one_administrator(site: Site) -> None:
    _alone(
        site,
        "admin",
        CreateAccount(username="stand.in", name="Подставной", roles=["commission_member"]),
    )
    _alone(site, "admin", CreateAccount(username="admin3", name="Третий", roles=["administrator"]))
    # Nor a stand-in who ends custody, reads everything or pays (issue 14, second round).
    for role in ("unit_officer", "auditor", "paymaster"):
        made = CreateAccount(username=f"stand.{role}", name="Подставной", roles=[role])
        _alone(site, "admin", made)
    clerk = CreateAccount(username="clerk.two", name="Клерк", roles=["warehouse_clerk"])
    Process.run(site.process, "admin", clerk)  # a clerk ends no custody alone: one administrator
    for role in (
        "commission_member",
        "official",
        "plant_representative",
        "forensic_examiner",
        "unit_officer",
        "auditor",
        "paymaster",
    ):
        _alone(site, "admin", GrantRole(username="clerk.two", role=role))
    _alone(site, "admin", AddKey(owner="sklad.omarov", purpose="act", public_key=_key()))
    _alone(site, "admin", RemoveCommissionMember(commission=COMMISSION, person="member.kim"))
    _alone(
        site,
        "admin",
        AddCommissionMember(commission=COMMISSION, person="member.tokayeva", role="member"),
    )
    # What needs no four eyes stays one administrator's work.
    Process.run(
        site.process, "admin", GrantRole(username="official.zhakupov", role="warehouse_clerk")
    )
    assert _refusals(site) == []


def test_a_change_takes_effect_when_another_administrator_confirms_it(site: Site) -> None:
    before = _size(site)
    grant = GrantRole(username="official.zhakupov", role="commission_member")
    proposal = _propose(site, "admin", grant)
    assert _size(site) == before + 1  # proposed: nothing granted yet
    with pytest.raises(AccessRefused, match=r"proposed .* may not confirm it"):
        Process.run(site.process, "admin", ConfirmChange(proposal=proposal))
    Process.run(site.process, "admin2", ConfirmChange(proposal=proposal))
    assert _size(site) == before + 3  # proposed, confirmed, granted
    with pytest.raises(AccessRefused, match="confirmed already"):
        Process.run(site.process, "admin2", ConfirmChange(proposal=proposal))
    assert _refusals(site) == []


def test_the_account_concerned_and_its_creator_never_confirm(site: Site) -> None:
    # A third administrator, proposed by admin and confirmed by admin2: admin made it.
    third = CreateAccount(username="admin3", name="Третий", roles=["administrator"])
    Process.run(site.process, "admin2", ConfirmChange(proposal=_propose(site, "admin", third)))
    # A clerk's account made by admin alone (admin set its password): admin never
    # confirms it being made an official, even when another proposes it.
    clerk = CreateAccount(username="clerk.x", name="Клерк", roles=["warehouse_clerk"])
    Process.run(site.process, "admin", clerk)
    official = _propose(site, "admin2", GrantRole(username="clerk.x", role="official"))
    with pytest.raises(AccessRefused, match=r"admin created the account clerk\.x"):
        Process.run(site.process, "admin", ConfirmChange(proposal=official))
    # Nor does the account concerned confirm a change about itself.
    about_admin3 = _propose(site, "admin", AddKey(owner="admin3", purpose="act", public_key=_key()))
    with pytest.raises(AccessRefused, match="own account"):
        Process.run(site.process, "admin3", ConfirmChange(proposal=about_admin3))
    # A third who is neither decides: one is confirmed, one declined (never takes effect).
    Process.run(site.process, "admin3", ConfirmChange(proposal=official))
    Process.run(site.process, "admin2", DeclineChange(proposal=about_admin3, reason="не нужно"))
    with pytest.raises(AccessRefused, match="declined already"):
        Process.run(site.process, "admin2", ConfirmChange(proposal=about_admin3))
    assert _refusals(site) == []


@pytest.mark.parametrize(
    "role", ["commission_member", "unit_officer", "auditor", "paymaster", "administrator"]
)
def test_a_signer_made_in_the_ledger_without_confirmation_fails_verify(
    site: Site, role: str
) -> None:
    """The forger holds the ledger key and writes the grant straight into the log: a
    signer's role, or one that ends custody, reads everything or pays (issue 14)."""
    site.process.run(
        "admin", CreateAccount(username="stand.in", name="Подставной", roles=["warehouse_clerk"])
    )
    assert _refusals(site) == []
    site.ledger.record(
        NewEntry(kind="role_granted", actor="admin", item="stand.in", data={"role": role})
    )
    [(seq, why)] = _refusals(site)
    assert "role_granted by admin: four eyes" in why
    assert seq == _size(site) - 1


@pytest.mark.parametrize("role", ["unit_officer", "auditor", "paymaster"])
def test_a_stand_in_account_written_without_confirmation_fails_verify(
    site: Site, role: str
) -> None:
    """The breaker's accounts (issue 14, second round), forged straight into the log: a unit
    officer who returns weapons, an auditor who reads every body, a second paymaster."""
    assert _refusals(site) == []
    site.ledger.record(
        NewEntry(
            kind="account_created",
            actor="admin",
            item="unit.fake",
            data={"name": "Подставной", "roles": [role], "places": []},
        )
    )
    [(seq, why)] = _refusals(site)
    assert "account_created by admin: four eyes" in why
    assert seq == _size(site) - 1


def test_a_confirmation_by_the_proposer_written_into_the_ledger_fails_verify(site: Site) -> None:
    grant = GrantRole(username="official.zhakupov", role="commission_member")
    proposal = _propose(site, "admin2", grant)
    site.ledger.record(NewEntry(kind="change_confirmed", actor="admin2", item=proposal, data={}))
    [(_, why)] = _refusals(site)
    assert "change_confirmed by admin2: four eyes: admin2 proposed" in why


def test_a_period_overlapping_an_earlier_one_is_refused(site: Site) -> None:
    """Issue 16: member.kim removed, then added again from before their first period."""
    with site.ledger.database.read() as conn:
        from workflows.repository import Repository
        from workflows.world import World

        world = World()
        Repository(conn).load(world, "commissions", [COMMISSION])
    first = next(p for p in world.commission(COMMISSION).members if p["person"] == "member.kim")
    site.clock.advance(days=3)
    site.process.remove_commission_member("admin", COMMISSION, "member.kim")
    site.clock.advance(days=1)
    earlier = format_time(parse_time(first["since"]) - dt.timedelta(days=1))
    with pytest.raises(RuleViolation, match=r"R8: .*overlap"):
        site.process.add_commission_member(
            "admin", COMMISSION, "member.kim", "member", since=earlier
        )
    # From now on, after the first period ended, is a new period, not an overlap.
    site.process.add_commission_member("admin", COMMISSION, "member.kim", "member")
    assert _refusals(site) == []


def test_a_lone_administrator_never_makes_another_even_with_the_other_disabled(
    site: Site,
) -> None:
    """The second founding administrator is the console's (`custody init`), while its
    founder is the only one ever made: disabling another administrator reopens nothing,
    neither as it is written nor on replay. (The second-to-last is never disabled:
    test_dual_control_forger; here a third is made and disabled.)"""
    assert site.process.found() is None  # founded already: nothing written
    site.process.run(
        "admin", CreateAccount(username="admin.x", name="Третий", roles=["administrator"])
    )
    site.process.run("admin", DisableAccount(username="admin.x"))
    third = CreateAccount(username="admin3", name="Третий", roles=["administrator"])
    _alone(site, "admin", third)
    assert site.process.found("admin3") is None  # two were made: not even at the console
    assert _refusals(site) == []
    site.ledger.record(
        NewEntry(
            kind="account_created",
            actor="admin",
            item="admin3",
            data={"name": "Третий", "roles": ["administrator"], "places": []},
        )
    )
    [(_, why)] = _refusals(site)
    assert "account_created by admin: four eyes" in why


_NAMES = st.sampled_from(["kim", "abenova", "omarov", "admin2", "stand.in"])
_ROLES = st.sampled_from(sorted(ROLES))


@settings(max_examples=300, deadline=None)
@given(
    proposed=st.tuples(_NAMES, _ROLES),
    written=st.tuples(_NAMES, _ROLES),
    proposer=_NAMES,
    confirmer=_NAMES,
    gap=st.integers(min_value=1, max_value=3),
)
def test_a_grant_is_permitted_only_right_after_the_confirmation_of_exactly_it(
    proposed: tuple[str, str],
    written: tuple[str, str],
    proposer: str,
    confirmer: str,
    gap: int,
) -> None:
    """workflows.dual.refusal against its definition: a grant of a signing role passes only
    as the entry right after its confirmation, by its confirmer, of the same account and
    role; a grant of any other role needs nothing."""
    world = World()
    fields = {"username": proposed[0], "role": proposed[1]}
    world.proposals["CHG-0000000000000001"] = Proposal(
        "CHG-0000000000000001",
        "role_granted",
        fields,
        proposed[0],
        proposer,
        "t",
        5,
        state="confirmed",
        decided_by=confirmer,
    )
    world.confirmed = (10, "CHG-0000000000000001")
    actor, (username, role) = confirmer, written
    why = dual.refusal(world, 10 + gap, actor, "role_granted", username, {"role": role})
    signer = role in dual.FOUR_EYES_ROLES
    expected = not signer or (gap == 1 and (username, role) == proposed)
    assert (why is None) == expected, why
