"""``forget me`` leaves nothing of the member anywhere the coach keeps things: no row in any
table (and their id in none of the team's rows), no word in the database files, no export
on disk, no LLM follow-up waiting with their words, nothing in the adapters' memory; and
another member's data is untouched."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from adapters.discord.app import DiscordApp
from adapters.discord.pending import Reopen, Retry
from adapters.slack.app import build as build_slack
from adapters.slack.directory import Profile
from bot import analysis
from bot.analysis.phrases import cached_tokens
from bot.coach import Coach
from bot.coach.forms import work_form
from bot.events import Action, Actor, ButtonPressed, CommandInvoked, Place, TenantRef
from bot.llm import ChatClient, FollowUps
from bot.pacing import Pacer
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.settings import Settings
from bot.store import Database
from bot.store.models import Base, Delivery, Tenant
from tests.coach.test_member import leave_a_trace_everywhere
from tests.conftest import say
from tests.fakes.llm import Answer, FakeLLM
from tests.fakes.slack import FakeSlack

# Every table, and where a member's data is in it. A new table fails the test until it is
# named here, so that forget me is checked against it.
TABLES = {
    "tenants": "the team's admins name members",
    "members": "the member's own row",
    "goals": "their rows",
    "checkins": "their rows",
    "metric_points": "their goals' numbers",
    "goal_sources": "their goals' trackers, credentials and push tokens",
    "reflections": "their rows",
    "notebook_entries": "their rows",
    "best_works": "their rows",
    "nudge_records": "their rows",
    "drafts": "their rows",
    "predictions": "their rows: what they expected of experiments, and how it turned out",
    "deliveries": "their prompts, and the tag messages naming them",
    "processed_events": "no member data: keys of platform deliveries already handled",
}
NO_MEMBER_DATA = {"processed_events"}


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        server.script(Answer.json({"message": "Try one eval first."}))
        yield server


@pytest.fixture
async def coach_with_llm(db: Database, clock: ManualClock, llm: FakeLLM) -> AsyncIterator[Coach]:
    follow_ups = FollowUps(ChatClient(llm.base_url, "fake-model", timeout=2), load_prompts())
    yield Coach(db, clock, follow_ups=follow_ups)
    await follow_ups.aclose()


async def traces(db: Database, user_id: str, words: str) -> dict[str, int]:
    """How many rows of each table carry the member: their id, their words, or a link to one
    of their rows (by member, goal or check-in id)."""
    async with db.session() as session:
        found: dict[str, list[dict[str, Any]]] = {}
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            found[table.name] = [dict(row._mapping) for row in result]
    members = {r["id"] for r in found["members"] if r["user_id"] == user_id}
    goals = {r["id"] for r in found["goals"] if r["member_id"] in members}
    checkins = {r["id"] for r in found["checkins"] if r["member_id"] in members}
    links = {"member_id": members, "goal_id": goals, "checkin_id": checkins}

    def theirs(table: str, row: dict[str, Any]) -> bool:
        if table == "members" and row["id"] in members:
            return True
        if any(row.get(column) in ids for column, ids in links.items() if row.get(column)):
            return True
        shown = json.dumps(row, default=str).lower()
        return f'"{user_id}"' in shown or words.lower() in shown

    return {table: sum(theirs(table, row) for row in rows) for table, rows in found.items()}


async def test_every_table_is_classified_for_forget_me() -> None:
    assert sorted(t.name for t in Base.metadata.sorted_tables) == sorted(TABLES)


async def test_forget_me_leaves_nothing_of_the_member_and_keeps_the_others(
    db: Database, coach_with_llm: Coach, llm: FakeLLM, exports: Path, tmp_path: Path
) -> None:
    coach = coach_with_llm
    zelda = ConsoleSession(coach, "lab", "Zelda", exports)
    bruno = ConsoleSession(coach, "lab", "Bruno", exports)
    for session, words in ((zelda, "quokka"), (bruno, "wombat")):
        await leave_a_trace_everywhere(coach, session.actor, f"{words}'s")
        await say(session, "/checkin", f"{words} ablation of the decoder", "", "", "", "")
        await say(session, f"/predict yes 70% {words} sampler beats the baseline")
        await say(session, "/coach export")
        await say(session, "/wins add", f"{words} half-typed work")
        await session.interrupt()  # closed mid-way: kept as a draft
        tracker = (f"http://{words}.example", f"{words}-runs", "success", "", "")
        connected = await say(session, "/goal connect 1 mlflow", *tracker, f"{words}-key")
        assert "Goal 1 is connected to MLflow" in connected  # its settings, and its credential
    tenant = TenantRef("console", "lab")
    async with db.scope(tenant, coach.clock.now()) as scope:
        team = scope.tenant
        await scope.update_tenant(team, replace(team, admins=("zelda", "bruno")))
        due = coach.clock.now() + timedelta(days=1)
        scope.session.add(
            Delivery(
                tenant_id=scope.tid,
                member_id=None,
                kind="tag",
                target="team",
                period="2026-W46",
                due_at=due,
                next_attempt_at=due,
                status="pending",
                detail={"users": ["bruno", "zelda"]},
            )
        )
        await scope.first_time("message:1712.0001", coach.clock.now())
    zelda_follow_up = list(zelda.follow_ups)
    assert zelda_follow_up and bruno.follow_ups  # the LLM has not seen either check-in yet
    exported = sorted(p.name for p in exports.iterdir())
    assert len(exported) == 4
    before = await traces(db, "zelda", "quokka")
    brunos = await traces(db, "bruno", "wombat")
    member_tables = set(TABLES) - NO_MEMBER_DATA
    assert {t for t, n in before.items() if n} == member_tables, before  # in every table

    asked = await say(zelda, "/coach forget me")
    assert "(1) Delete everything" in asked
    said = await say(zelda, "1")
    remembered = analysis.semantic_analyzer()  # the model that read both check-ins
    assert remembered is not None
    assert not [t for t in remembered.embedder._sentences if "quokka" in t.lower()]
    assert cached_tokens.cache_info().currsize == 0  # the rules' memory of recent texts

    assert "everything I kept about you is deleted" in said
    assert await traces(db, "zelda", "quokka") == dict.fromkeys(TABLES, 0)
    assert await traces(db, "bruno", "wombat") == brunos
    async with db.session() as session:
        (team,) = (await session.execute(select(Tenant))).scalars()
    assert team.admins == ["bruno"]
    # Exports on disk: hers are gone, his stay.
    assert sorted(p.name for p in exports.iterdir()) == [n for n in exported if "bruno" in n]
    # The follow-up that waited with her words is never sent; his still is.
    assert await coach.follow_up(zelda_follow_up[0]) == []
    assert await bruno.follow_up()
    prompts = [json.dumps(r.body) for r in llm.requests]
    assert len(prompts) == 1 and "wombat" in prompts[0]
    assert not [p for p in prompts if "quokka" in p]
    # Her words are not left in the database's files either (zeroed, journal emptied).
    if db.backend == "sqlite":
        files = [p for p in tmp_path.iterdir() if p.name.startswith("coach.db")]
        assert files and not [p.name for p in files if b"quokka" in p.read_bytes()]


async def test_forget_me_reaches_what_the_slack_and_discord_adapters_keep(
    coach: Coach, tmp_path: Path
) -> None:
    """The adapters' memory: forms Discord keeps to reopen, events it keeps to retry, a
    refused DM it remembers; Slack's cached profiles and DM channels."""
    async with FakeSlack() as fake:
        fake.add_workspace("T1", "xoxb-1")
        settings = _settings(fake, tmp_path)
        slack = build_slack(coach, settings, Pacer(0.0, 0.0))
        discord = DiscordApp(coach, settings)
        try:
            directory = slack.listeners.directory
            pending = discord.dispatcher.pending
            for user in ("U1", "U2"):
                directory._profiles[("T1", user)] = (0.0, Profile(user, None, False))
                directory._dms[("T1", user)] = f"D{user}"
            guild = TenantRef("discord", "80")
            tokens = {}
            for user in ("42", "43"):
                actor = Actor(guild, user, user)
                event = CommandInvoked(actor, Place.channel("8101"), "log", f"{user} words")
                tokens[user] = (
                    pending.keep(Reopen(user, work_form(), "80")),
                    pending.keep(Retry(user, event)),
                )
                pending.opened(user, work_form())
                discord.dispatcher.services.told_dm_refused[user] = None
                discord.routes.remember(user, "80")

            for actor in (Actor(TenantRef("slack", "T1"), "U1"), Actor(guild, "42")):
                await coach.handle(ButtonPressed(actor, Place.dm(), Action.FORGET_CONFIRM, ""))

            assert sorted(directory._profiles) == [("T1", "U2")]
            assert sorted(directory._dms) == [("T1", "U2")]
            assert [pending.get(t, "42") for t in tokens["42"]] == [None, None]
            assert None not in [pending.get(t, "43") for t in tokens["43"]]
            assert pending.form("42", "work", "") is None
            assert pending.form("43", "work", "") is not None
            assert list(discord.dispatcher.services.told_dm_refused) == ["43"]
            assert list(discord.routes._last) == ["43"]  # DMs from 42 go to no server now
        finally:
            await discord.client.close()


def _settings(fake: FakeSlack, folder: Path) -> Settings:
    values: dict[str, Any] = {
        "data_dir": folder,
        "slack_bot_token": "xoxb-1",
        "slack_signing_secret": "signing-secret-1",
        "slack_api_url": fake.api_url,
        "discord_token": "discord-token-1",
        "discord_api_url": "http://127.0.0.1:9/api/v10",
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
