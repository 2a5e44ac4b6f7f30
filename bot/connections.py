"""How long one HTTP connection may keep the server waiting.

aiohttp waits for a request's head for as long as a keep-alive connection may stay idle (an
hour by default), so fifty sockets that send half a head and stop hold fifty connections for
that long. Here each connection gets three bounds (``Patience``):

- the head of a request must arrive whole within ``head_seconds`` of the connection opening,
  or of the first byte of a later request on it;
- its body within ``body_seconds`` of the head (else 408);
- a keep-alive connection with no request in flight closes after ``idle_seconds`` (aiohttp's
  own keep-alive timer), longer than the 60 s proxies keep theirs so a proxy never reuses a
  connection just closed.

``Watch`` holds them: its ``connection`` wraps aiohttp's handler of each new connection (the
protocol asyncio calls), its ``middleware`` tells the wrapper when a request's head is in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

__all__ = ["Patience", "Watch"]


@dataclass(frozen=True)
class Patience:
    """The bounds, in seconds (tests set them short)."""

    head_seconds: float = 10.0
    body_seconds: float = 30.0
    idle_seconds: float = 75.0


class Watch:
    """The connections of one server and the bounds they are held to."""

    def __init__(self, patience: Patience) -> None:
        self.patience = patience
        self.open: dict[asyncio.BaseTransport, _Watched] = {}

    def connection(self, handler: asyncio.Protocol) -> asyncio.Protocol:
        """aiohttp's ``handler`` of a new connection, watched."""
        return _Watched(handler, self)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        watched = self.open.get(request.transport) if request.transport else None
        if watched is not None:
            watched.busy(True)  # the head is in: its deadline is met
        try:
            try:
                async with asyncio.timeout(self.patience.body_seconds):
                    await request.read()  # kept by aiohttp for the handler's own read
            except TimeoutError:
                raise web.HTTPRequestTimeout(text="request body too slow") from None
            return await handler(request)
        finally:
            if watched is not None:
                watched.busy(False)


class _Watched(asyncio.Protocol):
    """One connection: aiohttp's handler does the work, this closes it when a request's head
    is late. Every call asyncio makes is passed on unchanged."""

    def __init__(self, handler: asyncio.Protocol, watch: Watch) -> None:
        self.handler = handler
        self.watch = watch
        self.transport: asyncio.BaseTransport | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.in_request = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.watch.open[transport] = self
        self.handler.connection_made(transport)
        self.arm()  # a connection that sends nothing is as late as one that sends half

    def data_received(self, data: bytes) -> None:
        if not self.in_request and self.deadline is None:
            self.arm()  # the first bytes of the next request on a kept-alive connection
        self.handler.data_received(data)

    def eof_received(self) -> bool | None:
        return self.handler.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        if self.transport is not None:
            self.watch.open.pop(self.transport, None)
        self.handler.connection_lost(exc)

    def pause_writing(self) -> None:
        self.handler.pause_writing()

    def resume_writing(self) -> None:
        self.handler.resume_writing()

    def busy(self, in_request: bool) -> None:
        self.in_request = in_request
        self.disarm()

    def arm(self) -> None:
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.watch.patience.head_seconds, self.expire)

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def expire(self) -> None:
        self.deadline = None
        if self.transport is not None and not self.in_request:
            self.transport.close()
