"""`research-coach analyze --eval`, `doctor`'s model check and `report nudges`, run for real."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.analysis.evaluate
import bot.analysis.rules
import bot.analysis.signals
import bot.llm.followup
from bot.cli import nudge_helpfulness
from bot.coach import Coach
from bot.events import Action, Reply
from bot.ports import ManualClock
from bot.store import Database
from tests.coach.helpers import check_in, member, only, press, set_goal
from tests.conftest import START

DATA = Path(__file__).resolve().parents[1] / "data"


def coach(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    clean["COACH_DATA_DIR"] = str(data_dir)
    clean.update(env)
    cwd = data_dir.parent / "cwd"
    cwd.mkdir(exist_ok=True, parents=True)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_analyze_eval_prints_rules_and_embedded_side_by_side(tmp_path: Path) -> None:
    sample = tmp_path / "sample.jsonl"  # a slice: the whole split is evaluated in-process
    sample.write_text("".join((DATA / "checkins_dev.jsonl").read_text().splitlines(True)[:24]))
    done = coach("analyze", "--eval", str(sample), data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[1].split()
    assert header == ["rules", "embedded"]
    for measure in (
        "goal alignment AUC",
        "goal alignment accuracy",
        "failure f1",
        "idea_driven recall",
    ):
        assert measure in done.stdout


def test_analyze_eval_of_a_bad_file_says_which_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"goal": "g", "update": "u", "labels": {"failure": true}}\n')
    done = coach("analyze", "--eval", str(bad), "--rules", data_dir=tmp_path / "d")
    assert done.returncode == 2 and "line 1" in done.stderr


def test_doctor_says_the_model_loaded(tmp_path: Path) -> None:
    done = coach("doctor", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stdout
    assert "ok   analysis model: loaded and checked (sha256)" in done.stdout
    assert "--   LLM follow-ups: off" in done.stdout


def test_doctor_says_when_the_model_cannot_load(tmp_path: Path) -> None:
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(b"tampered")
    done = coach(
        "doctor",
        data_dir=tmp_path / "d",
        COACH_ANALYSIS_MODEL_FILE=str(tampered),
        COACH_LLM_BASE_URL="http://user:pw@127.0.0.1:9/v1",
        COACH_LLM_MODEL="m",
        COACH_LLM_API_KEY="sk-doctor-secret",
    )
    assert done.returncode == 1
    assert "FAIL analysis model: not loaded" in done.stdout and "pinned" in done.stdout
    assert "rules carry on" in done.stdout
    # Nothing listens on port 9: the LLM check warns, naming the URL without its password.
    assert "warn LLM follow-ups: http://127.0.0.1:9 unreachable" in done.stdout
    assert "pw" not in done.stdout and "sk-doctor-secret" not in done.stdout + done.stderr
    assert "/v1" not in done.stdout  # a path may carry a key: scheme and host only


def test_doctor_with_the_model_off(tmp_path: Path) -> None:
    done = coach("doctor", data_dir=tmp_path / "d", COACH_ANALYSIS_MODEL="off")
    assert done.returncode == 0
    assert "--   analysis model: off" in done.stdout


async def test_report_nudges_shows_helpfulness_per_nudge_and_kind(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    db = Database.from_url(f"sqlite+aiosqlite:///{data / 'coach.db'}")
    await db.upgrade()
    the_coach = Coach(db, ManualClock(START))
    ada, grace = member(), member("U2", "Grace")
    for who in (ada, grace):
        await set_goal(the_coach, who)
    # A rule hit (a nudge) and a similarity-only hit (a gentler question).
    nudged = only(
        await check_in(the_coach, ada, did="Copied the loader, like Karpathy does."), Reply
    )
    asked = only(
        await check_in(
            the_coach, grace, did="The decoder experiment was a complete letdown and a waste."
        ),
        Reply,
    )
    assert "It sounds like something may not have gone" in "".join(str(s) for s in asked.body)
    helped = [b.value for b in nudged.buttons if b.action == Action.NUDGE_HELPFUL]
    unhelpful = [b.value for b in asked.buttons if b.action == Action.NUDGE_UNHELPFUL]
    await press(the_coach, ada, Action.NUDGE_HELPFUL, helped[0])
    await press(the_coach, grace, Action.NUDGE_UNHELPFUL, unhelpful[0])

    rows = await nudge_helpfulness(db)
    await db.dispose()

    assert {
        "nudge": "role-models",
        "kind": "nudge",
        "given": 1,
        "helpful": 1,
        "unhelpful": 0,
        "unanswered": 0,
        "helpful_rate": 1.0,
    } in rows
    assert {
        "nudge": "setback",
        "kind": "question",
        "given": 1,
        "helpful": 0,
        "unhelpful": 1,
        "unanswered": 0,
        "helpful_rate": 0.0,
    } in rows
    done = coach("report", "nudges", data_dir=data)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "nudge",
        "kind",
        "given",
        "helped",
        "not",
        "no",
        "answer",
        "helpful",
    ]
    assert any(
        line.split()[:2] == ["setback", "question"] and line.endswith("0%") for line in lines
    )
    assert any(
        line.split()[:2] == ["role-models", "nudge"] and line.endswith("100%") for line in lines
    )
    other = coach("report", "nudges", "--team", "slack:NOPE", data_dir=data)
    assert other.stdout.strip() == "No nudges given yet."


@pytest.mark.parametrize(
    "module", [bot.analysis.evaluate, bot.analysis.rules, bot.analysis.signals, bot.llm.followup]
)
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]
