"""The whole OAuth install flow against the coach's HTTP server, as a workspace admin goes
through it: ``await oauth_install(slack, "T9", "xoxb-…")``."""

from __future__ import annotations

import re

import httpx

from tests.adapters.slack.conftest import SlackHarness


async def oauth_install(
    slack: SlackHarness, team: str, token: str, team_name: str | None = None
) -> httpx.Response:
    """Install page, then Slack's redirect back with a code; returns the redirect's answer."""
    slack.fake.set_oauth_result(team, token, team_name=team_name)
    base = slack.events_url.removesuffix("/slack/events")
    page = await slack.http.get(f"{base}/slack/install")
    assert page.status_code == 200
    state = re.search(r"state=([\w-]+)", page.text)
    assert state is not None
    cookie = page.headers.get("set-cookie", "").split(";")[0]
    return await slack.http.get(
        f"{base}/slack/oauth_redirect",
        params={"code": "the-code", "state": state.group(1)},
        headers={"Cookie": cookie},
    )
