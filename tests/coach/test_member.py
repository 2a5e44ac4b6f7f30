"""``/coach`` through the Coach: help, settings, export, forget me; and tenant isolation."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.coach import Coach
from bot.events import (
    Action,
    Actor,
    AppUninstalled,
    ButtonPressed,
    ChannelPost,
    DirectMessage,
    FileReady,
    FormRejected,
    FormSubmitted,
    MemberJoined,
    OpenForm,
    Reply,
    TenantRef,
)
from bot.schedule.claims import Ticker
from bot.store.models import (
    Base,
    CheckIn,
    Draft,
    Goal,
    Member,
    MetricPoint,
    Tenant,
)
from tests.coach.helpers import (
    CHANNEL,
    DM,
    TEAM,
    check_in,
    command,
    dm,
    member,
    only,
    press,
    press_offer,
    rows,
    set_goal,
    text,
)

SETTINGS = {
    "timezone": "Europe/Berlin",
    "checkin_day": "friday",
    "checkin_time": "9:30",
    "mute_until": "2026-12-24",
    "side_budget_hours": "6",
}


async def coach_says(coach: Coach, args: str, actor: Actor | None = None) -> Reply:
    return only(await command(coach, actor or member(), "coach", args), Reply)


async def leave_a_trace_everywhere(coach: Coach, actor: Actor, words: str) -> None:
    """Give ``actor`` at least one row in every member table."""
    await set_goal(coach, actor, capability=f"{words} goal")  # Goal, NudgeRecord
    await command(coach, actor, "goal", "connect 1 script")  # GoalSource
    await check_in(coach, actor, did=f"{words} check-in", moves_goal="", metric_value="0.3")
    await command(coach, actor, "reflect", f"{words} reflection")
    await dm(coach, actor, f"{words} expected more")
    await command(coach, actor, "log", f"{words} note")
    await command(coach, actor, "predict", f"yes 70% {words} sampler wins")  # Prediction
    values = {"title": f"{words} work"}
    await coach.handle(FormSubmitted(actor, CHANNEL, "work", values))
    await check_in(coach, actor, did=f"{words} draft", metric_value="lots")  # a Draft
    # A Delivery: the weekly prompt, claimed by a tick a week later.
    await Ticker(coach.db, timedelta(hours=6)).tick(coach.clock.now() + timedelta(days=8))


# Tables whose rows belong to the workspace, not to one member.
TENANT_TABLES = {"tenants", "processed_events"}
MEMBER_TABLES = [
    m.class_
    for m in Base.registry.mappers
    if "member_id" in m.columns or m.class_ is MetricPoint  # a metric point via its goal
]


def test_every_table_is_either_a_member_table_or_a_tenant_table() -> None:
    """A new table must be classified here, so that forget me is checked against it."""
    member_tables = {t.__tablename__ for t in MEMBER_TABLES} | {"members"}
    assert set(Base.metadata.tables) - member_tables == TENANT_TABLES


async def rows_per_table(coach: Coach, user_id: str, tenant: TenantRef = TEAM) -> dict[str, int]:
    """How many rows each table holds for one member (the member row itself included)."""
    async with coach.db.session() as session:
        member_ids = (
            select(Member.id)
            .join(Tenant, Tenant.id == Member.tenant_id)
            .where(
                Member.user_id == user_id,
                Tenant.platform == tenant.platform,
                Tenant.external_id == tenant.external_id,
            )
        )
        goal_ids = select(Goal.id).where(Goal.member_id.in_(member_ids))
        counts = {"members": await _count(session, Member, Member.id.in_(member_ids))}
        for table in MEMBER_TABLES:
            if table is MetricPoint:
                owned: Any = MetricPoint.goal_id.in_(goal_ids)
            else:
                owned = table.member_id.in_(member_ids)
            counts[table.__tablename__] = await _count(session, table, owned)
    return counts


async def _count(session: Any, table: type[Any], condition: Any) -> int:
    query = select(func.count()).select_from(table).where(condition)
    return int((await session.execute(query)).scalar_one())


# --- help ----------------------------------------------------------------------------------------


async def test_coach_help_lists_the_commands(coach: Coach) -> None:
    for args in ("", "help", "  HELP "):
        said = text(await coach_says(coach, args))
        assert said.startswith("I'm your research coach."), repr(args)
        for name in ("/goal", "/checkin", "/reflect", "/log", "/review", "/wins", "/coach"):
            assert name in said


async def test_an_unknown_command_is_answered_with_help(coach: Coach) -> None:
    reply = only(await command(coach, member(), "frobnicate", "now"), Reply)

    assert text(reply).startswith("I don't know /frobnicate. Here is what I can do:")
    assert "I'm your research coach." in text(reply)


async def test_unknown_coach_arguments_give_the_usage_line(coach: Coach) -> None:
    said = text(await coach_says(coach, "nudges maybe"))

    assert said.startswith("Usage: /coach [help | settings | nudges on|off")
    assert "export | forget me" in said


async def test_a_new_member_is_welcomed_in_dm(coach: Coach) -> None:
    welcome = only(await coach.handle(MemberJoined(member("U7", "Lin"))), DirectMessage)

    assert welcome.user_id == "U7" and "Welcome!" in text(welcome)
    (row,) = await rows(coach, Member)
    assert (row.user_id, row.display_name) == ("U7", "Lin")


# --- settings ------------------------------------------------------------------------------------


async def test_the_settings_form_shows_the_current_settings(coach: Coach) -> None:
    form = only(await command(coach, member(), "coach", "settings"), OpenForm).form

    initial = {f.name: f.initial for f in form.fields}
    assert initial == {
        "timezone": "UTC",
        "checkin_day": "monday",
        "checkin_time": "10:00",
        "mute_until": "",
        "side_budget_hours": "4",
    }


INVALID_SETTINGS = [
    ("timezone", "Mars/Olympus_Mons", "unknown time zone"),
    ("timezone", "../../etc/passwd", "unknown time zone"),
    ("checkin_time", "25:00", "HH:MM"),
    ("checkin_time", "9.30", "HH:MM"),
    ("mute_until", "2026-02-30", "a date like"),
    ("mute_until", "next week", "a date like"),
    ("side_budget_hours", "200", "between 0 and 168"),
    ("side_budget_hours", "many", "must be a number"),
    ("checkin_day", "someday", "pick one of the choices"),
]


async def test_invalid_settings_are_rejected_and_nothing_changes(coach: Coach) -> None:
    for field, bad, error in INVALID_SETTINGS:
        values = {**SETTINGS, field: bad}

        intents = await coach.handle(FormSubmitted(member(), CHANNEL, "settings", values))

        rejected = only(intents, FormRejected)
        assert list(rejected.errors) == [field], bad
        assert error in rejected.errors[field], bad
        assert {f.name: f.initial for f in rejected.form.fields}[field] == bad
    (row,) = await rows(coach, Member)
    assert (row.timezone, row.checkin_day, row.checkin_time) == ("UTC", 0, "10:00")
    assert row.mute_until is None and row.side_budget_hours == 4.0


async def test_valid_settings_are_saved(coach: Coach) -> None:
    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "settings", SETTINGS))

    said = text(only(intents, Reply))
    assert said == "Saved: check-ins on Friday at 09:30, Europe/Berlin."
    (row,) = await rows(coach, Member)
    assert (row.timezone, row.checkin_day, row.checkin_time) == ("Europe/Berlin", 4, "09:30")
    assert row.mute_until == date(2026, 12, 24)
    assert row.side_budget_hours == 6.0
    form = only(await command(coach, member(), "coach", "settings"), OpenForm).form
    assert {f.name: f.initial for f in form.fields}["checkin_day"] == "friday"


# --- export --------------------------------------------------------------------------------------


async def test_export_gives_all_of_the_members_data_as_json_and_markdown(coach: Coach) -> None:
    await leave_a_trace_everywhere(coach, member(), "Ada's")
    await leave_a_trace_everywhere(coach, member("U2", "Grace"), "Grace's")

    files = await command(coach, member(), "coach", "export")

    assert [type(f) for f in files] == [FileReady, FileReady]
    as_json, as_markdown = files
    assert isinstance(as_json, FileReady) and isinstance(as_markdown, FileReady)
    assert as_json.filename == "research-coach-U1-20261102.json"
    assert as_markdown.filename == "research-coach-U1-20261102.md"
    data = json.loads(as_json.data)
    assert data["member"]["user_id"] == "U1"
    assert data["member"]["team"] == "T1"
    assert [g["capability"] for g in data["goals"]] == ["Ada's goal"]
    assert [c["did"] for c in data["checkins"]] == ["Ada's check-in"]
    assert [r["answers"] for r in data["reflections"]] == [{"expected": "Ada's expected more"}]
    assert [n["text"] for n in data["notebook"]] == ["Ada's note"]
    assert [w["title"] for w in data["best_works"]] == ["Ada's work"]
    assert [p["value"] for p in data["metric_history"]] == [0.3]
    assert {n["nudge_id"] for n in data["nudges"]} == {"baseline-first"}
    assert "Grace" not in as_json.data
    assert '"member_id"' not in as_json.data and '"tenant_id"' not in as_json.data
    markdown = as_markdown.data
    assert markdown.startswith("# Research notes of Ada")
    for heading in ("## Goals", "## Check-ins", "## Reflections", "## Notebook", "## Best works"):
        assert heading in markdown
    assert "### 1. Ada's goal" in markdown and "- Did: Ada's check-in" in markdown
    assert "Grace" not in markdown


async def test_export_includes_the_drafts_the_coach_keeps(coach: Coach) -> None:
    await check_in(coach, member(), did="Half-written week", metric_value="lots")
    assert len(await rows(coach, Draft)) == 1

    as_json = (await command(coach, member(), "coach", "export"))[0]

    assert isinstance(as_json, FileReady)
    assert "Half-written week" in as_json.data


# --- forget me -----------------------------------------------------------------------------------


async def test_forget_me_asks_to_confirm_first(coach: Coach) -> None:
    await leave_a_trace_everywhere(coach, member(), "Ada's")
    before = await rows_per_table(coach, "U1")

    asked = await coach_says(coach, "forget me")

    assert "cannot be undone" in text(asked)
    assert [b.action for b in asked.buttons] == [Action.FORGET_CONFIRM, Action.FORGET_CANCEL]
    assert await rows_per_table(coach, "U1") == before


async def test_cancelling_forget_me_deletes_nothing(coach: Coach) -> None:
    await leave_a_trace_everywhere(coach, member(), "Ada's")
    before = await rows_per_table(coach, "U1")

    said = text(only(await press(coach, member(), Action.FORGET_CANCEL), Reply))

    assert said == "Nothing was deleted."
    assert await rows_per_table(coach, "U1") == before


async def test_forget_me_deletes_every_row_of_the_member_and_only_theirs(coach: Coach) -> None:
    ada, grace = member(), member("U2", "Grace")
    await leave_a_trace_everywhere(coach, ada, "Ada's")
    await leave_a_trace_everywhere(coach, grace, "Grace's")
    adas, graces = await rows_per_table(coach, "U1"), await rows_per_table(coach, "U2")
    assert all(adas.values()) and all(graces.values()), (adas, graces)  # rows in every table

    said = text(only(await press(coach, ada, Action.FORGET_CONFIRM), Reply))

    assert said == "Done: everything I kept about you is deleted."
    assert await rows_per_table(coach, "U1") == dict.fromkeys(graces, 0)
    assert await rows_per_table(coach, "U2") == graces
    assert len(await rows(coach, Tenant)) == 1


# --- tenants -------------------------------------------------------------------------------------


async def test_two_tenants_with_the_same_user_id_see_only_their_own_data(coach: Coach) -> None:
    here, there = member(), member(tenant=TenantRef("slack", "T2"))
    await set_goal(coach, here)
    reply = only(await check_in(coach, here, failed="The run diverged"), Reply)
    await command(coach, here, "log", "T1 note")

    assert "You have no goal yet" in text(only(await command(coach, there, "goal"), Reply))
    assert "portfolio is empty" in text(only(await command(coach, there, "wins"), Reply))
    assert "Nothing to review" in text(only(await command(coach, there, "review"), Reply))
    published = await press_offer(coach, there, reply, Action.PUBLISH_CHECKIN)
    assert not any(isinstance(i, ChannelPost) for i in published)
    feedback = await press_offer(coach, there, reply, Action.NUDGE_HELPFUL)
    assert "can't find that nudge" in text(only(feedback, Reply))
    exported = json.loads(only_json(await command(coach, there, "coach", "export")))
    assert exported["goals"] == exported["checkins"] == exported["notebook"] == []

    await press(coach, there, Action.FORGET_CONFIRM)

    counts = await rows_per_table(coach, "U1")
    assert counts["goals"] == counts["checkins"] == counts["notebook_entries"] == 1
    assert counts["members"] == 1
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.published_at is None


async def test_uninstalling_deletes_that_tenant_only(coach: Coach) -> None:
    here, there = member(), member(tenant=TenantRef("slack", "T2"))
    await leave_a_trace_everywhere(coach, here, "Here")
    await leave_a_trace_everywhere(coach, there, "There")
    kept = await rows_per_table(coach, "U1")

    assert await coach.handle(AppUninstalled(TenantRef("slack", "T2"))) == []

    assert await rows_per_table(coach, "U1", TenantRef("slack", "T2")) == dict.fromkeys(kept, 0)
    assert await rows_per_table(coach, "U1") == kept
    assert [t.external_id for t in await rows(coach, Tenant)] == ["T1"]


def only_json(intents: list[Any]) -> str:
    (data,) = [i.data for i in intents if isinstance(i, FileReady) and i.filename.endswith(".json")]
    return str(data)


async def test_an_expired_button_or_form_is_answered(coach: Coach) -> None:
    expired = await coach.handle(ButtonPressed(member(), DM, "poll.vote", "3"))
    unknown = await coach.handle(FormSubmitted(member(), DM, "survey", {"q": "a"}))

    assert "That button has expired" in text(only(expired, Reply))
    assert "That form has expired" in text(only(unknown, Reply))
