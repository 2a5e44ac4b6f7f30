"""HTTP mode: one aiohttp server, two small converters around Bolt's one core call.

POST /slack/events        events, slash commands and interactivity (signed; Bolt verifies)
GET  /slack/install       OAuth install page (many workspaces)
GET  /slack/oauth_redirect OAuth callback
GET  /healthz, /readyz, /metrics   the operations endpoints (``bot.ops``)
and whatever routes the run adds (``RunOptions.routes``: POST /api/goals/values, for scripts)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from adapters.slack import install_states
from bot import metrics
from bot.connections import Patience
from bot.events import plain
from bot.ops import OpsServer, Readiness
from bot.ports import Clock, SystemClock
from bot.prompts import load_prompts

EVENTS_PATH = "/slack/events"
# Bolt reads these before any listener runs, assuming Slack's shapes: ``"event": null`` or
# ``"authorizations": "x"`` make it raise and answer 500. Values of other types are refused.
_DICT_OR_TEXT = ("team", "user", "channel", "enterprise")
_DICTS = ("event", "view", "message", "previous_message", "item", "container")
_LISTS_OF_DICTS = ("authorizations", "actions", "response_urls")


def bolt_can_read(body: Any, depth: int = 0) -> bool:
    """Whether a request body has the shapes Bolt assumes (Slack's own always do).

    >>> bolt_can_read({"event": None}), bolt_can_read({"event": {"type": "message"}})
    (False, True)
    """
    if not isinstance(body, dict) or depth > 3:
        return isinstance(body, dict)
    for key, value in body.items():
        if key in _DICT_OR_TEXT and not isinstance(value, dict | str | None):
            return False
        if key in _DICTS and not (isinstance(value, dict) and bolt_can_read(value, depth + 1)):
            return False
        if key in _LISTS_OF_DICTS and not (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and bolt_can_read(v, depth + 1) for v in value)
        ):
            return False
        # Bolt matches a button press by its action_id, read without a check.
        if key == "actions" and not all(isinstance(v.get("action_id"), str) for v in value):
            return False
    return True


class SlackServer(OpsServer):
    def __init__(
        self,
        bolt: AsyncApp,
        readiness: Readiness | None = None,
        patience: Patience | None = None,
        clock: Clock | None = None,
        extra_routes: Sequence[web.RouteDef] = (),
    ) -> None:
        """``clock`` tells which install states expired (tests move it); ``extra_routes`` are
        the run's own (``RunOptions.routes``), served beside Slack's."""
        self.bolt = bolt
        self.clock = clock or SystemClock()
        routes = [web.post(EVENTS_PATH, self.events)]
        flow = bolt.oauth_flow
        if flow is not None:
            routes += [
                web.get(flow.install_path, self.install),
                web.get(flow.redirect_uri_path, self.oauth_redirect),
            ]
        super().__init__(readiness, [*routes, *extra_routes], patience)

    async def events(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        try:
            bolt_request = await to_bolt_request(request)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
            # Bolt could not read it: JSON that is not an object (``0``), or nested deeper
            # than the parser goes (``[[[[…``).
            bolt_request = None
        if bolt_request is None or not bolt_can_read(bolt_request.body):
            # A body Slack never sends is malformed: a 400, not a server error.
            return web.Response(status=400, text=plain(load_prompts().say("slack_malformed_body")))
        answer = await self.bolt.async_dispatch(bolt_request)
        response = await to_aiohttp_response(answer)
        if answer.status == 200:  # acknowledged (a refused signature is no ack)
            metrics.ACK_SECONDS.labels("slack").observe(time.perf_counter() - arrived)
        return response

    async def install(self, request: web.Request) -> web.Response:
        flow = self.bolt.oauth_flow
        assert flow is not None
        # Room for the state this page adds: the expired ones go, and the oldest past the bound.
        await install_states.prune(flow.settings.state_store, self.clock.now())
        answer = await flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        answer = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(answer)
