"""What a statement's pages say, as plain data made from its evidence alone.

The renderer lays this out; `verify-statement` makes it again from the attached evidence and
compares it with the text it reads back from the PDF, so both must come from here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from certificates import office
from certificates.qr_payload import Payload
from certificates.regions import region_name
from certificates.words import word, words
from custody.checkpoint import parse_note
from custody.clock import parse_time
from workflows import membership

FURNACE_COLUMNS = (
    "n", "id", "marking", "category", "model", "calibre", "source", "decision", "registry",
    "weight",
)  # fmt: skip
BURN_COLUMNS = ("n", "id", "marking", "calibre", "quantity", "source", "decision", "weight")
FACTS = (
    "charge_weight_g", "scrap_weight_g", "items_weight_g", "difference_g", "tolerance_g",
    "method", "quantity", "explosive_type", "explosive_amount",
)  # fmt: skip


@dataclass(frozen=True)
class Signature:
    person: str  # the user id that signed
    name: str  # as printed: full name and position from the commission's entry, else the id
    role: str  # as printed: the commission's chair or a member
    key_id: str
    time: str  # as printed
    seq: int


@dataclass(frozen=True)
class Page:
    lang: str
    title: str
    header: list[tuple[str, str]]
    method: str
    columns: list[str]
    rows: list[list[str]]
    facts: list[tuple[str, str]]
    # The batch's discrepancies and how each was settled (issue 16): one list of (label,
    # value) each, as printed; empty for a statement that states none.
    discrepancies: list[list[tuple[str, str]]]
    signatures: list[Signature]
    final: bool
    status: str
    footer: str
    checkpoint: str  # "size root" as printed
    qr: str  # what the QR code on each page carries


def qr_text(evidence: dict[str, Any]) -> str:
    """What the QR code of the statement `evidence` records carries (its page.public_url's
    address, else the version 1 text), as build() lays it; KeyError/ValueError if malformed."""
    size, root = _checkpoint_line(evidence["checkpoint"])
    base = evidence["page"].get("public_url")
    return Payload(evidence["statement"]["batch"], evidence["sha256"], size, root, base).text()


def build(evidence: dict[str, Any], lang: str, zone: str, public_url: str | None = None) -> Page:
    """The page of a statement; its QR code is an address of the public check under
    `public_url` where one is given, else the version 1 text (certificates.qr_payload)."""
    w = words(lang)
    statement = evidence["statement"]
    kind = statement["kind"]
    batch_chain = [json.loads(e["body"]) for e in evidence["chains"][statement["batch"]]]
    chairs = _chairs(evidence)
    people = _people(evidence)
    destroyed_at = statement["destroyed_at"] or ""
    signatures = [
        _signature(b, chairs, people, destroyed_at, lang, zone) for b in batch_chain if _signed(b)
    ]
    quorum = next((b["data"].get("quorum") for b in batch_chain if _destroyed(b)), None)
    final = quorum is not None and len({s.person for s in signatures}) >= quorum
    size, root = _checkpoint_line(evidence["checkpoint"])
    columns = FURNACE_COLUMNS if kind == "furnace" else BURN_COLUMNS
    return Page(
        lang=lang,
        title=w[f"title.{kind}"],
        header=_header(statement, chairs, lang, zone, _regions_named(evidence)),
        method=w[f"method.{kind}"],
        columns=[w[f"col.{c}"] for c in columns],
        rows=[_row(n, item, columns, lang) for n, item in enumerate(statement["items"], 1)],
        facts=_facts(statement["facts"], lang) + _removed(evidence, lang),
        discrepancies=[
            discrepancy_lines(d, lang, zone) for d in statement.get("discrepancies", [])
        ],
        signatures=signatures,
        final=final,
        status=w["status.final" if final else "status.pending"],
        footer=f"{statement['batch']} · SHA-256 {evidence['sha256'][:16]}",
        checkpoint=f"{size} {root}",
        qr=Payload(statement["batch"], evidence["sha256"], size, root, public_url).text(),
    )


def moment(value: str | None, lang: str, zone: str) -> str:
    """A ledger time in the reader's zone, with the UTC time beside it."""
    if value is None:
        return ""
    at = parse_time(value)
    local = format_datetime(at, "long", tzinfo=ZoneInfo(zone), locale=lang)
    return f"{local} ({at.astimezone(dt.UTC):%Y-%m-%d %H:%M} {word(lang, 'utc')})"


def kilograms(grams: int | None, lang: str) -> str:
    if grams is None:
        return ""
    return format_decimal(Decimal(grams) / 1000, format="#,##0.000", locale=lang)


def _regions_named(evidence: dict[str, Any]) -> bool:
    """Whether the page names the place's region in its language (certificates.regions): a
    statement being printed does (it has no "page" yet), and one printed so says it in its
    page evidence (render.render); one printed before printed the register's string as it
    is, and is drawn again so, for verify-statement to find the text it printed."""
    shown = evidence.get("page")
    return shown is None or shown.get("regions") is True


def _header(
    statement: dict[str, Any], chairs: set[str], lang: str, zone: str, regions: bool = True
) -> list[tuple[str, str]]:
    w = words(lang)
    place = statement["location"]
    region = region_name(place["region"], lang) if regions else place["region"]
    present = "; ".join(
        f"{named(p)} ({word(lang, _role(p['person'], p['role'], chairs))})"
        for p in statement["present"]
    )
    return [
        (w["batch"], statement["batch"]),
        (w["place"], f"{in_language(place, lang)}, {region}"),
        (w["installation"], statement["installation"]),
        (w["destroyed_at"], moment(statement["destroyed_at"], lang, zone)),
        (w["commission"], in_language(statement["commission"], lang)),
        (w["present"], present),
    ]


def in_language(register: dict[str, Any], lang: str) -> str:
    """A place's or commission's name in `lang` where the register gives one, else its name."""
    names = register.get("names") or {}
    return str(names.get(lang) or register["name"])


def named(person: dict[str, Any]) -> str:
    """A person as a legal act names them: full name and position where the ledger records
    them (their presence or commission entry), else their user id."""
    full_name = person.get("full_name")
    if not full_name:
        return str(person["person"])
    position = person.get("position")
    return f"{full_name}, {position}" if position else str(full_name)


def _row(n: int, item: dict[str, Any], columns: tuple[str, ...], lang: str) -> list[str]:
    cells = {
        "n": str(n),
        "id": item["id"],
        "marking": item["marking"] or item["internal_tag"] or "",
        "category": word(lang, item["category"]),
        "model": item["model"] or "",
        "calibre": item["calibre"] or "",
        "quantity": ""
        if item["quantity"] is None
        else format_decimal(item["quantity"], locale=lang),
        "source": word(lang, item["source"]),
        "decision": item["decision"] or "",
        "registry": word(lang, item["registry_result"]),
        "weight": kilograms(item["weight_g"], lang),
    }
    return [cells[c] for c in columns]


# What the public check page repeats of the paper (api/web/public_check.py): each item's id,
# kind, marking (a lot's quantity) and weight as printed, and the totals the paper states.
PUBLIC_COLUMNS = {
    "furnace": ("n", "id", "category", "marking", "weight"),
    "burn": ("n", "id", "category", "marking", "quantity", "weight"),
}
TOTALS = (
    "items_weight_g", "charge_weight_g", "scrap_weight_g", "difference_g", "tolerance_g",
    "quantity",
)  # fmt: skip


def listed(statement: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    """The statement's items as the paper prints their cells, in PUBLIC_COLUMNS of its kind:
    the column headings and one row each, in the statement's order. KeyError if `statement`
    is not a statement's content (workflows.statements.content)."""
    w = words(lang)
    columns = PUBLIC_COLUMNS[statement["kind"]]
    rows = [_row(n, item, columns, lang) for n, item in enumerate(statement["items"], 1)]
    return [w[f"col.{c}"] for c in columns], rows


def totals(statement: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The totals the paper states among its facts (TOTALS), each as printed."""
    return _facts(statement["facts"], lang, TOTALS)


def _facts(
    facts: dict[str, Any], lang: str, names: tuple[str, ...] = FACTS
) -> list[tuple[str, str]]:
    w = words(lang)
    shown = []
    for name in names:
        if name not in facts:
            continue
        value = facts[name]
        if name.endswith("_weight_g") or name in ("difference_g", "tolerance_g"):
            text = kilograms(value, lang)
        elif isinstance(value, int):
            text = format_decimal(value, locale=lang)
        else:
            text = str(value)
        shown.append((w[f"fact.{name}"], text))
    return shown


# A weight discrepancy's details as printed, each beside the fact of the same figure.
DISCREPANCY_WEIGHTS = (
    ("expected_g", "fact.items_weight_g"),
    ("charge_g", "fact.charge_weight_g"),
    ("difference_g", "fact.difference_g"),
    ("tolerance_g", "fact.tolerance_g"),
)


def discrepancy_lines(discrepancy: dict[str, Any], lang: str, zone: str) -> list[tuple[str, str]]:
    """One discrepancy of a statement (workflows.statements.discrepancy_line) as the paper
    prints it: its id, reason, when it was found, the weights it recorded (kg), and how it
    was settled (resolution, when, the note, a corrected charge weight)."""
    w = words(lang)
    reason = discrepancy["reason"]
    details = discrepancy["details"]
    lines = [
        (w["disc.id"], discrepancy["discrepancy"]),
        (w["disc.reason"], w.get(f"reason.{reason}", reason)),
        (w["disc.recorded_at"], moment(discrepancy["recorded_at"], lang, zone)),
    ]
    lines += [
        (w[label], kilograms(details[name], lang))
        for name, label in DISCREPANCY_WEIGHTS
        if isinstance(details.get(name), int)
    ]
    resolution = discrepancy["resolution"]
    lines.append((w["disc.resolution"], w[f"resolution.{resolution or 'open'}"]))
    if resolution is not None:
        lines.append((w["disc.resolved_at"], moment(discrepancy["resolved_at"], lang, zone)))
        lines.append((w["disc.note"], str(discrepancy["note"] or "")))
    if "corrected_charge_g" in discrepancy:
        corrected = kilograms(discrepancy["corrected_charge_g"], lang)
        lines.append((w["disc.corrected_charge_g"], corrected))
    return lines


REMOVED = ("fuses", "firing_devices", "detonators")


def _removed(evidence: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """R9: the fuses, firing devices and detonators taken out of the lots, from their entries."""
    if evidence["statement"]["kind"] != "burn":
        return []
    totals = dict.fromkeys(REMOVED, 0)
    for item in evidence["statement"]["items"]:
        for raw in evidence["chains"].get(item["id"], []):
            body = json.loads(raw["body"])
            if body["kind"] == "fuses_removed":
                for name in REMOVED:
                    totals[name] += int(body["data"].get(name, 0))
    w = words(lang)
    return [(w[f"removed.{name}"], format_decimal(totals[name], locale=lang)) for name in REMOVED]


def _signed(body: dict[str, Any]) -> bool:
    return bool(body["kind"] == "statement_signed")


def _destroyed(body: dict[str, Any]) -> bool:
    return body["kind"] in ("melted", "burned") and "quorum" in body["data"]


def _commission(evidence: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """The commission's entries as (kind, data, time), in log order."""
    bodies = (
        json.loads(raw["body"])
        for raw in evidence["chains"][evidence["statement"]["commission"]["id"]]
    )
    return [(b["kind"], b["data"], b["time"]) for b in bodies]


def _chairs(evidence: dict[str, Any]) -> set[str]:
    """Who chaired the commission at the destruction, from the commission's own entries."""
    held = office.in_office(_commission(evidence), evidence["statement"]["destroyed_at"] or "")
    return {person for person, role in held.items() if role == "chair"}


def _role(person: str, role: str, chairs: set[str]) -> str:
    return "chair" if role == "commission_member" and person in chairs else role


def _people(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Every membership period of the commission, from its entries (certificates.office)."""
    return office.periods(_commission(evidence))


def _signature(
    body: dict[str, Any],
    chairs: set[str],
    people: list[dict[str, Any]],
    destroyed_at: str,
    lang: str,
    zone: str,
) -> Signature:
    """A signer named as the register stood when they signed (workflows.membership.as_signed):
    a position changed later does not rename them on a statement rendered again."""
    act = body["data"]["act"]
    person = act["person"]
    role = word(lang, _role(person, "commission_member", chairs))
    when = moment(body["time"], lang, zone)
    period = membership.as_signed(people, person, body["time"], destroyed_at)
    name = named(dict(period) if period is not None else {"person": person})
    return Signature(person, name, role, act["key_id"], when, body["seq"])


def _checkpoint_line(note: str) -> tuple[int, str]:
    checkpoint, _ = parse_note(note)
    return checkpoint.size, checkpoint.root.hex()
