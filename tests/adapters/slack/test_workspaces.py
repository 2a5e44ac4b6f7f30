"""Many workspaces: OAuth installs kept by slack_sdk's SQLAlchemy store in our own database,
each workspace's data isolated, and an uninstall (or revoked token) deleting it all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from bot.coach import Coach
from bot.store.models import NotebookEntry, Tenant
from tests.adapters.slack.conftest import (
    TOKENS,
    SlackHarness,
    eventually,
    install_every_workspace,
    settings_for,
    start,
    text_of,
)
from tests.adapters.slack.oauth import oauth_install
from tests.fakes.slack import FakeSlack


@pytest.fixture
async def oauth_slack(coach: Coach, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    settings = settings_for(
        fake_slack, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )
    async for harness in start(coach, fake_slack, settings):
        await install_every_workspace(harness)
        yield harness


async def notes(coach: Coach, team: str) -> list[str]:
    async with coach.db.session() as session:
        query = select(NotebookEntry.text).join(Tenant).where(Tenant.external_id == team)
        return list((await session.execute(query)).scalars().all())


async def test_same_user_id_in_two_workspaces_is_two_people(
    oauth_slack: SlackHarness, coach: Coach
) -> None:
    await oauth_slack.command("/log", "note from team one", team="T1", key="one")
    await oauth_slack.command("/log", "note from team two", team="T2", key="two")
    await oauth_slack.command("/review", team="T2", key="two-review")
    replies = await oauth_slack.responses(3)
    review = next(r for r in replies if r["_key"] == "two-review")
    assert "note from team two" in text_of(review)
    assert "note from team one" not in text_of(review)
    assert await notes(coach, "T1") == ["note from team one"]
    # Each workspace's calls carry that workspace's own bot token.
    tokens = {c.token for c in oauth_slack.fake.calls("users.info")}
    assert tokens == {TOKENS["T1"], TOKENS["T2"]}


async def test_uninstall_deletes_the_workspace_and_its_installation(
    oauth_slack: SlackHarness, coach: Coach
) -> None:
    await oauth_slack.command("/log", "to be deleted", team="T1", key="one")
    await oauth_slack.command("/log", "to be kept", team="T2", key="two")
    await oauth_slack.responses(2)
    answer = await oauth_slack.event({"type": "app_uninstalled"}, team="T1", event_id="EvGone")
    assert answer.status_code == 200

    async def gone() -> bool:
        return await notes(coach, "T1") == []

    await eventually(gone)
    assert await notes(coach, "T2") == ["to be kept"]
    async with coach.db.session() as session:
        rows = await session.execute(
            text("SELECT team_id FROM slack_installations ORDER BY team_id")
        )
        assert [r[0] for r in rows] == ["T2"]


async def test_revoked_bot_token_deletes_the_workspace(slack: SlackHarness, coach: Coach) -> None:
    await slack.command("/log", "soon gone")
    await slack.responses()
    await slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}, event_id="EvU")
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "messages"}, event_id="EvH")
    assert await notes(coach, "T1") == ["soon gone"]  # a user token alone changes nothing
    await slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}, event_id="EvB")

    async def no_tenant() -> bool:
        async with coach.db.session() as session:
            return (await session.execute(select(func.count()).select_from(Tenant))).scalar() == 0

    await eventually(no_tenant)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # aiohttp 3.14 deprecates BasicAuth
async def test_oauth_install_saves_the_workspace(coach: Coach, fake_slack: FakeSlack) -> None:
    settings = settings_for(
        fake_slack, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )
    async for slack in start(coach, fake_slack, settings):
        done = await oauth_install(slack, "T9", "xoxb-team-nine", team_name="Nine")
        assert done.status_code == 200, done.text
        (exchange,) = slack.fake.calls("oauth.v2.access")
        assert exchange.args["code"] == "the-code"
        store = slack.runtime.listeners.installations
        assert store is not None
        bot = await store.async_find_bot(enterprise_id=None, team_id="T9")
        assert bot is not None and bot.bot_token == "xoxb-team-nine"
        # The new workspace can use the coach at once.
        await slack.command("/log", "hello from nine", team="T9", key="nine")
        await slack.responses()
        assert await notes(coach, "T9") == ["hello from nine"]
