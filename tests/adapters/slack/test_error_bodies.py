"""Slack's answer is not always Slack's JSON: a proxy's HTML 502, labelled text/html,
text/plain or even JSON, reaches each error path of the bot (the profile lookup, a channel
post, a modal, a lookup of an earlier send), and each survives it: the member is still
answered or told, and nothing breaks on the body's shape."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError

from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_checkin import set_goal

PAGES = ["text/html", "text/plain", "application/json"]


@pytest.mark.parametrize("page_type", PAGES)
async def test_a_profile_lookup_answered_with_a_proxy_page_still_answers_the_member(
    slack: SlackHarness, page_type: str
) -> None:
    slack.fake.fail_next("users.info", html=True, page_type=page_type)
    answer = await slack.command("/log", "the 3-gram LM helps on drug names")
    assert answer.status_code == 200
    (reply,) = await slack.responses()
    assert "Noted in your notebook." in text_of(reply)


@pytest.mark.parametrize("page_type", PAGES)
async def test_a_channel_post_answered_with_a_proxy_page_tells_the_member(
    slack: SlackHarness, page_type: str
) -> None:
    slack.fake.fail_next("chat.postMessage", html=True, page_type=page_type)  # the publish
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), {"did": "Swapped in a conformer encoder"})
    checked_in = await slack.fake.wait_for("chat.postEphemeral", 2)
    await slack.press(buttons_of(checked_in[-1].args)["Publish to team"])

    (refusal,) = await slack.responses()  # through the press's response_url
    assert "couldn't post to the team channel" in text_of(refusal)
    assert slack.fake.accepted("chat.postMessage") == []


@pytest.mark.parametrize("page_type", PAGES)
async def test_a_modal_answered_with_a_proxy_page_fails_as_a_slack_error(
    slack: SlackHarness, page_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    slack.fake.fail_next("views.open", html=True, page_type=page_type)
    answer = await slack.command("/goal", "set")
    assert answer.status_code == 200  # the ack stands
    await slack.fake.wait_for("views.open")
    await slack.fake.settle()
    failures = [r for r in caplog.records if r.exc_info]
    assert failures and all(isinstance(r.exc_info[1], SlackApiError) for r in failures)  # type: ignore[index]
