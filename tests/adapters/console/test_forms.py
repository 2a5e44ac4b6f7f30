"""Forms in the terminal, one question at a time: each answer is checked when it is typed, a
refused answer is never offered back, numbers are shown as the member typed them, and goals are
abandoned only after a yes."""

from __future__ import annotations

from datetime import date

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import Actor, FormSubmitted, Place, TenantRef
from bot.store.models import BestWork, Goal, Member, MetricPoint
from tests.coach.helpers import rows
from tests.conftest import say, transcript

TIMEZONE = (
    "\"Time zone (IANA)\": unknown time zone 'Mars/Olympus'. Use an IANA name like Europe/Berlin."
)
TIME = "\"Check-in time (HH:MM)\": use 24-hour HH:MM, like 09:30 (you wrote '25:99')."
MUTE = (
    '"Mute until (YYYY-MM-DD, empty for never)": 2020-01-01 is in the past. '
    "Choose today (2026-11-02) or a later day."
)
BUDGET = '"Side-idea budget, hours a week": between 0 and 168 hours a week.'
GOAL = ("/goal set", "Fold laundry from pixels", "fold success rate on 50 towels", "1")


async def test_a_bad_baseline_is_refused_at_its_step_and_not_offered_back(
    ada: ConsoleSession, coach: Coach
) -> None:
    out = await say(ada, *GOAL, "about half")

    assert out.splitlines() == [
        '[only you] "Baseline (existing methods)" must be a number, like 0.42 or 42% (you wrote '
        "'about half').",
        "[form] Set a goal 4/5: Baseline (existing methods) (Enter to skip)",
    ]  # asked again at once, with nothing to keep
    out = await say(ada, "0.50")
    assert out.startswith("[form] Set a goal 5/5: Target")
    out = await say(ada, "90%")
    assert "Goal 1 set: Fold laundry from pixels" in out
    assert "Baseline 0.50; target 90%, read as 0.9." in out  # as typed; the percentage read
    (goal,) = await rows(coach, Goal)
    assert (goal.baseline, goal.target) == (0.5, 0.9)


async def test_settings_are_checked_field_by_field_in_one_round(
    ada: ConsoleSession, coach: Coach
) -> None:
    out = await transcript(
        ada,
        "/coach settings",
        "Mars/Olympus",
        "Europe/Berlin",
        "",
        "25:99",
        "9:30",
        "2020-01-01",
        "",
        "200",
    )
    lines = out.splitlines()
    for step, error in enumerate((TIMEZONE, TIME, MUTE, BUDGET)):
        # Each refused right after its answer, and that question asked again at once.
        again = lines[lines.index(f"[only you] {error}") + 1]
        assert again.startswith(f"[form] Coach settings {(1, 3, 4, 5)[step]}/5")
    for refused in ("Mars/Olympus", "25:99", "2020-01-01", "200"):
        assert f"Enter keeps: {refused}" not in out
    assert lines[-1] == "   Enter keeps: 4"  # the budget asked again, the old value kept
    assert await say(ada, "6") == "[only you] Saved: check-ins on Monday at 09:30, Europe/Berlin."
    (member,) = await rows(coach, Member)
    assert (member.timezone, member.checkin_time, member.mute_until) == (
        "Europe/Berlin",
        "09:30",
        None,
    )


async def test_a_refused_draft_value_is_shown_to_fix_not_kept(
    ada: ConsoleSession, coach: Coach
) -> None:
    await say(ada, *GOAL, "", "")
    # A check-in sent whole with a number that is not one is kept as a draft.
    actor = Actor(TenantRef("console", "lab"), "ada", "Ada")
    values = {"did": "Cleaned the towel set", "metric_value": "about 0.3"}
    await coach.handle(FormSubmitted(actor, Place.channel("team"), "checkin", values, "1"))

    out = await say(ada, "/checkin", "", "")

    assert out.splitlines() == [
        "[form] Weekly check-in 3/5: fold success rate on 50 towels now (Enter to skip; "
        "e.g. 0.42 or 42%)",
        "   Your earlier answer, to fix: about 0.3",
    ]
    assert "Enter keeps: about 0.3" not in out
    out = await say(ada, "", "", "")
    assert "Check-in saved for goal 1" in out
    assert await rows(coach, MetricPoint) == []


async def test_a_kept_optional_answer_can_be_emptied(ada: ConsoleSession, coach: Coach) -> None:
    await say(ada, "/coach mute until 2026-12-24")
    out = await say(ada, "/coach settings", "", "", "")
    assert out.endswith("Enter keeps: 2026-12-24 (- leaves it empty)")
    assert "Enter to skip" not in out  # Enter keeps the date; it does not skip
    await say(ada, "-", "")
    (member,) = await rows(coach, Member)
    assert member.mute_until is None


async def test_a_mute_in_the_past_is_refused(ada: ConsoleSession, coach: Coach) -> None:
    out = await say(ada, "/coach mute until 2020-01-01")
    assert out == "[only you] 2020-01-01 is in the past. Choose today (2026-11-02) or a later day."
    assert "Enjoy the break" not in out
    (member,) = await rows(coach, Member)
    assert member.mute_until is None
    out = await say(ada, "/coach mute until 2026-12-24")
    assert "Muted until 2026-12-24" in out
    (member,) = await rows(coach, Member)
    assert member.mute_until == date(2026, 12, 24)


async def test_a_link_that_is_not_a_web_address_is_refused(
    ada: ConsoleSession, coach: Coach
) -> None:
    out = await say(ada, "/wins add", "My thesis", "chapter 3 of my thesis")
    assert out.splitlines()[0] == (
        "[only you] \"Link\": not a web address (you wrote 'chapter 3 of my thesis'). Use one "
        'like https://arxiv.org/abs/2401.01234; other notes go under "Why".'
    )
    assert out.splitlines()[1].startswith("[form] Add to best works 2/3: Link")
    out = await say(ada, "https://example.org/thesis.pdf", "")
    assert out == "[only you] Added to your best works: My thesis"
    (work,) = await rows(coach, BestWork)
    assert work.link == "https://example.org/thesis.pdf"


async def test_abandoning_asks_yes_or_no_and_then_says_one_thing(
    ada: ConsoleSession, coach: Coach
) -> None:
    await say(ada, *GOAL, "", "")

    asked = await say(ada, "/goal abandon 1")
    assert asked.splitlines() == [
        "[only you] Abandon goal 1, Fold laundry from pixels? It leaves your active goals; what "
        "you recorded on it stays.",
        "   (1) Yes, abandon goal 1  (2) No, keep it",
    ]
    assert await say(ada, "2") == "[only you] Goal 1 stays active."
    (goal,) = await rows(coach, Goal)
    assert goal.status == "active"

    await say(ada, "/goal abandon 1")
    out = await say(ada, "1")
    assert out.startswith("[only you] Goal 1 abandoned. Stopping on purpose is a decision")
    assert "not a failure" not in out and "Failure is allowed" not in out
    assert "Why I ask" not in out  # one message, not a message and a nudge
    assert out.splitlines()[-1] == "   (1) Reflect on this"

    out = await say(ada, "/goal update 1 0.6")
    assert out == (
        "[only you] Goal 1 is abandoned: its number is no longer tracked. "
        "/goal set starts a new goal."
    )
    assert await rows(coach, MetricPoint) == []


async def test_several_goals_the_goal_first_then_its_number_by_name(
    ada: ConsoleSession, coach: Coach
) -> None:
    await say(ada, *GOAL, "0.50", "")
    await say(ada, "/goal set", "Sim-trained grasping on real objects", "grasp success rate")
    await say(ada, "", "", "")

    asked = await say(ada, "/checkin")
    assert asked.splitlines() == [
        "[only you] Which goal is this check-in for? (/checkin N goes straight to goal N.)",
        "   (1) Fold laundry from pixels  (2) Sim-trained grasping on real objects",
    ]  # no "1) 2. Sim-trained…"
    out = await say(ada, "2", "Trained on 200 more objects.", "")
    assert out.startswith("[form] Weekly check-in 3/5: grasp success rate now")
    out = await say(ada, "0.50", "Try the wrist camera.", "")
    assert "Check-in saved for goal 2: Sim-trained grasping on real objects" in out
    assert "grasp success rate: 0.50, a new best." in out  # as typed, not 0.5
    assert "Next: Try the wrist camera. Can it be done" in out  # one full stop, not two

    out = await say(ada, "/goal update 1 0.70")
    assert out == "[only you] Goal 1: fold success rate on 50 towels = 0.70, a new best."
    out = await say(ada, "/goal update 1 55%")
    assert out == (
        "[only you] Saved for goal 1: fold success rate on 50 towels = 55%, read as 0.55 "
        "(best so far 0.70)."
    )


async def test_a_metric_the_member_ended_with_a_full_stop_gets_one(ada: ConsoleSession) -> None:
    out = await say(ada, "/goal set", "Fold laundry from pixels", "fold success rate.", "", "", "")
    assert "The number to move: fold success rate." in out
    assert "rate.." not in out


async def test_numbers_stay_as_typed_in_every_later_view(ada: ConsoleSession, coach: Coach) -> None:
    await say(ada, *GOAL, "0.50", "0.90")
    out = await say(ada, "/checkin", "Trained on 200 more towels.", "", "0.70", "", "")
    assert "fold success rate on 50 towels: 0.70, a new best." in out

    assert (await say(ada, "/goal show 1")).splitlines()[:3] == [
        "[only you] 1. Fold laundry from pixels — fold success rate on 50 towels: best 0.70 "
        "(target 0.90)",
        "           Better is higher. Baseline 0.50. Recent values: 0.50 → 0.70",
        "   fold success rate on 50 towels over a day: 0.50 → 0.70, best 0.70, target 0.90",
    ]
    out = await say(ada, "/goal list")
    assert out.splitlines()[-1].endswith(
        "1. Fold laundry from pixels — fold success rate on 50 towels: best 0.70 (target 0.90)"
    )
    out = await say(ada, "/home")
    assert "1. Fold laundry from pixels — fold success rate on 50 towels: ▁█ 0.50 → 0.70" in out

    # A percentage is shown as the fraction it was read as, as it was before: on one scale.
    await say(ada, "/goal update 1 75%")
    out = await say(ada, "/goal show 1")
    assert "best 0.75 (target 0.90)" in out and "0.50 → 0.70 → 0.75" in out
    (goal,) = await rows(coach, Goal)
    assert (goal.baseline_text, goal.target_text, goal.current_best_text) == ("0.50", "0.90", None)
