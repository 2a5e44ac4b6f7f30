"""``/checkin history [weeks]`` and ``/log search <words>`` in the console, as a member types
them: their own check-ins week by week, newest first; their own notebook, every word matched;
never a teammate's; always private."""

from __future__ import annotations

from datetime import timedelta

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import Reply
from bot.ports import ManualClock
from tests.coach.helpers import command, member, only, text
from tests.conftest import say

LAUNDRY = ("/goal set", "Robot arm that folds laundry", "fold success", "1", "0.1", "0.6")


async def checkin(session: ConsoleSession, did: str, value: str = "") -> str:
    return await say(session, "/checkin", did, "", value, "try 20 more towels", "")


async def test_history_lists_the_weeks_asked_for_newest_first(
    ada: ConsoleSession, clock: ManualClock
) -> None:
    await say(ada, *LAUNDRY)
    await checkin(ada, "Set up the towel eval", "0.2")  # Mon 2 Nov
    clock.advance(timedelta(weeks=1, days=2))
    await checkin(ada, "Collected teleop demos")  # Wed 11 Nov
    clock.advance(timedelta(weeks=2))
    await checkin(ada, "Trained a diffusion policy", "0.35")  # Wed 25 Nov

    four = await say(ada, "/checkin history")
    two = await say(ada, "/checkin history 2")
    one = await say(ada, "/checkin history 1 week")

    assert four.startswith("[only you] Your check-ins of the last 4 weeks, newest first")
    weeks = [line.strip() for line in four.splitlines() if "Week of" in line]
    assert weeks == [f"Week of {day} November 2026" for day in (23, 9, 2)]
    assert four.index("Trained a diffusion policy") < four.index("Collected teleop demos")
    assert "Wed 25 Nov · goal 1: Trained a diffusion policy · fold success 0.35 · private" in four
    assert "Wed 11 Nov · goal 1: Collected teleop demos · private" in four  # no number sent
    assert "Mon 2 Nov · goal 1: Set up the towel eval · fold success 0.2 · private" in four
    # Two weeks: this one and last (no check-in in it); 11 Nov is three weeks back.
    assert "Trained a diffusion policy" in two and "Collected teleop demos" not in two
    assert "Week of 9 November" not in two
    assert one.startswith("[only you] Your check-ins of this week")


async def test_history_marks_what_was_published_and_cuts_long_words(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)
    await checkin(ada, "Folded towels " + "and more towels " * 20, "0.3")
    await say(ada, "1")  # Publish to team

    out = await say(ada, "/checkin history")

    line = next(line for line in out.splitlines() if "goal 1:" in line)
    assert line.rstrip().endswith("· fold success 0.3 · published")
    assert "…" in line and len(line) < 220  # one line, not the whole text


async def test_history_is_only_ever_ones_own(ada: ConsoleSession) -> None:
    await say(ada, "/as Grace", *LAUNDRY)
    await checkin(ada, "Grace calibrated the gripper", "0.4")
    await say(ada, "/as Ada", *LAUNDRY)
    await checkin(ada, "Ada cleaned the towel dataset", "0.2")

    out = await say(ada, "/checkin history 52")

    assert "Ada cleaned the towel dataset" in out
    assert "Grace" not in out


async def test_history_with_nothing_says_how_to_check_in(
    ada: ConsoleSession, clock: ManualClock
) -> None:
    none = await say(ada, "/checkin history")
    await say(ada, *LAUNDRY)
    await checkin(ada, "Set up the towel eval")
    clock.advance(timedelta(weeks=6))
    gone = await say(ada, "/checkin history 2")

    assert none == (
        "[only you] You have no check-ins yet. /checkin records one: what you did, how it moves"
        " your goal, your number and the simplest next experiment."
    )
    assert gone.startswith("[only you] No check-ins in the last 2 weeks. Try more weeks")


async def test_a_week_count_out_of_range_gets_a_clear_answer(coach: Coach) -> None:
    ada = member()
    for typed in ("0", "53", "many", "4 months"):
        said = text(only(await command(coach, ada, "checkin", f"history {typed}"), Reply))
        assert said.startswith("Give the number of weeks as 1 to 52"), typed
        assert "Usage: /checkin history [weeks, 1 to 52]" in said


# --- /log search --------------------------------------------------------------------------------


async def test_search_finds_entries_holding_every_word_any_case_newest_first(
    ada: ConsoleSession, clock: ManualClock
) -> None:
    await say(ada, "/log Warmup fixed the loss spikes at 7B")
    clock.advance(timedelta(days=1))
    await say(ada, "/log Tried a longer warmup: loss spikes are back")
    await say(ada, "/log Unrelated: booked the GPU cluster")

    both = await say(ada, "/log search LOSS warmup")
    one = await say(ada, "/log search warmup 7b")

    assert both.startswith("[only you] Notebook entries with LOSS warmup, newest first")
    assert both.index("Tue 3 Nov 2026: Tried a longer warmup") < both.index(
        "Mon 2 Nov 2026: Warmup fixed the loss spikes"
    )
    assert "GPU cluster" not in both
    assert "Warmup fixed the loss spikes at 7B" in one and "longer warmup" not in one


async def test_search_shows_the_newest_ten(ada: ConsoleSession) -> None:
    for n in range(12):
        await say(ada, f"/log ablation {n:02d} of the tokenizer")

    out = await say(ada, "/log search ablation")

    shown = [line for line in out.splitlines() if "ablation" in line and "•" in line]
    assert len(shown) == 10
    assert "ablation 11" in shown[0] and "ablation 02" in shown[-1]
    assert "ablation 01" not in out
    assert "These are the newest 10; add a word to narrow it down." in out


async def test_search_misses_say_so_and_how_to_add(ada: ConsoleSession) -> None:
    empty = await say(ada, "/log search warmup")
    await say(ada, "/log Warmup fixed the loss spikes")
    missed = await say(ada, "/log search warmup divergence")
    usage = await say(ada, "/log search")

    assert empty.startswith("[only you] Your notebook is empty. /log")
    assert missed.startswith("[only you] Nothing in your notebook has warmup divergence.")
    assert "/log <text> adds one" in missed
    assert usage == "[only you] Usage: /log search <words>"


async def test_search_never_finds_a_teammates_notes(ada: ConsoleSession) -> None:
    await say(ada, "/as Grace", "/log Grace's secret warmup schedule for the 7B run")
    await say(ada, "/as Ada", "/log My own note on tokenizers")

    out = await say(ada, "/log search warmup")

    assert out.startswith("[only you] Nothing in your notebook has warmup.")
    assert "secret" not in out
