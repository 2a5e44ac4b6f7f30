"""Slack's App Home shows only images Slack fetches itself: in HTTP mode each goal's card links
its chart under COACH_PUBLIC_URL, signed and expiring. The link shows that one chart, drawn
from the store when fetched, and nothing for a tampered, expired or forgotten link."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from slack_sdk.models.views import View

from adapters.slack import render
from bot.coach import Coach
from bot.coach.chart_links import ChartLinks, link_key
from bot.events import Action, HomeOpened, HomeView
from bot.ops import OpsServer
from bot.ports import ManualClock
from tests.coach.helpers import TEAM, member, only, press, set_goal
from tests.coach.test_pictures import values

PUBLIC = "https://coach.example.org"


@pytest.fixture
async def linked(coach: Coach, clock: ManualClock) -> AsyncIterator[tuple[ChartLinks, str]]:
    """The coach with chart links, and the local address that serves them."""
    links = ChartLinks(coach.db, link_key("signing-secret"), PUBLIC, clock)
    coach.chart_links = links
    server = OpsServer(routes=links.routes())
    port = await server.start("127.0.0.1", 0)
    yield links, f"http://127.0.0.1:{port}"
    await server.stop()


async def fetch(local: str, url: str) -> httpx.Response:
    """What Slack would get for ``url`` (served here rather than at the public address)."""
    async with httpx.AsyncClient() as http:
        return await http.get(local + urlsplit(url).path)


async def home_cards(coach: Coach) -> HomeView:
    return only(await coach.handle(HomeOpened(member(), charts=False)), HomeView)


async def test_a_home_without_pictures_links_each_chart_and_the_link_draws_it(
    coach: Coach, clock: ManualClock, linked: tuple[ChartLinks, str]
) -> None:
    _, local = linked
    await set_goal(coach, member(), baseline="0.5")
    await values(coach, clock, "0.4", "0.35")

    (card,) = (await home_cards(coach)).goals

    assert card.chart is None and card.chart_url.startswith(PUBLIC + "/charts/")
    answer = await fetch(local, card.chart_url)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"
    assert "private" in answer.headers["Cache-Control"]
    with Image.open(io.BytesIO(answer.content)) as image:
        assert image.size == (800, 400)


async def test_a_tampered_expired_or_forgotten_link_shows_nothing(
    coach: Coach, clock: ManualClock, linked: tuple[ChartLinks, str]
) -> None:
    links, local = linked
    await set_goal(coach, member(), baseline="0.5")
    await values(coach, clock, "0.4")
    url = (await home_cards(coach)).goals[0].chart_url
    other_goal = links.url(TEAM, "U1", 2)  # signed, but the member has no goal 2
    body, signature = urlsplit(url).path.removeprefix("/charts/").removesuffix(".png").split(".")
    forged = f"{PUBLIC}/charts/{body}.{signature[::-1]}.png"

    assert (await fetch(local, forged)).status_code == 404
    assert (await fetch(local, other_goal)).status_code == 404
    clock.advance(links.lifetime + timedelta(minutes=1))
    assert (await fetch(local, url)).status_code == 404  # expired
    fresh = (await home_cards(coach)).goals[0].chart_url
    assert (await fetch(local, fresh)).status_code == 200
    await coach.handle(HomeOpened(member()))
    await press(coach, member(), Action.FORGET_CONFIRM, "")
    assert (await fetch(local, fresh)).status_code == 404  # forgotten: nothing to draw


async def test_no_link_without_links_served_or_with_one_value(
    coach: Coach, clock: ManualClock
) -> None:
    await set_goal(coach, member(), baseline="0.5")

    (card,) = (await home_cards(coach)).goals

    assert card.chart_url == ""  # one value, and no links served by this run


async def test_slack_shows_the_linked_chart_as_an_image_block(
    coach: Coach, clock: ManualClock, linked: tuple[ChartLinks, str]
) -> None:
    await set_goal(coach, member(), baseline="0.5")
    await values(coach, clock, "0.4")

    published = render.home(await home_cards(coach), coach.prompts)

    images = [b for b in published["blocks"] if b["type"] == "image"]
    assert [b["image_url"] for b in images] == [(await home_cards(coach)).goals[0].chart_url]
    assert "over time" in images[0]["alt_text"]
    View(**published).validate_json()  # Block Kit's own limits
