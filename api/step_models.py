"""What each step's request carries. The process checks meaning (rules, states, places);
these only give the shape, so that a malformed request is a 422 naming the field."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custody.acts import SignedAct

Id = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Items = Annotated[list[Id], Field(min_length=1, max_length=1000, description="item ids")]
Grams = Annotated[int, Field(gt=0, le=100_000_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileIn(Model):
    """A file uploaded before (POST /files), as that call answered."""

    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str = Field(max_length=64)
    role: str = Field(max_length=32, description="marking, before, after or document")


Files = Annotated[list[FileIn], Field(default_factory=list, max_length=100)]


def files(given: list[FileIn]) -> list[dict[str, Any]]:
    return [f.model_dump() for f in given]


class ActIn(Model):
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


class DecisionIn(Model):
    ref: Text
    authority: str = Field(description="court, official or military_technical_commission")
    date: str = Field(description="YYYY-MM-DD")


class IntakeIn(Model):
    category: str = Field(description="firearm, gas, edged, part or ammunition")
    source: str = Field(description="confiscated, surrendered, found or surplus")
    location: Id
    weight_g: Grams
    item: Id | None = Field(default=None, description="the id on its label; made if absent")
    rifled: bool = False
    marking: Text | None = None
    marking_place: Text | None = None
    unmarked: bool = Field(default=False, description="R10: its id is then its internal tag")
    quantity: int | None = Field(default=None, gt=0, description="ammunition lots")
    details: dict[str, Any] = Field(
        default_factory=dict, description="type, model, calibre, manufacturer, country, year"
    )
    decision: DecisionIn | None = None
    files: Files


class RegisterIn(Model):
    intakes: list[IntakeIn] = Field(min_length=1, max_length=1000)


class DecisionRecordIn(Model):
    items: Items
    decision: DecisionIn
    files: Files


class DecisionStepIn(Model):
    items: Items
    note: Text | None = None
    files: Files


class ReturnIn(Model):
    items: Items
    owner: Text


class SendIn(Model):
    transfer: Id
    destination: Id
    items: Items


class ReceiveIn(Model):
    transfer: Id
    items: Items = Field(description="as scanned on arrival")


class CloseIn(Model):
    transfer: Id


class ForensicSendIn(Model):
    items: Items
    forensics: Id


class ItemsIn(Model):
    items: Items


class ResultIn(Model):
    item: Id
    act: ActIn


class RegistryResultsIn(Model):
    results: list[ResultIn] = Field(min_length=1, max_length=1000)


class ReleaseIn(Model):
    item: Id
    act: ActIn


class ForensicReturnIn(Model):
    items: Items
    warehouse: Id


class PartsRemovedIn(Model):
    items: Items
    parts: list[Text] = Field(min_length=1, max_length=50)
    files: Files


class ItemsWithFilesIn(Model):
    items: Items
    files: Files


class DeformIn(Model):
    items: Items
    method: Text
    files: Files


class CutIn(Model):
    weights: dict[Id, Grams] = Field(
        min_length=1, max_length=1000, description="each item's weight after cutting"
    )
    barrel_along: bool
    barrel_across: bool
    parts_through: bool
    files: Files
    per_item_files: dict[Id, list[FileIn]] | None = None


class FusesIn(Model):
    item: Id
    fuses: Count
    firing_devices: Count
    detonators: Count
    files: Files


class DepackageIn(Model):
    weights: dict[Id, Grams] = Field(min_length=1, max_length=1000)
    files: Files


class BatchOpenIn(Model):
    batch: Id
    kind: str = Field(description="furnace or burn")
    location: Id
    installation: Text
    commission: Id


class LoadIn(Model):
    batch: Id
    items: Items = Field(description="as scanned at the furnace or bunker")


class PresentIn(Model):
    person: Id
    role: str = Field(description="commission_member, plant_representative or expert")
    full_name: Text | None = Field(
        default=None,
        description="as the statement prints it (a commission member's: from the commission)",
    )
    position: Text | None = Field(default=None, description="their post, as printed")


class PresenceIn(Model):
    batch: Id
    present: list[PresentIn] = Field(min_length=1, max_length=100)


class DestroyIn(Model):
    batch: Id
    facts: dict[str, Any] = Field(
        description="charge_weight_g, scrap_weight_g; for a burn also method, quantity, "
        "explosive_type, explosive_amount"
    )
    files: Files
    per_item: dict[Id, dict[str, Any]] | None = None


class StatementSignIn(Model):
    batch: Id
    act: ActIn


class DiscrepancyIn(Model):
    subject: Id
    reason: Text
    details: dict[str, Any] | None = None


class ResolveIn(Model):
    discrepancy: Id
    resolution: str = Field(description="found, lost or corrected")
    note: Text


class LocationIn(Model):
    location: Id
    kind: str = Field(description="unit, warehouse, forensics or plant")
    name: Text
    region: Text
    names: dict[str, Text] | None = Field(
        default=None, description="the name in the statement languages: {ru, kk, en}, any"
    )


class MemberIn(Model):
    commission: Id
    person: Id
    role: str = Field(description="chair or member")
    name: Text | None = Field(default=None, description="the commission's name, when new")
    names: dict[str, Text] | None = Field(
        default=None, description="the new commission's name in {ru, kk, en}, any"
    )
    since: str | None = None
    full_name: Text | None = Field(default=None, description="as the statement prints it")
    position: Text | None = Field(default=None, description="their post, as printed")


class MemberOutIn(Model):
    commission: Id
    person: Id


class KeyAddIn(Model):
    owner: Id = Field(description="the username the key belongs to")
    purpose: str = Field(description="act (people's acts) or witness (co-signing checkpoints)")
    public_key: str = Field(description="base64 Ed25519 public key, or a verifier key")


class KeyRotateIn(Model):
    key_id: str = Field(pattern="^[0-9a-f]{8}$")
    public_key: str


class KeyRevokeIn(Model):
    key_id: str = Field(pattern="^[0-9a-f]{8}$")
    reason: Text


class CountIn(Model):
    location: Id
    items: list[Id] = Field(max_length=100_000, description="every item scanned at the place")
