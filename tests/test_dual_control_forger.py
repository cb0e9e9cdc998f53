"""The dual-control forger's findings (issue 14, b14r), on SQLite and PostgreSQL: each attack
refused as it is written (ACCESS, nothing written) and, where the ledger says it, failed by
`custody verify`'s access step when written straight into the log with the ledger key.

- a device token issued for an account holding a role given only with four eyes (a signer's,
  a unit officer's, the auditor's, a paymaster's), or such a role granted to an account
  holding a device token, or an account made with one under a username holding a token;
- a signed act (a registry result) sent through a device token;
- the second-to-last enabled administrator disabled or stripped of the role;
- the console's second founding counting administrators otherwise than the replay."""

from __future__ import annotations

import datetime as dt

import pytest

from custody.clock import format_time
from custody.entries import EntryBody, NewEntry, decode
from custody.verify import Audit
from tests.support.site import FORENSICS, PLANT, UNIT, WAREHOUSE, Site
from workflows.access import FEWEST_ADMINISTRATORS
from workflows.commands import (
    CreateAccount,
    DisableAccount,
    GrantRole,
    IssueDeviceToken,
    ProposeChange,
    RevokeDeviceToken,
    WithdrawRole,
)
from workflows.commands.fields import ActIn
from workflows.commands.inventory import RecordDiscrepancy
from workflows.commands.movements import ReceiveAtForensics, RecordRegistryResults, TestFire
from workflows.errors import AccessRefused
from workflows.gate import BY_DEVICE_SIGNED
from workflows.movements import new_discrepancy_id
from workflows.process import Process
from workflows.replay import refold, replay, verify_steps

DEVICE = "DEV-00000000000000A1"
ACCESS_STEP = (11, "access")  # `custody verify`'s step that replays who may write each entry
# The site's holders of the roles four eyes gives that sign nothing (workflows.dual), with a
# place each acts at (the auditor at none).
STAND_INS = [
    ("unit.serikbaev", "unit_officer", UNIT),
    ("auditor.li", "auditor", None),
    ("kassa.amanova", "paymaster", UNIT),
]
GIVEN_WITH_FOUR_EYES = "holds a role given only with four eyes"


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _refusals(site: Site) -> list[tuple[int, str]]:
    refused: list[tuple[int, str]] = []
    replay(site.ledger.database, refused)
    return refused


def _refused(
    site: Site, actor: str, command: object, words: str, device: str | None = None
) -> None:
    """`command` by `actor` alone (not through the tests' Driver): refused naming `words`,
    nothing written."""
    before = _size(site)
    with pytest.raises(AccessRefused) as refused:
        Process.run(site.process, actor, command, device)  # type: ignore[arg-type]
    assert words in str(refused.value)
    assert _size(site) == before


def _expires(site: Site) -> str:
    return format_time(site.clock() + dt.timedelta(days=1))


def _device_of(site: Site, account: str, role: str, place: str | None) -> dict[str, object]:
    return {
        "account": account,
        "role": role,
        "place": place,
        "label": "планшет",
        "expires_at": _expires(site),
    }


def _forge(site: Site, *entries: NewEntry) -> None:
    """Entries written with the ledger key alone, and the state tables made from the log
    again (as a holder of the ledger key and the database would)."""
    for entry in entries:
        site.ledger.record(entry)
    refold(site.ledger.database)


def test_a_lone_administrator_cannot_issue_a_device_token_for_a_stand_in_signer(
    site: Site,
) -> None:
    """Finding 1: the administrator issues a device token for a signer, keeps it, and acts
    as them. Refused whatever the binding, and a ledger carrying it fails verify."""
    for username, role, place in (
        ("expert.sadykova", "forensic_examiner", FORENSICS),
        ("member.kim", "commission_member", WAREHOUSE),
        ("plant.ivanov", "plant_representative", PLANT),
    ):
        token = IssueDeviceToken(
            device=DEVICE,
            username=username,
            role=role,
            place=place,
            label="сканер",
            expires_at=_expires(site),
        )
        _refused(site, "admin", token, "a device token is never issued for such an account")
    assert _refusals(site) == []
    _forge(
        site,
        NewEntry(
            kind="device_token_issued",
            actor="admin",
            item=DEVICE,
            data=_device_of(site, "expert.sadykova", "forensic_examiner", FORENSICS),
        ),
    )
    [(_, why)] = _refusals(site)
    assert (
        "device_token_issued by admin: four eyes: expert.sadykova "
        f"{GIVEN_WITH_FOUR_EYES} (forensic_examiner)"
    ) in why


def test_a_signer_role_is_never_granted_to_an_account_holding_a_device_token(
    site: Site,
) -> None:
    """Finding 1, the other order: a clerk's scanner token, then the clerk made a member.
    Refused as it is proposed (revoke the token first), and failed by verify when forged."""
    issued = IssueDeviceToken(
        device=DEVICE,
        username="sklad.omarov",
        role="warehouse_clerk",
        place=WAREHOUSE,
        label="сканер",
        expires_at=_expires(site),
    )
    site.process.run("admin", issued)
    grant = {"username": "sklad.omarov", "role": "commission_member"}
    proposal = ProposeChange(change="role_granted", fields=grant)
    _refused(site, "admin", proposal, f"holds device tokens ({DEVICE})")
    assert _refusals(site) == []
    chg = "CHG-00000000000000B2"
    _forge(
        site,
        NewEntry(
            kind="change_proposed",
            actor="admin",
            item=chg,
            data={"kind": "role_granted", "fields": grant, "concerns": "sklad.omarov"},
        ),
        NewEntry(kind="change_confirmed", actor="admin2", item=chg, data={}),
        NewEntry(
            kind="role_granted",
            actor="admin2",
            item="sklad.omarov",
            data={"role": "commission_member"},
        ),
    )
    [(_, why)] = _refusals(site)
    assert "role_granted by admin2: four eyes: sklad.omarov holds device tokens" in why
    assert "revoke them first" in why


def _access_failure(site: Site) -> str:
    """The reason `custody verify` (its ledger steps and the process's) fails the ledger:
    at the access step, every earlier step holding."""
    failure = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run().first_failure
    assert failure is not None, "the forgery went unnoticed"
    assert (failure.number, failure.name) == ACCESS_STEP, failure
    return str(failure.reason)


def _confirmed(site: Site, proposal: str, kind: str, fields: dict[str, object]) -> list[NewEntry]:
    """A change proposed by admin, confirmed by admin2, and written: the entries a forger
    with the ledger key writes so that dual control holds (workflows.dual)."""
    username = str(fields["username"])
    change = {"kind": kind, "fields": fields, "concerns": username}
    data = {k: v for k, v in fields.items() if k != "username"}
    return [
        NewEntry(kind="change_proposed", actor="admin", item=proposal, data=change),
        NewEntry(kind="change_confirmed", actor="admin2", item=proposal, data={}),
        NewEntry(kind=kind, actor="admin2", item=username, data=data),
    ]


def _clerks_token(site: Site, username: str = "sklad.omarov") -> None:
    issued = IssueDeviceToken(
        device=DEVICE,
        username=username,
        role="warehouse_clerk",
        place=WAREHOUSE,
        label="сканер",
        expires_at=_expires(site),
    )
    site.process.run("admin", issued)


@pytest.mark.parametrize(("username", "role", "place"), STAND_INS)
def test_no_device_token_for_a_unit_officer_an_auditor_or_a_paymaster(
    site: Site, username: str, role: str, place: str | None
) -> None:
    """Issue 14, fix14d: a unit officer, the auditor and a paymaster are made with four eyes,
    but one administrator issued a device token for them and acted in their role through
    it (returned a weapon, read everything, paid). Refused whatever the binding, nothing
    written; a ledger carrying one fails verify's access step."""
    token = IssueDeviceToken(
        device=DEVICE,
        username=username,
        role=role,
        place=place,
        label="сканер",
        expires_at=_expires(site),
    )
    _refused(site, "admin", token, f"{username} {GIVEN_WITH_FOUR_EYES} ({role})")
    assert _refusals(site) == []
    _forge(
        site,
        NewEntry(
            kind="device_token_issued",
            actor="admin",
            item=DEVICE,
            data=_device_of(site, username, role, place),
        ),
    )
    why = _access_failure(site)
    assert f"device_token_issued by admin: four eyes: {username} {GIVEN_WITH_FOUR_EYES}" in why
    assert "its person logs in" in why


@pytest.mark.parametrize("role", ["unit_officer", "auditor", "paymaster"])
def test_no_unit_officer_auditor_or_paymaster_role_for_an_account_holding_a_token(
    site: Site, role: str
) -> None:
    """The other order: a clerk's scanner token, then the clerk given one of these roles.
    Refused as it is proposed (revoke the token first); a ledger where it was confirmed and
    written fails verify's access step."""
    _clerks_token(site)
    grant = {"username": "sklad.omarov", "role": role}
    proposal = ProposeChange(change="role_granted", fields=grant)
    _refused(site, "admin", proposal, f"holds device tokens ({DEVICE})")
    _refused(site, "admin", GrantRole(**grant), "four eyes")  # alone: refused anyway
    assert _refusals(site) == []
    _forge(site, *_confirmed(site, "CHG-00000000000000C3", "role_granted", grant))
    why = _access_failure(site)
    assert "role_granted by admin2: four eyes: sklad.omarov holds device tokens" in why
    assert f"given only with four eyes ({role})" in why
    assert "revoke them first" in why


def test_no_account_made_an_auditor_under_a_username_holding_a_token(site: Site) -> None:
    """A token forged under a username before its account exists is live for the account
    once made: making it a four-eyes role's account is refused as proposed, and failed by
    verify at the `account_created` when written anyway."""
    _forge(
        site,
        NewEntry(
            kind="device_token_issued",
            actor="admin",
            item=DEVICE,
            data=_device_of(site, "auditor.ghost", "warehouse_clerk", WAREHOUSE),
        ),
    )
    assert _refusals(site) == []  # a token for nobody does nobody's work
    made = {"username": "auditor.ghost", "name": "Призрак", "roles": ["auditor"], "places": []}
    proposal = ProposeChange(change="account_created", fields=made)
    _refused(site, "admin", proposal, f"auditor.ghost holds device tokens ({DEVICE})")
    _forge(site, *_confirmed(site, "CHG-00000000000000D4", "account_created", made))
    why = _access_failure(site)
    assert "account_created by admin2: four eyes: auditor.ghost holds device tokens" in why


def test_a_signed_act_through_a_device_token_is_refused(site: Site) -> None:
    """Finding 2: even a device token that exists (forged, or from before the rule) never
    carries a signed act: the examiner's own login does. Its unsigned steps pass."""
    _forge(
        site,
        NewEntry(
            kind="device_token_issued",
            actor="admin",
            item=DEVICE,
            data=_device_of(site, "expert.sadykova", "forensic_examiner", FORENSICS),
        ),
    )
    item = site.register_rifle()
    site.to_warehouse(item)
    site.process.send_to_forensics("sklad.omarov", [item], FORENSICS)
    Process.run(site.process, "expert.sadykova", ReceiveAtForensics(items=[item]), DEVICE)
    Process.run(site.process, "expert.sadykova", TestFire(items=[item]), DEVICE)
    act = site.act("expert.sadykova", "registry_result_recorded", item, result="no_match")
    signed = RecordRegistryResults.model_validate(
        {"results": [{"item": item, "act": ActIn.of(act)}]}
    )
    _refused(site, "expert.sadykova", signed, BY_DEVICE_SIGNED, DEVICE)
    before = _size(site)
    Process.run(site.process, "expert.sadykova", signed)  # her own login: written
    assert _size(site) == before + 1


def test_the_second_to_last_administrator_is_never_disabled_nor_stripped(site: Site) -> None:
    """Finding 4: with two enabled administrators, disabling one or withdrawing its role
    leaves one alone, and dual control void. Refused; with a third, allowed; a ledger where
    it happened fails verify."""
    assert FEWEST_ADMINISTRATORS == 2
    last = "is one of the last 2 enabled administrators"
    _refused(site, "admin", DisableAccount(username="admin2"), last)
    _refused(site, "admin", WithdrawRole(username="admin2", role="administrator"), last)
    _refused(site, "admin2", DisableAccount(username="admin"), last)
    site.process.run(
        "admin", CreateAccount(username="admin3", name="Третий", roles=["administrator"])
    )
    site.process.run("admin", DisableAccount(username="admin3"))  # three enabled: allowed
    _refused(site, "admin", DisableAccount(username="admin2"), last)
    assert _refusals(site) == []
    _forge(site, NewEntry(kind="account_disabled", actor="admin", item="admin2", data={}))
    [(_, why)] = _refusals(site)
    assert f"account_disabled by admin: four eyes: admin2 {last}" in why


def test_the_console_founds_no_second_administrator_where_verify_would_refuse_it(
    site: Site,
) -> None:
    """Finding 5: the console counted the accounts holding the role now; the replay counts
    every account ever made an administrator. With the other administrator's role taken
    (forged here: the commands refuse it now), the console found one holder and made a
    third administrator alone, which verify then failed. It now counts as the replay does:
    nothing written."""
    _forge(
        site,
        NewEntry(
            kind="role_withdrawn", actor="admin", item="admin2", data={"role": "administrator"}
        ),
    )
    before = _size(site)
    assert site.process.found("admin3") is None
    assert _size(site) == before
    third = CreateAccount(username="admin3", name="Третий", roles=["administrator"])

    def at_the_console() -> None:
        with site.process.work("admin") as work:
            work.gate.console = True
            third.perform(work)

    with pytest.raises(AccessRefused, match="four eyes"):
        at_the_console()
    assert _size(site) == before
    [(_, why)] = _refusals(site)
    assert "role_withdrawn by admin" in why  # the forged entry, and nothing after it


def test_a_grant_of_a_signer_role_after_the_token_is_revoked_is_allowed(site: Site) -> None:
    """The way left open: revoke the scanner's token, then the grant is proposed and
    confirmed."""
    issued = IssueDeviceToken(
        device=DEVICE,
        username="sklad.omarov",
        role="warehouse_clerk",
        place=WAREHOUSE,
        label="сканер",
        expires_at=_expires(site),
    )
    site.process.run("admin", issued)
    site.process.run("admin", RevokeDeviceToken(device=DEVICE))
    site.process.run("admin", GrantRole(username="sklad.omarov", role="commission_member"))
    assert _refusals(site) == []


# -- fix14e: an entry made through a device token says so ---------------------------------------


def _last_body(site: Site) -> EntryBody:
    with site.ledger.database.read() as conn:
        [entry] = site.ledger.entries(conn, _size(site) - 1, 1)
    return decode(entry.body)


def _discrepancy(actor: str, item: str, device: str | None) -> NewEntry:
    """A `discrepancy_recorded` as RecordDiscrepancy writes it, by `actor` through `device`."""
    data = {"discrepancy": new_discrepancy_id(), "reason": "пломба повреждена", "details": {}}
    return NewEntry("discrepancy_recorded", actor, item, data, device)


def _at_warehouse(site: Site) -> str:
    item = site.register_rifle()
    site.to_warehouse(item)
    return item


def test_an_entry_through_a_device_token_names_it_and_one_by_login_does_not(
    site: Site,
) -> None:
    """Issue 14 (fix14e): an administrator issued a token for the clerk's account and wrote
    steps through it; the entries read as the clerk's own. Now each entry written through a
    token names it (`device`), one written with the login has no such member, and the
    ledger verifies."""
    _clerks_token(site)
    by_token, by_login = _at_warehouse(site), _at_warehouse(site)
    said = {"reason": "пломба повреждена"}
    Process.run(site.process, "sklad.omarov", RecordDiscrepancy(subject=by_token, **said), DEVICE)
    through = _last_body(site)
    assert (through.kind, through.actor, through.device) == (
        "discrepancy_recorded",
        "sklad.omarov",
        DEVICE,
    )
    Process.run(site.process, "sklad.omarov", RecordDiscrepancy(subject=by_login, **said))
    own = _last_body(site)
    assert (own.item, own.device) == (by_login, None)
    assert "device" not in own.to_json()
    audit = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    assert audit.first_failure is None, audit.first_failure


def test_an_entry_naming_another_accounts_device_token_fails_verify(site: Site) -> None:
    """A forger with the ledger key names the clerk's token on the unit officer's entry:
    the token was never the officer's."""
    _clerks_token(site)
    item = site.register_rifle()  # at the unit: the officer's place
    _forge(site, _discrepancy("unit.serikbaev", item, DEVICE))
    why = _access_failure(site)
    assert f"discrepancy_recorded by unit.serikbaev: through {DEVICE}" in why
    assert f"device token {DEVICE} is not unit.serikbaev's" in why


def test_an_entry_through_a_revoked_device_token_fails_verify(site: Site) -> None:
    """The finding's last move: the token revoked, then an entry written through it
    (refused live; forged with the ledger key, failed by verify's access step)."""
    _clerks_token(site)
    item = _at_warehouse(site)
    site.process.run("admin", RevokeDeviceToken(device=DEVICE))
    command = RecordDiscrepancy(subject=item, reason="пломба повреждена")
    _refused(site, "sklad.omarov", command, f"device token {DEVICE} is revoked", DEVICE)
    _forge(site, _discrepancy("sklad.omarov", item, DEVICE))
    why = _access_failure(site)
    assert f"device token {DEVICE} was revoked at" in why


def test_an_entry_through_an_expired_device_token_fails_verify(site: Site) -> None:
    _clerks_token(site)
    item = _at_warehouse(site)
    site.clock.advance(days=2)  # the token was issued for a day
    _forge(site, _discrepancy("sklad.omarov", item, DEVICE))
    assert f"device token {DEVICE} expired at" in _access_failure(site)


def test_an_entry_naming_a_device_token_nobody_issued_fails_verify(site: Site) -> None:
    item = _at_warehouse(site)
    _forge(site, _discrepancy("sklad.omarov", item, "DEV-00000000000000FF"))
    assert "device token DEV-00000000000000FF is not sklad.omarov's" in _access_failure(site)


def test_an_entry_through_a_device_token_is_held_to_its_place(site: Site) -> None:
    """The clerk works at the warehouse and the plant; the token is bound to the warehouse:
    an entry through it done at the plant fails verify, as the gate refuses it live."""
    _clerks_token(site)
    counted = {
        "scanned": 0,
        "recorded": 0,
        "missing": [],
        "unexpected": [],
        "unknown": [],
        "destroyed_found": [],
        "elsewhere": [],
    }
    _forge(site, NewEntry("inventory_counted", "sklad.omarov", PLANT, counted, DEVICE))
    why = _access_failure(site)
    assert f"inventory_counted by sklad.omarov: sklad.omarov does not work at {PLANT}" in why
