"""Where the team reads what members publish."""

from __future__ import annotations

from bot.coach.turn import Turn


async def team_channel(turn: Turn, hint: str | None = None) -> str | None:
    """The team channel: the tenant's own, else where the member works with the coach.

    ``hint`` is the channel a published item came from (a check-in's channel).
    """
    return (
        turn.scope.tenant.team_channel
        or hint
        or await turn.scope.latest_checkin_channel(turn.member)
        or turn.place.channel_id
    )
