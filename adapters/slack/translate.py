"""Translate in: Slack payloads as core events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.slack.directory import Profile
from bot.events import Actor, Place, TenantRef

PLATFORM = "slack"


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace a payload comes from (an org-wide install may only name the enterprise)."""
    team = body.get("team")
    user = body.get("user")
    event = body.get("event")
    candidates = (
        body.get("team_id"),
        team.get("id") if isinstance(team, Mapping) else None,
        user.get("team_id") if isinstance(user, Mapping) else None,
        event.get("team") if isinstance(event, Mapping) else None,
        body.get("enterprise_id"),
    )
    found = next((c for c in candidates if isinstance(c, str) and c), None)
    if found is None:
        raise ValueError("payload names no workspace")
    return found


def user_of(body: Mapping[str, Any]) -> str:
    user = body.get("user")
    found = body.get("user_id") or (user.get("id") if isinstance(user, Mapping) else user)
    if not isinstance(found, str) or not found:
        raise ValueError("payload names no user")
    return found


def tenant(team: str) -> TenantRef:
    return TenantRef(PLATFORM, team)


def actor(team: str, user: str, profile: Profile) -> Actor:
    return Actor(tenant(team), user, profile.name, profile.timezone, profile.is_admin)


def place(channel_id: str | None) -> Place:
    """Slack DM channel ids start with D; everything else is a conversation others may read."""
    if not channel_id or channel_id.startswith("D"):
        return Place.dm()
    return Place.channel(channel_id)
