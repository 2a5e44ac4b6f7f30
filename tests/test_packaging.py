"""The wheel ships the coaching text, the migrations and the console adapter's entry point, and
the prompts load from the installed wheel rather than from this checkout."""

from __future__ import annotations

import configparser
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
)


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
    code = (
        "import bot, bot.prompts as p, adapters.console.app as a; "
        "assert '.whl' in bot.__file__, bot.__file__; "
        "assert '.whl' in a.__file__, a.__file__; "
        "prompts = p.load_prompts(); "
        "assert len(prompts.catalogue.nudges) == 12; "
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # not the checkout, so ./bot and ./prompts cannot be picked up
        env={"PYTHONPATH": str(wheel), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
