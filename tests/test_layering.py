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
    module.write_text("from api.app import create_app\nimport workflows.x\n")
    assert _imports(module) == {"api", "workflows"}
