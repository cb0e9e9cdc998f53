"""A proposed four-eyes change's fields as a person reads them (admin_changes.html.j2): each
field by its label, roles by their labels (labels.ROLES), places by their names in the
reader's language, never the command's keys and a Python list (`roles: ['unit_officer']`,
issue 16). Plain functions: the page gives the catalogue and the places' names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.web import labels
from api.web.i18n import N_

# The fields of the commands that wait for four eyes (workflows.dual: account_created,
# role_granted, key_added, key_rotated, commission_member_added/removed): msgids.
FIELD_LABELS = {
    "username": N_("Account"),
    "name": N_("Name"),
    "roles": N_("Roles"),
    "role": N_("Role"),
    "places": N_("Places"),
    "owner": N_("Owner"),
    "purpose": N_("Key's use"),
    "public_key": N_("Public key"),
    "key_id": N_("Key"),
    "commission": N_("Commission"),
    "person": N_("Person"),
    "names": N_("Names in the languages"),
    "since": N_("Since"),
}
# What a key is for (workflows.commands.keys.AddKey.purpose).
PURPOSES = labels.PURPOSES
# A commission member's part (workflows.commands.registers.AddCommissionMember.role).
MEMBER_ROLES = {"chair": N_("chair"), "member": N_("member")}
HIDDEN = frozenset({"possession"})  # a proof of the private key: bytes no one reads


def shown(
    kind: str,
    fields: Mapping[str, Any],
    gettext: Callable[[str], str],
    place_names: Mapping[str, str],
) -> list[tuple[str, str]]:
    """(label, value) of each field of a proposed change of entry `kind` with command input
    `fields`, in the catalogue's language; a field no table knows keeps its key as label
    and its value as text. An empty list reads "—"."""
    rows = []
    for key in sorted(fields):
        value = fields[key]
        if key in HIDDEN or value is None:
            continue
        label = gettext(FIELD_LABELS[key]) if key in FIELD_LABELS else key
        rows.append((label, _value(kind, key, value, gettext, place_names)))
    return rows


def _value(
    kind: str,
    key: str,
    value: Any,
    gettext: Callable[[str], str],
    place_names: Mapping[str, str],
) -> str:
    if isinstance(value, list):
        said = [_value(kind, key, v, gettext, place_names) for v in value]
        return ", ".join(said) if said else "—"
    if isinstance(value, dict):  # a commission's names: ru, kk, en
        return "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    text = str(value)
    if key in ("roles", "role") and kind != "commission_member_added":
        return labels.label("role", text, gettext)
    if key == "role":
        return gettext(MEMBER_ROLES[text]) if text in MEMBER_ROLES else text
    if key == "places":
        return place_names.get(text, text)
    if key == "purpose":
        return gettext(PURPOSES[text]) if text in PURPOSES else text
    return text
