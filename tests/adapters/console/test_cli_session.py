"""`research-coach run` with no tokens opens the console; a piped session runs to the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SESSION = Path(__file__).resolve().parents[2] / "data" / "session.txt"


def run_piped(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env["COACH_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_scripted_session_through_run(tmp_path: Path) -> None:
    done = run_piped(tmp_path, SESSION.read_text(encoding="utf-8"), "run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Research Coach, console.")
    assert "Goal 1 set: Transcribe clinic audio reliably" in out
    assert out.count("Check-in saved for goal 1") == 2
    assert "(8/8)" in out and "Publish one line" in out
    assert "Added to your best works: Clinic ASR eval harness" in out
    assert "Noted in your notebook." in out and "Review kept in your notebook." in out
    assert out.count("saved to") == 2
    assert "everything I kept about you is deleted" in out
    assert out.rstrip().endswith("/goal set")  # the last answer: no goal any more
    assert (tmp_path / "data" / "coach.db").exists()
    assert done.stderr == ""
