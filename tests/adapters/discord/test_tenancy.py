"""Many servers: each guild is its own tenant, and leaving a guild deletes its data."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import Coach
from bot.store.models import Goal, Member, Tenant
from tests.adapters.discord.conftest import LAB, OTHER, OTHER_CHANNEL
from tests.adapters.discord.test_commands import CAPABILITY, set_goal
from tests.adapters.discord.transcript import Bot, Researcher


async def test_the_same_user_in_two_guilds_is_two_members(ada: Researcher, bot: Bot) -> None:
    ada_elsewhere = Researcher(bot, ada.person, OTHER, OTHER_CHANNEL)
    await set_goal(ada)

    assert CAPABILITY in (await ada.slash("goal list")).text
    assert "You have no goal yet" in (await ada_elsewhere.slash("goal list")).text
    assert await ada_elsewhere.autocomplete("goal show", "number", "") == []


async def test_leaving_a_guild_deletes_its_data_only(
    ada: Researcher, bot: Bot, coach: Coach
) -> None:
    ada_elsewhere = Researcher(bot, ada.person, OTHER, OTHER_CHANNEL)
    await set_goal(ada)
    await set_goal(ada_elsewhere, "Fold laundry", "success rate")

    await bot.deliver("GUILD_DELETE", {"id": str(LAB)}, LAB, f"guild-remove:{LAB}")

    async with coach.db.session() as session:
        tenants = (await session.execute(select(Tenant.external_id))).scalars().all()
        goals = (await session.execute(select(Goal.capability))).scalars().all()
        members = (await session.execute(select(Member.user_id))).scalars().all()
    assert tenants == [str(OTHER)]
    assert goals == ["Fold laundry"]
    assert members == [ada.user_id]


async def test_an_outage_does_not_delete_a_guild_when_it_is_only_unavailable(
    ada: Researcher, bot: Bot, coach: Coach
) -> None:
    await set_goal(ada)
    # Discord sends GUILD_DELETE with "unavailable" during its own outages: keep the data.
    await bot.fake.push("GUILD_DELETE", {"id": str(LAB), "unavailable": True}, LAB)
    await ada.slash("goal list")  # processed after the GUILD_DELETE on the same connection
    async with coach.db.session() as session:
        assert (await session.execute(select(Goal.capability))).scalars().all() == [CAPABILITY]
