"""What one member can keep, through the console as a researcher types it: at each limit
(set low through the settings) nothing is added, the coach says so, shows the member's words
back, keeps them as a draft and says how to make room; making room lets them in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot.coach import Coach, forms
from bot.coach.limits import Limits
from bot.settings import Settings
from bot.store import Database
from tests.conftest import START, ManualClock, say, transcript

GOAL = ("Transcribe clinic audio reliably", "WER on clinic-50", "2", "0.31", "0.15")
SECOND = "Summarise radiology reports faithfully"


def buttons(out: str) -> dict[str, int]:
    row = [line for line in out.splitlines() if line.startswith("   (1)")][-1]
    return {label.strip(): int(n) for n, label in re.findall(r"\((\d+)\) ([^(]+)", row)}


@pytest.fixture
def ada(db: Database, exports: Path) -> ConsoleSession:
    """Ada, on a coach whose limits come from settings set very low."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        max_open_goals=1,
        max_best_works=1,
        max_notebook_entries=2,
    )
    coach = Coach(db, ManualClock(START), limits=Limits.from_settings(settings))
    return ConsoleSession(coach, "lab", "Ada", exports)


async def drafts(ada: ConsoleSession) -> dict[str, dict[str, str]]:
    out = await say(ada, "/coach export")
    (saved,) = [p for p in re.findall(r"saved to (\S+)", out) if p.endswith(".json")]
    data = json.loads(Path(saved).read_text(encoding="utf-8"))
    return {d["form_id"]: d["values"] for d in data["drafts"]}


def test_the_limits_default_to_the_settings_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert Limits() == Limits.from_settings(settings) == Limits(20, 500, 5000)


async def test_open_goals_stop_at_the_limit_and_the_new_one_waits_as_a_draft(
    ada: ConsoleSession,
) -> None:
    assert "Goal 1 set" in await say(ada, "/goal set", *GOAL)

    out = await say(ada, f"/goal set {SECOND}")
    assert "at the limit of open goals (1 at once), so this one was not set" in out
    assert SECOND in out  # the member's words, shown back
    assert "/goal achieved N or /goal abandon N" in out
    assert "[form]" not in out
    assert (await drafts(ada))["goal"]["capability"] == SECOND
    assert "2." not in await say(ada, "/goal list")

    # Making room lets the goal in, from the draft.
    await say(ada, "/goal achieved 1")
    out = await say(ada, "/goal set")
    assert out.startswith("[form] Set a goal 1/5") and SECOND in out
    out = await transcript(ada, "", "ROUGE-L on 40 reports", "1", "", "")
    assert f"Goal 2 set: {SECOND}" in out


async def test_a_goal_form_sent_at_the_limit_keeps_every_answer(ada: ConsoleSession) -> None:
    out = await say(ada, "/goal set")  # the form opens while there is room
    assert out.startswith("[form] Set a goal")
    other = ConsoleSession(ada.coach, "lab", "Ada", ada.exports)
    assert "Goal 1 set" in await say(other, "/goal set", *GOAL)  # filled elsewhere first

    out = await transcript(ada, SECOND, "ROUGE-L on 40 reports", "1", "0.2", "0.4")
    assert "so this one was not set. It is kept as a draft: " + SECOND in out
    kept = (await drafts(ada))["goal"]
    assert kept["capability"] == SECOND and kept["metric_name"] == "ROUGE-L on 40 reports"
    assert kept["target"] == "0.4"


async def test_best_works_stop_at_the_limit_and_the_title_waits_as_a_draft(
    ada: ConsoleSession,
) -> None:
    out = await transcript(ada, "/wins add", "Clinic ASR eval harness", "", "")
    assert "Added to your best works: Clinic ASR eval harness" in out

    out = await say(ada, "/wins add Radiology summary benchmark")
    assert "Your portfolio is full (1 works), so this one was not added" in out
    assert "Radiology summary benchmark" in out
    assert "/wins remove N" in out
    assert (await drafts(ada))["work"]["title"] == "Radiology summary benchmark"
    assert "Your portfolio is full (1 works). To make room" in await say(ada, "/wins add")

    assert "Removed: Clinic ASR eval harness" in await say(ada, "/wins remove 1")
    out = await say(ada, "/wins add")
    assert "Radiology summary benchmark" in out
    out = await transcript(ada, "", "", "")
    assert "Added to your best works: Radiology summary benchmark" in out


async def test_notebook_entries_stop_at_the_limit_and_the_entry_waits_as_a_draft(
    ada: ConsoleSession,
) -> None:
    assert "Noted" in await say(ada, "/log warmup matters")
    assert "Noted" in await say(ada, "/log the 3-gram LM helps on drug names")

    out = await say(ada, "/log teacher labels have 9% noise")
    assert "Your notebook is full (2 entries), so this one was not added" in out
    assert "teacher labels have 9% noise" in out
    assert "/coach export" in out and "COACH_MAX_NOTEBOOK_ENTRIES" in out
    assert (await drafts(ada))["/log"]["text"] == "teacher labels have 9% noise"

    # A review kept from the full notebook is refused too, and its draft stays.
    out = await say(ada, "/review")
    out = await say(ada, str(buttons(out)["Keep as is"]))
    assert "Your notebook is full (2 entries), so the review was not added" in out
    assert "warmup matters" in (await drafts(ada))["review"]["text"]


async def test_drafts_are_one_per_kind_whatever_the_command_names(ada: ConsoleSession) -> None:
    long = forms.LONG + 1
    for name, letter in (("frobnicate", "x"), ("zap", "y"), ("quux", "w"), ("log", "z")):
        out = await say(ada, f"/{name} {letter * long}")
        assert f"That is {long} characters" in out and "kept as a draft" in out
    kept = await drafts(ada)
    assert set(kept) == {"/other", "/log"}
    assert kept["/other"]["text"] == "w" * long  # the latest words of an unknown command
    assert kept["/log"]["text"] == "z" * long
