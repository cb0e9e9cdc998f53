"""Who may do what (DESIGN §2), as data: each role and the permissions it holds.

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

from typing import Final

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
            "forensic_sent",
            "parts_removed",
            "parts_incinerated",
            "deformed",
            "cut",
            "fuses_removed",
            "depackaged",
            "batch_opened",
            "batch_loaded",
            "presence_recorded",
            "melted",
            "burned",
            "discrepancy_recorded",
            "inventory_counted",
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
    # The authorising official: ends evidence holds and settles discrepancies.
    OFFICIAL: frozenset({READ, "evidence_released", "discrepancy_resolved"}),
    AUDITOR: frozenset({READ}),
    ADMINISTRATOR: frozenset(
        {
            ADMIN,
            "location_added",
            "commission_member_added",
            "commission_member_removed",
            "key_added",
            "key_rotated",
            "key_revoked",
        }
    ),
}

DESCRIPTIONS: Final[dict[str, str]] = {
    UNIT_OFFICER: "registers items at intake, records decisions, appeals and suspensions, "
    "hands items over for transfer",
    WAREHOUSE_CLERK: "receives transfers, sends rifled firearms to forensics, removes parts, "
    "deforms, cuts, loads and runs furnace and burn batches, counts the inventory",
    FORENSIC_EXAMINER: "receives and test-fires items, records bullet-registry results with "
    "their own key, returns items",
    COMMISSION_MEMBER: "signs destruction statements with their own key",
    PLANT_REPRESENTATIVE: "is recorded as present at melting; reads",
    OFFICIAL: "releases items from evidence hold with their own key, settles discrepancies",
    AUDITOR: "reads everything, writes nothing",
    ADMINISTRATOR: "manages accounts, places, commissions and people's public keys",
}

PERMISSIONS: Final[frozenset[str]] = frozenset().union(*ROLES.values())


def may(role: str, permission: str) -> bool:
    return permission in ROLES.get(role, frozenset())
