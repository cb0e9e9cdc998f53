"""The rooms of DESIGN §4 import only downwards: custody <- workflows, certificates <- api."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "custody": {"custody"},
    "workflows": {"custody", "workflows"},
    "certificates": {"custody", "workflows", "certificates"},
    "api": {"custody", "workflows", "certificates", "api"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_downwards(package: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path) - ALLOWED[package]
    ]
    assert offences == []


def test_the_check_would_see_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from api.http.app import create_app\nimport workflows.x\n")
    assert _imports(module) == {"api", "workflows"}


# The process decides; the ways in only translate (DESIGN §4). These modules hold the process's
# decisions or its storage: a way in that imports them is deciding something itself.
DECIDING = {
    "custody.store",
    "workflows.rules",
    "workflows.fold",
    "workflows.steps",
    "workflows.intake",
    "workflows.movements",
    "workflows.preparation",
    "workflows.batches",
    "workflows.inventory",
    "workflows.registers",
    "workflows.statements",
}


def _modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_ways_in_hold_no_process_decision() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "api").rglob("*.py"))
        for name in sorted(_modules(path) & DECIDING)
    ]
    assert offences == []


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
        if alias.name.startswith("_") and node.module.split(".")[0] in ALLOWED
    ]


def test_no_module_imports_another_modules_private_names() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in [*ALLOWED, "bench", "tests"]
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _private_imports(path)
    ]
    assert offences == []


def test_the_checks_would_see_a_decision_and_a_private_name(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from custody.store import Store\nfrom workflows.steps import _hidden\n")
    assert _modules(module) & DECIDING == {"custody.store", "workflows.steps"}
    assert _private_imports(module) == ["workflows.steps._hidden"]
