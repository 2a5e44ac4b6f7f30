"""A team digest's chart: one line per member, their names in the legend as typed."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from bot.charts import canvas, render_team
from bot.charts.team import LINES, team_figure
from tests.charts.conftest import pixels, weekly


def test_one_line_per_member_named_in_the_legend() -> None:
    team = [
        ("Ada", weekly([0.1, 0.2, 0.3])),
        ("Grace $x$", weekly([0.5, 0.4, math.nan, 0.6])),
        ("Alan", weekly([0.9, 0.8])),
    ]
    fig = team_figure(team, "Team Fold: week 12")
    ax = fig.axes[0]
    lines = [a for a in ax.lines if a.get_gid() == "member"]
    assert [list(a.get_ydata()) for a in lines] == [[0.1, 0.2, 0.3], [0.5, 0.4, 0.6], [0.9, 0.8]]  # type: ignore[arg-type]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Ada", "Grace $x$", "Alan"]
    assert not any(t.get_parse_math() for t in legend.get_texts())
    assert len({a.get_color() for a in lines}) == 3
    assert pixels(render_team(team, "Team Fold")).shape == (canvas.HEIGHT, canvas.WIDTH, 3)


def test_more_members_than_lines_are_counted_and_long_names_cut() -> None:
    team = [(f"member {i} " + "W" * 60, weekly([i / 20, i / 10])) for i in range(LINES + 3)]
    ax = team_figure(team, "Everyone").axes[0]
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(names) == LINES + 1 and names[-1] == canvas.words().more(3)
    assert all(n.startswith("member") and n.endswith("…") for n in names[:-1])
    fig = ax.figure
    assert all(canvas.width(fig, n, canvas.LEGEND_SIZE) <= 150 for n in names)  # type: ignore[arg-type]


def test_a_team_with_no_values_yet_is_a_chart_with_a_note() -> None:
    ax = team_figure([("Ada", []), ("Alan", weekly([math.nan]))], "Quiet week").axes[0]
    assert [t.get_text() for t in ax.texts] == [canvas.words().no_values]
    assert pixels(render_team([], "Nobody")).shape == (canvas.HEIGHT, canvas.WIDTH, 3)


def test_any_finite_value_and_any_date_stored_still_draws() -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)
    members = [("Ada", [(first, -1.7e308), *weekly([0.2])]), ("Grace", weekly([1.7e308]))]
    pixels(render_team(members, "Fold success, published"))
