"""The operations endpoints, for Kubernetes probes and Prometheus:

GET /healthz   200 once the server is up (liveness)
GET /readyz    200 when the process can do its work (``bot.health.readiness``), with details
GET /metrics   the coach's metrics (``bot.metrics``), Prometheus text format

``Probes`` are these three routes, added to whatever HTTP server a run has: the Slack adapter's
in HTTP mode, or else ``OpsServer``, a server of their own on ``COACH_HTTP_PORT`` (Socket Mode,
Discord only). The console alone opens no port. Both serve the run's own routes beside them:
POST /api/goals/values, where scripts push a goal's values (``bot.push``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import metrics
from bot.connections import Patience, Watch

Readiness = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class Probes:
    """``web.Application().add_routes(Probes(readiness).routes())``; ``up`` once serving."""

    def __init__(self, readiness: Readiness | None = None) -> None:
        self.readiness = readiness
        self.up = False  # set by the server once it listens, cleared when it stops

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/healthz", self.health),
            web.get("/readyz", self.ready_check),
            web.get("/metrics", self.metrics),
        ]

    async def health(self, _request: web.Request) -> web.Response:
        if not self.up:
            return web.json_response({"status": "starting"}, status=503)
        return web.json_response({"status": "ok"})

    async def ready_check(self, _request: web.Request) -> web.Response:
        if not self.up:
            return web.json_response({"status": "starting"}, status=503)
        if self.readiness is None:
            return web.json_response({"status": "ok"})
        ok, details = await self.readiness()
        return web.json_response(
            {"status": "ok" if ok else "unavailable", **details}, status=200 if ok else 503
        )

    async def metrics(self, request: web.Request) -> web.Response:
        body, content_type = metrics.exposition(request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})


class OpsServer:
    """The probes on a server of their own.

    >>> server = OpsServer(lambda: readiness(coach, options))
    >>> port = await server.start("127.0.0.1", 0)  # 0 picks a free port
    """

    def __init__(
        self,
        readiness: Readiness | None = None,
        routes: list[web.RouteDef] | None = None,
        patience: Patience | None = None,
    ) -> None:
        """``routes`` are served beside the probes (the Slack adapter's in HTTP mode);
        ``patience`` bounds how long a connection may keep the server waiting."""
        self.probes = Probes(readiness)
        self.web = web.Application()
        self.web.add_routes([*(routes or []), *self.probes.routes()])
        self.patience = patience or Patience()
        self._served: Served | None = None

    async def start(self, host: str, port: int) -> int:
        """Serve on ``host:port`` (0 picks a free port); return the port."""
        self._served = await serve(self.web, host, port, self.patience)
        self.probes.up = True
        return self._served.port

    async def stop(self) -> None:
        self.probes.up = False
        if self._served is not None:
            await self._served.close()
            self._served = None


@dataclass
class Served:
    """A running server: its port, and how to stop it."""

    port: int
    listener: asyncio.Server
    runner: web.AppRunner

    async def close(self) -> None:
        self.listener.close()  # no new connections; the runner then ends the open ones
        await self.runner.cleanup()
        await self.listener.wait_closed()


async def serve(
    app: web.Application, host: str, port: int, patience: Patience | None = None
) -> Served:
    """Start serving ``app`` on ``host:port`` (no access log: it would carry query strings).

    Every connection is watched (``bot.connections``): one that sends a request's head too
    slowly, its body too slowly, or nothing for too long is closed, so a few dozen idle
    sockets cannot hold the server's connections for good.
    """
    watch = Watch(patience or Patience())
    app.middlewares.append(watch.middleware)
    patience = watch.patience
    # After a 408, aiohttp drains what is left of the body for lingering_time (10 s by
    # default) so the client reads the answer: no longer than a body may take.
    runner = web.AppRunner(
        app,
        access_log=None,
        keepalive_timeout=patience.idle_seconds,
        lingering_time=patience.body_seconds,
    )
    await runner.setup()
    handlers = runner.server
    assert handlers is not None  # set up just above
    listener = await asyncio.get_running_loop().create_server(
        lambda: watch.connection(handlers()), host, port
    )
    return Served(int(listener.sockets[0].getsockname()[1]), listener, runner)
