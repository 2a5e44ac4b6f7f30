"""What ``python -m bot.analysis.calibrate`` fits on: the files it is given, or the dev splits the
checkout's pyproject.toml names; never a folder of the checkout found on its own (an installed
coach has no tests/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis import calibrate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def test_the_checkout_fits_on_its_two_dev_splits_only() -> None:
    splits = calibrate.configured_dev_splits(ROOT)
    assert splits == [
        ROOT / "tests/data/checkins_dev.jsonl",
        ROOT / "tests/data/realistic_dev.jsonl",
    ]
    assert all(path.is_file() for path in splits)


def test_the_shipped_calibration_names_the_files_it_was_fitted_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from the checkout as documented, the generated module's provenance is unchanged."""
    monkeypatch.chdir(ROOT)
    source = calibrate.provenance(calibrate.configured_dev_splits(Path.cwd()))
    assert source == "tests/data/checkins_dev.jsonl and tests/data/realistic_dev.jsonl"
    assert f"Fitted on {source} only." in calibrate.CALIBRATION_MODULE.read_text(encoding="utf-8")


def test_a_file_outside_the_current_folder_is_named_by_its_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert calibrate.provenance([DATA / "checkins_dev.jsonl"]) == "checkins_dev.jsonl"


def test_another_project_names_its_dev_splits_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.research-coach.calibrate]\ndev-splits = ["labelled/dev.jsonl"]\n', encoding="utf-8"
    )
    assert calibrate.configured_dev_splits(tmp_path) == [tmp_path / "labelled" / "dev.jsonl"]


def test_a_pyproject_without_the_table_names_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert calibrate.configured_dev_splits(tmp_path) == []
    assert calibrate.configured_dev_splits(tmp_path / "nowhere") == []


def test_outside_a_checkout_it_asks_for_the_dev_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No tests/data to fall back on: a clear usage error before the model is loaded."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        calibrate.main([])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "name the labelled dev files" in error
    assert "Traceback" not in error


def test_a_missing_dev_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        calibrate.main(["dev.jsonl"])
    assert stopped.value.code == 2
    assert "no such dev file: dev.jsonl" in capsys.readouterr().err
