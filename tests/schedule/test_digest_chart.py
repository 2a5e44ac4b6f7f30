"""The weekly digest's team chart: after the digest's words, in its thread, a line per member
who published a number, drawn from published numbers only; a chart the platform refuses is
logged and lost, never the digest."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from bot.charts.team import team_figure
from bot.schedule import team_chart
from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import CHANNEL, ChartMessenger, Rig, person, utc
from tests.schedule.test_digest import GOAL, MONDAY, STEP  # the digest is due Friday 16:00

FIRST_FRIDAY, SECOND_FRIDAY = utc(2026, 11, 6, 16), utc(2026, 11, 13, 16)


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """What the digest hands the charts to draw (drawn for real all the same)."""
    seen: list[tuple[Any, ...]] = []
    draw = team_chart.draw

    async def watched(render: Any, *args: Any) -> bytes:
        seen.append(args)
        return await draw(render, *args)

    monkeypatch.setattr(team_chart, "draw", watched)
    return seen


async def two_weeks(rig: Rig) -> None:
    """Ada publishes 0.31, then 0.28 a week later, and keeps 0.99 to herself between them;
    Bob keeps 0.50 to himself, and publishes a check-in with no number."""
    ada, bob = person("U1", "Ada", admin=True), person("U2", "Bob")
    await rig.command(ada, "coach", "team channel")
    for member in (ada, bob):
        await rig.join(member)
        await rig.form(member, "goal", GOAL)
    rig.clock.advance(timedelta(days=1))  # Tuesday
    await rig.publish(ada, await rig.check_in(ada, "Swapped the encoder", metric_value="0.31"))
    await rig.check_in(bob, "Tried label smoothing", metric_value="0.50")
    await rig.publish(bob, await rig.check_in(bob, "Read about beam search"))
    rig.clock.advance(timedelta(days=1))  # Wednesday
    await rig.check_in(ada, "A quick private try", metric_value="0.99")
    await rig.run_until(FIRST_FRIDAY, STEP)
    rig.clock.advance(timedelta(days=4))  # Tuesday again
    await rig.publish(ada, await rig.check_in(ada, "Noisy-clip eval", metric_value="0.28"))
    await rig.run_until(SECOND_FRIDAY, STEP)


async def test_the_team_chart_draws_published_numbers_only(
    db: Database, handed: list[tuple[Any, ...]]
) -> None:
    rig = Rig(db, MONDAY, charts=True)
    assert isinstance(rig.messenger, ChartMessenger)

    await two_weeks(rig)

    # Week one: one published number (Bob's 0.50 and Ada's 0.99 stayed private): no chart.
    # Week two: Ada's two published numbers, as her line; Bob published none, so has none.
    (shown,) = rig.messenger.charts
    (series, title) = handed[0]
    assert len(handed) == 1
    assert [(name, [v for _, v in points]) for name, points in series] == [("Ada", [0.31, 0.28])]
    figure = team_figure(series, title)  # and so the chart's own lines hold
    (line,) = [ln for ln in figure.axes[0].get_lines() if ln.get_gid() == "member"]
    assert list(line.get_ydata()) == [0.31, 0.28]
    assert shown.chart.alt == "Published numbers up to the week of 9 November 2026: Ada 0.31 → 0.28"
    for private in ("0.99", "0.50", "Bob"):
        assert private not in shown.chart.alt

    # Shown after the digest's words, first in its thread, before the check-ins there.
    digest = [p for p in rig.messenger.posts(CHANNEL) if p.text.startswith("Team digest")][-1]
    assert "week of 9 November 2026" in digest.text
    assert (shown.kind, shown.target, shown.thread) == ("post", CHANNEL, digest.ts)
    (item,) = [p for p in rig.messenger.posts(CHANNEL) if p.thread == digest.ts]
    assert shown.at == digest.at <= item.at and "Noisy-clip eval" in item.text
    with Image.open(io.BytesIO(shown.chart.png)) as image:
        assert (image.format, image.size) == ("PNG", (shown.chart.width, shown.chart.height))


async def test_a_refused_chart_is_logged_and_the_digest_stays_sent(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig(db, MONDAY, charts=True)
    assert isinstance(rig.messenger, ChartMessenger)
    rig.messenger.refuse_charts = True
    caplog.set_level(logging.WARNING, logger="bot.schedule.outbox.send")

    await two_weeks(rig)

    digests = await rig.deliveries(Delivery.kind == "digest")
    assert [(d.period, d.status, d.attempts) for d in digests] == [
        ("2026-W45", "sent", 1),
        ("2026-W46", "sent", 1),
    ]
    digest = [p for p in rig.messenger.posts(CHANNEL) if p.text.startswith("Team digest")][-1]
    items = [p for p in rig.messenger.posts(CHANNEL) if p.thread == digest.ts]
    assert ["Noisy-clip eval" in p.text for p in items] == [True]  # its thread went on
    assert rig.messenger.charts == []
    (warning,) = [r for r in caplog.records if "chart was not shown" in r.getMessage()]
    assert warning.getMessage().endswith("its chart was not shown: SendFailed")
