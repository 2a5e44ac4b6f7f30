"""Goals and check-ins leave the store as frozen views; they change only through the scope."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.events import TenantRef
from bot.store import Database, TenantScope
from bot.store.models import Member
from bot.store.views import CheckInView, GoalView, MemberView

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
LATER = NOW + timedelta(days=7)
TEAM = TenantRef("slack", "T-A")
OTHER = TenantRef("slack", "T-B")


async def goal_of(scope: TenantScope, member: Member, direction: str = "up") -> GoalView:
    return await scope.add_goal(
        member,
        capability="Transcribe noisy clinic audio",
        metric_name="clinic WER",
        direction=direction,
        baseline=0.31,
        baseline_text="0.31",
        created_at=NOW,
    )


async def test_a_goal_is_a_frozen_value_numbered_per_member(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        grace = await scope.ensure_member("U2", "Grace", None, NOW)
        first, second = await goal_of(scope, ada), await goal_of(scope, ada)
        theirs = await goal_of(scope, grace)
        assert (first.ref, second.ref, theirs.ref) == (1, 2, 1)
        assert first.status == "active" and first.baseline_text == "0.31"
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.status = "achieved"  # type: ignore[misc]
        assert await scope.goals(ada) == [first, second]


async def test_a_new_value_comes_back_as_the_goal_with_its_best(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await goal_of(scope, ada, direction="down")
        worse = await scope.add_metric(goal, 0.4, NOW, text="0.40")
        assert worse.current_best == 0.4 and goal.current_best is None  # the old view stays
        better = await scope.add_metric(worse, 0.2, LATER, text="0.20")
        assert (better.current_best, better.current_best_text) == (0.2, "0.20")
        assert await scope.add_metric(better, 0.3, LATER) == better
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        assert await scope.goal(ada, 1) == better
        assert [p.value_text for p in await scope.metric_points(better)] == ["0.40", "0.20", None]
        assert await scope.member_metric_values(ada) == await scope.metric_points(better)


async def test_closing_a_goal_is_stored_and_returned(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        closed = await scope.close_goal(await goal_of(scope, ada), "achieved", LATER)
        assert (closed.status, closed.closed_at) == ("achieved", LATER)
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        assert await scope.goals(ada, "active") == []
        assert await scope.goals(ada, "achieved") == [closed]


async def test_a_check_in_is_published_and_scored_through_the_scope(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await goal_of(scope, ada)
        checkin = await scope.add_checkin(
            ada, did="Fine-tuned on noisy clips", created_at=NOW, goal_id=goal.id
        )
        assert isinstance(checkin, CheckInView)
        assert (checkin.moves_goal, checkin.published_at, checkin.alignment) == ("", None, None)
        scored = await scope.record_alignment(checkin, 0.8)
        published = await scope.mark_published(scored, LATER)
        assert (published.alignment, published.published_at) == (0.8, LATER)
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        assert await scope.checkin(ada, checkin.id) == published
        assert await scope.goal_checkins(goal, 5) == [published]
        unpublished = await scope.mark_published(published, None)
        assert await scope.checkins_since(ada, NOW) == [unpublished]
        assert unpublished.published_at is None


async def test_another_members_or_tenants_check_in_is_not_found(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        grace = await scope.ensure_member("U2", "Grace", None, NOW)
        checkin = await scope.add_checkin(ada, did="Ran the ablation", created_at=NOW)
        assert await scope.checkin(grace, checkin.id) is None
    async with db.scope(OTHER, NOW) as other:
        ada_there = await other.ensure_member("U1", "Ada", None, NOW)
        assert await other.checkin(ada_there, checkin.id) is None
        with pytest.raises(AssertionError):
            await other.mark_published(checkin, NOW)  # never a row of another tenant


async def test_a_reflection_moves_on_only_through_the_scope(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        started = await scope.add_reflection(ada, created_at=NOW, topic="The dropped tokenizer")
        assert (started.status, started.step, dict(started.answers)) == ("open", 0, {})
        answered = await scope.answer_reflection(started, "what", "It was too slow", LATER)
        stopped = await scope.set_reflection_status(answered, "stopped", LATER)
        assert started.step == 0  # the view read earlier is as it was
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        assert await scope.open_reflection(ada) == stopped
        assert (stopped.step, dict(stopped.answers)) == (1, {"what": "It was too slow"})
        done = await scope.set_reflection_status(stopped, "completed", LATER)
        assert await scope.open_reflection(ada) is None
        assert await scope.reflection(ada, started.id) == done
        assert await scope.reflections(ada) == [done]


async def test_works_are_reordered_and_removed_by_their_views(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        for title in ("A", "B", "C"):
            await scope.add_work(ada, title=title, created_at=NOW)
        a, b, c = await scope.works(ada)
        await scope.remove_work(b)
        await scope.reorder_works([c, a])
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        assert [(w.title, w.rank) for w in await scope.works(ada)] == [("C", 1), ("A", 2)]


async def test_drafts_notes_and_nudges_come_back_as_values(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        await scope.save_draft(ada, "work", {"title": "Prover"}, NOW)
        await scope.save_draft(ada, "work", {"title": "Geometry prover"}, LATER)
        await scope.add_note(ada, "Tried a smaller learning rate", NOW)
        given = await scope.record_nudge(ada, nudge_id="tie-to-goal", batch="b1", given_at=NOW)
        assert await scope.set_nudge_feedback(ada, given.id, "helpful")
    async with db.scope(TEAM, LATER) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, LATER)
        draft = await scope.draft(ada, "work")
        assert draft is not None and dict(draft.values) == {"title": "Geometry prover"}
        assert draft.updated_at == LATER
        assert [n.text for n in await scope.notes_since(ada, NOW)] == [
            "Tried a smaller learning rate"
        ]
        (nudge,) = await scope.nudges(ada)
        assert (nudge.id, nudge.nudge_id, nudge.feedback) == (given.id, "tie-to-goal", "helpful")


async def test_a_member_changes_only_what_the_changed_view_says(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", "Europe/Berlin", NOW)
        assert isinstance(ada, MemberView) and ada.timezone == "Europe/Berlin"
        with pytest.raises(dataclasses.FrozenInstanceError):
            ada.nudges_enabled = False  # type: ignore[misc]
        # Meanwhile another part of the coach (say, the scheduler) sets the next prompt.
        prompted = await scope.update_member(ada, replace(ada, next_checkin_at=LATER))
        quiet = await scope.update_member(ada, replace(ada, nudges_enabled=False))
        assert (quiet.nudges_enabled, quiet.next_checkin_at) == (False, LATER)
        assert prompted.nudges_enabled  # a view read earlier is as it was
    async with db.scope(TEAM, LATER) as scope:
        assert await scope.member("U1") == quiet
        assert await scope.member_by_id(quiet.id) == quiet
    async with db.scope(OTHER, LATER) as other:
        assert await other.member_by_id(quiet.id) is None
        with pytest.raises(AssertionError):
            await other.update_member(quiet, replace(quiet, weekly_dm=False))


async def test_a_team_changes_only_through_the_scope(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        team = scope.tenant
        assert (team.admins, team.holidays, team.team_channel) == ((), (), None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            team.team_channel = "C1"  # type: ignore[misc]
        changed = replace(team, team_channel="C1", admins=("U2",), holidays=("2026-12-24",))
        assert await scope.update_tenant(team, changed) == scope.tenant == changed
    async with db.scope(TEAM, LATER) as scope:
        assert scope.tenant == changed
