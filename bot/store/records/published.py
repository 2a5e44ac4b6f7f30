"""What members of a tenant chose to share with their team: published check-ins and the one
line of a reflection they published. ``/ask`` searches only these; nothing private (an
unpublished check-in, what failed, a reflection's answers, the notebook) is ever read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.store.models import CheckIn, Member, NudgeRecord, Reflection
from bot.store.records.base import Records
from bot.store.views import MemberView, ReflectionView

SHARED_FIELD = 500  # each published field as the team read it (bot.schedule.summary)


@dataclass(frozen=True)
class PublishedItem:
    """One thing a member shared: ``key`` names it ("checkin:12", "lesson:3"); ``parts`` are
    its words as the team read them (a check-in's did, how it moves the goal, next
    experiment; a lesson's line)."""

    key: str
    kind: str  # "checkin" or "lesson"
    member_id: int
    author: str
    parts: tuple[str, ...]
    at: datetime
    author_llm: bool = True  # the author lets the team's LLM read their words

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def _shared(text: str) -> str:
    return text if len(text) <= SHARED_FIELD else text[: SHARED_FIELD - 1] + "…"


class PublishedRecords(Records):
    """``scope.published_items(limit)``, ``scope.publish_lesson(…)``, ``scope.told_of(…)``."""

    async def published_items(
        self, limit: int, *, lessons_only: bool = False
    ) -> list[PublishedItem]:
        """The newest ``limit`` published check-ins and lessons of this tenant, together
        newest first. Only rows with a publication time: a check-in whose post failed is
        unpublished again, and is not found."""
        author = Member.display_name, Member.user_id, Member.llm_allowed
        lessons = (
            select(Reflection.id, Reflection.member_id, Reflection.published_line, *author)
            .add_columns(Reflection.published_at)
            .join(Member, Member.id == Reflection.member_id)
            .where(Reflection.tenant_id == self.tid, Reflection.published_at.is_not(None))
            .order_by(Reflection.published_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
        found = [
            PublishedItem(
                f"lesson:{id_}", "lesson", mid, name or uid, (_shared(line or ""),), at, llm
            )
            for id_, mid, line, name, uid, llm, at in (await self.session.execute(lessons)).all()
        ]
        if not lessons_only:
            checkins = (
                select(CheckIn.id, CheckIn.member_id, CheckIn.did, CheckIn.moves_goal)
                .add_columns(CheckIn.next_experiment, *author, CheckIn.created_at)
                .join(Member, Member.id == CheckIn.member_id)
                .where(CheckIn.tenant_id == self.tid, CheckIn.published_at.is_not(None))
                .order_by(CheckIn.published_at.desc(), CheckIn.id.desc())
                .limit(limit)
            )
            rows = (await self.session.execute(checkins)).all()
            found += [
                PublishedItem(
                    f"checkin:{id_}",
                    "checkin",
                    mid,
                    name or uid,
                    tuple(_shared(p) for p in (did, moves, nxt) if p.strip()),
                    at,
                    llm,
                )
                for id_, mid, did, moves, nxt, name, uid, llm, at in rows
            ]
        found.sort(key=lambda item: item.at, reverse=True)
        return found[:limit]

    async def publish_lesson(
        self, reflection: ReflectionView, line: str | None, at: datetime | None
    ) -> None:
        """Keep the line the member shared from ``reflection`` (``None``: the post failed, and
        nothing of the reflection counts as shared)."""
        row = await self.session.get(Reflection, reflection.id)
        assert row is not None and row.tenant_id == self.tid, "a reflection of another tenant"
        row.published_line, row.published_at = line, at
        await self.session.flush()

    async def told_of(self, member: MemberView, nudge_id: str) -> set[str]:
        """What the member was already told of under ``nudge_id``: the triggers recorded."""
        query = select(NudgeRecord.trigger).where(
            NudgeRecord.tenant_id == self.tid,
            NudgeRecord.member_id == member.id,
            NudgeRecord.nudge_id == nudge_id,
        )
        return set((await self.session.execute(query)).scalars())
