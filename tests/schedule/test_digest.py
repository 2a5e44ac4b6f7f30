"""The team digest (one parent a period, published check-ins as thread replies, a late one joins
the thread) and channel nudges (rotating, no repeat within eight weeks); nothing private is
ever posted in a channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.events import MessageReceived, Place, Reply, plain
from bot.schedule.content import channel_nudges
from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import CHANNEL, Rig, Sent, person, said, utc

MONDAY = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
STEP = timedelta(hours=6)  # 04:00, 10:00, 16:00, 22:00: the digest is due Friday 16:00 UTC
GOAL = {
    "capability": "Robust speech recognition for clinics",
    "metric_name": "clinic WER",
    "direction": "down",
    "baseline": "",
    "target": "",
}


def digest_parents(posts: list[Sent]) -> list[Sent]:
    return [p for p in posts if p.thread is None and p.text.startswith("Team digest")]


async def test_digest_threads_published_check_ins_and_keeps_private_things_out(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY)
    ada, bob, cy = person("U1", "Ada", admin=True), person("U2", "Bob"), person("U3", "Cy")
    assert "team channel" in said(await rig.command(ada, "coach", "team channel"))
    for member in (ada, bob, cy):
        await rig.join(member)
        await rig.form(member, "goal", GOAL)

    rig.clock.advance(timedelta(days=1))  # Tuesday: Ada publishes; the digest is not out yet
    published = await rig.check_in(ada, "ADA-SHARED swapped the encoder <!channel>")
    assert "digest" in said(await rig.publish(ada, published))
    await rig.step()
    assert not [p for p in rig.messenger.posts() if "ADA-SHARED" in p.text]  # it waits

    # Wednesday: private work of every kind.
    rig.clock.advance(timedelta(days=1))
    await rig.check_in(bob, "BOB-PRIVATE tried label smoothing")
    nudged = await rig.form(
        cy,
        "checkin",
        {
            "did": "CY-PRIVATE tuned the tokenizer for a demo",
            "moves_goal": "",
            "metric_value": "",
            "next_experiment": "",
            "failed": "CY-FAILED the distillation run diverged",
        },
    )
    late = await rig.check_in(cy, "CY-LATE ran the noisy-clip eval")
    await rig.command(cy, "reflect", "CY-REFLECTION why distillation failed")
    await rig.coach.handle(MessageReceived(cy, Place.dm(), "CY-ANSWER the teacher was too big"))
    private_lines = [
        line.strip()
        for intent in nudged
        if isinstance(intent, Reply)
        for line in plain(intent.body).splitlines()
        if line.strip().startswith(("1)", "2)", "Why I ask"))
    ]
    assert private_lines  # the check-in did get nudges, privately

    await rig.run_until(utc(2026, 11, 6, 16, 0), STEP)
    (parent,) = digest_parents(rig.messenger.posts(CHANNEL))
    assert parent.at == utc(2026, 11, 6, 16) and "week of 2 November 2026" in parent.text
    (item,) = [p for p in rig.messenger.posts() if p.thread is not None]
    assert item.thread == parent.ts and item.target == CHANNEL
    assert rig.messenger.sent.index(parent) < rig.messenger.sent.index(item)
    assert "ADA-SHARED" in item.text
    # Sanitized: what Ada wrote travels as member text, which every adapter escapes.
    assert "<!channel>" in " ".join(item.member_words)
    assert "<!channel>" not in "".join(s for s in item.body if isinstance(s, str))

    # Saturday: Cy publishes Wednesday's check-in; it joins the thread, with no second digest.
    rig.clock.advance(timedelta(hours=18))
    await rig.publish(cy, late)
    await rig.step()
    replies = [p for p in rig.messenger.posts() if p.thread == parent.ts]
    assert ["ADA-SHARED" in replies[0].text, "CY-LATE" in replies[1].text] == [True, True]
    assert replies[1].at == rig.now

    await rig.run_until(utc(2026, 11, 14, 4, 0), STEP)
    parents = digest_parents(rig.messenger.posts())
    # Next week nobody published: no digest is posted (the team did not ask for empty ones).
    assert [p.text.split(":")[0] for p in parents] == ["Team digest, week of 2 November 2026"]
    digests = await rig.deliveries(Delivery.kind == "digest")
    assert [(d.period, d.status) for d in digests] == [
        ("2026-W45", "sent"),
        ("2026-W46", "skipped"),
    ]
    # Items that waited for their digest were let go unsent: never looked for on the platform.
    assert rig.messenger.lookups == 0

    # Nothing private ever reached a channel: unpublished check-ins, reflections, nudges.
    secrets = ["BOB-PRIVATE", "CY-PRIVATE", "CY-FAILED", "CY-REFLECTION", "CY-ANSWER"]
    secrets += private_lines + [n.why for n in rig.prompts.catalogue.nudges]
    everything = [p.text for p in rig.messenger.posts()]
    assert len(everything) >= 4
    for text in everything:
        for secret in secrets:
            assert secret not in text, (secret, text)


async def test_a_team_without_a_channel_gets_no_digest(db: Database) -> None:
    rig = Rig(db, MONDAY)
    await rig.join(person("U1", admin=True))
    await rig.run_until(utc(2026, 11, 7, 4, 0), STEP)
    assert rig.messenger.posts() == []
    assert await rig.deliveries(Delivery.kind.in_(["digest", "channel_nudge"])) == []


async def test_channel_nudges_rotate_with_no_repeat_within_eight_weeks(db: Database) -> None:
    rig = Rig(db, utc(2026, 11, 2, 9, 0))
    admin = person("UA", admin=True)
    await rig.command(admin, "coach", "team channel")
    await rig.team_digest(admin, day="off")
    catalogue = {n.text: n.id for n in channel_nudges()}
    rig.clock.advance(timedelta(hours=1))
    await rig.step()  # Monday 10:00
    for _ in range(19):
        await rig.run(timedelta(weeks=1), timedelta(weeks=1))  # each following Monday 10:00

    nudges = [p for p in rig.messenger.posts(CHANNEL) if p.text in catalogue]
    assert [p.at for p in nudges] == [utc(2026, 11, 2, 10) + timedelta(weeks=w) for w in range(20)]
    ids = [catalogue[p.text] for p in nudges]
    for i, first in enumerate(ids):
        assert first not in ids[i + 1 : i + 8], (i, ids)  # never again within 8 weeks
    assert set(ids) == set(catalogue.values())  # and every one of them comes round


async def test_the_nudge_cadence_is_the_teams(db: Database) -> None:
    rig = Rig(db, utc(2026, 11, 2, 9, 0))
    admin = person("UA", admin=True)
    await rig.command(admin, "coach", "team channel")
    await rig.team_digest(admin, day="off", nudge_every_weeks="2")
    rig.clock.advance(timedelta(hours=1))
    await rig.step()
    for _ in range(6):
        await rig.run(timedelta(weeks=1), timedelta(weeks=1))
    catalogue = {n.text for n in channel_nudges()}
    nudges = [p.at for p in rig.messenger.posts(CHANNEL) if p.text in catalogue]
    assert nudges == [utc(2026, 11, 2, 10) + timedelta(weeks=w) for w in (0, 2, 4, 6)]


async def test_the_digest_shows_each_number_against_its_goal_and_who_moved_it(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY)
    ada, bob, cy = person("U1", "Ada", admin=True), person("U2", "Bob"), person("U3", "Cy")
    await rig.command(ada, "coach", "team channel")
    for member in (ada, bob, cy):
        await rig.join(member)
    await rig.form(ada, "goal", {**GOAL, "baseline": "0.30", "target": "0.10"})
    await rig.form(
        bob,
        "goal",
        {
            **GOAL,
            "capability": "Fold towels",
            "metric_name": "fold rate",
            "direction": "up",
            "baseline": "0.20",
        },
    )
    rig.clock.advance(timedelta(days=1))
    await rig.check_in(ada, "ADA-PRIVATE a quick probe", metric_value="0.29")  # not published
    await rig.publish(ada, await rig.check_in(ada, "swapped the encoder", metric_value="0.20"))
    await rig.publish(bob, await rig.check_in(bob, "more teleop demos", metric_value="0.15"))
    await rig.publish(cy, await rig.check_in(cy, "read three papers <!here>"))

    await rig.run_until(utc(2026, 11, 6, 16, 0), STEP)

    (parent,) = digest_parents(rig.messenger.posts(CHANNEL))
    lines = parent.text.splitlines()
    assert lines[0] == "Team digest, week of 2 November 2026: what members chose to share."
    assert lines[1] == (
        "• Ada, on Robust speech recognition for clinics: clinic WER 0.20 "
        "(baseline 0.30, target 0.10), moved from 0.30"
    )  # every number as its member typed it
    assert lines[2] == "• Bob, on Fold towels: fold rate 0.15 (baseline 0.20)"  # went down
    assert lines[3] == "• Cy (no goal yet)"
    assert lines[4] == "Moved their number this week: Ada."
    assert "Ada" in parent.member_words and "Bob" in parent.member_words
    assert "<!here>" not in parent.text  # only the thread carries what each one wrote
    everything = " ".join(p.text for p in rig.messenger.posts())
    assert "0.29" not in everything and "ADA-PRIVATE" not in everything  # compared with public
    replies = [p for p in rig.messenger.posts() if p.thread == parent.ts]
    assert "clinic WER: 0.20 (baseline 0.30, target 0.10)" in replies[0].text


async def test_an_empty_week_posts_nothing_unless_the_team_asks_and_a_late_one_stands_alone(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY)
    ada = person("U1", "Ada", admin=True)
    await rig.command(ada, "coach", "team channel")
    await rig.join(ada)
    await rig.run_until(utc(2026, 11, 7, 4, 0), STEP)
    assert digest_parents(rig.messenger.posts()) == []  # nobody published: nothing posted

    # Saturday: a check-in published after the skipped digest is posted on its own.
    late = await rig.check_in(ada, "ADA-LATE ran the eval")
    await rig.publish(ada, late)
    await rig.step()
    (alone,) = [p for p in rig.messenger.posts(CHANNEL) if "ADA-LATE" in p.text]
    assert alone.thread is None

    await rig.team_digest(ada, empty="yes")
    assert "also in a week nobody published" in said(await rig.command(ada, "coach", "team"))
    await rig.run_until(utc(2026, 11, 14, 4, 0), STEP)
    (empty,) = digest_parents(rig.messenger.posts())
    assert empty.text == (
        "Team digest, week of 9 November 2026: nobody published a check-in this week."
    )
