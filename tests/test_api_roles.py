"""The role matrix is whole: every permission a role holds opens an endpoint, every step is
open to some role, and the people's acts belong to the roles whose people sign them."""

from __future__ import annotations

from api.access.roles import ADMIN, AUDITOR, PERMISSIONS, READ, ROLES, UPLOAD
from custody.entries import KINDS
from workflows.commands import REGISTRY


def test_every_permission_opens_an_endpoint_and_every_step_has_a_role() -> None:
    steps = set(REGISTRY)
    assert PERMISSIONS - {READ, UPLOAD, ADMIN} == steps
    assert steps <= KINDS  # named for the ledger entry they write


def test_the_auditor_reads_and_writes_nothing() -> None:
    assert ROLES[AUDITOR] == {READ}


def test_no_role_both_records_a_result_and_destroys() -> None:
    """Separation of duties: who examines an item is not who cuts or melts it."""
    destroying = {"deformed", "cut", "melted", "burned"}
    for permissions in ROLES.values():
        assert not ("registry_result_recorded" in permissions and permissions & destroying)
        assert not ("evidence_released" in permissions and permissions & destroying)
