"""``/coach team rhythm`` and ``/coach team digest`` move due times, for team admins only; members
turn weekly DMs on and off, and on Discord they come only after an explicit opt-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.events import FormRejected, OpenForm, TenantRef
from bot.store import Database
from tests.schedule.helpers import CHANNEL, Rig, person, said, utc

SUNDAY = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 6-hour steps tick at 10:00
ADMINS_ONLY = "Only team admins"


async def test_the_team_rhythm_form_moves_every_members_prompt(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True, timezone="UTC")
    berlin, tokyo = person("U1", timezone="Europe/Berlin"), person("U2", timezone="Asia/Tokyo")
    own = person("U3", timezone="UTC")
    for member in (admin, berlin, tokyo, own):
        await rig.join(member)
    await rig.own_schedule(own, "monday", "10:00", "UTC")  # a member's own day stays theirs

    (form,) = await rig.command(admin, "coach", "team rhythm")
    assert isinstance(form, OpenForm) and form.form.form_id == "team_rhythm"
    saved = await rig.team_rhythm(admin, timezone="America/New_York", day="wednesday", at="14:30")
    assert "saved" in said(saved)
    assert (await rig.tenant()).timezone == "America/New_York"

    # The team's day and time, in each member's own zone.
    expected = {
        "U1": utc(2026, 11, 4, 13, 30),
        "U2": utc(2026, 11, 4, 5, 30),
        "UA": utc(2026, 11, 4, 14, 30),
        "U3": utc(2026, 11, 2, 10, 0),
    }
    await rig.run_until(utc(2026, 11, 5, 12, 0), timedelta(hours=6), also=expected.values())
    for user, at in expected.items():
        assert [p.at for p in rig.messenger.prompts_to(user)] == [at], user


async def test_the_digest_form_moves_the_digest_and_the_nudges(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    await rig.command(admin, "coach", "team channel")
    (form,) = await rig.command(admin, "coach", "team digest")
    assert isinstance(form, OpenForm) and form.form.form_id == "team_digest"
    await rig.team_rhythm(admin, timezone="Europe/Berlin", day="tuesday", at="09:00")
    await rig.team_digest(admin, day="thursday", at="17:00", nudge_every_weeks="1", empty="yes")

    thursday, tuesday = utc(2026, 11, 5, 16, 0), utc(2026, 11, 3, 8, 0)
    await rig.run_until(utc(2026, 11, 8, 0, 0), timedelta(hours=6), also=(thursday, tuesday))
    posts = rig.messenger.posts(CHANNEL)
    digests = [p.at for p in posts if p.text.startswith("Team digest")]
    nudges = [p.at for p in posts if not p.text.startswith("Team digest")]
    assert digests == [thursday]  # Thursday 17:00 in Berlin
    assert nudges == [tuesday]  # the team's Tuesday 09:00 in Berlin

    await rig.team_digest(admin, day="off", nudge_every_weeks="0")
    await rig.run_until(utc(2026, 11, 22, 0, 0), timedelta(hours=12))
    assert len(rig.messenger.posts(CHANNEL)) == 2  # both turned off: nothing more


async def test_only_admins_change_team_settings(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    member = person("U1")
    await rig.join(admin)
    await rig.join(member)
    before = await rig.tenant()

    for text in ("team rhythm", "team digest", "team channel", "team admin add <@U1>"):
        assert ADMINS_ONLY in said(await rig.command(member, "coach", text)), text
    # A form submitted by hand (a forged or stale modal) is refused too.
    assert ADMINS_ONLY in said(await rig.team_rhythm(member, day="friday", at="18:00"))
    assert ADMINS_ONLY in said(await rig.team_digest(member, day="off"))
    after = await rig.tenant()
    assert (after.checkin_day, after.checkin_time, after.digest_day, after.team_channel) == (
        before.checkin_day,
        before.checkin_time,
        before.digest_day,
        before.team_channel,
    )
    assert (await rig.member(member)).next_checkin_at == utc(2026, 11, 2, 10)

    # An admin names them: now they may.
    await rig.command(admin, "coach", "team admin add <@U1>")
    assert "saved" in said(await rig.team_rhythm(member, day="friday", at="18:00"))
    assert (await rig.member(member)).next_checkin_at == utc(2026, 11, 6, 18)


async def test_a_bad_rhythm_is_refused_and_changes_nothing(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    await rig.join(admin)
    (rejected,) = await rig.team_rhythm(admin, timezone="Mars/Olympus", at="25:00")
    assert isinstance(rejected, FormRejected)
    assert set(rejected.errors) == {"timezone", "checkin_time"}
    assert (await rig.member(admin)).next_checkin_at == utc(2026, 11, 2, 10)


async def test_discord_members_get_weekly_dms_only_after_opting_in(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    guild = TenantRef("discord", "G1")
    member = person("D1", tenant=guild)
    await rig.join(member)
    await rig.run_until(utc(2026, 11, 3, 4, 0), timedelta(hours=6))
    assert rig.messenger.dms() == []
    assert (await rig.member(member)).next_checkin_at is None

    assert "on" in said(await rig.command(member, "coach", "weekly on"))
    await rig.run_until(utc(2026, 11, 10, 4, 0), timedelta(hours=6))
    assert [(p.tenant, p.at) for p in rig.messenger.prompts_to("D1")] == [
        (guild, utc(2026, 11, 9, 10))
    ]

    await rig.command(member, "coach", "weekly off")
    await rig.run_until(utc(2026, 11, 24, 4, 0), timedelta(hours=12))
    assert len(rig.messenger.prompts_to("D1")) == 1


async def test_slack_members_get_weekly_dms_unless_they_turn_them_off(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    stays, leaves = person("U1"), person("U2")
    for member in (stays, leaves):
        await rig.join(member)
    await rig.command(leaves, "coach", "weekly off")
    await rig.run_until(utc(2026, 11, 3, 4, 0), timedelta(hours=6))
    assert [p.target for p in rig.messenger.prompts_to("U1")] == ["U1"]
    assert rig.messenger.prompts_to("U2") == []
