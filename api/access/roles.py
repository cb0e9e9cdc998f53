"""The role matrix lives with the process (workflows.access), where the commands and the
verifier check it; the API reads it from there."""

from workflows.access import (
    ADMIN,
    ADMINISTRATOR,
    AUDITOR,
    COMMISSION_MEMBER,
    DESCRIPTIONS,
    FORENSIC_EXAMINER,
    OFFICIAL,
    PERMISSIONS,
    PLACE_KINDS,
    PLANT_REPRESENTATIVE,
    READ,
    ROLES,
    UNIT_OFFICER,
    UPLOAD,
    WAREHOUSE_CLERK,
    may,
    may_any,
)

__all__ = [
    "ADMIN",
    "ADMINISTRATOR",
    "AUDITOR",
    "COMMISSION_MEMBER",
    "DESCRIPTIONS",
    "FORENSIC_EXAMINER",
    "OFFICIAL",
    "PERMISSIONS",
    "PLACE_KINDS",
    "PLANT_REPRESENTATIVE",
    "READ",
    "ROLES",
    "UNIT_OFFICER",
    "UPLOAD",
    "WAREHOUSE_CLERK",
    "may",
    "may_any",
]
