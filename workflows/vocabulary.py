"""The words of the process (DESIGN §3), as the ledger and the tables write them."""

from __future__ import annotations

from typing import Final

# What an item is. Weapons and parts go the weapon way; ammunition and explosives go in lots.
FIREARM, GAS, EDGED, PART, AMMUNITION = "firearm", "gas", "edged", "part", "ammunition"
CATEGORIES: Final = frozenset({FIREARM, GAS, EDGED, PART, AMMUNITION})
WEAPON_CATEGORIES: Final = frozenset({FIREARM, GAS, EDGED, PART})

# Where it came from.
CONFISCATED, SURRENDERED, FOUND, SURPLUS = "confiscated", "surrendered", "found", "surplus"
SOURCES: Final = frozenset({CONFISCATED, SURRENDERED, FOUND, SURPLUS})
# R2: confiscated, voluntarily surrendered or found after illegal holding, not state surplus.
FORENSIC_SOURCES: Final = frozenset({CONFISCATED, SURRENDERED, FOUND})

# Who decided: a court, an official empowered to review administrative offences, or (for
# state surplus) the military-technical commission.
COURT, OFFICIAL = "court", "official"
MILITARY_TECHNICAL_COMMISSION = "military_technical_commission"
AUTHORITIES: Final = frozenset({COURT, OFFICIAL, MILITARY_TECHNICAL_COMMISSION})

# Places.
UNIT, WAREHOUSE, FORENSICS, PLANT = "unit", "warehouse", "forensics", "plant"
LOCATION_KINDS: Final = frozenset({UNIT, WAREHOUSE, FORENSICS, PLANT})

# The bullet registry's answer (R3, R4).
NO_MATCH, MATCH, NOT_TESTABLE = "no_match", "match", "not_testable"
REGISTRY_RESULTS: Final = frozenset({NO_MATCH, MATCH, NOT_TESTABLE})

# Batches.
FURNACE, BURN = "furnace", "burn"

# Who can be present at a batch (R7, R9), and the roles in a commission.
COMMISSION_MEMBER, PLANT_REPRESENTATIVE = "commission_member", "plant_representative"
EXPERT = "expert"  # an ammunition-destruction expert (R9)
PRESENCE_ROLES: Final = frozenset({COMMISSION_MEMBER, PLANT_REPRESENTATIVE, EXPERT})
CHAIR, MEMBER = "chair", "member"
COMMISSION_ROLES: Final = frozenset({CHAIR, MEMBER})
# The languages a register may name a place or a commission in (`names`), the statement's.
NAME_LANGUAGES: Final = ("ru", "kk", "en")

# File roles on a step: a photo with the marking visible, before and after photos, documents.
MARKING_PHOTO, BEFORE, AFTER, DOCUMENT = "marking", "before", "after", "document"
FILE_ROLES: Final = frozenset({MARKING_PHOTO, BEFORE, AFTER, DOCUMENT})


def needs_forensics(category: str, rifled: bool, source: str) -> bool:
    """R2: rifled firearms confiscated, surrendered or found go to the bullet registry."""
    return category == FIREARM and rifled and source in FORENSIC_SOURCES


# The supervision register: who answers for a place's deadlines, and who above them, in the
# order an unacknowledged overdue notice climbs.
STAFF = "staff"
SUPERVISOR = "supervisor"
REGIONAL_HEAD = "regional_head"
LEVELS: Final = (STAFF, SUPERVISOR, REGIONAL_HEAD)

# Recorded at a place but not on its shelves: on the road, gone, or flagged already (what an
# inventory count does not expect to find: workflows.inventory).
NOT_ON_HAND: Final = frozenset(
    {"in_transit", "returned", "lost", "destroyed", "melted", "burned", "discrepancy"}
)
