"""The coach's typed surface for adapters: its view of a member's open goals and check-in form
(kept until a turn of theirs may change them), the DM routing lookups, refused DMs."""

from __future__ import annotations

from sqlalchemy import update

from bot.coach import Coach
from bot.coach.surface import GoalChoice, MemberView, MemberViews, WorkChoice
from bot.events import Action, AppUninstalled, DmRefused, FormSubmitted, OpenForm, TenantRef
from bot.store.models import Goal, Member
from tests.coach.helpers import (
    CAPABILITY,
    CHANNEL,
    TEAM,
    abandon,
    check_in,
    command,
    member,
    only,
    press,
    rows,
    set_goal,
)

ADA = member()


async def rename_behind_the_coach(coach: Coach, capability: str) -> None:
    """Change a goal in the store without a turn of the coach: the view cannot know."""
    async with coach.db.session() as session:
        await session.execute(update(Goal).values(capability=capability))


async def test_open_goals_come_from_the_view_until_a_turn_of_the_member(coach: Coach) -> None:
    surface = coach.surface
    assert await surface.open_goals(TEAM, ADA.user_id) == ()
    await set_goal(coach, ADA)  # set: the coach drops the view
    assert await surface.open_goals(TEAM, ADA.user_id) == (GoalChoice(1, CAPABILITY),)
    await rename_behind_the_coach(coach, "Renamed")
    assert await surface.open_goals(TEAM, ADA.user_id) == (GoalChoice(1, CAPABILITY),)
    await set_goal(coach, ADA, "Second capability")
    assert await surface.open_goals(TEAM, ADA.user_id) == (
        GoalChoice(1, "Renamed"),
        GoalChoice(2, "Second capability"),
    )
    await abandon(coach, ADA, 1)
    assert await surface.open_goals(TEAM, ADA.user_id) == (GoalChoice(2, "Second capability"),)
    assert await surface.goals(TEAM, ADA.user_id) == (
        GoalChoice(1, "Renamed"),
        GoalChoice(2, "Second capability"),
    )


async def test_a_goal_updated_drops_the_view(coach: Coach) -> None:
    await set_goal(coach, ADA)
    await coach.surface.open_goals(TEAM, ADA.user_id)
    await rename_behind_the_coach(coach, "Renamed")
    await command(coach, ADA, "goal", "update 1 0.3")
    assert await coach.surface.open_goals(TEAM, ADA.user_id) == (GoalChoice(1, "Renamed"),)


async def test_the_checkin_form_is_known_after_a_bare_checkin_until_goals_change(
    coach: Coach,
) -> None:
    surface = coach.surface
    await set_goal(coach, ADA)
    assert surface.checkin_form(TEAM, ADA.user_id) is None  # not opened yet: ask the coach
    opened = only(await command(coach, ADA, "checkin"), OpenForm).form
    assert surface.checkin_form(TEAM, ADA.user_id) == opened
    assert only(await command(coach, ADA, "checkin"), OpenForm).form == opened
    await set_goal(coach, ADA, "Second capability")
    assert surface.checkin_form(TEAM, ADA.user_id) is None


async def test_a_checkin_form_holding_a_draft_is_not_kept(coach: Coach) -> None:
    await set_goal(coach, ADA)
    await command(coach, ADA, "checkin")
    await check_in(coach, ADA, did="")  # rejected: kept as a draft in the store
    assert coach.surface.checkin_form(TEAM, ADA.user_id) is None
    form = only(await command(coach, ADA, "checkin"), OpenForm).form
    assert any(f.initial for f in form.fields)  # the draft is in the form the coach opened
    assert coach.surface.checkin_form(TEAM, ADA.user_id) is None


async def test_forget_me_clears_the_view(coach: Coach) -> None:
    await set_goal(coach, ADA)
    await command(coach, ADA, "checkin")
    await coach.surface.open_goals(TEAM, ADA.user_id)
    await press(coach, ADA, Action.FORGET_CONFIRM)
    assert coach.surface.views.get(("slack", "T1", ADA.user_id)) is None
    assert await coach.surface.open_goals(TEAM, ADA.user_id) == ()


async def test_an_uninstall_clears_the_tenants_views(coach: Coach) -> None:
    other = member("U2", "Bo", TenantRef("slack", "T2"))
    for actor in (ADA, other):
        await set_goal(coach, actor)
        await command(coach, actor, "checkin")
    await coach.handle(AppUninstalled(TEAM))
    assert coach.surface.checkin_form(TEAM, ADA.user_id) is None
    assert coach.surface.checkin_form(other.tenant, "U2") is not None


def test_the_views_are_bounded_and_refuse_a_read_older_than_a_change() -> None:
    views = MemberViews(limit=2)
    for user in ("U1", "U2", "U3"):
        assert views.keep(("slack", "T1", user), views.stamp(), MemberView(()))
    assert len(views) == 2 and views.get(("slack", "T1", "U1")) is None
    stamp = views.stamp()
    views.changed(("slack", "T1", "U2"))  # a turn ended while the read was under way
    assert not views.keep(("slack", "T1", "U2"), stamp, MemberView(()))
    assert views.keep(("slack", "T1", "U3"), stamp, MemberView(()))  # others are not held up
    for user in ("U4", "U5", "U6"):  # changes forgotten for room count as recent
        views.changed(("slack", "T1", user))
    assert not views.keep(("slack", "T1", "U2"), stamp, MemberView(()))


async def test_works_come_in_order(coach: Coach) -> None:
    for title in ("First paper", "Second paper"):
        values = {"title": title, "link": "", "why": ""}
        await coach.handle(FormSubmitted(ADA, CHANNEL, "work", values))
    assert await coach.surface.works(TEAM, ADA.user_id) == (
        WorkChoice(1, "First paper"),
        WorkChoice(2, "Second paper"),
    )


async def test_a_refused_dm_is_recorded_on_the_member_and_creates_no_one(coach: Coach) -> None:
    await set_goal(coach, ADA)
    assert await coach.handle(DmRefused(ADA)) == []
    (row,) = await rows(coach, Member)
    assert row.dm_refused_at == coach.clock.now()
    await coach.handle(DmRefused(member("U9", "Stranger")))
    assert len(await rows(coach, Member)) == 1


async def test_dm_routes_read_one_platform_for_one_user(coach: Coach) -> None:
    first, second = TenantRef("discord", "81"), TenantRef("discord", "82")
    surface = coach.surface
    assert await surface.is_new(first, "U1") is True
    await set_goal(coach, member("U1", "Ada", first))
    await set_goal(coach, member("U1", "Ada", second))
    await set_goal(coach, member("U1", "Ada", TenantRef("slack", "81")))
    assert await surface.belongs(first, "U1") and not await surface.belongs(first, "U2")
    assert await surface.is_new(second, "U1") is False
    assert await surface.latest_tenant("discord", "U1", "dm") == "82"
    assert await surface.latest_tenant("discord", "U1", "82") == "81"
    assert await surface.open_reflection_tenant("discord", "U1") is None
    await command(coach, member("U1", "Ada", first), "reflect", "A dropped project")
    assert await surface.open_reflection_tenant("discord", "U1") == "81"
    assert await surface.open_reflection_tenant("slack", "U1") is None
