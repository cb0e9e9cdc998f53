"""Separation of duties (issue 14, "one administrator acts as the commission"): an
administrator never changes their own account nor issues a device token to themselves, a
device token is never bound to the administrator role, and no account holds the
administrator's role beside one that signs, releases, attends a melting or pays. Each is
refused as it is written (ACCESS, nothing written) and fails `custody verify` when forged
into the log by someone holding the ledger key."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from sqlalchemy import text

from api.web import i18n
from custody.clock import format_time
from custody.verify import verify
from tests.support.forge import append_unchecked
from tests.support.site import PLANT, WAREHOUSE, Site
from workflows import access
from workflows.access import INCOMPATIBLE
from workflows.commands.accounts import (
    AssignPlace,
    CreateAccount,
    GrantRole,
    IssueDeviceToken,
    WithdrawPlace,
    WithdrawRole,
)
from workflows.commands.base import Command
from workflows.commands.inventory import ResolveDiscrepancy
from workflows.errors import AccessRefused, RuleViolation
from workflows.replay import refold, verify_steps

ACCESS_STEP = 11  # custody verify's access step (tests/test_access.py)
SECOND = "admin.second"
LANGS = ("ru", "kk", "en")


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _refused(site: Site, actor: str, command: Command, words: str) -> AccessRefused:
    """The command is refused under ACCESS, naming `words`, and nothing is written."""
    before = _size(site)
    with pytest.raises(AccessRefused) as refused:
        site.process.run(actor, command)
    assert refused.value.rule == "ACCESS"
    assert words in refused.value.message, refused.value.message
    assert _size(site) == before
    return refused.value


def _second_admin(site: Site) -> None:
    """A second administrator, and the first one made a warehouse clerk by them (a
    compatible pair), so that there are places and roles to change on one's own account."""
    site.process.run(
        "admin",
        CreateAccount(username=SECOND, name="Второй администратор", roles=["administrator"]),
    )
    site.process.run(SECOND, GrantRole(username="admin", role="warehouse_clerk"))
    site.process.run(SECOND, AssignPlace(username="admin", place=WAREHOUSE))


def _device(username: str, role: str, place: str | None) -> IssueDeviceToken:
    until = format_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    return IssueDeviceToken(
        device="DEV-00112233AABBCCDD",
        username=username,
        role=role,
        place=place,
        label="сканер №1",
        expires_at=until,
    )


def test_an_administrator_does_not_change_their_own_account(site: Site) -> None:
    _second_admin(site)
    own = "may not change their own account"
    _refused(site, "admin", AssignPlace(username="admin", place=PLANT), own)
    _refused(site, "admin", WithdrawPlace(username="admin", place=WAREHOUSE), own)
    _refused(site, "admin", WithdrawRole(username="admin", role="warehouse_clerk"), own)
    # Another administrator may: the same changes pass.
    site.process.run(SECOND, AssignPlace(username="admin", place=PLANT))
    site.process.run(SECOND, WithdrawRole(username="admin", role="warehouse_clerk"))
    # A grant (of a role one administrator gives: not the auditor's, which needs four eyes).
    _refused(site, "admin", GrantRole(username="admin", role="warehouse_clerk"), own)
    site.process.run(SECOND, GrantRole(username="admin", role="warehouse_clerk"))
    assert verify(site.ledger.database, extra_steps=verify_steps(site.files)).ok


def test_an_administrator_does_not_issue_a_device_token_to_themselves(site: Site) -> None:
    _second_admin(site)
    _refused(
        site,
        "admin",
        _device("admin", "warehouse_clerk", WAREHOUSE),
        "may not issue a device token to themselves",
    )
    # Nor does another for them: an administrator's account gets no device token at all,
    # whatever its binding (a signer's role: issue 14).
    _refused(
        site,
        SECOND,
        _device("admin", "warehouse_clerk", WAREHOUSE),
        "a device token is never issued for such an account",
    )


def test_a_device_token_is_never_bound_to_the_administrator_role(site: Site) -> None:
    _second_admin(site)
    _refused(
        site, "admin", _device(SECOND, "administrator", None), "never bound to the administrator"
    )


@pytest.mark.parametrize("pair", sorted(sorted(p) for p in INCOMPATIBLE))
def test_incompatible_roles_are_refused_together(site: Site, pair: list[str]) -> None:
    words = "separation of duties: one account does not hold these roles together"
    other = next(r for r in pair if r != "administrator")
    places = {"administrator": []}.get(other, [PLANT])
    _refused(
        site,
        "admin",
        CreateAccount(username="both.roles", name="Двое в одном", roles=pair, places=places),
        words,
    )
    # Granted one after the other, either way round.
    site.process.run(
        "admin",
        CreateAccount(username="admin.third", name="Третий администратор", roles=["administrator"]),
    )
    _refused(site, "admin", GrantRole(username="admin.third", role=other), words)
    holder = {
        "commission_member": "chair.nurlanov",
        "official": "official.zhakupov",
        "plant_representative": "plant.ivanov",
        "paymaster": "kassa.amanova",
    }[other]
    _refused(site, "admin", GrantRole(username=holder, role="administrator"), words)


def _forge_grant(site: Site, actor: str, username: str, role: str) -> int:
    """An attacker with the ledger key appends a role_granted entry and makes the accounts
    row agree, so that only the access step can see what is wrong."""
    signer = site.ledger.signer
    assert signer is not None
    with site.ledger.database.engine.begin() as conn:
        seq = append_unchecked(conn, signer, "role_granted", actor, username, {"role": role}).seq
        row = orjson.loads(
            conn.execute(
                text("SELECT data FROM wf_accounts WHERE id = :u"), {"u": username}
            ).scalar_one()
        )
        row["roles"] = sorted({*row["roles"], role})
        conn.execute(
            text("UPDATE wf_accounts SET data = :d WHERE id = :u"),
            {"d": orjson.dumps(row).decode(), "u": username},
        )
    return seq


def _access_failure(site: Site) -> tuple[int, int | None, str]:
    report = verify(site.ledger.database, extra_steps=verify_steps(site.files))
    failure = report.first_failure
    assert failure is not None, "the attack went unnoticed"
    return failure.number, failure.seq, str(failure.reason)


def test_a_forged_grant_of_an_incompatible_role_fails_verify(site: Site) -> None:
    # An attacker with the ledger key writes "admin grants chair.nurlanov administrator".
    seq = _forge_grant(site, "admin", "chair.nurlanov", "administrator")
    number, failed, reason = _access_failure(site)
    assert (number, failed) == (ACCESS_STEP, seq)
    assert "does not hold these roles together: administrator, commission_member" in reason


def test_a_forged_grant_to_oneself_fails_verify(site: Site) -> None:
    seq = _forge_grant(site, "admin", "admin", "auditor")
    number, failed, reason = _access_failure(site)
    assert (number, failed) == (ACCESS_STEP, seq)
    assert "admin may not change their own account (role_granted)" in reason


# -- a discrepancy is not settled by the one who recorded it (a breaker's finding, F5) ----------

DUAL = "dual.one"


def _recorded_by_dual(site: Site) -> tuple[str, str]:
    """An account holding a clerk's and an official's roles at the warehouse (a compatible
    pair) records a discrepancy about a rifle there. Returns (rifle, discrepancy)."""
    roles = ["official", "warehouse_clerk"]
    site.process.run(
        "admin", CreateAccount(username=DUAL, name="Двое в одном", roles=roles, places=[WAREHOUSE])
    )
    rifle = site.register_rifle()
    site.to_warehouse(rifle)
    return rifle, site.process.record_discrepancy(DUAL, rifle, "не найден при пересчёте")


def test_who_recorded_a_discrepancy_does_not_settle_it(site: Site) -> None:
    """The breaker's account, clerk and official at one warehouse, recorded a discrepancy and
    then wrote the rifle off as lost on its own word. Refused (ACCESS, separation of duties,
    nothing written); another official settles it, and the log verifies."""
    rifle, discrepancy = _recorded_by_dual(site)
    resolve = ResolveDiscrepancy(discrepancy=discrepancy, resolution="lost", note="не нашли")
    refused = _refused(site, DUAL, resolve, f"{DUAL} recorded {discrepancy} and may not settle")
    assert refused.message.startswith("separation of duties: ")
    site.process.run("official.zhakupov", resolve)
    assert site.process.item(rifle).state == "lost"
    assert verify(site.ledger.database, extra_steps=verify_steps(site.files)).ok


def test_a_discrepancy_settled_by_its_recorder_forged_into_the_log_fails_verify(
    site: Site,
) -> None:
    """An insider with the ledger key writes the self-settlement and rebuilds the state
    tables from the log, so that only the access step can see what is wrong."""
    rifle, discrepancy = _recorded_by_dual(site)
    signer = site.ledger.signer
    assert signer is not None
    data = {"discrepancy": discrepancy, "resolution": "lost", "note": "не нашли"}
    with site.ledger.database.engine.begin() as conn:
        seq = append_unchecked(conn, signer, "discrepancy_resolved", DUAL, rifle, data).seq
    refold(site.ledger.database)
    number, failed, reason = _access_failure(site)
    assert (number, failed) == (ACCESS_STEP, seq)
    assert f"separation of duties: {DUAL} recorded {discrepancy} and may not settle it" in reason


def test_the_new_duty_refusals_are_said_in_every_language() -> None:
    """What workflows.access writes for a self-settlement and for an account in a key
    owner's name, said in Russian and Kazakh with nothing left in English, the ids kept."""
    reasons = [
        access._settles_own(_World(), DUAL, "DISC-1"),
        access.key_owner_refusal("future.member2", "8cc9151a"),
    ]
    for reason in reasons:
        assert reason is not None
        said = {lang: i18n.refusal(RuleViolation("ACCESS", reason), lang) for lang in LANGS}
        assert said["en"] == f"Access: {reason}"  # the rule's word (i18n.RULE_WORDS)
        for lang in ("ru", "kk"):
            assert reason not in said[lang], (lang, said[lang])
            assert ("DISC-1" in reason) == ("DISC-1" in said[lang])
            assert ("8cc9151a" in reason) == ("8cc9151a" in said[lang])
        assert said["ru"] != said["kk"]


class _World:
    """The one table `_settles_own` reads: a discrepancy recorded by DUAL."""

    def __init__(self) -> None:
        self.discrepancies = {"DISC-1": _Recorded()}


class _Recorded:
    opened_by = DUAL
