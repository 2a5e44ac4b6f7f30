"""App Home (goals with a sparkline, best five, latest nudges) and /coach export as files."""

from __future__ import annotations

import json

from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_checkin import set_goal


async def test_home_shows_goals_trend_and_best_five(slack: SlackHarness) -> None:
    await set_goal(slack)
    for value in ("0.29", "0.270"):
        await slack.command("/goal", f"update {value}")
    await slack.command("/wins", "add")
    await slack.submit(await slack.opened_view(2), {"title": "Clinic ASR harness"})
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvH")
    (published,) = [c.args for c in await slack.fake.wait_for("views.publish")]
    assert published["user_id"] == "U1"
    home = published["view"]
    assert home["type"] == "home"
    shown = json.dumps(home, ensure_ascii=False)
    assert "Transcribe clinic audio reliably" in shown
    assert "█▄▁" in shown  # 0.31 → 0.29 → 0.27
    assert "best 0.270" in shown  # as typed
    assert "1. Clinic ASR harness" in shown
    assert {"Check in", "Settings"} <= set(buttons_of(home))

    # The home's buttons work: "Check in" opens the check-in modal.
    await slack.press(buttons_of(home)["Check in"])
    view = await slack.opened_view(3)
    assert view["blocks"][0]["block_id"] == "did"


async def test_export_arrives_as_files_in_dm(slack: SlackHarness) -> None:
    await slack.command("/log", "an entry to export")
    await slack.command("/coach", "export")
    done = await slack.fake.wait_for("files.completeUploadExternal", 2)
    assert {c.args["channel_id"] for c in done} == {"DU1"}
    contents = [data.decode() for data in slack.fake.uploads.values()]
    exported = json.loads(next(c for c in contents if c.lstrip().startswith("{")))
    assert exported["notebook"][0]["text"] == "an entry to export"
    assert any(c.startswith("# Research notes of") for c in contents)


async def test_unknown_subcommand_gets_a_usage_line(slack: SlackHarness) -> None:
    await slack.command("/goal", "dance")
    (reply,) = await slack.responses()
    assert "Usage: /goal" in text_of(reply)
