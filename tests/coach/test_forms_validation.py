"""Forms checked through the Coach: one answer at a time (a console asks step by step), every
error at once (a modal is sent whole), drafts that reopen, and numbers as the member typed them."""

from __future__ import annotations

import pytest

from bot.coach import Coach, forms
from bot.events import Actor, FileReady, FormRejected, FormSubmitted, OpenForm, Reply
from bot.store.models import BestWork, Draft, Goal, Member
from tests.coach.helpers import (
    CHANNEL,
    TEAM,
    check_in,
    command,
    member,
    only,
    rows,
    set_goal,
    text,
)

SETTINGS = {
    "timezone": "Europe/Berlin",
    "checkin_day": "friday",
    "checkin_time": "9:30",
    "mute_until": "",
    "side_budget_hours": "6",
}


@pytest.mark.parametrize(
    ("form", "field", "answer", "error"),
    [
        (forms.goal_form(), "baseline", "about half", "must be a number, like 0.42 or 42%"),
        (forms.goal_form(), "capability", "", '"Capability you want to exist" is needed.'),
        (forms.work_form(), "link", "my thesis", "not a web address"),
        (forms.work_form(), "title", "t" * 301, "301 characters, over the limit of 300."),
    ],
)
def test_one_answer_is_checked_on_its_own(
    coach: Coach, form: forms.Form, field: str, answer: str, error: str
) -> None:
    problem = coach.check_answer(form, field, {field: answer})
    assert problem is not None and error in problem
    assert "draft" not in problem  # asked step by step, nothing was kept yet


@pytest.mark.parametrize(
    ("field", "answer", "error"),
    [
        ("timezone", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("checkin_time", "25:99", "use 24-hour HH:MM, like 09:30 (you wrote '25:99')."),
        ("mute_until", "2020-01-01", "2020-01-01 is in the past. Choose today (2026-11-02)"),
        ("mute_until", "soon", "use a date like 2026-12-31"),
        ("side_budget_hours", "200", "between 0 and 168"),
        ("side_budget_hours", "10%", "a number of hours, like 4, not a percentage."),
    ],
)
def test_each_settings_answer_is_checked_when_given(
    coach: Coach, field: str, answer: str, error: str
) -> None:
    form = forms.settings_form("UTC", 0, "10:00", "", 4)
    problem = coach.check_answer(form, field, {**SETTINGS, field: answer})
    assert problem is not None and error in problem
    assert coach.check_answer(form, field, SETTINGS) is None


async def test_settings_sent_whole_get_every_error_at_once(coach: Coach) -> None:
    values = {**SETTINGS, "timezone": "Mars/Olympus", "checkin_time": "25:99"}
    values |= {"mute_until": "2020-01-01", "side_budget_hours": "many"}

    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "settings", values))

    rejected = only(intents, FormRejected)
    assert set(rejected.errors) == {"timezone", "checkin_time", "mute_until", "side_budget_hours"}
    kept = {f.name: f.initial for f in rejected.form.fields}
    assert kept["timezone"] == "Mars/Olympus"  # reopened with the member's answers
    (row,) = await rows(coach, Member)
    assert row.timezone == "UTC" and row.mute_until is None


TEAM_ADMIN = Actor(TEAM, "U9", "Grace", is_admin=True)


@pytest.mark.parametrize(
    ("form_id", "values", "errors"),
    [
        (
            "team_rhythm",
            {
                "timezone": "Europe/Berlin",
                "checkin_day": "monday",
                "checkin_time": "09:30",
                "work_days": "mon, someday",
                "holidays": "2026-12-24, Christmas",
            },
            {
                "work_days": "Name days like: mon, tue, wed, thu, fri.",
                "holidays": "Dates like 2026-12-24, separated by commas.",
            },
        ),
        (
            "team_digest",
            {
                "digest_day": "friday",
                "digest_time": "16:00",
                "nudge_every_weeks": "13",
                "reminder_after_hours": "1.5",
                "tag_nonresponders": "no",
                "digest_when_empty": "no",
            },
            {
                "nudge_every_weeks": "A whole number of weeks from 0 to 12.",
                "reminder_after_hours": "A whole number of hours from 0 to 168.",
            },
        ),
    ],
)
async def test_the_team_forms_say_what_is_wrong_with_each_answer(
    coach: Coach, form_id: str, values: dict[str, str], errors: dict[str, str]
) -> None:
    intents = await coach.handle(FormSubmitted(TEAM_ADMIN, CHANNEL, form_id, values))

    rejected = only(intents, FormRejected)
    assert set(rejected.errors) == set(errors)
    for name, error in errors.items():
        assert error in rejected.errors[name], name
    kept = {f.name: f.initial for f in rejected.form.fields}
    assert all(kept[name] == values[name] for name in errors)  # reopened with what was typed


async def test_a_goal_sent_whole_gets_every_error_at_once(coach: Coach) -> None:
    values = {"capability": "", "metric_name": "m" * 201, "direction": "up"}
    values |= {"baseline": "about half", "target": "lots"}

    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "goal", values))

    rejected = only(intents, FormRejected)
    assert set(rejected.errors) == {"capability", "metric_name", "baseline", "target"}


async def test_a_percentage_is_read_as_a_fraction_and_said_so(coach: Coach) -> None:
    reply = await set_goal(coach, member(), direction="up", baseline="42%", target="0.60")

    assert "Baseline 42%, read as 0.42; target 0.60." in text(reply)
    (goal,) = await rows(coach, Goal)
    assert (goal.baseline, goal.target) == (0.42, 0.6)
    checked = only(await check_in(coach, member(), metric_value="90%"), Reply)
    assert "90%, read as 0.9, a new best." in text(checked)


async def test_numbers_are_shown_as_typed(coach: Coach) -> None:
    await set_goal(coach, member(), direction="up", baseline="0.40")

    checked = only(await check_in(coach, member(), metric_value="0.50"), Reply)
    assert "0.50, a new best." in text(checked)
    worse = only(await check_in(coach, member(), metric_value="0.45"), Reply)
    assert "0.45 (best so far 0.50)" in text(worse)  # the stored best, as it was typed
    assert forms.shown(152375.5) == "152375.5"  # never rounded to six digits


async def test_the_review_and_the_export_show_numbers_as_typed(coach: Coach) -> None:
    await set_goal(coach, member(), direction="up", baseline="0.50", target="0.90")
    await check_in(coach, member(), metric_value="0.70")

    review = text(only(await command(coach, member(), "review"), Reply))
    assert "0.50 → 0.70" in review and "0.90" in review
    files = await command(coach, member(), "coach", "export")
    markdown = next(f for f in files if isinstance(f, FileReady) and f.filename.endswith(".md"))
    assert "- Baseline 0.50 · target 0.90 · best so far 0.70" in markdown.data
    assert "| 0.50 |" in markdown.data and "| 0.70 |" in markdown.data
    assert ": 0.70\n" in markdown.data  # the check-in's number


def test_a_number_is_kept_as_typed_when_it_is_a_plain_decimal() -> None:
    assert [forms.kept(t) for t in (" 0.50 ", "-3", "152375.50")] == ["0.50", "-3", "152375.50"]
    assert [forms.kept(t) for t in ("90%", "1e-5", ".5", "007", "1_000", "٣")] == [None] * 6
    assert forms.shown(0.5, "0.50") == "0.50" and forms.shown(0.9, None) == "0.9"
    assert forms.shown(0.7, "0.50") == "0.7"  # a text that is not its value is not shown


async def test_a_past_mute_is_refused_and_a_future_one_taken(coach: Coach) -> None:
    said = text(only(await command(coach, member(), "coach", "mute until 2020-01-01"), Reply))
    assert said == "2020-01-01 is in the past. Choose today (2026-11-02) or a later day."
    (row,) = await rows(coach, Member)
    assert row.mute_until is None
    said = text(only(await command(coach, member(), "coach", "mute until 2026-11-02"), Reply))
    assert said.startswith("Muted until 2026-11-02")


async def test_a_goal_form_reopens_with_its_draft(coach: Coach) -> None:
    long = "Fold laundry " * 100  # 1300 characters: over the capability's 1000
    values = {"capability": long, "metric_name": "fold rate", "direction": "up", "baseline": "x"}

    rejected = only(
        await coach.handle(FormSubmitted(member(), CHANNEL, "goal", values)), FormRejected
    )

    assert (
        "Kept as a draft: shorten it here, or /goal set reopens the form with it."
        in (rejected.errors["capability"])
    )
    form = only(await command(coach, member(), "goal", "set"), OpenForm).form
    initial = {f.name: f.initial for f in form.fields}
    assert initial["capability"] == long and initial["baseline"] == "x"
    assert not any(name.startswith("_") for name in initial)  # the coach's notes stay its own


async def test_a_best_work_form_reopens_with_its_draft(coach: Coach) -> None:
    values = {"title": "My thesis", "link": "chapter 3", "why": "it started the lab's line"}

    rejected = only(
        await coach.handle(FormSubmitted(member(), CHANNEL, "work", values)), FormRejected
    )

    assert list(rejected.errors) == ["link"]
    form = only(await command(coach, member(), "wins", "add"), OpenForm).form
    assert {f.name: f.initial for f in form.fields} == values
    fixed = {**values, "link": "https://example.org/thesis"}
    await coach.handle(FormSubmitted(member(), CHANNEL, "work", fixed))
    (work,) = await rows(coach, BestWork)
    assert work.link == "https://example.org/thesis"
    assert await rows(coach, Draft) == []


def test_a_link_is_a_web_address() -> None:
    assert forms.is_link("https://arxiv.org/abs/2401.01234")
    assert forms.is_link("http://example.org")
    for text_ in ("my thesis", "arxiv.org/abs/1", "https://", "https://local host", "ftp://x.org"):
        assert not forms.is_link(text_), text_


def test_numbers_parse_percentages_exactly() -> None:
    assert forms.number("90%") == 0.9
    assert forms.number(" 12.5 % ") == 0.125
    assert forms.number("1,5") is None and forms.number("nan%") is None
    assert forms.typed("0.50") == "0.50"
    assert forms.typed("90%") == "90%, read as 0.9"


async def test_a_command_over_the_limit_says_how_to_get_the_text_back(coach: Coach) -> None:
    long = "Loss spikes at step 40k; " * 130  # 3250 characters

    said = text(only(await command(coach, member(), "log", long), Reply))

    assert "kept as a draft, and /coach export gives it back" in said
    files = await command(coach, member(), "coach", "export")
    markdown = next(f for f in files if isinstance(f, FileReady) and f.filename.endswith(".md"))
    assert "## Unsent drafts" in markdown.data and long.strip() in markdown.data
