"""Rows of a CSV file as intakes, for `custody import`. The header (UTF-8, comma-separated):

    item            the id on its label (made here when empty)
    category        firearm, gas, edged, part or ammunition                  (required)
    source          confiscated, surrendered, found or surplus               (required)
    location        the unit (or, for surplus, the warehouse) it comes in at (required)
    weight_g        its weight in grams                                      (required)
    rifled          yes/no (firearms)
    marking         the serial or marking as it reads
    marking_place   where on the item it is marked
    unmarked        yes when it bears none (R10: its id becomes its internal tag)
    quantity        rounds or pieces (ammunition lots)
    type, model, calibre, manufacturer, country, year      what it is
    decision_ref, decision_authority, decision_date         for surplus: the decision
    photo           a photo with the marking visible, a path relative to the CSV file

Parsing is the shape only; the rules (R10, places, known markings) are the process's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workflows.commands.intake import IntakeIn, new_item_id

REQUIRED = ("category", "source", "location", "weight_g")
DETAILS = ("type", "model", "calibre", "manufacturer", "country", "year")
KNOWN = frozenset(
    {
        "item",
        *REQUIRED,
        "rifled",
        "marking",
        "marking_place",
        "unmarked",
        "quantity",
        *DETAILS,
        "decision_ref",
        "decision_authority",
        "decision_date",
        "photo",
    }
)
_YES, _NO = {"yes", "y", "true", "1", "да"}, {"no", "n", "false", "0", "нет", ""}


class RowError(ValueError):
    pass


def check_header(header: list[str] | None) -> None:
    if not header:
        raise RowError("the file is empty: the first line is the header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RowError(f"the header lacks {', '.join(missing)}")
    unknown = [c for c in header if c not in KNOWN]
    if unknown:
        raise RowError(f"unknown column {unknown[0]!r}")


def intake_of(row: dict[str, str], photo: Callable[[Path], dict[str, Any]], base: Path) -> IntakeIn:
    """The intake a row describes; RowError names what is wrong with it."""
    cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
    for column in REQUIRED:
        if not cell.get(column):
            raise RowError(f"{column} is empty")
    details: dict[str, Any] = {k: cell[k] for k in DETAILS if cell.get(k)}
    if "year" in details:
        details["year"] = _whole(details["year"], "year")
    decision = None
    if cell.get("decision_ref"):
        decision = {
            "ref": cell["decision_ref"],
            "authority": cell.get("decision_authority", ""),
            "date": cell.get("decision_date", ""),
        }
    files = [photo(base / cell["photo"])] if cell.get("photo") else []
    given = dict(
        item=cell.get("item") or new_item_id(),
        category=cell["category"],
        source=cell["source"],
        location=cell["location"],
        weight_g=_whole(cell["weight_g"], "weight_g"),
        rifled=_flag(cell.get("rifled", ""), "rifled"),
        marking=cell.get("marking") or None,
        marking_place=cell.get("marking_place") or None,
        unmarked=_flag(cell.get("unmarked", ""), "unmarked"),
        quantity=_whole(cell["quantity"], "quantity") if cell.get("quantity") else None,
        details=details,
        decision=decision,
        files=files,
    )
    try:
        return IntakeIn.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RowError(f"{where}: {first['msg']}") from None


def _whole(text: str, column: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RowError(f"{column} is not a whole number: {text!r}") from None


def _flag(text: str, column: str) -> bool:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise RowError(f"{column} is yes or no, not {text!r}")
