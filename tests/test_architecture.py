"""The one rule of the house: the core never knows a platform."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("adapters", "slack_bolt", "slack_sdk", "discord")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif (  # importlib.import_module("adapters...") counts as an import too
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return found


def offending(root: Path) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN:
                bad.append(f"{path.relative_to(root.parent)} imports {module}")
    return bad


def test_core_imports_no_platform_or_adapter() -> None:
    assert offending(ROOT / "bot") == []


@pytest.mark.parametrize(
    "source",
    [
        "import discord",
        "from slack_bolt.async_app import AsyncApp",
        "from adapters.console import ConsoleSession",
        "import importlib\nimportlib.import_module('adapters.console')",
    ],
)
def test_the_check_catches_each_kind_of_import(tmp_path: Path, source: str) -> None:
    core = tmp_path / "bot"
    core.mkdir()
    (core / "sneaky.py").write_text(source + "\n")
    assert offending(core) != []


def upward_imports(package: str, lower: str, upper: str) -> list[str]:
    """The chains by which ``package.lower`` imports ``package.upper``, directly or through
    other modules, read from the whole package's import graph (imports inside functions too)."""
    graph = grimp.build_graph(package, cache_dir=None)
    chains = graph.find_shortest_chains(
        importer=f"{package}.{lower}", imported=f"{package}.{upper}"
    )
    return sorted(" -> ".join(chain) for chain in chains)


def test_the_scheduler_imports_nothing_from_the_coach() -> None:
    # The layers: store, analysis <- llm, schedule <- coach. The coach uses the scheduler
    # (claims, rhythms); the scheduler never reaches up into the coach, so no cycle.
    assert upward_imports("bot", "schedule", "coach") == []
    assert upward_imports("bot", "coach", "schedule") != []  # the graph is read at all


def test_the_layer_check_catches_an_import_inside_a_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder, source in {
        "layered": "",
        "layered/coach": "from layered.schedule import due\n",
        "layered/schedule": "def due() -> None:\n    from layered.coach import summary\n",
    }.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text(source)
    (tmp_path / "layered/coach/summary.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert upward_imports("layered", "schedule", "coach") == [
        "layered.schedule -> layered.coach.summary"
    ]


# Adapters reach the core through the protocol, the ports and the coach's typed surface
# (bot.coach.surface), never its store: Slack's installations and install states too are kept
# behind the ports InstallationVault and OAuthStates.


def store_readers(root: Path) -> list[str]:
    """``path imports module`` for each import of ``bot.store`` or ``sqlalchemy`` under root."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        modules = imported_modules(path) + [  # "from bot import store" names the store too
            f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
            for alias in node.names
        ]
        for module in modules:
            store = module == "bot.store" or module.startswith("bot.store.")
            if store or module.split(".")[0] == "sqlalchemy":
                bad.append(f"{path.relative_to(root.parent)} imports {module}")
    return sorted(set(bad))


def test_no_adapter_reads_the_store_itself() -> None:
    assert store_readers(ROOT / "adapters") == []


@pytest.mark.parametrize(
    "source",
    [
        "from bot.store import Database",
        "from bot.store.models import Member",
        "from bot import store",
        "import bot.store.repos",
        "from sqlalchemy import select",
        "import sqlalchemy.ext.asyncio",
    ],
)
def test_the_store_check_catches_each_kind_of_import(tmp_path: Path, source: str) -> None:
    adapter = tmp_path / "adapters" / "chat"
    adapter.mkdir(parents=True)
    (adapter / "app.py").write_text(source + "\n")
    assert store_readers(tmp_path / "adapters") != []


def test_the_store_check_passes_the_coach_surface(tmp_path: Path) -> None:
    adapter = tmp_path / "adapters"
    adapter.mkdir()
    (adapter / "app.py").write_text("from bot.coach.surface import GoalChoice\nimport bot.storey\n")
    assert store_readers(adapter) == []


def import_cycles(*packages: str) -> list[list[str]]:
    """Each set of modules that import one another in a circle (directly or through others),
    read from the import graph of ``packages`` (imports inside functions and under
    ``TYPE_CHECKING`` too); each set sorted, the sets in order."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    # Tarjan's strongly connected components, with an explicit stack (no recursion limit).
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in order:
            continue
        work = [(root, 0)]
        while work:
            module, next_child = work.pop()
            if next_child == 0:
                order[module] = low[module] = len(order)
                stack.append(module)
                on_stack.add(module)
            children = imports[module]
            if next_child < len(children):
                work.append((module, next_child + 1))
                child = children[next_child]
                if child not in order:
                    work.append((child, 0))
                elif child in on_stack:
                    low[module] = min(low[module], order[child])
                continue
            if work:  # back in the importer: what its child reaches, it reaches
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == order[module]:
                circle = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    circle.append(member)
                    if member == module:
                        break
                if len(circle) > 1:
                    found.append(sorted(circle))
    return sorted(found)


def test_no_module_of_the_core_or_the_adapters_imports_itself_in_a_circle() -> None:
    assert import_cycles("bot", "adapters") == []


def test_the_cycle_check_finds_a_circle_through_a_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text("from circled.doctor import checkup\n")
    (package / "doctor.py").write_text("def checkup() -> None:\n    from circled import client\n")
    (package / "client.py").write_text("import circled.app\n")
    (package / "alone.py").write_text("import circled.client\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circled") == [["circled.app", "circled.client", "circled.doctor"]]
