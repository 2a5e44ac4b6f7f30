"""A member's predictions: what they expected of an experiment before running it, and how it
turned out. A number prediction on a goal is resolved by the goal's next value, wherever it
comes from (a check-in, a tracker, a push): ``resolve_with`` is the one place that does it.

    >>> resolved = await scope.resolve_with(goal, 0.41, now, source="mlflow")
    >>> [(p.ref, p.held) for p in resolved]
    [(3, True)]
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.store.models import Prediction
from bot.store.records.base import Records
from bot.store.views import GoalView, MemberView, PredictionView

NUMBER = "number"
YES_NO = "yesno"


class PredictionRecords(Records):
    """``scope.predictions(member)``, ``scope.add_prediction(member, …)``,
    ``scope.settle_prediction(prediction, …)``, ``scope.resolve_with(goal, value, at)``."""

    async def predictions(
        self, member: MemberView, *, open_only: bool = False, resolved_only: bool = False
    ) -> list[PredictionView]:
        """The member's predictions by number; only the open or only the resolved ones."""
        query = select(Prediction).where(
            Prediction.tenant_id == self.tid, Prediction.member_id == member.id
        )
        if open_only:
            query = query.where(Prediction.resolved_at.is_(None))
        if resolved_only:
            query = query.where(Prediction.resolved_at.is_not(None))
        rows = (await self.session.execute(query.order_by(Prediction.ref))).scalars()
        return [PredictionView.of(row) for row in rows]

    async def prediction(self, member: MemberView, ref: int) -> PredictionView | None:
        """The member's prediction number ``ref``."""
        query = select(Prediction).where(
            Prediction.tenant_id == self.tid,
            Prediction.member_id == member.id,
            Prediction.ref == ref,
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        return None if row is None else PredictionView.of(row)

    async def prediction_by_id(self, prediction_id: int) -> PredictionView | None:
        """The prediction with this id, of any member of this tenant (check whose it is)."""
        row = await self._prediction_row(prediction_id)
        return None if row is None else PredictionView.of(row)

    async def _prediction_row(self, prediction_id: int) -> Prediction | None:
        row = await self.session.get(Prediction, prediction_id)
        return row if row is not None and row.tenant_id == self.tid else None

    async def add_prediction(
        self,
        member: MemberView,
        *,
        goal: GoalView | None,
        experiment: str,
        kind: str,
        confidence: float,
        created_at: datetime,
        point: float | None = None,
        point_text: str | None = None,
        low: float | None = None,
        low_text: str | None = None,
        high: float | None = None,
        high_text: str | None = None,
        answer: bool | None = None,
    ) -> PredictionView:
        """A new open prediction of ``member``, numbered after their last one (``ref``)."""
        assert kind in (NUMBER, YES_NO), kind
        top = select(func.max(Prediction.ref)).where(
            Prediction.tenant_id == self.tid, Prediction.member_id == member.id
        )
        ref = ((await self.session.execute(top)).scalar() or 0) + 1
        row = Prediction(
            tenant_id=self.tid,
            member_id=member.id,
            goal_id=goal.id if goal else None,
            ref=ref,
            experiment=experiment,
            kind=kind,
            point=point,
            point_text=point_text,
            low=low,
            low_text=low_text,
            high=high,
            high_text=high_text,
            direction=goal.direction if goal and kind == NUMBER else None,
            answer=answer,
            confidence=confidence,
            created_at=created_at,
        )
        self.session.add(row)
        await self.session.flush()
        return PredictionView.of(row)

    async def settle_prediction(
        self, prediction: PredictionView, *, happened: bool, at: datetime
    ) -> PredictionView:
        """Record whether a yes/no prediction's event happened (the member says so); the
        prediction as it is now. One already resolved stays as it was."""
        row = await self._prediction_row(prediction.id)
        assert row is not None, "a prediction of another tenant, or one deleted since"
        if row.resolved_at is None:
            row.happened = happened
            row.resolved_at = at
            row.resolved_by = "member"
            await self.session.flush()
        return PredictionView.of(row)

    async def resolve_with(
        self,
        goal: GoalView,
        value: float,
        at: datetime,
        *,
        text: str | None = None,
        source: str = "member",
    ) -> list[PredictionView]:
        """Resolve the open number predictions on ``goal`` made by ``at`` with the value that
        arrived then (``text``: as typed; ``source``: where it came from); those resolved,
        each knowing whether it ``held`` and its ``optimism``. Call it wherever a goal's value
        is recorded: a check-in, a tracker's reading, a push. Values recorded before a
        prediction was made never resolve it."""
        query = (
            select(Prediction)
            .where(
                Prediction.tenant_id == self.tid,
                Prediction.goal_id == goal.id,
                Prediction.kind == NUMBER,
                Prediction.resolved_at.is_(None),
                Prediction.created_at <= at,
            )
            .order_by(Prediction.ref)
        )
        rows = list((await self.session.execute(query)).scalars())
        for row in rows:
            row.actual = value
            row.actual_text = text
            row.resolved_at = at
            row.resolved_by = source
        await self.session.flush()
        return [PredictionView.of(row) for row in rows]
