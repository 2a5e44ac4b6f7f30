"""Forms in Discord: a modal is sent whole, so one private message lists every bad field and a
button reopens the modal with the answers kept; abandoning asks first; a draft reopens with the
form's command."""

from __future__ import annotations

from typing import Any

from bot.coach import Coach
from bot.events import TenantRef
from tests.adapters.discord.conftest import LAB
from tests.adapters.discord.transcript import Researcher

TIMEZONE = (
    "\"Time zone (IANA)\": unknown time zone 'Mars/Olympus'. Use an IANA name like Europe/Berlin."
)
TIME = "\"Check-in time (HH:MM)\": use 24-hour HH:MM, like 09:30 (you wrote '25:99')."
MUTE = (
    '"Mute until (YYYY-MM-DD, empty for never)": 2020-01-01 is in the past. '
    "Choose today (2026-11-02) or a later day."
)
BUDGET = '"Side-idea budget, hours a week": between 0 and 168 hours a week.'


def values_of(modal: dict[str, Any]) -> dict[str, str | None]:
    """Field → what the modal shows in it (a select: its chosen option)."""
    found: dict[str, str | None] = {}
    for label in modal["components"]:
        inner = label["component"]
        if inner["type"] == 4:
            found[inner["custom_id"]] = inner.get("value")
        else:
            chosen = [o["value"] for o in inner["options"] if o.get("default")]
            found[inner["custom_id"]] = chosen[0] if chosen else None
    return found


async def test_settings_list_every_error_and_reopen_with_the_answers(
    ada: Researcher, coach: Coach
) -> None:
    opened = await ada.slash("coach settings")
    bad = {
        "timezone": "Mars/Olympus",
        "checkin_time": "25:99",
        "mute_until": "2020-01-01",
        "side_budget_hours": "200",
    }

    rejected = await ada.submit(opened.modal, **bad)

    assert rejected.ephemeral
    lines = rejected.text.splitlines()
    assert lines[0] == "Almost there:"
    assert lines[1:] == [
        f"• {error}" for error in (TIMEZONE, TIME, MUTE, BUDGET)
    ]  # all four in one message, in the form's order
    reopened = await ada.press("Fix and send again", on=rejected)
    assert reopened.first.json["type"] == 9
    kept = values_of(reopened.modal)
    assert {name: kept[name] for name in bad} == bad  # nothing typed is lost

    fixed = {"timezone": "Europe/Berlin", "checkin_time": "09:30", "mute_until": ""}
    saved = await ada.submit(reopened.modal, **fixed, side_budget_hours="6")
    assert "Saved: check-ins on Monday at 09:30, Europe/Berlin." in saved.text
    async with coach.db.scope(TenantRef("discord", str(LAB)), coach.clock.now()) as scope:
        member = await scope.member(ada.user_id)
        assert member is not None and member.mute_until is None


async def test_a_rejected_goal_reopens_from_its_command(ada: Researcher) -> None:
    opened = await ada.slash("goal set", capability="Fold laundry from pixels")
    rejected = await ada.submit(
        opened.modal, metric_name="fold success rate", baseline="about half", target="90%"
    )
    assert "must be a number, like 0.42 or 42%" in rejected.text

    again = await ada.slash("goal set")  # later, without the button: the draft is kept
    kept = values_of(again.modal)
    assert kept["capability"] == "Fold laundry from pixels"
    assert (kept["baseline"], kept["target"]) == ("about half", "90%")
    saved = await ada.submit(again.modal, baseline="0.50")
    assert "Baseline 0.50; target 90%, read as 0.9." in saved.text


async def test_a_link_that_is_not_a_web_address_is_refused(ada: Researcher) -> None:
    opened = await ada.slash("wins add", title="My thesis")
    rejected = await ada.submit(opened.modal, link="chapter 3")
    assert "not a web address" in rejected.text

    reopened = await ada.press("Fix and send again", on=rejected)
    saved = await ada.submit(reopened.modal, link="https://example.org/thesis")
    assert "Added to your best works: My thesis" in saved.text


async def test_abandoning_can_be_called_off(ada: Researcher) -> None:
    opened = await ada.slash("goal set", capability="Fold laundry from pixels")
    await ada.submit(opened.modal, metric_name="fold success rate")

    asked = await ada.slash("goal abandon", number=1)
    assert asked.labels() == ["Yes, abandon goal 1", "No, keep it"]
    kept = await ada.press("No, keep it", on=asked)
    assert "Goal 1 stays active." in kept.text
    listed = await ada.slash("goal list")
    assert "[abandoned]" not in listed.text

    abandoned = await ada.press("Yes, abandon goal 1", on=asked)
    assert "Goal 1 abandoned. Stopping on purpose is a decision" in abandoned.text
    assert "Failure is allowed" not in abandoned.text
    updated = await ada.slash("goal update", value=0.3, number=1)
    assert "Goal 1 is abandoned: its number is no longer tracked." in updated.text
