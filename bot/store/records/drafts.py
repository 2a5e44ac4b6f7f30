"""What a member wrote in a form and has not saved yet, one draft a form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.store.models import Draft
from bot.store.records.base import Records
from bot.store.views import DraftView, MemberView


class DraftRecords(Records):
    """``scope.save_draft(member, form_id, values, at)``, ``scope.draft``, ``scope.clear_draft``."""

    async def save_draft(
        self, member: MemberView, form_id: str, values: dict[str, str], at: datetime
    ) -> None:
        draft = await self._draft_row(member, form_id)
        if draft is None:
            self.session.add(
                Draft(
                    tenant_id=self.tid,
                    member_id=member.id,
                    form_id=form_id,
                    values=dict(values),
                    updated_at=at,
                )
            )
        else:
            draft.values = dict(values)
            draft.updated_at = at
        await self.session.flush()

    async def draft(self, member: MemberView, form_id: str) -> DraftView | None:
        """What the member left of form ``form_id``, if anything."""
        row = await self._draft_row(member, form_id)
        return None if row is None else DraftView.of(row)

    async def _draft_row(self, member: MemberView, form_id: str) -> Draft | None:
        query = select(Draft).where(
            Draft.tenant_id == self.tid, Draft.member_id == member.id, Draft.form_id == form_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def clear_draft(self, member: MemberView, form_id: str) -> None:
        await self.session.execute(
            delete(Draft).where(
                Draft.tenant_id == self.tid, Draft.member_id == member.id, Draft.form_id == form_id
            )
        )
