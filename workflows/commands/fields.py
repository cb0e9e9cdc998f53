"""The shapes every command's input is made of: ids, free text, weights, counts, files and
people's signed acts. The process checks meaning (rules, states, places); these give the form,
so that a malformed command is refused naming the field, whichever way it came in."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custody.acts import SignedAct

Id = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Items = Annotated[list[Id], Field(min_length=1, max_length=1000, description="item ids")]
Grams = Annotated[int, Field(gt=0, le=100_000_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class Part(BaseModel):
    """A part of a command's input that is not a command itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FileIn(Part):
    """A file uploaded before (POST /files), as that call answered."""

    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str = Field(max_length=64)
    role: str = Field(max_length=32, description="marking, before, after or document")


Files = Annotated[tuple[FileIn, ...], Field(max_length=100)]


def files(given: Sequence[FileIn]) -> list[dict[str, Any]]:
    """File references as entry data."""
    return [f.model_dump() for f in given]


class ActIn(Part):
    """A person's act and their detached Ed25519 signature over it (DESIGN §5)."""

    act: dict[str, Any]
    sig: str = Field(description="base64 of the 64-byte signature")

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
