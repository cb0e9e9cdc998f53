"""The shapes every command's input is made of: ids, free text, weights, counts, files and
people's signed acts. The process checks meaning (rules, states, places); these give the form,
so that a malformed command is refused naming the field, whichever way it came in."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, field_validator

from custody.acts import SignedAct
from workflows import grammar

# The grammar of docs/identifiers.md (workflows.grammar). The lengths are given to pydantic as
# well, so that the API's schema states them and an oversized value is refused before the
# grammar looks at it.
Id = Annotated[
    str,
    Field(min_length=1, max_length=grammar.MAX_ID, description="an id (docs/identifiers.md)"),
    AfterValidator(grammar.identifier),
]
Text = Annotated[
    str, Field(min_length=1, max_length=grammar.MAX_TEXT), AfterValidator(grammar.line)
]
"""Free text of one line: a name, a reference, a method, a reason."""
Note = Annotated[
    str, Field(min_length=1, max_length=grammar.MAX_TEXT), AfterValidator(grammar.text)
]
"""Free text that may run over lines (line feeds only)."""


def _empty_or_line(value: str) -> str:
    return value and grammar.line(value)


Label = Annotated[str, Field(max_length=128), AfterValidator(_empty_or_line)]
"""A short free label (a key request's device), "" for none: otherwise free text of one
line (grammar.line: no controls, bidi overrides, line separators)."""
Marking = Annotated[
    str,
    Field(min_length=1, max_length=grammar.MAX_MARKING, description="as the plate shows it"),
    AfterValidator(grammar.marking),
]
Word = Annotated[str, Field(min_length=1, max_length=64)]
"""A word of the process's vocabulary (a category, a role, a kind): the process names the
words it takes; this only bounds what it is shown."""
Date = Annotated[
    str,
    Field(min_length=10, max_length=10, description="YYYY-MM-DD"),
    AfterValidator(grammar.calendar_date),
]
ITEMS_MAX = 1000  # items one step applies to (one request: the API's, a web form's)
Items = Annotated[
    list[Id],
    Field(min_length=1, max_length=ITEMS_MAX, description="item ids, each once"),
    AfterValidator(grammar.not_repeated),
]
# Whole numbers are JSON integers: true, "500" and 500.0 are refused, not read as 1 or 500.
Grams = Annotated[int, Field(strict=True, gt=0, le=100_000_000)]
Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
Flag = StrictBool
Details = Annotated[
    dict[str, Any],
    Field(description="flat: type, model, calibre, manufacturer, country, year"),
    AfterValidator(grammar.details),
]


class Part(BaseModel):
    """A part of a command's input that is not a command itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FileIn(Part):
    """A file uploaded before (POST /files), as that call answered."""

    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(strict=True, ge=0)
    media_type: str = Field(max_length=64)
    role: str = Field(max_length=32, description="marking, before, after or document")


Files = Annotated[tuple[FileIn, ...], Field(max_length=100)]


def files(given: Sequence[FileIn]) -> list[dict[str, Any]]:
    """File references as entry data."""
    return [f.model_dump() for f in given]


class ActIn(Part):
    """A person's act and their detached Ed25519 signature over it (DESIGN §5)."""

    act: Annotated[
        dict[str, Any],
        AfterValidator(grammar.bounded_json),
        AfterValidator(grammar.act),
        Field(description="exactly its kind's shape (workflows.grammar.ACT_SHAPES)"),
    ]
    sig: str = Field(max_length=100, description="base64 of the 64-byte signature")

    @field_validator("sig")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            if len(base64.b64decode(value, validate=True)) != 64:
                raise ValueError("an Ed25519 signature is 64 bytes")
        except binascii.Error as exc:
            raise ValueError("the signature is base64") from exc
        return value

    def signed(self) -> SignedAct:
        return SignedAct(self.act, base64.b64decode(self.sig))

    @classmethod
    def of(cls, signed: SignedAct) -> ActIn:
        return cls(act=signed.act, sig=base64.b64encode(signed.sig).decode())
