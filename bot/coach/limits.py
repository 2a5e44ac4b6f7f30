"""How much one member can keep: open goals, best works, notebook entries.

Each is a setting (``COACH_MAX_*``). At a limit the coach adds nothing, says so, keeps the
member's words as a draft (shown back to them), and says how to make room: a member's rows
cannot grow without bound, and no words are lost to the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.settings import Settings
from bot.store import TenantScope
from bot.store.views import MemberView


def _default(name: str) -> int:
    default = Settings.model_fields[name].default
    assert isinstance(default, int)
    return default


@dataclass(frozen=True)
class Limits:
    """``Limits.from_settings(settings)``; ``Limits()`` has the settings' defaults."""

    open_goals: int = _default("max_open_goals")
    best_works: int = _default("max_best_works")
    notebook_entries: int = _default("max_notebook_entries")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            open_goals=settings.max_open_goals,
            best_works=settings.max_best_works,
            notebook_entries=settings.max_notebook_entries,
        )


async def goals_full(scope: TenantScope, member: MemberView, limits: Limits) -> bool:
    """Whether ``member`` has as many open goals as they may: no new one until one closes."""
    return await scope.goal_count(member, "active") >= limits.open_goals


async def works_full(scope: TenantScope, member: MemberView, limits: Limits) -> bool:
    return await scope.work_count(member) >= limits.best_works


async def notebook_full(scope: TenantScope, member: MemberView, limits: Limits) -> bool:
    return await scope.note_count(member) >= limits.notebook_entries


async def keep_as_draft(
    scope: TenantScope, member: MemberView, form_id: str, values: Mapping[str, str], now: datetime
) -> dict[str, str]:
    """Add what the member answered to their ``form_id`` draft (its form's command reopens
    with it); the draft's values now."""
    draft = await scope.draft(member, form_id)
    kept = {k: str(v) for k, v in (draft.values if draft else {}).items()}
    kept |= {k: v for k, v in values.items() if v.strip()}
    await scope.save_draft(member, form_id, kept, now)
    return kept
