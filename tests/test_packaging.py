"""The wheel ships the coaching text, the migrations, the analysis data and the console adapter's
entry point; the prompts load from the installed wheel rather than from this checkout, and the
code reads nothing from tests/, which the wheel does not hold."""

from __future__ import annotations

import ast
import configparser
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (
    "prompts/nudges.yaml",
    "prompts/reflection.yaml",
    "prompts/messages.yaml",
    "bot/store/migrations/env.py",
    "bot/store/migrations/versions/0001_initial_schema.py",
    "bot/analysis/data/examples.npz",
    "bot/analysis/data/minilm-l6-v2-tokenizer.json",
)
# "tests", "tests/data", "../tests/x": a path into the checkout's tests folder.
TESTS_PATH = re.compile(r"(^|[/\\])tests([/\\]|$)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel offline, once for this module."""
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.skip("hatchling is not installed: the project's `test` extra provides it")
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    wheels = list(out.glob("research_coach-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's files as an installer lays them out in site-packages (not zipped)."""
    folder = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder)
    return folder


def _installed(coach: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with ``coach`` (the wheel, or its files) as the installed coach, run in ``folder``:
    not the checkout, so ./bot, ./prompts and ./tests cannot be picked up."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env={"PYTHONPATH": str(coach), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _passes(coach: Path, folder: Path, *statements: str) -> None:
    """Run ``statements`` (one line each) with ``coach`` installed; every assert must hold."""
    result = _installed(coach, folder, "-c", "; ".join([*statements, "print('ok')"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_wheel_holds_prompts_and_migrations(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert not any(name.startswith("tests/") for name in names)


def test_the_wheel_registers_the_console_adapter_and_the_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [
            n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")
        ]
        text = archive.read(entry_points).decode("utf-8")
    parser = configparser.ConfigParser()
    parser.read_string(text)
    assert parser["research_coach.adapters"]["console"].strip() == (
        "adapters.console.app:ConsoleAdapter"
    )
    assert parser["console_scripts"]["research-coach"].strip() == "bot.cli:main"


def test_prompts_load_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    _passes(
        wheel,
        tmp_path,
        "import bot, bot.prompts as p, adapters.console.app as a",
        "assert '.whl' in bot.__file__, bot.__file__",
        "assert '.whl' in a.__file__, a.__file__",
        "assert len(p.load_prompts().catalogue.nudges) == 12",
    )


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the string constants that are docstrings (they may cite a file's provenance)."""
    owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(owner.body[0].value)
        for owner in owners
        if owner.body
        and isinstance(owner.body[0], ast.Expr)
        and isinstance(owner.body[0].value, ast.Constant)
    }


def test_the_coach_reads_nothing_from_the_tests_folder() -> None:
    """No string in bot/ or adapters/ code names tests/ or a path part "tests": an installed coach
    has no such folder (labelled data is passed in, e.g. ``research-coach analyze --eval FILE``)."""
    found = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and TESTS_PATH.search(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not found, found


def test_the_scan_finds_a_path_into_tests() -> None:
    code = 'DATA = Path(__file__).parents[2] / "tests" / "data"\nF = "tests/data/dev.jsonl"\n'
    tree = ast.parse('"""Fitted on tests/data/dev.jsonl."""\n' + code)
    strings = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        if id(n) not in _docstrings(tree) and TESTS_PATH.search(n.value)
    ]
    assert sorted(strings) == ["tests", "tests/data/dev.jsonl"]
    assert not TESTS_PATH.search("Slack Web API base URL (tests, proxies).")


def test_calibration_from_the_wheel_asks_for_its_dev_files(wheel: Path, tmp_path: Path) -> None:
    """Installed, ``python -m bot.analysis.calibrate`` has no labelled data of its own: it says
    which files to name instead of looking for the checkout's."""
    result = _installed(wheel, tmp_path, "-m", "bot.analysis.calibrate")
    assert result.returncode == 2, result.stderr
    assert "name the labelled dev files" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_installed_analysis_runs_on_its_packaged_calibration(
    unpacked: Path, tmp_path: Path
) -> None:
    """What calibration produced ships in the package and is what the installed coach reads:
    the fitted weights and thresholds, and the cached bank vectors and probes, fresh for the
    shipped banks (else every start would embed the banks again)."""
    _passes(
        unpacked,
        tmp_path,
        "from bot.analysis import banks",
        "from bot.analysis.semantic import Calibration",
        f"assert banks.cache_path().is_relative_to({str(unpacked)!r}), banks.cache_path()",
        "text = banks.bank_text()",
        "texts = banks.load_examples(text).named_lists()",
        "cached = banks.read_cache(banks.cache_key(text), texts)",
        "assert cached is not None, 'the packaged cache is stale or missing'",
        "assert set(cached.probes) == set(Calibration.shipped().thresholds)",
    )
