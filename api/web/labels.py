"""What a person reads for each identifier of the process: one table of labels, by family
(roles, ledger entry kinds, states, kinds of place, categories and sources of items, the
reasons the process gives a discrepancy), every label an English msgid translated in the
ru, kk and en catalogues (`make messages`).

Every page takes its words from here, the dashboard's and the ledger browser's filters
included (api.web.render gives the templates `label(family, id)`); an id is shown only on
purpose, in a `<code>` beside its label, where a reader needs it (the ledger browser, the
administrator's grant form). tests/test_web_labels.py walks every page in each language and
finds no raw id of these families in what a person reads.

    label("role", "warehouse_clerk", gettext)   # "Кладовщик склада" in Russian
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Mark a message for extraction (api.web.i18n.N_, repeated: i18n imports this table)."""
    return message


ROLES = {
    "unit_officer": N_("unit officer"),
    "warehouse_clerk": N_("warehouse clerk"),
    "forensic_examiner": N_("forensic examiner"),
    "commission_member": N_("commission member"),
    "plant_representative": N_("plant representative"),
    "official": N_("authorising official"),
    "auditor": N_("auditor"),
    "administrator": N_("administrator"),
    "paymaster": N_("paymaster"),
}

# What each role does (workflows.access.DESCRIPTIONS, said to the reader).
DUTIES = {
    "unit_officer": N_(
        "registers items at intake, records decisions, appeals and suspensions, hands items "
        "over for transfer"
    ),
    "warehouse_clerk": N_(
        "receives transfers, sends rifled firearms to forensics, removes parts, deforms, cuts, "
        "loads and runs furnace and burn batches, counts the inventory, hands back to its "
        "owner an item whose decision was reversed"
    ),
    "forensic_examiner": N_(
        "receives and test-fires items, records bullet-registry results with their own key, "
        "returns items"
    ),
    "commission_member": N_("signs destruction statements with their own key"),
    "plant_representative": N_("is recorded as present at melting; reads"),
    "official": N_(
        "releases items from evidence hold with their own key, settles discrepancies, records "
        "appeals, suspensions, finality and reversals of decisions"
    ),
    "auditor": N_("reads everything, writes nothing"),
    "administrator": N_(
        "manages accounts, places, commissions, surrender campaigns and people's public keys"
    ),
    "paymaster": N_("pays compensation for surrendered items and checks the payments of others"),
}

# Every kind of ledger entry (custody.entries.KINDS); the process's steps among them.
KINDS = {
    "ledger_created": N_("Ledger created"),
    "key_added": N_("Key registered"),
    "key_rotated": N_("Key replaced"),
    "key_revoked": N_("Key revoked"),
    "change_proposed": N_("Change proposed (four eyes)"),
    "change_confirmed": N_("Change confirmed by a second administrator"),
    "change_declined": N_("Change declined"),
    "account_created": N_("Account made"),
    "role_granted": N_("Role granted"),
    "role_withdrawn": N_("Role withdrawn"),
    "place_assigned": N_("Place assigned"),
    "place_withdrawn": N_("Place withdrawn"),
    "account_disabled": N_("Account disabled"),
    "account_enabled": N_("Account enabled"),
    "device_token_issued": N_("Device token issued"),
    "device_token_revoked": N_("Device token revoked"),
    "location_added": N_("Place added"),
    "commission_member_added": N_("Commission member added"),
    "commission_member_removed": N_("Commission member removed"),
    "supervisor_assigned": N_("Answerable person assigned"),
    "supervisor_withdrawn": N_("Answerable person withdrawn"),
    "item_registered": N_("Intake"),
    "decision_recorded": N_("Decision recorded"),
    "decision_appealed": N_("Decision appealed"),
    "decision_suspended": N_("Decision suspended"),
    "decision_final": N_("Decision final"),
    "decision_reversed": N_("Decision reversed"),
    "item_returned": N_("Returned to owner"),
    "transfer_sent": N_("Sent on transfer"),
    "transfer_received": N_("Received from transfer"),
    "transfer_closed": N_("Transfer closed"),
    "forensic_sent": N_("Sent to forensics"),
    "forensic_received": N_("Received at forensics"),
    "test_fired": N_("Test-fired"),
    "registry_result_recorded": N_("Registry result"),
    "evidence_released": N_("Released from evidence"),
    "forensic_returned": N_("Returned from forensics"),
    "parts_removed": N_("Parts removed"),
    "parts_incinerated": N_("Parts incinerated"),
    "deformed": N_("Deformed"),
    "cut": N_("Cut"),
    "batch_opened": N_("Batch opened"),
    "batch_loaded": N_("Loaded into a batch"),
    "unloaded": N_("Unloaded from a batch"),
    "presence_recorded": N_("Presence recorded"),
    "melted": N_("Melted"),
    "fuses_removed": N_("Fuses removed"),
    "depackaged": N_("Depackaged"),
    "burned": N_("Burned"),
    "statement_signed": N_("Statement signed"),
    "discrepancy_recorded": N_("Discrepancy recorded"),
    "discrepancy_resolved": N_("Discrepancy resolved"),
    "inventory_counted": N_("Inventory counted"),
    "diversion_suspected": N_("Suspected of diversion"),
    "diversion_resolved": N_("Diversion suspicion settled"),
    "campaign_opened": N_("Campaign opened"),
    "compensation_paid": N_("Compensation paid"),
    "compensation_confirmed": N_("Compensation checked"),
}

STATES = {
    "registered": N_("registered"),
    "decided": N_("decided"),
    "appealed": N_("appealed"),
    "suspended": N_("suspended"),
    "final": N_("decision final"),
    "reversed": N_("decision reversed"),
    "returned": N_("returned"),
    "in_transit": N_("in transit"),
    "at_warehouse": N_("at the warehouse"),
    "to_forensics": N_("on the way to forensics"),
    "at_forensics": N_("at forensics"),
    "test_fired": N_("test-fired"),
    "evidence_hold": N_("held as evidence"),
    "examined": N_("examined"),
    "parts_removed": N_("parts removed"),
    "parts_incinerated": N_("parts incinerated"),
    "deformed": N_("deformed"),
    "cut": N_("cut"),
    "loaded": N_("loaded"),
    "melted": N_("melted"),
    "inspected": N_("inspected"),
    "depackaged": N_("depackaged"),
    "burned": N_("burned"),
    "destroyed": N_("destroyed"),
    "discrepancy": N_("discrepancy"),
    "lost": N_("lost"),
}

PLACE_KINDS = {
    "unit": N_("police unit"),
    "warehouse": N_("warehouse"),
    "forensics": N_("forensic unit"),
    "plant": N_("plant"),
}

CATEGORIES = {
    "firearm": N_("firearm"),
    "gas": N_("gas weapon"),
    "edged": N_("edged weapon"),
    "part": N_("part"),
    "ammunition": N_("ammunition"),
}

SOURCES = {
    "confiscated": N_("confiscated"),
    "surrendered": N_("surrendered"),
    "found": N_("found"),
    "surplus": N_("state surplus"),
}

# The reasons the process itself gives a discrepancy; a person's own reason is their text.
REASONS = {
    "weight": N_("the weights do not reconcile"),
    "received_not_sent": N_("received, but never sent"),
    "sent_not_received": N_("sent, but not received"),
    "diversion_suspected": N_("suspected of diversion (R11)"),
}

# The bullet registry's results (R3, R4), as the registry page offers them.
REGISTRY_RESULTS = {
    "no_match": N_("No match"),
    "match": N_("Match with a criminal case"),
    "not_testable": N_("Not testable"),
}

# What a key is for (custody.keys: a person's "act" or "witness" key, the "ledger"'s own).
PURPOSES = {
    "act": N_("signing a person's acts"),
    "witness": N_("co-signing checkpoints"),
    "ledger": N_("signing the ledger"),
}

LABELS: dict[str, dict[str, str]] = {
    "role": ROLES,
    "duty": DUTIES,
    "kind": KINDS,
    "state": STATES,
    "place_kind": PLACE_KINDS,
    "category": CATEGORIES,
    "source": SOURCES,
    "reason": REASONS,
    "registry_result": REGISTRY_RESULTS,
    "purpose": PURPOSES,
}


def label(family: str, value: str, gettext: Callable[[str], str]) -> str:
    """`value`'s label in `family`, said by `gettext`; a value the table does not know (a
    person's own text, a kind newer than this table) as it is. KeyError for an unknown family."""
    msgid = LABELS[family].get(value)
    return gettext(msgid) if msgid is not None else value
