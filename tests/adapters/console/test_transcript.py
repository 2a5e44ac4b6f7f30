"""The whole coach in a terminal, as a researcher types it: set a goal, check in twice, report
a failure, reflect through all eight steps, add wins, log, review, export, forget me."""

from __future__ import annotations

import json
import re
from pathlib import Path

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock
from tests.conftest import say, transcript

GOAL = ("/goal set", "Transcribe clinic audio reliably", "WER on clinic-50", "2", "0.31", "0.15")


def buttons(out: str) -> dict[str, int]:
    """Button label → the number to type, from the last button row of an answer."""
    row = [line for line in out.splitlines() if line.startswith("   (1)")][-1]
    return {label.strip(): int(n) for n, label in re.findall(r"\((\d+)\) ([^(]+)", row)}


async def test_goal_then_two_checkins(ada: ConsoleSession) -> None:
    out = await say(ada, *GOAL)
    assert "Goal 1 set: Transcribe clinic audio reliably" in out
    assert "[only you]" in out

    first = await say(
        ada,
        "/checkin",
        "Swapped in a conformer encoder",
        "a stronger encoder lowers WER",
        "0.28",
        "",
        "",
    )
    assert "WER on clinic-50: 0.28, a new best." in first
    assert "simplest" in first.lower()  # the next-experiment question ends every check-in
    assert "[#team]" not in first  # nothing is public until published

    second = await say(
        ada,
        "/checkin",
        "Reviewed two workshop papers and planned the offsite",
        "",
        "0.29",
        "ablate beam size on 20 clips",
        "",
    )
    assert "best so far 0.28" in second  # lower is better for this goal
    assert "Next: ablate beam size on 20 clips" in second
    nudges = re.findall(r"^\s+\d\) ", second, re.M)
    assert 1 <= len(nudges) <= 2
    assert "Why I ask:" in second


async def test_form_asks_one_question_at_a_time(ada: ConsoleSession) -> None:
    out = await say(ada, "/goal set")
    assert out.startswith("[form] Set a goal 1/5: Capability you want to exist")
    assert "(form)" in ada.prompt
    out = await say(ada, "Ship a speech model")
    assert out.startswith("[form] Set a goal 2/5")
    assert "Ship a speech model" not in out  # one question, no echo of the whole form
    assert await say(ada, "/cancel") == "[console] Form cancelled; nothing was sent."
    assert "You have no goal yet" in await say(ada, "/goal list")


async def test_failure_reflection_wins_log_review_export_forget(
    ada: ConsoleSession, exports: Path
) -> None:
    await say(ada, *GOAL)
    out = await say(
        ada,
        "/checkin",
        "Tried distilling into a small model",
        "",
        "0.33",
        "check the teacher's outputs",
        "the distillation run tanked, so I dropped that route",
    )
    assert "Failure is allowed" in out or "best" in out.lower()
    choices = buttons(out)
    assert "Reflect on this" in choices

    # The reflection happens in DM, one question at a time.
    out = await say(ada, str(choices["Reflect on this"]))
    assert "[DM]" in out and "(1/8)" in out
    assert "[#team]" not in out
    answers = [
        "I expected WER 0.25",
        "the teacher was noisy",
        "that the teacher was better than the student; one eval on day one",
        "only this route",
        "the eval harness",
        "40%, fair would be 20%",
        "specific to this setup",
        "clean the teacher labels, 8",
    ]
    for number, answer in enumerate(answers[:3], start=2):
        out = await say(ada, answer)
        assert f"({number}/8)" in out and out.startswith("[DM]")
    out = await say(ada, "stop")
    assert "[DM]" in out and "/reflect" in out
    out = await say(ada, "/reflect")
    assert "(4/8)" in out  # resumes where it stopped, the first three answers kept
    for answer in answers[3:-1]:
        await say(ada, answer)
    out = await say(ada, answers[-1])
    assert "best" in out.lower() and "Publish one line" in out
    out = await say(ada, str(buttons(out)["Publish one line"]))
    assert out.startswith("[form] One line for the team")
    out = await say(ada, "A noisy teacher costs more than it gives")
    assert "[#team] Ada shares a lesson: A noisy teacher costs more than it gives" in out
    assert "I expected WER" not in out  # nothing else of the reflection leaves the DM

    out = await transcript(
        ada,
        "/wins add",
        "Clinic ASR eval harness",
        "https://example.org/h",
        "everyone on the team uses it",
    )
    assert "Added to your best works: Clinic ASR eval harness" in out
    out = await say(ada, "/wins")
    assert "Your best five:" in out and "1. Clinic ASR eval harness" in out

    assert "Noted in your notebook." in await say(ada, "/log teacher labels have 9% noise")
    out = await say(ada, "/review")
    assert "teacher labels have 9% noise" in out and "distillation run tanked" in out
    assert "Review kept" in await say(ada, str(buttons(out)["Keep as is"]))

    out = await say(ada, "/coach export")
    saved = re.findall(r"saved to (\S+)", out)
    assert len(saved) == 2
    data = json.loads(Path(saved[0]).read_text(encoding="utf-8"))
    assert data["goals"][0]["capability"] == "Transcribe clinic audio reliably"
    assert data["reflections"][0]["answers"]["expected"] == "I expected WER 0.25"
    assert Path(saved[0]).parent == exports
    assert "# Research notes of Ada" in Path(saved[1]).read_text(encoding="utf-8")

    out = await say(ada, "/coach forget me")
    out = await say(ada, str(buttons(out)["Delete everything"]))
    assert "everything I kept about you is deleted" in out
    assert "You have no goal yet" in await say(ada, "/goal list")
    assert "portfolio is empty" in await say(ada, "/wins")


async def test_a_vague_goal_gets_one_question_and_can_be_kept(ada: ConsoleSession) -> None:
    out = await say(ada, "/goal set", "do cool stuff with LLMs", "vibes", "1", "", "")

    # One question, with examples of a measurable number, then only that field asked again.
    assert out.splitlines()[0] == (
        "[only you] Which number could you measure? E.g. success rate on 50 held-out towels, "
        "WER on clinic-50, pass@1 on HumanEval. Send it again to keep yours."
    )
    assert out.count("[only you]") == 1 and out.count("?") == 1
    assert "[form] Set a goal 2/5: Number that shows progress" in out
    assert "Enter keeps: vibes" in out

    out = await say(ada, "vibes")  # the same answer again: kept, no second question

    assert out.startswith("[only you] Goal 1 set: do cool stuff with LLMs")
    assert "The number to move: vibes." in out
    assert "Send it again" not in out
    assert "1. do cool stuff with LLMs — vibes: best –" in await say(ada, "/goal list")


async def test_a_good_goal_is_not_questioned(ada: ConsoleSession) -> None:
    out = await say(ada, *GOAL)
    assert out.startswith("[only you] Goal 1 set: Transcribe clinic audio reliably")
    assert "Send it again" not in out


async def test_self_doubt_in_a_reflection_is_acknowledged_before_the_last_question(
    ada: ConsoleSession,
) -> None:
    await say(ada, "/reflect the distillation project")
    for answer in ("WER 0.25", "a noisy teacher", "teacher quality", "the route", "the harness"):
        out = await say(ada, answer)
        assert "That sounds hard" not in out
    assert "(7/8)" in await say(ada, "40%, fair would be 20%")

    out = await say(ada, "Maybe I am just not cut out for research.")

    assert out.startswith("[DM] That sounds hard, and you are far from the only researcher")
    assert "best few works, not by one project" in out
    assert out.index("That sounds hard") < out.index("(8/8)")
    assert out.count("[DM]") == 1 and "[#team]" not in out
    out = await say(ada, "rerun with clean labels, 6")
    assert "That sounds hard" not in out and "Publish one line" in out


async def test_publish_is_the_only_way_to_the_channel(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    out = await say(ada, "/checkin", "Cleaned <!channel> labels @everyone", "", "", "", "")
    assert "[#team]" not in out
    out = await say(ada, str(buttons(out)["Publish to team"]))
    assert "[#team] Ada checked in." in out
    assert "Why I ask" not in out  # nudges stay private


async def test_as_switches_member_in_the_same_team(coach: Coach, exports: Path) -> None:
    ada = ConsoleSession(coach, "lab", "Ada", exports)
    await say(ada, *GOAL)
    assert await say(ada, "/as Grace") == "[console] You are now Grace."
    assert "You have no goal yet" in await say(ada, "/goal list")
    await say(ada, "/as Ada")
    assert "Transcribe clinic audio" in await say(ada, "/goal list")


async def test_bad_input_answers_clearly(ada: ConsoleSession) -> None:
    out = await say(ada, "/frobnicate")
    assert "I don't know /frobnicate" in out and "/checkin" in out
    assert "Usage: /goal" in await say(ada, "/goal dance")
    await say(ada, *GOAL)
    assert "is not a number" in await say(ada, "/goal update 1 fast")
    assert "Usage: /log" in await say(ada, "/log")

    # Too long: the limit is stated at once, and that question is asked again.
    long_text = "x" * 3001
    out = await say(ada, "/checkin", long_text)
    assert "3001 characters, over the limit of 3000" in out
    assert out.rstrip().endswith("(required; up to 3000 characters)") and "1/5" in out
    out = await say(ada, "Short and sweet", "", "", "", "")
    assert "Check-in saved" in out

    # A metric that is not a number is asked again at its step, the other answers kept.
    out = await say(ada, "/checkin", "Ran the eval", "", "ten")
    assert "must be a number" in out and "now" in out
    assert "Check-in saved" in await say(ada, "0.27", "", "")
    assert "[console] Choose" in await say(ada, "/goal set", "x", "m", "9")


async def test_checkin_without_goal_is_saved(ada: ConsoleSession) -> None:
    out = await say(ada, "/checkin")
    assert out.startswith("[form] Weekly check-in 1/5: What did you do?")  # the form at once
    assert "No goal yet: I'll save this check-in anyway" in out
    out = await say(ada, "Read three papers on clinic ASR", "", "", "", "")
    assert "Check-in saved." in out and "/goal set" in out


async def test_locked_database_keeps_the_draft_for_retry(tmp_path: Path, exports: Path) -> None:
    import sqlite3

    from bot.store import Database

    path = tmp_path / "locked.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.1})
    await db.upgrade()
    ada = ConsoleSession(Coach(db, ManualClock()), "lab", "Ada", exports)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        out = await say(ada, "/log tried the 3-gram LM")
        assert "can't reach my database" in out and "/retry" in out
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "Noted in your notebook." in await say(ada, "/retry")
    assert "tried the 3-gram LM" in await say(ada, "/review")
    assert "Nothing to retry" in await say(ada, "/retry")
    await db.dispose()


async def test_retry_sends_everything_the_database_could_not_take(
    tmp_path: Path, exports: Path
) -> None:
    import sqlite3

    from bot.store import Database

    path = tmp_path / "locked.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.1})
    await db.upgrade()
    ada = ConsoleSession(Coach(db, ManualClock()), "lab", "Ada", exports)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        assert "/retry" in await say(ada, "/log tried the 3-gram LM")
        assert "/retry" in await say(ada, "/log the LM helps on drug names")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "no goal yet" in await say(ada, "/goal list")  # back: another command meanwhile
    assert (await say(ada, "/retry")).count("Noted in your notebook.") == 2
    review = await say(ada, "/review")
    assert review.index("tried the 3-gram LM") < review.index("the LM helps on drug names")
    assert "Nothing to retry" in await say(ada, "/retry")
    await db.dispose()
