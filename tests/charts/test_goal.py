"""A goal's chart: a PNG of the fixed size in which the baseline, target, best and check-ins
are really drawn where their values land, with which way is better."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from bot.charts import canvas, render_goal
from bot.charts.goal import goal_figure
from tests.charts.conftest import fold_goal, pixels, row_of, share_in_row, weekly


def test_the_png_decodes_at_the_fixed_size() -> None:
    image = pixels(render_goal(fold_goal()))
    assert image.shape == (canvas.HEIGHT, canvas.WIDTH, 3)


def test_target_and_baseline_lines_run_across_the_rows_their_values_map_to() -> None:
    series = fold_goal()
    fig = goal_figure(series)
    ax = fig.axes[0]
    image = pixels(render_goal(series))
    left, right = (int(x) for x in ax.transAxes.transform([(0, 0), (1, 0)])[:, 0])
    inside = (left + 5, right - 5)
    target, baseline = row_of(ax, 0.60, canvas.HEIGHT), row_of(ax, 0.10, canvas.HEIGHT)
    assert share_in_row(image, target, canvas.TARGET, inside) > 0.9  # a solid line
    assert 0.4 < share_in_row(image, baseline, canvas.BASELINE, inside) < 0.9  # dashed
    # Not merely somewhere: the target's colour is not across the baseline's row.
    assert share_in_row(image, baseline, canvas.TARGET, inside) < 0.1


def test_the_best_is_a_star_where_it_was_reached_with_its_value_beside_it() -> None:
    series = fold_goal()
    ax = goal_figure(series).axes[0]
    (star,) = [a for a in ax.lines if a.get_gid() == "best"]
    reached = series.points[18]  # the 0.45
    assert star.get_ydata()[0] == 0.45  # type: ignore[index]
    x, y = ax.transData.transform((star.get_xdata()[0], 0.45))  # type: ignore[index]
    assert math.isclose(x, ax.transData.transform((canvas.days([reached])[0], 0))[0])
    (label,) = [t for t in ax.texts if t.get_gid() == "best-label"]
    assert label.get_text() == canvas.words().best(0.45) and "0.45" in label.get_text()
    image = pixels(render_goal(series))
    row, column = round(canvas.HEIGHT - y), round(x)
    patch = image[row - 3 : row + 4, column - 3 : column + 4]
    assert (np.abs(patch - np.array([0xD6, 0x45, 0x2C])).sum(axis=2) <= 40).sum() >= 10


def test_check_ins_are_dots_at_their_values_and_the_history_is_the_line() -> None:
    series = fold_goal()
    ax = goal_figure(series).axes[0]
    (dots,) = [c for c in ax.collections if c.get_gid() == "checkins"]
    assert [y for _, y in dots.get_offsets()] == [v for _, v in series.checkins]
    assert dots.get_label() == canvas.words().checkins
    assert canvas.words().checkins in [t.get_text() for t in ax.get_legend().get_texts()]
    (line,) = [a for a in ax.lines if a.get_gid() == "values"]
    assert list(line.get_ydata()) == [v for _, v in series.points]  # type: ignore[arg-type]


def test_which_way_is_better_is_said_above_the_chart() -> None:
    up = goal_figure(fold_goal()).texts
    down = goal_figure(fold_goal(direction="down", best=0.10)).texts
    said = {t.get_gid(): t.get_text() for t in up}, {t.get_gid(): t.get_text() for t in down}
    assert said[0]["cue"] == "↑ " + canvas.words().better["up"]
    assert said[1]["cue"] == "↓ " + canvas.words().better["down"]
    assert canvas.words().better["up"] != canvas.words().better["down"]


def test_the_y_label_is_the_metric_the_title_the_goal_and_dates_are_readable() -> None:
    fig = goal_figure(fold_goal())
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_ylabel() == "fold success rate"
    assert [t.get_text() for t in fig.texts if t.get_gid() == "title"] == [
        "Fold any protein under 200 residues"
    ]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert {"Mar", "Apr", "May", "Jun"} <= set(ticks)


def test_dates_are_read_in_the_time_zone_of_the_times_given() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    day = [
        (datetime(2026, 3, 2, 9, tzinfo=tokyo) + timedelta(hours=3 * i), i / 10) for i in range(4)
    ]
    for times, hours in (
        (day, {"12:00", "18:00"}),
        ([(t.astimezone(UTC), v) for t, v in day], {"04:00", "08:00"}),
    ):
        fig = goal_figure(fold_goal(points=times, checkins=[], best=None))
        fig.canvas.draw()
        assert hours <= {t.get_text() for t in fig.axes[0].get_xticklabels()}


def test_hostile_titles_and_metrics_are_shown_as_typed_never_as_mathtext() -> None:
    # Read as mathtext, "$\frac{$" raises on drawing; a 10,000-character title is cut.
    title = "$\\frac{$ " + "x" * 10_000
    series = fold_goal(title=title, metric="loss $x^{2$ \\sqrt")
    fig = goal_figure(series)
    texts = [*fig.texts, *fig.axes[0].texts, fig.axes[0].yaxis.label]
    texts += fig.axes[0].get_legend().get_texts()
    assert all(not t.get_parse_math() for t in texts)
    (shown,) = [t.get_text() for t in fig.texts if t.get_gid() == "title"]
    assert shown.startswith("$\\frac{$ x") and shown.endswith("…") and len(shown) <= 80
    assert fig.axes[0].get_ylabel() == "loss $x^{2$ \\sqrt"
    assert pixels(render_goal(series)).shape == (canvas.HEIGHT, canvas.WIDTH, 3)


def test_characters_the_font_lacks_are_boxes_not_warnings() -> None:
    # matplotlib warns for each missing glyph, and warnings fail this suite.
    series = fold_goal(title="折叠蛋白质 fold\x00", metric="成功率")
    fig = goal_figure(series)
    assert fig.axes[0].get_ylabel() == "□□□"
    assert [t.get_text() for t in fig.texts if t.get_gid() == "title"] == ["□□□□□ fold"]
    pixels(render_goal(series))


def test_no_value_yet_is_a_chart_with_a_note_and_the_lines_it_has() -> None:
    series = fold_goal(points=[], checkins=[], best=None)
    ax = goal_figure(series).axes[0]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "note"] == [canvas.words().no_values]
    assert {a.get_gid() for a in ax.lines} == {"baseline", "target"}
    assert pixels(render_goal(series)).shape[:2] == (canvas.HEIGHT, canvas.WIDTH)
    bare = fold_goal(points=[], checkins=[], baseline=None, target=None, best=None)
    assert pixels(render_goal(bare)).shape[:2] == (canvas.HEIGHT, canvas.WIDTH)


def test_one_value_is_a_dated_chart_with_a_note() -> None:
    series = fold_goal(points=weekly([0.2]), checkins=[], best=0.2)
    fig = goal_figure(series)
    ax = fig.axes[0]
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert notes == [canvas.words().one_value]
    low, high = ax.get_xlim()
    assert high - low == 2 * canvas.ONE_POINT_DAYS
    fig.canvas.draw()
    assert any(t.get_text() == "Mar" for t in ax.get_xticklabels())
    pixels(render_goal(series))


def test_nan_and_infinite_values_are_skipped() -> None:
    points = weekly([0.1, math.nan, 0.2, math.inf, -math.inf, 0.3])
    series = fold_goal(points=points, checkins=points[:2], best=0.3)
    ax = goal_figure(series).axes[0]
    (line,) = [a for a in ax.lines if a.get_gid() == "values"]
    assert list(line.get_ydata()) == [0.1, 0.2, 0.3]  # type: ignore[arg-type]
    assert all(math.isfinite(v) for v in ax.get_ylim())
    pixels(render_goal(fold_goal(baseline=math.nan, target=math.inf, best=math.nan)))


def test_any_finite_value_and_any_date_stored_still_draws() -> None:
    """A chart never fails for a point the store holds: values up to the largest float (their
    range is infinite), times on the first or last day a datetime holds."""
    first, last = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)
    for points in [
        weekly([0.1, 1.7e308]),
        weekly([-1.7e308, 1.7e308]),
        [(first, 0.1), *weekly([0.2])],
        [(first, 0.1)],
        [*weekly([0.2]), (last, 0.3)],
    ]:
        series = fold_goal(points=points, checkins=points[:1], best=max(v for _, v in points))
        ax = goal_figure(series).axes[0]
        assert all(math.isfinite(v) for v in (*ax.get_ylim(), *ax.get_xlim()))
        pixels(render_goal(series))


def test_importing_the_package_does_not_import_matplotlib() -> None:
    code = "import sys, bot.charts; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
