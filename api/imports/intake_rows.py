"""A row of an intake table (CSV or xlsx) as the intake it describes: the very `IntakeIn`
the HTTP API takes (workflows.commands.intake), so every way in is checked by one model.

The columns, by their header names:

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
    decision_ref, decision_authority, decision_date         the decision (surplus at a
                    warehouse: in its entry; at a unit: recorded as decision_recorded, R1)
    photo           a photo with the marking visible: a file beside the table (`custody
                    import`) or one sent with the web form, by its name (api.imports.photos)

Whole numbers are ASCII digits only: Python's int() would take `1_200` and Arabic-Indic
`١٢٠٠`, which no clerk typed as a weight. Parsing is the shape only; what a cell may hold
(the grammar of ids and markings) is the command model's, and the rules (R10, places, known
markings) are the process's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from workflows import grammar
from workflows.commands.intake import IntakeIn, new_item_id

REQUIRED = ("category", "source", "location", "weight_g")
DETAILS = ("type", "model", "calibre", "manufacturer", "country", "year")
DECISION = ("decision_ref", "decision_authority", "decision_date")
COLUMNS = (
    "item",
    *REQUIRED,
    "rifled",
    "marking",
    "marking_place",
    "unmarked",
    "quantity",
    *DETAILS,
    *DECISION,
    "photo",
)
_KNOWN = frozenset(COLUMNS)
_YES = frozenset({"yes", "y", "true", "1", "да", "иә"})
_NO = frozenset({"no", "n", "false", "0", "нет", "жоқ", ""})
# Digits of a whole number cell: a weight in grams, a year, a count of rounds each fit in 18;
# Python's int() refuses text of more than 4,300 digits with an error the person cannot act on.
DIGITS_MAX = 18

# The photo cell's text as written -> the stored file's reference (or RowError).
Photo = Callable[[str], dict[str, Any]]


class RowError(ValueError):
    """What is wrong with a row (or the header), and in which column."""

    def __init__(self, column: str | None, message: str) -> None:
        self.column, self.message = column, message
        super().__init__(f"column {column}: {message}" if column else message)


def check_header(header: list[str]) -> None:
    """Raises RowError for an empty header, a missing required column, an unknown or a
    repeated one."""
    if not any(header):
        raise RowError(None, "the file is empty: the first line is the header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RowError(None, f"the header lacks {', '.join(missing)}")
    unknown = [c for c in header if c not in _KNOWN]
    if unknown:
        raise RowError(None, f"unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    repeated = [c for c in header if header.count(c) > 1]
    if repeated:
        raise RowError(None, f"column {repeated[0]} is in the header twice")


def intake_of(row: Mapping[str, str], photo: Photo) -> IntakeIn:
    """The intake a row ({column: cell text}) describes; RowError names the column."""
    # the one normalisation of typed text (grammar.typed): spaces and tabs at the ends
    cell = grammar.typed_cells(row)
    for column in REQUIRED:
        if not cell.get(column):
            raise RowError(column, "is empty")
    try:
        return IntakeIn.model_validate(_given(cell, photo))
    except ValidationError as exc:
        first = exc.errors()[0]
        column = _column_of(first["loc"])
        # pydantic's "Value error, " is its wording, not the refusal's (issue 12)
        message = first["msg"].removeprefix("Value error, ")
        detail = re.fullmatch(r"details\.(\w+) (.+)", message, re.S)
        if column == "details" and "details.year" in first["msg"]:
            column = "year"
        elif column == "details" and detail is not None and detail[1] in DETAILS:
            # the detail's own column (`type`), as the file's header names it, not the
            # model's path (details.type)
            column, message = detail[1], f"the text {detail[2]}"
        raise RowError(column, message) from None


def _given(cell: dict[str, str], photo: Photo) -> dict[str, Any]:
    """The intake's fields as the HTTP API's JSON gives them: a field whose cell is empty
    (or a flag's no) is left out, so the model's default holds, exactly as when the cell
    had been given empty; the model then runs its checks on what was given only (each of
    them passes a default), not five more for each of up to 100,000 rows (bench/imports.py).
    RowError for a whole number or a flag that is not one (in the order of the columns
    checked before: year, weight_g, rifled, unmarked, quantity; then the photo's)."""
    details: dict[str, Any] = {k: cell[k] for k in DETAILS if cell.get(k)}
    if "year" in details:
        details["year"] = whole(details["year"], "year")
    given: dict[str, Any] = {
        "item": cell.get("item") or new_item_id(),
        "category": cell["category"],
        "source": cell["source"],
        "location": cell["location"],
        "weight_g": whole(cell["weight_g"], "weight_g"),
    }
    if flag(cell.get("rifled", ""), "rifled"):
        given["rifled"] = True
    for column in ("marking", "marking_place"):
        if cell.get(column):
            given[column] = cell[column]
    if flag(cell.get("unmarked", ""), "unmarked"):
        given["unmarked"] = True
    if cell.get("quantity"):
        given["quantity"] = whole(cell["quantity"], "quantity")
    if details:
        given["details"] = details
    if cell.get("decision_ref") or cell.get("decision_authority") or cell.get("decision_date"):
        given["decision"] = {
            "ref": cell.get("decision_ref", ""),
            "authority": cell.get("decision_authority", ""),
            "date": cell.get("decision_date", ""),
        }
    if cell.get("photo"):
        given["files"] = [photo(cell["photo"])]
    return given


def _column_of(loc: tuple[int | str, ...]) -> str:
    """The column a model field came from: decision.date is decision_date, files is photo."""
    head = str(loc[0]) if loc else "?"
    if head == "decision" and len(loc) > 1:
        return f"decision_{loc[1]}"
    if head == "details" and len(loc) > 1:
        return str(loc[1])
    return "photo" if head == "files" else head


def whole(text: str, column: str) -> int:
    """A whole number written in ASCII digits, at most DIGITS_MAX of them, or RowError."""
    # ASCII and digits is [0-9]+ (isdigit alone takes ² and ١), without a regex's call
    if not (text.isascii() and text.isdigit()):
        raise RowError(column, f"{grammar.shown(text)} is not a whole number in ASCII digits")
    if len(text) > DIGITS_MAX:
        raise RowError(column, f"has {len(text):,} digits, more than {DIGITS_MAX}")
    return int(text)


def flag(text: str, column: str) -> bool:
    """yes/no (and да/нет, иә/жоқ, true/false, 1/0); empty is no."""
    if not text:  # the usual cell
        return False
    said = text.lower()
    if said in _YES:
        return True
    if said in _NO:
        return False
    raise RowError(column, f"is yes or no, not {text!r}")
