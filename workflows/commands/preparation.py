"""Preparing items for destruction: parts removed and incinerated (R5), deformed and cut (R6);
ammunition lots unfused and depackaged (R9)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from workflows import preparation
from workflows.commands.base import Command, command
from workflows.commands.fields import Count, FileIn, Files, Flag, Grams, Id, Items, Text, files
from workflows.unit_of_work import Work


@command
class RemoveParts(Command):
    kind: ClassVar[str] = "parts_removed"
    summary: ClassVar[str] = "Non-metallic parts removed (R5)"
    items: Items
    parts: list[Text] = Field(min_length=1, max_length=50)
    files: Files = ()

    def run(self, work: Work) -> None:
        preparation.remove_parts(work, self.items, self.parts, files(self.files))


@command
class IncinerateParts(Command):
    kind: ClassVar[str] = "parts_incinerated"
    summary: ClassVar[str] = "Removed parts incinerated (R5)"
    items: Items
    files: Files = ()

    def run(self, work: Work) -> None:
        preparation.incinerate_parts(work, self.items, files(self.files))


@command
class Deform(Command):
    kind: ClassVar[str] = "deformed"
    summary: ClassVar[str] = "Items deformed (after the registry result, R3)"
    items: Items
    method: Text
    files: Files = ()

    def run(self, work: Work) -> None:
        preparation.deform(work, self.items, self.method, files(self.files))


@command
class Cut(Command):
    kind: ClassVar[str] = "cut"
    summary: ClassVar[str] = "Barrels cut along and across, other parts through (R6)"
    weights: dict[Id, Grams] = Field(
        min_length=1, max_length=1000, description="each item's weight after cutting"
    )
    barrel_along: Flag
    barrel_across: Flag
    parts_through: Flag
    files: Files = ()
    per_item_files: dict[Id, Annotated[list[FileIn], Field(max_length=100)]] | None = Field(
        default=None, max_length=1000
    )

    @model_validator(mode="after")
    def _files_of_items_cut(self) -> Cut:
        stray = [i for i in self.per_item_files or {} if i not in self.weights]
        if stray:
            raise ValueError(f"per_item_files names {stray[0]}, which is not cut here")
        return self

    def run(self, work: Work) -> None:
        per_item = (
            {item: files(given) for item, given in self.per_item_files.items()}
            if self.per_item_files
            else None
        )
        preparation.cut(
            work,
            self.weights,
            barrel_along=self.barrel_along,
            barrel_across=self.barrel_across,
            parts_through=self.parts_through,
            files=files(self.files),
            per_item_files=per_item,
        )


@command
class RemoveFuses(Command):
    kind: ClassVar[str] = "fuses_removed"
    summary: ClassVar[str] = "Fuses, firing devices and detonators removed and counted (R9)"
    item: Id
    fuses: Count
    firing_devices: Count
    detonators: Count
    files: Files = ()

    def run(self, work: Work) -> None:
        preparation.remove_fuses(
            work, self.item, self.fuses, self.firing_devices, self.detonators, files(self.files)
        )


@command
class Depackage(Command):
    kind: ClassVar[str] = "depackaged"
    summary: ClassVar[str] = "Ammunition lots depackaged and weighed (R9)"
    weights: dict[Id, Grams] = Field(min_length=1, max_length=1000)
    files: Files = ()

    def run(self, work: Work) -> None:
        preparation.depackage(work, self.weights, files(self.files))
