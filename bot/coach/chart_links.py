"""Signed, expiring links to a member's goal chart, for a home that shows only images its
platform fetches itself (Slack's App Home, in HTTP mode, under ``COACH_PUBLIC_URL``).

A link names the tenant, the member, the goal and an expiry, signed with a key the run's
replicas share; whoever holds it sees that one chart until it expires, and nothing else. The
chart is drawn from the store when fetched: no picture is kept anywhere, a goal forgotten or
deleted has none, and any replica can answer.

    >>> links = ChartLinks(db, key, "https://coach.example.org", clock)
    >>> links.url(tenant, "U1", 2)   # https://coach.example.org/charts/<token>.png
    >>> OpsServer(readiness, routes=links.routes())
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.charts import draw, render_goal
from bot.coach.pictures import DRAWN, series_of
from bot.events import TenantRef
from bot.ports import Clock
from bot.store import Database, StoreUnavailable

log = logging.getLogger(__name__)

PATH = "/charts/{token}.png"
# Slack fetches an App Home image when the view is published and keeps its own copy for a
# while; a week lets a home opened on Monday still show on Friday.
LIFETIME = timedelta(days=7)
SIGNATURE_BYTES = 16
MAX_TOKEN = 600  # characters: a tenant, a user id, a goal number and a time, encoded


def link_key(secret: str) -> bytes:
    """The signing key, derived from a secret the replicas share (the Slack signing secret):
    a key of its own, so a link's signature can be no signature of anything else."""
    return hmac.new(secret.encode("utf-8"), b"research-coach chart links", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ChartLinks:
    def __init__(
        self,
        db: Database,
        key: bytes,
        public_url: str,
        clock: Clock,
        lifetime: timedelta = LIFETIME,
    ) -> None:
        self.db = db
        self._key = key
        self.base = public_url.rstrip("/")
        self.clock = clock
        self.lifetime = lifetime

    def url(self, tenant: TenantRef, user_id: str, goal_ref: int) -> str:
        """A link to the chart of the member's goal ``goal_ref``, good for ``lifetime``."""
        expires = int((self.clock.now() + self.lifetime).timestamp())
        body = json.dumps(
            [tenant.platform, tenant.external_id, user_id, goal_ref, expires],
            separators=(",", ":"),
        ).encode("utf-8")
        token = f"{_b64(body)}.{_b64(self._sign(body))}"
        return self.base + PATH.format(token=token)

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def read(self, token: str) -> tuple[TenantRef, str, int] | None:
        """(tenant, member, goal number) of a token signed here and not expired; else None."""
        if len(token) > MAX_TOKEN or token.count(".") != 1:
            return None
        body_text, signature_text = token.split(".")
        try:
            body, signature = _unb64(body_text), _unb64(signature_text)
            if not hmac.compare_digest(signature, self._sign(body)):
                return None
            platform, external, user, ref, expires = json.loads(body)
        except (binascii.Error, ValueError, TypeError):
            return None
        if not all(isinstance(v, str) for v in (platform, external, user)):
            return None
        if not isinstance(ref, int) or not isinstance(expires, int):
            return None
        if datetime.fromtimestamp(expires, UTC) < self.clock.now():
            return None
        return TenantRef(platform, external), user, ref

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PATH, self.chart)]

    async def chart(self, request: web.Request) -> web.Response:
        """The PNG, or 404 alike for a bad, expired or forgotten link (nothing said of why)."""
        named = self.read(request.match_info["token"])
        if named is None:
            return web.Response(status=404)
        tenant, user_id, ref = named
        try:
            async with self.db.scope(tenant, self.clock.now()) as scope:
                member = await scope.member(user_id)
                goal = None if member is None else await scope.goal(member, ref)
                points = [] if goal is None else await scope.chart_points(goal)
        except StoreUnavailable:
            return web.Response(status=503, headers={"Retry-After": "30"})
        if goal is None or len(points) < DRAWN:
            return web.Response(status=404)
        try:
            png = await draw(render_goal, series_of(goal, points))
        except Exception as exc:  # logged by kind only: the error may quote the goal
            log.warning("linked chart not drawn: %s", type(exc).__name__)
            return web.Response(status=503, headers={"Retry-After": "60"})
        # The member's own chart: no shared cache may keep it.
        headers = {"Cache-Control": "private,max-age=3600"}
        return web.Response(body=png, content_type="image/png", headers=headers)
