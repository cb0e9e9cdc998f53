"""Whole numbers given on the command line: ASCII digits only (docs/identifiers.md).

Click's INT takes whatever Python's `int()` takes: `1_000`, `١٢٠٠` (Arabic-Indic digits),
`٣٠` or ` 30 `. A court record's CLI takes the digits 0-9 (and a leading minus where
negatives make sense), as the CSV import does, and says which option was wrong:

    days: Annotated[int, typer.Option(parser=Whole(1, 365))] = 90
"""

from __future__ import annotations

import re
from typing import Any

import typer

from workflows import grammar

_DIGITS = re.compile(r"-?[0-9]{1,19}", re.ASCII)
INT64 = 2**63 - 1
"""The largest whole number the CLI takes (a database's signed 64-bit integer)."""


class Whole:
    """A parser of a whole number in ASCII digits within [low, high] (both inclusive):
    `typer.Option(parser=Whole(1, 365))`. typer.BadParameter otherwise (a usage error:
    exit 2, one line)."""

    def __init__(self, low: int = -INT64, high: int = INT64) -> None:
        self.low, self.high = low, high

    def __call__(self, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value  # a default, given in the code
        elif isinstance(value, str) and _DIGITS.fullmatch(value):
            number = int(value)
        else:
            raise typer.BadParameter(
                f"{grammar.shown(value)} is not a whole number in ASCII digits 0-9"
            )
        if not self.low <= number <= self.high:
            raise typer.BadParameter(f"{number} is not in {self.low} to {self.high}")
        return number
