"""A TCP proxy on 127.0.0.1 (port 0) that a test can cut and restore: a database, or any other
service, becomes unreachable on demand while the code under test keeps its usual address.

    async with TcpProxy("127.0.0.1", 5432) as proxy:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/test"
        ...
        proxy.cut()  # open connections are reset, new ones are reset at once
        ...
        proxy.restore()

``cut(hang=True)`` is a network that drops packets instead: open connections stop carrying
anything, new ones are accepted and never answered.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

CHUNK = 65536


class TcpProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.accepted = 0  # connections accepted since start (cut or not)
        self.forwarded = 0  # of which reached the target
        self._down = False
        self._hang = False
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._sockets: set[asyncio.StreamWriter] = set()  # both ends of every open link

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    def cut(self, hang: bool = False) -> None:
        """The service becomes unreachable: reset (default) or silently drop (``hang``) what is
        open, and do the same to every new connection until ``restore()``."""
        self._down, self._hang = True, hang
        if not hang:
            self._close_all()

    def restore(self) -> None:
        """New connections reach the service again. Those open during the cut stay dead (after
        a hang, their streams have lost bytes): they are reset, as the service would."""
        self._close_all()
        self._down = self._hang = False

    def _close_all(self) -> None:
        for writer in self._sockets:
            _reset(writer)
        self._sockets.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self._down and not self._hang:
            _reset(writer)
            return
        if self._down:  # accepted, never answered, until restore() resets it
            self._sockets.add(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        self.forwarded += 1
        self._sockets.update({writer, up_writer})
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pipe = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(CHUNK):
                if self._down:  # a hanging network: what is sent is lost
                    continue
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            if not self._hang:  # a dropped network tells nobody; a closed end is passed on
                _reset(sink)
                self._sockets.discard(sink)


def _reset(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()  # RST rather than FIN: the peer learns at once
