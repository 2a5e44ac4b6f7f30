"""What Slack knows about members (name, time zone, admin), cached so that the ack path rarely
waits for users.info, and DM channel ids (conversations.open is Tier 3: ask once)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_of

log = logging.getLogger(__name__)

PROFILE_TTL = 3600.0  # a changed time zone shows within the hour even without user_change
CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Profile:
    name: str
    timezone: str | None
    is_admin: bool


class Directory:
    def __init__(self, ttl: float = PROFILE_TTL, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._profiles: dict[tuple[str, str], tuple[float, Profile]] = {}
        self._dms: dict[tuple[str, str], str] = {}

    async def profile(self, client: AsyncWebClient, team: str, user: str) -> Profile:
        """The member's profile; on an API error, a bare one (nothing is cached then)."""
        key = (team, user)
        cached = self._profiles.get(key)
        if cached is not None and self._clock() - cached[0] < self.ttl:
            return cached[1]
        try:
            answer = await client.users_info(user=user)
        except SlackApiError as exc:
            log.warning("users.info failed for a member: %s", error_of(exc))
            return Profile(user, None, False)
        info = answer.get("user") or {}
        found = Profile(
            name=str(info.get("real_name") or info.get("name") or user),
            timezone=info.get("tz") or None,
            is_admin=bool(info.get("is_admin") or info.get("is_owner")),
        )
        if len(self._profiles) > CACHE_LIMIT:
            self._profiles.clear()
        self._profiles[key] = (self._clock(), found)
        return found

    def forget(self, team: str, user: str) -> None:
        """Drop a cached profile (the member changed it)."""
        self._profiles.pop((team, user), None)

    def forget_member(self, team: str, user: str) -> None:
        """Drop all that is cached of a member who asked to be forgotten."""
        self._profiles.pop((team, user), None)
        self._dms.pop((team, user), None)

    def forget_team(self, team: str) -> None:
        self._profiles = {k: v for k, v in self._profiles.items() if k[0] != team}
        self._dms = {k: v for k, v in self._dms.items() if k[0] != team}

    async def dm_channel(self, client: AsyncWebClient, team: str, user: str) -> str:
        key = (team, user)
        if key not in self._dms:
            answer = await client.conversations_open(users=user)
            self._dms[key] = str(answer["channel"]["id"])
        return self._dms[key]
