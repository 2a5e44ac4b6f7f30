"""Charts in the console: a goal's chart is saved as a private PNG file under the data folder,
its path printed under the answer it came with, beside the numbers as a sparkline at home."""

from __future__ import annotations

import re
import stat
import struct
from pathlib import Path

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import Chart, TenantRef
from tests.conftest import say

GOAL = ("/goal set", "Fold proteins reliably", "fold success", "1", "0.10", "0.60")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def goal_with_values(session: ConsoleSession, *values: str) -> None:
    """Goal 1 (baseline 0.10, target 0.60), then ``/goal update`` with each value."""
    await say(session, *GOAL)
    for value in values:
        await say(session, f"/goal update 1 {value}")


def chart_paths(out: str) -> list[Path]:
    """The chart files an answer names, in order."""
    return [Path(p) for p in re.findall(r"^\s+chart(?: of goal \d+)?: (\S+)$", out, re.M)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_goal_show_saves_a_private_chart_and_prints_its_path(
    ada: ConsoleSession, tmp_path: Path
) -> None:
    await goal_with_values(ada, "0.25", "0.45")

    out = await say(ada, "/goal show 1")

    (path,) = chart_paths(out)
    assert path == tmp_path / "charts" / "ada-goal-1.png"
    assert png_size(path) == (800, 400)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a member's numbers: theirs alone
    assert "fold success over a day: 0.10 → 0.45, best 0.45, target 0.60" in out


async def test_a_goal_with_one_value_shows_no_chart(ada: ConsoleSession, tmp_path: Path) -> None:
    await say(ada, *GOAL)  # the baseline is its one value

    out = await say(ada, "/goal show 1")

    assert chart_paths(out) == []
    assert not (tmp_path / "charts").exists()


async def test_home_shows_a_sparkline_and_each_goal_chart(
    ada: ConsoleSession, tmp_path: Path
) -> None:
    await goal_with_values(ada, "0.25", "0.45")

    out = await say(ada, "/home")

    assert "fold success: ▁▄█ 0.10 → 0.25 → 0.45" in out
    (path,) = chart_paths(out)
    assert "chart of goal 1: " in out
    assert path == tmp_path / "charts" / "ada-goal-1.png"
    assert png_size(path) == (800, 400)


async def test_forget_me_deletes_the_members_charts_only(
    coach: Coach, ada: ConsoleSession, tmp_path: Path
) -> None:
    grace = ConsoleSession(coach, "lab", "ada-b", tmp_path / "exports")
    for session in (ada, grace):
        await goal_with_values(session, "0.25")
        await say(session, "/goal show 1")
    mine, theirs = tmp_path / "charts" / "ada-goal-1.png", tmp_path / "charts" / "ada-b-goal-1.png"
    assert mine.exists() and theirs.exists()

    out = await say(ada, "/coach forget me")
    await say(ada, *(["1"] if "(1)" in out else []))

    assert not mine.exists()
    assert theirs.exists()  # a name that starts the same way is another member


async def test_the_console_messenger_saves_a_channel_chart_privately(
    ada: ConsoleSession, tmp_path: Path
) -> None:
    shown: list[str] = []
    ada.messenger.sink = shown.append
    chart = Chart("team-week.png", PNG_SIGNATURE + b"\0" * 16, "Published numbers: Ada 0.1")

    await ada.messenger.post_chart(TenantRef("console", "lab"), "team", chart)

    (said,) = shown
    assert said.startswith("[#team] Published numbers: Ada 0.1")
    (path,) = chart_paths(said)
    assert path == tmp_path / "charts" / "channel-team-team-week.png"
    assert path.read_bytes() == chart.png
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
