"""The coach's flows see the store only through its scope and frozen views: no module of
``bot/coach`` reads tables or opens the session, except the export, which writes every
column of a member's rows as stored."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.coach

COACH = Path(bot.coach.__file__).parent
# Rows as stored, column by column, are what an export is.
RAW_ROWS = {"export.py"}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_flow_imports_the_tables_or_sqlalchemy() -> None:
    readers = {
        path.name
        for path in COACH.glob("*.py")
        if any(
            name == "bot.store.models" or name.split(".")[0] == "sqlalchemy"
            for name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        )
    }
    assert readers == RAW_ROWS


def test_no_flow_opens_the_scope_session() -> None:
    opened = [
        path.name
        for path in COACH.glob("*.py")
        if "scope.session" in path.read_text(encoding="utf-8")
    ]
    # Publishing a check-in claims its digest item with the scheduler's own delivery rows.
    assert opened == ["checkins.py"]
