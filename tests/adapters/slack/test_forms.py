"""Forms in Slack: a modal is sent whole, so every bad field gets its error under it at once;
abandoning a goal asks first; several goals ask which first; a draft reopens with its command."""

from __future__ import annotations

from sqlalchemy import select

from adapters.slack.listeners import under_fields
from bot.coach import Coach
from bot.store.models import Goal, Member
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of

TIMEZONE = (
    "\"Time zone (IANA)\": unknown time zone 'Mars/Olympus'. Use an IANA name like Europe/Berlin."
)
TIME = "\"Check-in time (HH:MM)\": use 24-hour HH:MM, like 09:30 (you wrote '25:99')."
MUTE = (
    '"Mute until (YYYY-MM-DD, empty for never)": 2020-01-01 is in the past. '
    "Choose today (2026-11-02) or a later day."
)
BUDGET = '"Side-idea budget, hours a week": between 0 and 168 hours a week.'
GOAL = {
    "capability": "Fold laundry from pixels",
    "metric_name": "fold success rate on 50 towels",
    "direction": "up",
    "baseline": "0.50",
    "target": "90%",
}


async def set_goal(slack: SlackHarness, views: int, **values: str) -> dict[str, object]:
    await slack.command("/goal", "set")
    answer = await slack.submit(await slack.opened_view(views), {**GOAL, **values})
    assert answer.status_code == 200 and answer.text == ""
    return (await slack.fake.wait_for("chat.postEphemeral", views))[-1].args


async def test_settings_get_every_error_at_once(slack: SlackHarness, coach: Coach) -> None:
    await slack.command("/coach", "settings")
    view = await slack.opened_view()

    answer = await slack.submit(
        view,
        {
            "timezone": "Mars/Olympus",
            "checkin_day": "monday",
            "checkin_time": "25:99",
            "mute_until": "2020-01-01",
            "side_budget_hours": "200",
        },
    )

    body = answer.json()
    assert body["response_action"] == "errors"  # the modal stays open, answers in place
    assert body["errors"] == {
        "timezone": TIMEZONE,
        "checkin_time": TIME,
        "mute_until": MUTE,
        "side_budget_hours": BUDGET,
    }
    async with coach.db.session() as session:
        member = (await session.execute(select(Member))).scalar_one()
    assert member.timezone == "Europe/London" and member.mute_until is None


async def test_a_goal_keeps_the_numbers_as_typed(slack: SlackHarness) -> None:
    await slack.command("/goal", "set")
    view = await slack.opened_view()
    refused = await slack.submit(view, {**GOAL, "baseline": "about half"})
    assert list(refused.json()["errors"]) == ["baseline"]

    answer = await slack.submit(view, GOAL)
    assert answer.text == ""  # the modal closes
    reply = (await slack.fake.wait_for("chat.postEphemeral"))[-1].args
    assert "Baseline 0.50; target 90%, read as 0.9." in text_of(reply)


async def test_abandoning_asks_first(slack: SlackHarness, coach: Coach) -> None:
    await set_goal(slack, 1)

    await slack.command("/goal", "abandon 1")
    (asked,) = await slack.responses()
    assert text_of(asked).startswith("Abandon goal 1, Fold laundry from pixels?")
    async with coach.db.session() as session:
        assert (await session.execute(select(Goal.status))).scalar_one() == "active"

    await slack.press(buttons_of(asked)["Yes, abandon goal 1"])
    answered = (await slack.responses(2))[-1]
    said = text_of(answered)
    assert "Goal 1 abandoned. Stopping on purpose is a decision" in said
    assert "Failure is allowed" not in said and "Why I ask" not in said
    assert list(buttons_of(answered)) == ["Reflect on this"]
    async with coach.db.session() as session:
        assert (await session.execute(select(Goal.status))).scalar_one() == "abandoned"


async def test_several_goals_ask_which_then_open_the_form_naming_its_number(
    slack: SlackHarness,
) -> None:
    await set_goal(slack, 1)
    grasp = {"capability": "Grasp unseen objects", "metric_name": "grasp success rate"}
    await set_goal(slack, 2, **grasp, baseline="0.40")

    await slack.command("/checkin")
    (asked,) = await slack.responses()
    assert "Which goal is this check-in for?" in text_of(asked)
    assert list(buttons_of(asked)) == ["Fold laundry from pixels", "Grasp unseen objects"]

    await slack.press(buttons_of(asked)["Grasp unseen objects"])
    view = await slack.opened_view(3)
    opened_with = slack.fake.calls("views.open")[-1].args["trigger_id"]
    assert opened_with == slack.triggers[-1]  # the press's own
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"]}
    assert labels["metric_value"] == "grasp success rate now"
    await slack.submit(view, {"did": "Trained on 200 more objects.", "metric_value": "0.50"})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 3))[-1].args
    assert "Check-in saved for goal 2: Grasp unseen objects" in text_of(reply)
    assert "grasp success rate: 0.50, a new best." in text_of(reply)


async def test_text_over_the_limit_is_kept_and_reopens_with_the_command(
    slack: SlackHarness,
) -> None:
    long = ("Fold laundry from pixels, " * 48).strip()  # 1247 characters: the field takes 1000
    await slack.command("/goal", f"set {long}")
    view = await slack.opened_view()
    capability = next(b for b in view["blocks"] if b["block_id"] == "capability")["element"]
    assert capability["initial_value"] == long  # all of it, to shorten

    answer = await slack.submit(view, {**GOAL, "capability": long})
    error = answer.json()["errors"]["capability"]
    assert "1247 characters" in error and "/goal set reopens the form with it" in error

    await slack.command("/goal", "set")  # the modal was closed; the command brings it back
    again = await slack.opened_view(2)
    values = {b["block_id"]: b["element"].get("initial_value") for b in again["blocks"]}
    assert values["capability"] == long and values["baseline"] == "0.50"


def test_an_error_about_a_field_the_modal_lacks_goes_under_its_first_field() -> None:
    view = {"blocks": [{"block_id": "did"}, {"block_id": "metric_value"}]}
    errors = {"goal": '"Goal" is needed.', "metric_value": "must be a number"}
    assert under_fields(view, errors) == {
        "did": '"Goal" is needed.',
        "metric_value": "must be a number",
    }


async def test_a_trigger_id_slack_no_longer_takes_gets_a_note_not_a_modal(
    slack: SlackHarness,
) -> None:
    """A trigger_id opens one modal within 3 s (the fake's clock, not a sleep): a late one is
    refused by Slack, and the member is told to run the command again."""
    slack.fake.trigger_ttl = -1.0  # every trigger is already late when it reaches Slack
    assert (await slack.command("/goal", "set")).status_code == 200
    (note,) = await slack.responses()
    assert "Slack closed the form window" in text_of(note)
    (refused,) = slack.fake.calls("views.open")
    assert not refused.ok
