"""A member's notebook: daily entries and the reviews they kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.store.models import NotebookEntry
from bot.store.records.base import Records
from bot.store.views import MemberView, NoteView


class NotebookRecords(Records):
    """``scope.add_note(member, text, at)``, ``scope.notes_since(member, since)``."""

    async def add_note(
        self, member: MemberView, text: str, at: datetime, kind: str = "entry"
    ) -> None:
        self.session.add(
            NotebookEntry(
                tenant_id=self.tid, member_id=member.id, text=text, kind=kind, created_at=at
            )
        )
        await self.session.flush()

    async def note_count(self, member: MemberView) -> int:
        """How many notebook entries and kept reviews the member has."""
        query = select(func.count()).where(
            NotebookEntry.tenant_id == self.tid, NotebookEntry.member_id == member.id
        )
        return int(await self.session.scalar(query) or 0)

    async def notes_since(
        self, member: MemberView, since: datetime, kind: str = "entry"
    ) -> list[NoteView]:
        query = (
            select(NotebookEntry)
            .where(
                NotebookEntry.tenant_id == self.tid,
                NotebookEntry.member_id == member.id,
                NotebookEntry.kind == kind,
                NotebookEntry.created_at >= since,
            )
            .order_by(NotebookEntry.created_at, NotebookEntry.id)
        )
        return [NoteView.of(row) for row in (await self.session.execute(query)).scalars()]
