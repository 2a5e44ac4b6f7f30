"""A member's ordinary week through the real Bolt app, every request the coach made checked
against Slack's own OpenAPI spec and Block Kit's limits (``FakeSlack.spec_problems``), and
every one taken. The same check runs after every test of this folder (conftest)."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackHarness, buttons_of
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes import slack_spec


async def test_a_members_week_is_all_requests_slack_takes(slack: SlackHarness) -> None:
    fake = slack.fake
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), {"did": "Ran <!here> & the eval", "failed": "x"})
    checked_in = (await fake.wait_for("chat.postEphemeral", 2))[-1].args
    await slack.press(buttons_of(checked_in)["Publish to team"])
    await fake.wait_for("chat.postMessage")
    await slack.command("/log", "the 3-gram LM helps on drug names")
    await slack.command("/wins", "add")
    await slack.submit(await slack.opened_view(3), {"title": "Clinic ASR harness"})
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvH")
    await fake.wait_for("views.publish")
    dm = {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1"}
    await slack.event({**dm, "text": "How do I pick a good metric?", "ts": "1.0"}, event_id="E2")
    await slack.command("/coach", "export")
    await fake.wait_for("files.completeUploadExternal")
    await fake.settle()

    used = {c.method for c in fake.calls()}
    assert {
        "auth.test",
        "users.info",
        "views.open",
        "chat.postEphemeral",
        "chat.postMessage",
        "views.publish",
        "conversations.open",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "response_url",
    } <= used
    assert all(slack_spec.known(m) for m in used - {"response_url"})
    assert [(c.method, c.status) for c in fake.calls() if not c.ok] == []
    assert fake.spec_problems() == []
