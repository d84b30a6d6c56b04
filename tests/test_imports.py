"""store/, ingest/ and measure/ never import discord: imports point bot -> measure -> ingest -> store;
and no module imports another module's private (underscore) names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "store": {"discord", "bot", "ingest", "measure"},
    "ingest": {"discord", "bot", "measure"},
    "measure": {"discord", "bot"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upwards(package: str) -> None:
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN[package]
            ]
    assert offenders == []


PROJECT = ("bot", "store", "ingest", "measure", "tests")


def private_imports(tree: ast.AST) -> list[str]:
    """`from <project module> import _name` statements: a private name used across modules."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] in PROJECT
        ):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = []
    for package in PROJECT:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in private_imports(tree)]
    assert offenders == []


def test_the_private_import_check_sees_one() -> None:
    tree = ast.parse("from store.search.retrieval import _where, search\nfrom os import _exit")
    assert private_imports(tree) == ["store.search.retrieval._where"]
