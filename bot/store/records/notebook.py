"""A member's notebook: daily entries and the reviews they kept."""

from __future__ import annotations

from collections.abc import Sequence
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

    async def search_notes(
        self, member: MemberView, words: Sequence[str], limit: int, page: int = 500
    ) -> list[NoteView]:
        """The member's newest notes (entries and kept reviews) holding every one of
        ``words``, case-insensitively, at most ``limit``, newest first.

        Compared in Python with ``casefold``, not SQL: SQLite lower-cases ASCII only, and a
        word with ``%`` or ``_`` would be a pattern to LIKE. A notebook is bounded
        (COACH_MAX_NOTEBOOK_ENTRIES); it is read ``page`` rows at a time, newest first, until
        enough are found.

        >>> [n.text for n in await scope.search_notes(ada, ["warmup"], 10)]
        ['Warmup fixed the loss spikes']
        """
        wanted = [w.casefold() for w in words]
        found: list[NoteView] = []
        query = (
            select(NotebookEntry)
            .where(NotebookEntry.tenant_id == self.tid, NotebookEntry.member_id == member.id)
            .order_by(NotebookEntry.created_at.desc(), NotebookEntry.id.desc())
            .limit(page)
        )
        offset = 0
        while len(found) < limit:
            rows = (await self.session.execute(query.offset(offset))).scalars().all()
            for row in rows:
                text = row.text.casefold()
                if all(w in text for w in wanted):
                    found.append(NoteView.of(row))
                    if len(found) == limit:
                        break
            if len(rows) < page:
                break
            offset += page
        return found
