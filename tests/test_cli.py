"""The ``research-coach`` command line, run for real in a subprocess (``python -m bot``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "s3cr3t-pw"
UNREACHABLE = f"postgresql+asyncpg://coach:{PASSWORD}@127.0.0.1:1/none"
GOAL = "a robot that folds laundry reliably, measured by folding success rate"


def coach(
    *args: str, data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``research-coach ARGS`` with only our COACH_* settings, in an empty folder."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    clean["COACH_DATA_DIR"] = str(data_dir)
    clean.update(env)
    cwd = data_dir.parent / "cwd"
    cwd.mkdir(exist_ok=True)  # no .env here
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=30,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


# --- analyze ----------------------------------------------------------------------------------

ANALYZE_INPUT = [
    {"goal": GOAL, "update": "Raised the laundry folding success rate of the robot with a grasp"},
    {"goal": GOAL, "update": "Read about tokenizers for language models and tuned my editor"},
    "",
    {"goal": GOAL, "update": "The grasping project failed and we abandoned it"},
    {"goal": GOAL, "update": "I set up the lab the way Karpathy does, copying his workflow"},
    "not json",
    {"goal": 3, "update": "x"},
    [1, 2],
    {"update": "trained a bigger model"},
    "   ",
    {
        "goal": GOAL,
        "update": "Everyone is switching to humanoid agents, so I dropped the grasping plan to "
        "build one",
    },
    {
        "goal": GOAL,
        "update": "Tried the new diffusion policy paper everyone is talking about on our towel "
        "folding task",
        "metric_before": 0.25,
        "metric_after": 0.4,
    },
]


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    lines = [item if isinstance(item, str) else json.dumps(item) for item in ANALYZE_INPUT]
    data = tmp_path_factory.mktemp("analyze") / "data"
    return coach("analyze", data_dir=data, stdin="\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def answers(analyzed: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in analyzed.stdout.splitlines()]


def test_analyze_answers_every_non_blank_line_in_order(
    analyzed: subprocess.CompletedProcess[str], answers: list[dict[str, Any]]
) -> None:
    assert len(answers) == len(ANALYZE_INPUT) - 2  # the two blank lines get no answer
    errors_at = [i for i, a in enumerate(answers) if "error" in a]
    assert errors_at == [4, 5, 6]


def test_analyze_lines_follow_the_contract(answers: list[dict[str, Any]]) -> None:
    results = [a for a in answers if "error" not in a]
    assert len(results) == 7
    for result in results:
        assert set(result) == {"goal_alignment", "aligned", "signals", "nudges"}
        assert isinstance(result["goal_alignment"], float)
        assert 0.0 <= result["goal_alignment"] <= 1.0
        assert isinstance(result["aligned"], bool)
        assert set(result["signals"]) == {"role_model_mimicry", "idea_driven", "failure"}
        assert all(isinstance(v, bool) for v in result["signals"].values())
        assert isinstance(result["nudges"], list)
        assert all(isinstance(n, str) for n in result["nudges"])
        assert len(result["nudges"]) <= 2


def test_analyze_scores_on_goal_work_above_off_goal_work(answers: list[dict[str, Any]]) -> None:
    on_goal, off_goal = answers[0], answers[1]
    assert on_goal["goal_alignment"] > off_goal["goal_alignment"]
    assert on_goal["aligned"] is True
    assert off_goal["aligned"] is False
    assert "tie-to-goal" in off_goal["nudges"]
    assert "tie-to-goal" not in on_goal["nudges"]


def test_analyze_reads_failure_imitation_and_idea_chasing(answers: list[dict[str, Any]]) -> None:
    failure, imitation, idea = answers[2], answers[3], answers[8]
    assert failure["signals"]["failure"] is True
    assert "best-works" in failure["nudges"]
    assert imitation["signals"]["role_model_mimicry"] is True
    assert imitation["signals"]["failure"] is False
    assert "role-models" in imitation["nudges"]
    assert idea["signals"]["idea_driven"] is True
    assert "goal-not-idea" in idea["nudges"]
    # A trendy paper applied to the goal's own task, with the number up: goal-driven work.
    applied = answers[9]
    assert applied["signals"]["idea_driven"] is False
    assert applied["aligned"] is True and applied["nudges"] == []
    assert answers[0]["signals"] == {
        "role_model_mimicry": False,
        "idea_driven": False,
        "failure": False,
    }


def test_analyze_reports_bad_lines_and_exits_2(
    analyzed: subprocess.CompletedProcess[str], answers: list[dict[str, Any]]
) -> None:
    assert analyzed.returncode == 2
    errors = [a for a in answers if "error" in a]
    assert [set(e) for e in errors] == [{"error"}] * 3
    # Line numbers count the input as given, blank lines included.
    assert errors[0]["error"].startswith("line 6:")
    assert errors[1]["error"].startswith("line 7:") and "goal" in errors[1]["error"]
    assert errors[2]["error"].startswith("line 8:") and "update" in errors[2]["error"]


def test_analyze_exits_0_when_every_line_is_good(data_dir: Path) -> None:
    result = coach("analyze", data_dir=data_dir, stdin='\n{"update": "ran the baseline"}\n\n')
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["goal_alignment"] == 0.0


# --- db upgrade and doctor --------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir after ``db upgrade``, and what the command printed."""
    data = tmp_path_factory.mktemp("migrated") / "data"
    result = coach("db", "upgrade", data_dir=data)
    assert result.returncode == 0, result.stderr
    return data, result.stdout


@pytest.fixture(scope="module")
def fresh_doctor(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``doctor`` on a data dir that does not exist yet."""
    data = tmp_path_factory.mktemp("fresh") / "data"
    return data, coach("doctor", data_dir=data)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from bot.store.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_db_upgrade_migrates_and_names_the_revision(migrated: tuple[Path, str]) -> None:
    data, out = migrated
    assert f"revision {head_revision()}" in out
    assert (data / "coach.db").exists()
    again = coach("db", "upgrade", data_dir=data)  # idempotent
    assert again.returncode == 0, again.stderr
    assert f"revision {head_revision()}" in again.stdout


def doctor_says_all_is_well(output: str, data_dir: Path) -> None:
    lines = output.splitlines()
    assert not any(line.startswith(("FAIL", "warn")) for line in lines), output
    assert any(line.startswith("ok") and "database reachable" in line for line in lines)
    assert str(data_dir / "coach.db") in output
    assert any(line.startswith("ok") and "migrations" in line for line in lines)
    assert any(line.startswith("ok") and "prompts" in line for line in lines)
    assert any(line.startswith("ok") and "adapter console" in line for line in lines)


def test_doctor_passes_on_a_migrated_data_dir(migrated: tuple[Path, str]) -> None:
    data, _ = migrated
    result = coach("doctor", data_dir=data)
    assert result.returncode == 0, result.stdout + result.stderr
    doctor_says_all_is_well(result.stdout, data)


def test_doctor_passes_on_a_fresh_data_dir(
    fresh_doctor: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, result = fresh_doctor
    assert result.returncode == 0, result.stdout + result.stderr
    doctor_says_all_is_well(result.stdout, data)


def test_doctor_on_a_fresh_data_dir_names_every_check(
    fresh_doctor: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, result = fresh_doctor
    out = result.stdout
    assert f"database reachable: sqlite+aiosqlite:///{data / 'coach.db'}" in out
    assert "migrations" in out
    assert "prompts" in out
    assert "adapter console" in out


def test_doctor_says_an_unreachable_database_without_its_password(data_dir: Path) -> None:
    result = coach("doctor", data_dir=data_dir, COACH_DATABASE_URL=UNREACHABLE)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "database unreachable" in out
    assert "127.0.0.1:1/none" in out
    assert PASSWORD not in out
    assert "prompts" in out  # the other checks still ran
    assert "adapter console" in out


def test_invalid_settings_exit_2_and_never_echo_a_password(data_dir: Path) -> None:
    result = coach("run", data_dir=data_dir, COACH_LOG_LEVEL="LOUD", COACH_DATABASE_URL=UNREACHABLE)
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "log_level" in out
    assert PASSWORD not in out
    assert "LOUD" not in out


def test_run_refuses_a_placeholder_token_naming_the_setting_not_the_value(data_dir: Path) -> None:
    result = coach(
        "run",
        data_dir=data_dir,
        stdin="/coach\n",
        COACH_SLACK_BOT_TOKEN="xoxb-your-bot-token",
        COACH_SLACK_SIGNING_SECRET="",
    )
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "COACH_SLACK_BOT_TOKEN holds a placeholder" in out
    assert "COACH_SLACK_SIGNING_SECRET is empty" in out
    assert "your-bot-token" not in out
    assert not (data_dir / "coach.db").exists()  # refused before anything started


def test_doctor_with_invalid_settings_never_echoes_a_password(data_dir: Path) -> None:
    result = coach(
        "doctor", data_dir=data_dir, COACH_LOG_LEVEL="LOUD", COACH_DATABASE_URL=UNREACHABLE
    )
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "log_level" in out
    assert PASSWORD not in out


def test_run_with_an_unreachable_database_exits_1_without_its_password(data_dir: Path) -> None:
    result = coach("run", data_dir=data_dir, stdin="/coach\n", COACH_DATABASE_URL=UNREACHABLE)
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "Cannot open the database" in out
    assert PASSWORD not in out


# --- run, console, export ---------------------------------------------------------------------


def test_run_without_tokens_starts_the_console_until_end_of_input(data_dir: Path) -> None:
    result = coach("run", data_dir=data_dir, stdin="/coach\n/goal list\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Research Coach, console." in out
    assert "me> /coach" in out
    assert "I'm your research coach." in out
    assert "/checkin [N]" in out  # the help's command list
    assert "me> /goal list" in out
    assert "You have no goal yet." in out


def test_console_as_a_member(data_dir: Path) -> None:
    result = coach("console", "--as", "Grace", data_dir=data_dir, stdin="/goal list\n")
    assert result.returncode == 0, result.stderr
    assert "Grace> /goal list" in result.stdout
    assert "You have no goal yet." in result.stdout


@pytest.fixture(scope="module")
def ada_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir where Ada set one goal through a piped console session."""
    data = tmp_path_factory.mktemp("ada") / "data"
    session = coach(
        "console",
        "--as",
        "ada",
        data_dir=data,
        stdin="/goal set\nA capability\nmetric name\n1\n\n\n",
    )
    assert session.returncode == 0, session.stderr
    assert "Goal 1 set: A capability" in session.stdout
    return data


def test_export_json_holds_the_members_goal(ada_data: Path) -> None:
    result = coach("export", "--member", "ada", "--format", "json", data_dir=ada_data)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["member"]["user_id"] == "ada"
    (goal,) = data["goals"]
    assert goal["capability"] == "A capability"
    assert goal["metric_name"] == "metric name"
    assert goal["direction"] == "up"
    assert goal["status"] == "active"


def test_export_markdown(ada_data: Path) -> None:
    result = coach("export", "--member", "ada", "--format", "md", data_dir=ada_data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# ")
    assert "ada" in lines[0]
    assert "A capability" in result.stdout
    assert "metric name" in result.stdout


def test_export_of_an_unknown_member_exits_1(ada_data: Path) -> None:
    result = coach("export", "--member", "nobody", data_dir=ada_data)
    assert result.returncode == 1
    assert "nobody" in result.stderr
    assert result.stdout == ""


def test_export_of_another_team_does_not_see_ada(ada_data: Path) -> None:
    result = coach("export", "--member", "ada", "--team", "console:elsewhere", data_dir=ada_data)
    assert result.returncode == 1
    assert "A capability" not in result.stdout


def test_export_team_needs_platform_and_id(ada_data: Path) -> None:
    result = coach("export", "--member", "ada", "--team", "slack", data_dir=ada_data)
    assert result.returncode == 2
    assert "PLATFORM:ID" in result.stderr
    assert result.stdout == ""


# --- help -------------------------------------------------------------------------------------


def every_command() -> list[list[str]]:
    """The words of every command and group, e.g. ``["report", "nudges"]``; ``[]`` the root."""
    import typer

    from bot.cli import app

    found: list[list[str]] = []

    def walk(command: Any, words: list[str]) -> None:
        found.append(words)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*words, name])

    walk(typer.main.get_command(app), [])
    return found


def test_help_shows_flags_without_a_type(data_dir: Path) -> None:
    result = coach("--help", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout
    assert re.search(r"^  --help +Show this message and exit\.$", result.stdout, re.M)
    assert re.search(r"^  console +Use the coach in this terminal", result.stdout, re.M)


@pytest.mark.parametrize("words", every_command(), ids=lambda words: " ".join(words) or "root")
def test_every_help_names_values_only_where_options_take_one(words: list[str]) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "<bool>" not in out and "╭" not in out
    assert re.search(r"^  --help +Show this message and exit\.$", out, re.M)
    if words == ["analyze"]:
        assert re.search(r"^  --rules +Read with the rules alone", out, re.M)
        assert re.search(r"^  --eval <path> +A labelled JSON-lines file", out, re.M)
    if words == ["console"]:
        assert re.search(r"^  --as NAME +Act as this member\.$", out, re.M)
        assert re.search(r"^  --demo +Try the coach on a throw-away database", out, re.M)
    if words == ["doctor"]:  # a docstring's paragraph is one paragraph, wrapped anew
        assert "the analysis model, the LLM" in " ".join(out.split())
        assert not re.search(r"the analysis$", out, re.M)  # where the docstring breaks
