"""Predict, then measure, typed in the console: a number prediction held or missed by the next
check-in's value (and by a tracker's reading), a yes/no resolved by a button or a command,
the member's calibration shown only once enough are resolved (coverage, bias and Brier as
computed by hand), and every bad input answered clearly with nothing lost."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import Action, Actor, ButtonPressed, Place
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.schedule.outbox import Outbox
from bot.schedule.predicted import told
from bot.schedule.readings import take
from bot.store.models import Delivery
from bot.trackers import Reading
from tests.adapters.console.test_transcript import buttons
from tests.conftest import say
from tests.schedule.helpers import RecordingMessenger

GOAL = (
    "/goal set",
    "Robot arm that folds laundry from pixels",
    "fold success rate on 50 towels",
    "1",  # higher is better
    "0.1",
    "0.6",
)


async def check_in(session: ConsoleSession, value: str, next_step: str = "") -> str:
    return await say(session, "/checkin", "Ran the towel eval", "", value, next_step, "")


async def predicted(session: ConsoleSession, line: str) -> str:
    out = await say(session, f"/predict {line}")
    assert "private to you" in out, out
    return out


async def test_a_number_prediction_held_by_the_next_checkin(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)

    saved = await predicted(ada, "0.45 0.40-0.50 80% twenty more towels")
    assert "Prediction 1, private to you: fold success rate on 50 towels at 0.45" in saved
    assert "between 0.40 and 0.50, 80% sure" in saved
    assert "The experiment: twenty more towels" in saved

    out = await check_in(ada, "0.47")

    assert "Prediction 1 held: 0.47 landed inside your 0.40-0.50." in out
    listed = await say(ada, "/predict list")
    assert "(the number was 0.47: held)" in listed


async def test_a_miss_says_it_was_too_optimistic(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80%")

    out = await check_in(ada, "0.31")

    assert "Prediction 1 missed: 0.31, outside your 0.40-0.50, not as good as you hoped." in out
    assert "held" not in out
    again = await check_in(ada, "0.9")  # resolved once: a later value changes nothing
    assert "Prediction 1" not in again


async def test_a_goal_update_resolves_it_too(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80%")

    out = await say(ada, "/goal update 0.42")

    assert "Prediction 1 held: 0.42 landed inside your 0.40-0.50." in out


async def test_lower_is_better_turns_the_direction(ada: ConsoleSession) -> None:
    await say(ada, "/goal set", "Transcribe clinic audio", "word error rate", "2", "0.3", "0.1")
    await predicted(ada, "0.20 0.18-0.22 80%")

    out = await check_in(ada, "0.12")

    assert "Prediction 1 missed: 0.12, outside your 0.18-0.22, better than you expected." in out


async def test_a_yes_no_resolved_by_its_button(ada: ConsoleSession) -> None:
    saved = await predicted(ada, "yes 70% the new sampler beats the baseline")
    assert "yes, 70% sure: the new sampler beats the baseline" in saved
    assert list(buttons(saved)) == ["It happened", "It did not"]

    out = await say(ada, str(buttons(saved)["It did not"]))

    assert "Prediction 1: it did not happen; you expected yes, 70% sure." in out
    again = await say(ada, "/predict resolve 1 yes")
    assert "Prediction 1 is already resolved: it did not happen." in again


async def test_a_yes_no_resolved_by_command(ada: ConsoleSession) -> None:
    await predicted(ada, "no 0.6 the bigger batch helps")

    out = await say(ada, "/predict resolve 1 no")

    assert "Prediction 1: it did not happen, as you expected (no, 60% sure)." in out


async def test_a_reading_from_a_tracker_resolves_it_too(ada: ConsoleSession, coach: Coach) -> None:
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80%")
    now = coach.clock.now()
    runs = [
        Reading(0.30, "old-run", 10, now - timedelta(days=2)),  # before the prediction
        Reading(0.52, "new-run", 10, now + timedelta(hours=1)),
    ]
    async with coach.db.scope(ada.tenant, now) as scope:
        member = await scope.member("ada")
        assert member is not None
        (goal,) = await scope.goals(member)
        await take(scope, goal, "mlflow", runs[:1], "max", now)
        assert (await scope.predictions(member, open_only=True))[0].ref == 1
        await take(scope, goal, "mlflow", runs, "max", now)
        (resolved,) = await scope.predictions(member, resolved_only=True)

    assert (resolved.actual, resolved.held, resolved.resolved_by) == (0.52, False, "mlflow")
    said = "".join(str(s) for s in told(load_prompts(), [resolved]))
    assert "Prediction 1 missed: 0.52, outside your 0.40-0.50, better than you expected." in said
    listed = await say(ada, "/predict list")
    assert "(the number was 0.52: missed)" in listed


async def test_a_prediction_a_tracker_settles_is_told_by_dm_once(
    ada: ConsoleSession, coach: Coach
) -> None:
    """The member asked to be measured: a value arriving from a tracker or a script tells
    them, privately, how the prediction went; nothing is said while they muted the coach."""
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80%")
    now = coach.clock.now()
    messenger = RecordingMessenger(coach.clock)
    outbox = Outbox(coach.db, {"console": messenger}, load_prompts(), coach.clock)
    async with coach.db.scope(ada.tenant, now) as scope:
        member = await scope.member("ada")
        assert member is not None
        (goal,) = await scope.goals(member)
        await take(scope, goal, "mlflow", [Reading(0.42, "run-1", 3, now)], "max", now)
        await take(scope, goal, "mlflow", [Reading(0.44, "run-2", 3, now)], "max", now)

    await outbox.drain(coach.clock.now())

    told_dms = [d for d in messenger.dms("ada") if "Prediction 1" in d.text]
    (dm,) = told_dms  # once: the second value found it settled already
    assert dm.text.startswith("A new value of goal 1 came in from its tracker or script")
    assert "Prediction 1 held: 0.42 landed inside your 0.40-0.50." in dm.text


async def test_a_muted_member_is_not_told_of_a_settled_prediction(
    ada: ConsoleSession, coach: Coach
) -> None:
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80%")
    await say(ada, "/coach mute until 2099-01-01")
    now = coach.clock.now()
    async with coach.db.scope(ada.tenant, now) as scope:
        member = await scope.member("ada")
        assert member is not None
        (goal,) = await scope.goals(member)
        await take(scope, goal, "mlflow", [Reading(0.42, "run-1", 3, now)], "max", now)
        (settled,) = await scope.predictions(member, resolved_only=True)

    assert settled.held  # measured all the same, for /coach calibration
    async with coach.db.session() as session:
        told_rows = await session.scalars(select(Delivery).where(Delivery.kind == "predicted"))
        assert list(told_rows) == []


async def test_nobody_else_resolves_my_prediction(ada: ConsoleSession, coach: Coach) -> None:
    saved = await predicted(ada, "yes 70% the new sampler beats the baseline")
    assert buttons(saved)
    async with coach.db.scope(ada.tenant, coach.clock.now()) as scope:
        member = await scope.member("ada")
        assert member is not None
        (mine,) = await scope.predictions(member)

    bob = Actor(ada.tenant, "bob", "Bob")
    pressed = ButtonPressed(bob, Place.dm(), Action.PREDICTION_HAPPENED, str(mine.id))
    (answer,) = await coach.handle(pressed)

    assert "I can't find that prediction among yours." in str(answer)
    assert "I can't find prediction 7 among yours." in await say(ada, "/predict resolve 7 yes")
    async with coach.db.scope(ada.tenant, coach.clock.now()) as scope:
        member = await scope.member("ada")
        assert member is not None
        (still,) = await scope.predictions(member)
    assert still.resolved_at is None


def _number(text: str, pattern: str) -> str:
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


async def test_calibration_waits_for_five_then_shows_the_record(
    ada: ConsoleSession, clock: ManualClock
) -> None:
    await say(ada, *GOAL)
    # Ranges at 80%: (point, value that arrived); held: 0.47, 0.41, 0.52 / missed: 0.30, 0.62.
    rounds = [("0.45", "0.47"), ("0.45", "0.41"), ("0.50", "0.52"), ("0.45", "0.30")]
    for point, value in rounds:
        await predicted(ada, f"{point} 0.40-0.55 80%")
        clock.advance(timedelta(days=1))
        await check_in(ada, value)
    early = await say(ada, "/coach calibration")
    assert "Number predictions: 4 resolved. 1 more, and I'll show" in early
    assert "ranges held" not in early

    await predicted(ada, "0.50 0.40-0.55 80%")
    await check_in(ada, "0.62")
    # Yes/no: yes 70% happened, yes 70% did not, no 60% did not, yes 90% happened, no 80%
    # happened. Chance of yes: 0.7, 0.7, 0.4, 0.9, 0.2; outcomes 1, 0, 0, 1, 1.
    for line, outcome in [
        ("yes 70% a", "yes"),
        ("yes 70% b", "no"),
        ("no 60% c", "no"),
        ("yes 90% d", "yes"),
        ("no 80% e", "yes"),
    ]:
        out = await predicted(ada, line)
        ref = _number(out, r"Prediction (\d+)")
        await say(ada, f"/predict resolve {ref} {outcome}")

    shown = await say(ada, "/coach calibration")

    assert "3 of 5 ranges held at 80% stated (60%)." in shown
    # Optimism (point - value): -0.02, 0.04, -0.02, 0.15, -0.12 → mean 0.006.
    assert (
        "fold success rate on 50 towels: on average you expected it 0.006 better than it "
        "turned out (optimistic, 5 predictions)." in shown
    )
    # Brier: (0.09 + 0.49 + 0.16 + 0.01 + 0.64) / 5 = 0.278.
    assert "Brier score 0.278 over 5 predictions" in shown
    assert "3 of 5 went as you expected." in shown


async def test_predict_the_next_one_opens_the_form_with_the_next_experiment(
    ada: ConsoleSession,
) -> None:
    await say(ada, *GOAL)
    out = await check_in(ada, "0.3", "try 20 more towels")

    opened = await say(ada, str(buttons(out)["Predict the next one"]))
    assert "Predict, then measure 1/5: The experiment" in opened
    assert "Enter keeps: try 20 more towels" in opened

    saved = await say(ada, "", "1", "0.45", "0.40-0.50", "80%")
    assert "Prediction 1, private to you" in saved
    assert "The experiment: try 20 more towels" in saved


async def test_a_bare_line_is_about_the_next_experiment_of_the_last_checkin(
    ada: ConsoleSession,
) -> None:
    await say(ada, *GOAL)
    await check_in(ada, "0.3", "try 20 more towels")

    saved = await predicted(ada, "0.45 between 0.40 and 0.50, 80% sure")

    assert "between 0.40 and 0.50, 80% sure" in saved
    assert "The experiment: try 20 more towels" in saved


async def test_with_several_goals_a_line_names_its_goal(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    await say(ada, "/goal set", "Transcribe clinic audio", "word error rate", "2", "0.3", "0.1")

    refused = await say(ada, "/predict 0.45 0.40-0.50 80%")
    assert "you have several goals: name the one whose number you predict" in refused

    saved = await predicted(ada, "goal 2: 0.20 0.18-0.22 80%")
    assert "word error rate at 0.20" in saved
    assert "I can't find goal 9" in await say(ada, "/predict goal 9 0.2 0.1-0.3 80%")


BAD_LINES = {
    "about half of the towels": "a prediction needs a number or a yes/no first",
    "0.45 0.50-0.40 80%": "the range is upside down: 0.50 is above 0.40. Put the lower end first.",
    "0.45 0.50-0.60 80%": "0.45 is outside your own range 0.50-0.60.",
    "0.45 0.40-0.50": "say how sure you are, like 80% or 0.8.",
    "0.45 80%": "add the range you expect it in, low-high, like 0.40-0.50",
    "0.45 0.40-0.50 100%": "a share above 0% and below 100% (you wrote '100%')",
    "0.45 0.40-0.50 0%": "a share above 0% and below 100% (you wrote '0%')",
    "yes 170% the sampler wins": "from 0 to 1: write 70% or 0.7 (you wrote '170%').",
    "yes 70 the sampler wins": "a probability is from 0 to 1: write 70% or 0.7 (you wrote '70').",
    "no -0.2 the sampler wins": "a probability is from 0 to 1",
    "yes 70%": "say what the yes or no is about",
}


async def test_bad_lines_get_clear_answers_and_keep_the_words(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    for line, problem in BAD_LINES.items():
        out = await say(ada, f"/predict {line}")
        assert "Not saved yet, and nothing is lost" in out, line
        assert problem in out, (line, out)
    assert "No predictions yet" in await say(ada, "/predict list")

    reopened = await say(ada, "/predict yes 170% the sampler wins", "/predict")
    assert "Enter keeps: the sampler wins" in reopened  # the draft, in the form


async def test_a_bad_form_lists_every_problem_and_asks_only_those_again(
    ada: ConsoleSession,
) -> None:
    await say(ada, *GOAL)

    out = await say(ada, "/predict", "more towels", "1", "about half", "0.50-0.40", "80%")

    assert "a number prediction needs a number, like 0.45 (you wrote 'about half')." in out
    assert "the range is upside down: 0.50 is above 0.40." in out
    assert "Enter keeps: about half" in out  # asked again, the words kept
    out = await say(ada, "0.45")
    assert "Enter keeps: 0.50-0.40" in out
    saved = await say(ada, "0.40-0.50")
    assert "Prediction 1, private to you: fold success rate on 50 towels at 0.45" in saved
    assert "The experiment: more towels" in saved


async def test_a_number_needs_a_goal(ada: ConsoleSession) -> None:
    out = await say(ada, "/predict 0.45 0.40-0.50 80%")
    assert "a number prediction is measured by a goal's number: set one with /goal set" in out


async def test_help_names_predict_and_calibration(ada: ConsoleSession) -> None:
    out = await say(ada, "/coach help")
    assert "/predict [0.45 0.40-0.50 80% · yes 70% WHAT · list]" in out
    assert "calibration" in out


async def test_the_export_keeps_every_prediction_and_how_it_turned_out(
    ada: ConsoleSession, exports: Path
) -> None:
    await say(ada, *GOAL)
    await predicted(ada, "0.45 0.40-0.50 80% twenty more towels")
    await check_in(ada, "0.47")
    await predicted(ada, "no 60% the bigger batch helps")

    await say(ada, "/coach export")

    (document,) = exports.glob("*.md")
    text = document.read_text()
    assert (
        "prediction 1: fold success rate on 50 towels at 0.45, between 0.40 and 0.50, 80% sure: "
        "twenty more towels → 0.47: held" in text
    )
    assert "prediction 2: no, 60% sure: the bigger batch helps (open)" in text
    (data,) = exports.glob("*.json")
    assert [p["ref"] for p in json.loads(data.read_text())["predictions"]] == [1, 2]


async def test_a_form_left_half_way_is_kept_for_next_time(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    await say(ada, "/predict", "the towel ablation", "1", "0.45")

    left = await ada.interrupt()

    assert "/predict" in left
    reopened = await say(ada, "/predict")
    assert "Enter keeps: the towel ablation" in reopened


async def test_a_yes_typed_in_the_form_is_a_yes_no_whatever_the_choice(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)

    out = await say(ada, "/predict", "the new sampler beats the baseline", "", "yes", "", "0.7")

    assert "Prediction 1, private to you: yes, 70% sure: the new sampler beats the baseline" in out
    assert list(buttons(out)) == ["It happened", "It did not"]
