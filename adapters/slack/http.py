"""HTTP mode: one aiohttp server, two small converters around Bolt's one core call.

POST /slack/events        events, slash commands and interactivity (signed; Bolt verifies)
GET  /slack/install       OAuth install page (many workspaces)
GET  /slack/oauth_redirect OAuth callback
GET  /healthz             200 once the server is up (liveness)
GET  /readyz              200 when the database answers (readiness), with details
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

EVENTS_PATH = "/slack/events"


Readiness = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class SlackServer:
    def __init__(self, bolt: AsyncApp, readiness: Readiness | None = None) -> None:
        self.bolt = bolt
        self.readiness = readiness
        self.ready = False
        self._runner: web.AppRunner | None = None
        routes = [
            web.post(EVENTS_PATH, self.events),
            web.get("/healthz", self.health),
            web.get("/readyz", self.ready_check),
        ]
        flow = bolt.oauth_flow
        if flow is not None:
            routes += [
                web.get(flow.install_path, self.install),
                web.get(flow.redirect_uri_path, self.oauth_redirect),
            ]
        self.web = web.Application()
        self.web.add_routes(routes)

    async def events(self, request: web.Request) -> web.Response:
        answer = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def install(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        answer = await self.bolt.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        answer = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(answer)

    async def health(self, _request: web.Request) -> web.Response:
        if not self.ready:
            return web.json_response({"status": "starting"}, status=503)
        return web.json_response({"status": "ok"})

    async def ready_check(self, _request: web.Request) -> web.Response:
        if not self.ready:
            return web.json_response({"status": "starting"}, status=503)
        if self.readiness is None:
            return web.json_response({"status": "ok"})
        ok, details = await self.readiness()
        return web.json_response(
            {"status": "ok" if ok else "unavailable", **details}, status=200 if ok else 503
        )

    async def start(self, host: str, port: int) -> int:
        """Serve on ``host:port`` (0 picks a free port); return the port."""
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.ready = True
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self.ready = False
        if self._runner is not None:
            await self._runner.cleanup()
