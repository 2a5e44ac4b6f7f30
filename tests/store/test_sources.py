"""A goal's source and the readings it brings: each reading recorded once, whoever polls or
pushes it; a source found by its token or when due, in its own tenant; gone with its member."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from bot.events import TenantRef
from bot.store import Database, TenantScope
from bot.store.installations import Tokens, reseal_tracker_credentials
from bot.store.views import GoalView, MemberView

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
TEAM = TenantRef("slack", "T-A")
OTHER = TenantRef("discord", "G-1")


async def folding(scope: TenantScope, member: MemberView) -> GoalView:
    goal = await scope.add_goal(
        member,
        capability="Fold towels from pixels",
        metric_name="fold success",
        direction="up",
        baseline=0.1,
        baseline_text="0.1",
        created_at=NOW,
    )
    return await scope.add_metric(goal, 0.1, NOW, text="0.1")


async def test_a_reading_of_the_same_run_and_step_is_recorded_once(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await folding(scope, ada)
        first = await scope.record_reading(goal, 0.41, NOW, source="mlflow", run_id="r1", step=3)
        again = await scope.record_reading(goal, 0.41, NOW, source="mlflow", run_id="r1", step=3)
        later_step = await scope.record_reading(
            goal, 0.45, NOW, source="mlflow", run_id="r1", step=4
        )
        assert first.point is not None and first.point.run_id == "r1" and first.point.step == 3
        assert first.new_best and first.before is not None and first.before.current_best == 0.1
        assert again.point is None and not again.new_best
        assert later_step.point is not None and later_step.new_best
        values = [(p.value, p.source) for p in await scope.metric_points(goal)]
        assert values == [(0.1, "member"), (0.41, "mlflow"), (0.45, "mlflow")]
        assert later_step.goal.current_best == 0.45


async def test_a_worse_reading_is_kept_but_is_no_new_best(db: Database) -> None:
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await folding(scope, ada)
        worse = await scope.record_reading(goal, 0.05, NOW, source="push", note="bad seed")
        unnamed = await scope.record_reading(goal, 0.05, NOW, source="push")
        assert worse.point is not None and worse.point.note == "bad seed"
        assert unnamed.point is not None, "a push naming no run is recorded each time"
        assert not worse.new_best and worse.goal.current_best == 0.1


async def test_connecting_again_replaces_the_source_and_its_token(db: Database) -> None:
    old = hashlib.sha256(b"old").hexdigest()
    new = hashlib.sha256(b"new").hexdigest()
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await folding(scope, ada)
        await scope.connect(goal, "push", {}, NOW, token_hash=old, token_hint="…old")
    found = await db.source_for_token(old)
    assert found is not None
    assert (found.tenant, found.user_id, found.goal_id) == (TEAM, "U1", goal.id)
    async with db.scope(TEAM, NOW) as scope:
        await scope.connect(goal, "push", {}, NOW, token_hash=new, token_hint="…new")
        sources = await scope.sources_of(await scope.member("U1") or ada)
        assert [s.token_hint for s in sources] == ["…new"]
    assert await db.source_for_token(old) is None
    assert await db.source_for_token(new) is not None


async def test_due_sources_come_from_every_tenant_longest_due_first(db: Database) -> None:
    settings = {"url": "http://127.0.0.1:5000", "experiment": "fold", "metric": "success"}
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        late = await scope.connect(
            await folding(scope, ada), "mlflow", settings, NOW, next_poll_at=NOW
        )
        later = await scope.connect(
            await folding(scope, ada),
            "mlflow",
            settings,
            NOW,
            next_poll_at=NOW + timedelta(hours=1),
        )
    async with db.scope(OTHER, NOW) as scope:
        bo = await scope.ensure_member("U9", "Bo", None, NOW)
        early = await scope.connect(
            await folding(scope, bo), "wandb", settings, NOW, next_poll_at=NOW - timedelta(hours=1)
        )
        await scope.connect(await folding(scope, bo), "push", {}, NOW)  # never polled
    due = await db.due_sources(NOW, limit=10)
    assert [(r.source_id, r.tenant) for r in due] == [(early.id, OTHER), (late.id, TEAM)]
    assert later.id not in [r.source_id for r in await db.due_sources(NOW, limit=10)]
    assert len(await db.due_sources(NOW, limit=1)) == 1
    async with db.scope(TEAM, NOW) as scope:
        goal = await scope.goal_by_id(late.goal_id)
        assert goal is not None
        source = await scope.source(goal)
        assert source is not None
        later_on = replace(source, next_poll_at=NOW + timedelta(days=1), failures=2)
        moved = await scope.update_source(source, later_on)
        assert moved.failures == 2
    assert [r.tenant for r in await db.due_sources(NOW, limit=10)] == [OTHER]


async def test_forgetting_a_member_forgets_their_sources_and_readings(db: Database) -> None:
    token = hashlib.sha256(b"t").hexdigest()
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        goal = await folding(scope, ada)
        await scope.connect(goal, "mlflow", {"url": "u"}, NOW, secret="s3cret", token_hash=token)
        await scope.record_reading(goal, 0.5, NOW, source="mlflow", run_id="r", step=1)
        await scope.forget_member(ada)
    assert await db.source_for_token(token) is None
    async with db.scope(TEAM, NOW) as scope:
        assert await scope.member("U1") is None


async def test_a_reading_of_a_transaction_that_failed_is_not_kept(db: Database) -> None:
    """A later step failing (the best's update, the new-best message) takes the reading back
    with it: the next poll records it then, rather than skipping it as already seen."""
    async with db.scope(TEAM, NOW) as scope:
        goal = await folding(scope, await scope.ensure_member("U1", "Ada", None, NOW))
    with pytest.raises(RuntimeError):
        async with db.scope(TEAM, NOW) as scope:
            await scope.record_reading(goal, 0.9, NOW, source="mlflow", run_id="r1", step=1)
            raise RuntimeError("a later step failed")
    async with db.scope(TEAM, NOW) as scope:
        assert [p.value for p in await scope.metric_points(goal)] == [0.1]
        again = await scope.record_reading(goal, 0.9, NOW, source="mlflow", run_id="r1", step=1)
        assert again.point is not None and again.new_best


async def test_tracker_credentials_are_sealed_anew_under_the_newest_key_at_start(
    db: Database,
) -> None:
    """Keys rotated as PRIVACY.md says (new key first, restart, old key dropped): each tracker
    credential opens with the new key alone; one kept in clear is sealed; one no key opens
    is left for its member to be told, and the others are sealed all the same."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stranger = Tokens([Fernet.generate_key().decode()])
    async with db.scope(TEAM, NOW) as scope:
        ada = await scope.ensure_member("U1", "Ada", None, NOW)
        sealed_old = Tokens([old]).seal("old-key-secret")
        await scope.connect(await folding(scope, ada), "mlflow", {}, NOW, secret=sealed_old)
        await scope.connect(await folding(scope, ada), "mlflow", {}, NOW, secret="clear-secret")
        lost = stranger.seal("unreadable")
        await scope.connect(await folding(scope, ada), "wandb", {}, NOW, secret=lost)

    rewritten = await reseal_tracker_credentials(db, Tokens([new, old]))

    async with db.scope(TEAM, NOW) as scope:
        stored = [s.secret for s in await scope.sources_of(await scope.member("U1") or ada)]
    assert rewritten == 2
    assert [Tokens([new]).open(s) for s in stored[:2]] == ["old-key-secret", "clear-secret"]
    assert stored[2] == lost
