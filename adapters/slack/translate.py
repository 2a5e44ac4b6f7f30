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


def permalink(body: Mapping[str, Any]) -> str:
    """Where the message of a message shortcut is, in Slack's own link form, built from the
    workspace's domain (no API call on the way to the modal, whose trigger lasts 3 s); "" when
    the payload lacks a part.

    >>> permalink({"team": {"domain": "lab"}, "channel": {"id": "C1"},
    ...            "message": {"ts": "1733500000.000100"}})
    'https://lab.slack.com/archives/C1/p1733500000000100'
    """
    team, channel, message = body.get("team"), body.get("channel"), body.get("message")
    domain = team.get("domain") if isinstance(team, Mapping) else None
    channel_id = channel.get("id") if isinstance(channel, Mapping) else None
    ts = message.get("ts") if isinstance(message, Mapping) else None
    if not all(isinstance(part, str) and part for part in (domain, channel_id, ts)):
        return ""
    link = f"https://{domain}.slack.com/archives/{channel_id}/p{str(ts).replace('.', '')}"
    thread = message.get("thread_ts") if isinstance(message, Mapping) else None
    if isinstance(thread, str) and thread and thread != ts:  # a reply: open it in its thread
        link += f"?thread_ts={thread}&cid={channel_id}"
    return link


def message_text(body: Mapping[str, Any]) -> str:
    """The words of a message shortcut's message, as typed: Slack's ``&amp;``, ``&lt;`` and
    ``&gt;`` undone (mentions stay as Slack wrote them); "" for a message with no text."""
    message = body.get("message")
    text = message.get("text") if isinstance(message, Mapping) else None
    if not isinstance(text, str):
        return ""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
