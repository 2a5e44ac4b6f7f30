"""A listener that fails after its ack: Slack keeps the 200 it was given, the failure is
logged, and what the member sent is kept."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack import listeners
from adapters.slack.http import SlackServer
from adapters.slack.listeners import keeping_the_ack
from bot.coach import Coach
from bot.ports import ManualClock
from bot.store import Database
from bot.store.models import CheckIn, NotebookEntry
from tests.adapters.slack.conftest import (
    SECRET,
    TOKENS,
    SlackHarness,
    settings_for,
    start,
    text_of,
)
from tests.adapters.slack.test_checkin import set_goal
from tests.conftest import START
from tests.fakes.slack import FakeSlack, sign, slash_command_body

FORM = "application/x-www-form-urlencoded"


async def test_a_refused_reply_after_the_ack_keeps_the_ack_and_the_note(
    slack: SlackHarness, coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    # Refused for good (a 404, a used-up URL, would go by the Web API instead).
    slack.fake.fail_next("response_url", status=403)
    answer = await slack.command("/log", "Warmup fixes the spikes")
    assert answer.status_code == 200
    await slack.fake.wait_for("response_url")
    async with coach.db.session() as session:
        (note,) = (await session.execute(select(NotebookEntry))).scalars().all()
    assert note.text == "Warmup fixes the spikes"
    await slack.fake.wait_until(
        lambda: "failed after its ack" in caplog.text, 5.0, "the failure logged"
    )
    assert "Slack answered HTTP 403 to a reply" in caplog.text


async def log_through(listener: Callable[[AsyncAck], Awaitable[None]]) -> httpx.Response:
    """One signed ``/log`` through our HTTP server, to a Bolt app whose only listener is
    ``listener`` wrapped in ``keeping_the_ack``; the answer Slack would get."""
    async with FakeSlack() as fake:
        fake.add_workspace("T1", TOKENS["T1"])
        client = AsyncWebClient(token=TOKENS["T1"], base_url=fake.api_url)
        app = AsyncApp(signing_secret=SECRET, client=client)
        app.command("/log")(keeping_the_ack(listener))
        server = SlackServer(app)
        port = await server.start("127.0.0.1", 0)
        body = slash_command_body(
            "/log", "", team_id="T1", user_id="U1", channel_id="C1", response_url="http://x/"
        )
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                return await http.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    content=body,
                    headers={"Content-Type": FORM, **sign(SECRET, body)},
                )
        finally:
            await server.stop()


async def test_a_failure_right_after_the_ack_does_not_turn_it_into_a_404(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bolt resets the ack when a listener raises; before Bolt has read it, that was a 404."""

    async def acks_then_fails(ack: AsyncAck) -> None:
        await ack()
        raise RuntimeError("the reply could not be sent")

    with caplog.at_level(logging.ERROR, logger="adapters.slack.listeners"):
        answer = await log_through(acks_then_fails)
    assert answer.status_code == 200
    assert "failed after its ack: the reply could not be sent" in caplog.text


async def test_a_failure_before_the_ack_still_reaches_bolt() -> None:
    async def fails(ack: AsyncAck) -> None:
        raise RuntimeError("no ack")

    assert (await log_through(fails)).status_code == 500


async def submitted_while_the_database_is_held(
    fake_slack: FakeSlack, tmp_path: Path, values: dict[str, str]
) -> dict[str, Any]:
    """A check-in submitted while another writer holds the database past the ack (Slack's
    3 s scaled down to 0.2): the private answer that follows, once nothing could be saved."""
    path = tmp_path / "coach.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 1.0})
    await db.upgrade()
    coach = Coach(db, ManualClock(START))
    try:
        async for slack in start(coach, fake_slack, settings_for(fake_slack)):
            await set_goal(slack)
            await slack.command("/checkin")
            view = await slack.opened_view(2)
            other = sqlite3.connect(path)
            other.execute("BEGIN EXCLUSIVE")
            try:
                answer = await slack.submit(view, values)
                assert answer.status_code == 200 and answer.text == ""  # acked: modal closed
                reply = (await fake_slack.wait_for("chat.postEphemeral", 2))[-1]
            finally:
                other.rollback()
                other.close()
        async with db.session() as session:
            assert (await session.execute(select(CheckIn))).scalars().all() == []
    finally:
        await db.dispose()
    assert reply.ok, "Slack refused the answer"
    return reply.args


async def test_a_form_the_database_could_not_take_in_time_comes_back_in_the_answer(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The modal closes with the ack; when the coach then cannot save the check-in, the
    private answer says so and holds everything the member typed, under its labels."""
    monkeypatch.setattr(listeners, "ACK_BUDGET", 0.2)  # Slack's 3 s, scaled down
    values = {"did": "Tried SpecAugment <!channel>", "failed": "the LM fusion run"}
    said = text_of(await submitted_while_the_database_is_held(fake_slack, tmp_path, values))
    assert "nothing was saved yet" in said
    assert "What you wrote:\nWhat did you do?: Tried SpecAugment" in said
    assert "the LM fusion run" in said and "<!channel>" not in said  # escaped: pings nobody


async def test_every_word_of_long_hostile_fields_comes_back_whole(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four fields of nearly 3000 characters each, one paragraph apiece, full of ``&``,
    ``<!channel>`` and long words: the answer holds every word in sections Slack takes (each
    within 3000 characters, none cut inside ``&amp;``), and nobody is pinged."""
    monkeypatch.setattr(listeners, "ACK_BUDGET", 0.2)
    words = {
        field: [f"{field}{n}&co<!channel>" for n in range(160)]
        for field in ("did", "moves_goal", "next_experiment", "failed")
    }
    values = {field: " ".join(said)[:2990] for field, said in words.items()}
    answer = await submitted_while_the_database_is_held(fake_slack, tmp_path, values)

    sections = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]
    assert len(sections) >= 5 and all(0 < len(text) <= 3000 for text in sections)
    shown = unescape(" ".join(sections)).split()
    for field, typed in values.items():
        assert [w for w in typed.split() if w not in shown] == [], field
    assert all("<!channel>" not in text for text in sections)
    assert fake_slack.spec_problems() == []
