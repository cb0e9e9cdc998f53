"""Mermaid diagrams of the process, drawn by transitions from the machines themselves, so the
documentation cannot drift from the code (tests/test_process_doc.py fails when it does).

    python -m workflows.diagrams docs/process.md     # rewrite the generated blocks
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, cast

from transitions.extensions.diagrams import GraphMachine

from workflows.machines import AMMUNITION, DISCREPANCY, LOST, NEW, WEAPON, Workflow

TITLES = {
    WEAPON.name: "Weapons, gas and edged weapons, parts",
    AMMUNITION.name: "Ammunition and explosive lots",
}
_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>\w+) -->\n)```mermaid\n.*?```\n(<!-- end generated -->)", re.S
)


def mermaid(workflow: Workflow) -> str:
    """The main path of a workflow (the inventory's detour is drawn once, by hand)."""
    states = [s for s in workflow.states() if s not in (DISCREPANCY, LOST)]
    machine = GraphMachine(
        states=states,
        initial=NEW,
        auto_transitions=False,
        graph_engine="mermaid",
        title=TITLES[workflow.name],
        show_conditions=True,
    )
    for step, sources, dest, fact in workflow.steps:
        conditions: Any = [fact] if fact else None
        machine.add_transition(step, cast(Any, sources), dest, conditions=conditions)
    title = TITLES[workflow.name]
    # Mermaid's front matter is YAML; keep states and steps, and drop transitions' styling,
    # which marks a current state that a machine shared by every item does not have.
    drawn = str(machine.get_graph().draw(None))
    drawn = drawn.replace(f"---\n{title}\n---", f"---\ntitle: {title}\n---", 1)
    lines = [
        line.rstrip()
        for line in drawn.splitlines()
        if not line.strip().startswith(("classDef", "Class "))
    ]
    return "\n".join(line for line in lines if line) + "\n"


def render(document: str) -> str:
    """The document with every generated block drawn anew."""

    def replace(match: re.Match[str]) -> str:
        workflow = {WEAPON.name: WEAPON, AMMUNITION.name: AMMUNITION}[match["name"]]
        return f"{match[1]}```mermaid\n{mermaid(workflow)}```\n{match[3]}"

    return _BLOCK.sub(replace, document)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/process.md")
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
