"""A goal's chart in the coach's answers: ``/goal show``, the private reply to a check-in with a
number, the home's goal cards. Never in what the team reads; never when there is nothing to
draw; and a chart that cannot be drawn leaves the answer whole."""

from __future__ import annotations

import io
import logging
import time
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from bot.charts import GoalSeries
from bot.coach import Coach, pictures
from bot.events import (
    Action,
    ChannelPost,
    Chart,
    CommandInvoked,
    HomeOpened,
    HomeView,
    Place,
    Reply,
)
from bot.ports import ManualClock
from tests.coach.helpers import (
    METRIC,
    button_value,
    check_in,
    command,
    member,
    only,
    press,
    set_goal,
    text,
)


def decoded(chart: Chart) -> tuple[int, int]:
    """The picture's size as an image reader decodes it (not as its header claims)."""
    with Image.open(io.BytesIO(chart.png)) as image:
        assert image.format == "PNG"
        image.load()
        return image.size


def broken_renderer(series: GoalSeries) -> bytes:
    """A charts library that fails on every series (the worker runs it by name)."""
    raise RuntimeError("no font for this glyph")


async def values(coach: Coach, clock: ManualClock, *typed: str, ref: int = 1) -> None:
    """``/goal update`` with each value, a week apart."""
    for value in typed:
        clock.advance(timedelta(weeks=1))
        only(await command(coach, member(), "goal", f"update {ref} {value}"), Reply)


async def show(coach: Coach, ref: int = 1) -> Reply:
    return only(await command(coach, member(), "goal", f"show {ref}"), Reply)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[GoalSeries]:
    """Every series the coach hands the charts to draw (drawn for real all the same)."""
    seen: list[GoalSeries] = []
    draw = pictures.draw

    async def watched(fn: Any, series: GoalSeries) -> bytes:
        seen.append(series)
        return await draw(fn, series)

    monkeypatch.setattr(pictures, "draw", watched)
    return seen


async def test_goal_show_carries_the_goals_chart_with_its_words(
    coach: Coach, clock: ManualClock
) -> None:
    await set_goal(coach, member(), direction="down", baseline="0.31", target="0.15")
    await values(coach, clock, "0.28", "0.25")

    chart = (await show(coach)).chart

    assert chart is not None
    assert chart.filename == "goal-1.png"
    assert decoded(chart) == (chart.width, chart.height) == (800, 400)
    assert chart.alt == f"{METRIC} over 2 weeks: 0.31 → 0.25, best 0.25, target 0.15"


async def test_the_chart_holds_every_value_and_the_check_ins_as_dots(
    coach: Coach, clock: ManualClock, drawn: list[GoalSeries]
) -> None:
    await set_goal(coach, member(), direction="down", baseline="0.40")
    typed = [f"0.{n}" for n in range(39, 9, -1)]  # 30 values: more than any text shows
    await values(coach, clock, *typed)
    clock.advance(timedelta(weeks=1))
    only(await check_in(coach, member(), metric_value="0.09"), Reply)
    drawn.clear()

    reply = await show(coach)

    (series,) = drawn
    assert [v for _, v in series.points] == [0.40, *map(float, typed), 0.09]
    assert series.checkins == [series.points[-1]]  # only the check-in's value is a dot
    assert (series.baseline, series.best, series.direction) == (0.40, 0.09, "down")
    assert reply.chart is not None
    assert "over 31 weeks: 0.40 → 0.09" in reply.chart.alt


async def test_a_check_in_with_a_number_gets_its_chart_privately_never_in_the_post(
    coach: Coach, clock: ManualClock
) -> None:
    ada = member()
    await set_goal(coach, ada, baseline="0.31")
    clock.advance(timedelta(days=3))

    reply = only(await check_in(coach, ada, metric_value="0.28"), Reply)

    assert reply.chart is not None
    assert decoded(reply.chart) == (800, 400)
    assert METRIC in reply.chart.alt
    published = await press(
        coach, ada, Action.PUBLISH_CHECKIN, button_value(reply, Action.PUBLISH_CHECKIN)
    )
    post = only(published, ChannelPost)
    assert "0.28" in text(post)  # the number the member chose to share, in words
    assert not any(getattr(intent, "chart", None) for intent in published)


async def test_no_chart_without_two_values_or_without_a_number(
    coach: Coach, clock: ManualClock
) -> None:
    ada = member()
    await set_goal(coach, ada)
    assert (await show(coach)).chart is None  # no value at all

    first = only(await check_in(coach, ada, metric_value="0.31"), Reply)
    assert first.chart is None  # one value: nothing to draw a line through
    assert (await show(coach)).chart is None

    no_number = only(await check_in(coach, ada), Reply)
    assert no_number.chart is None  # a check-in without a number changed no chart
    assert only(await check_in(coach, ada, metric_value="0.29"), Reply).chart is not None


async def test_a_chart_that_cannot_be_drawn_leaves_the_answer_whole(
    coach: Coach, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    ada = member()
    await set_goal(coach, ada, baseline="0.31")
    monkeypatch.setattr(pictures, "render_goal", broken_renderer)
    caplog.set_level(logging.WARNING, logger=pictures.__name__)

    reply = only(await check_in(coach, ada, metric_value="0.28"), Reply)
    shown = await show(coach)

    assert reply.chart is None and shown.chart is None
    assert "clinic WER: 0.28, a new best" in text(reply)
    assert "Recent values: 0.31 → 0.28" in text(shown)
    logged = [r.getMessage() for r in caplog.records if r.name == pictures.__name__]
    assert logged == ["goal chart not drawn: RuntimeError"] * 2  # the kind, never its text


def slow_renderer(series: GoalSeries) -> bytes:
    """A chart that takes far longer than a reply may wait (the worker runs it by name)."""
    time.sleep(2)
    return b""


async def test_a_chart_slower_than_the_reply_may_wait_leaves_the_answer_whole(
    coach: Coach, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    ada = member()
    await set_goal(coach, ada, baseline="0.31")
    monkeypatch.setattr(pictures, "render_goal", slow_renderer)
    monkeypatch.setattr(pictures, "DRAW_PATIENCE", 0.3)
    caplog.set_level(logging.WARNING, logger=pictures.__name__)

    reply = only(await check_in(coach, ada, metric_value="0.28"), Reply)

    assert reply.chart is None and "clinic WER: 0.28, a new best" in text(reply)
    logged = [r.getMessage() for r in caplog.records if r.name == pictures.__name__]
    assert logged == ["goal chart not drawn: TimeoutError"]


async def test_home_draws_the_first_goals_charts_only(coach: Coach, clock: ManualClock) -> None:
    ada = member()
    goals = pictures.HOME_CHARTS + 1
    for ref in range(1, goals + 1):
        await set_goal(coach, ada, capability=f"Capability number {ref}", baseline="0.5")
        await values(coach, clock, "0.4", ref=ref)
    await set_goal(coach, ada, capability="A goal with one value", baseline="0.5")

    cards = only(await coach.handle(HomeOpened(ada)), HomeView).goals

    with_chart = [card.ref for card in cards if card.chart is not None]
    assert with_chart == list(range(1, pictures.HOME_CHARTS + 1))
    assert all(decoded(card.chart) == (800, 400) for card in cards if card.chart)
    names = [card.chart.filename for card in cards if card.chart]
    assert names == [f"goal-{ref}.png" for ref in with_chart]


async def test_a_home_that_shows_no_pictures_draws_none(coach: Coach, clock: ManualClock) -> None:
    ada = member()
    await set_goal(coach, ada, baseline="0.5")
    await values(coach, clock, "0.4")

    cards = only(await coach.handle(HomeOpened(ada, charts=False)), HomeView).goals

    assert [card.chart for card in cards] == [None]
    assert cards[0].shown_recent  # the words and numbers stay


async def test_a_chart_is_drawn_after_the_turn_never_handed_over_undrawn(
    coach: Coach, clock: ManualClock
) -> None:
    ada = member()
    await set_goal(coach, ada, baseline="0.5")
    await values(coach, clock, "0.4")

    reply = only(await coach.handle(CommandInvoked(ada, Place.dm(), "goal", "show 1")), Reply)

    assert reply.chart is not None and type(reply.chart) is Chart
    assert decoded(reply.chart) == (800, 400)
