"""docs/process.md shows the machines as they are: its diagrams are drawn from the code."""

from __future__ import annotations

from pathlib import Path

from workflows import diagrams
from workflows.machines import AMMUNITION, WEAPON

DOC = Path(__file__).resolve().parent.parent / "docs" / "process.md"


def test_the_diagrams_in_the_docs_are_up_to_date() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert diagrams.render(document) == document, "run: make docs"


def test_every_step_of_every_machine_is_in_its_diagram() -> None:
    for workflow in (WEAPON, AMMUNITION):
        drawn = diagrams.mermaid(workflow)
        for step, _, dest, _ in workflow.steps:
            assert f": {step}" in drawn
            assert f"--> {dest}:" in drawn
