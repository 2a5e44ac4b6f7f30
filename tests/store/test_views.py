"""Goals and check-ins leave the store as frozen views; they change only through the scope."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.events import TenantRef
from bot.store import Database, TenantScope
from bot.store.models import Member
from bot.store.views import CheckInView, GoalView

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
