"""Trackers to read: the session's real MLflow server (``mlflow_server``, ``mlflow_runs`` in
tests/conftest.py), and local sockets that refuse, hang, or guard MLflow behind credentials."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web

from bot.trackers import TrackerConfig, TrackerError, read_metric
from tests.fakes.mlflow_server import MlflowServer
from tests.fakes.wandb import serving

# Short, so the tests that wait for a timeout are quick; the kind is asserted, never the time.
QUICK = httpx.Timeout(2.0, connect=1.0)
IMPATIENT = httpx.Timeout(0.3, connect=1.0)


async def failure(
    config: TrackerConfig, http: httpx.AsyncClient, secret: str | None = None
) -> TrackerError:
    """The ``TrackerError`` reading ``config`` ends in."""
    with pytest.raises(TrackerError) as caught:
        await read_metric(config, secret, http, addresses="any", timeouts=QUICK)
    return caught.value


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def closed_url() -> str:
    """An address where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def silent_url() -> AsyncIterator[str]:
    """A server that accepts connections, reads what it is sent and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read()  # until the client gives up

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


@dataclass
class Guard:
    """A reverse proxy in front of MLflow that lets through only ``allowed`` Authorization
    headers, as MLflow's auth app or Databricks would; 401 for anything else."""

    target: str
    allowed: set[str]
    seen: list[str | None] = field(default_factory=list)
    url: str = ""

    async def forward(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        self.seen.append(authorization)
        if authorization not in self.allowed:
            return web.json_response(
                {"error_code": "UNAUTHENTICATED", "message": "Invalid credentials"}, status=401
            )
        async with httpx.AsyncClient() as client:
            answer = await client.request(
                request.method,
                self.target + request.path_qs,
                content=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "application/json")},
            )
        return web.Response(
            status=answer.status_code, body=answer.content, content_type="application/json"
        )


@pytest.fixture
async def guard(mlflow_server: MlflowServer) -> AsyncIterator[Guard]:
    guard = Guard(mlflow_server.url, set())
    async with serving(guard.forward) as guard.url:
        yield guard


@dataclass
class Fixed:
    """A server answering every request with the same status and body."""

    status: int = 200
    body: str = ""
    content_type: str = "text/html"
    url: str = ""

    async def answer(self, request: web.Request) -> web.Response:
        return web.Response(status=self.status, text=self.body, content_type=self.content_type)


@pytest.fixture
async def fixed() -> AsyncIterator[Fixed]:
    fixed = Fixed()
    async with serving(fixed.answer) as fixed.url:
        yield fixed


@asynccontextmanager
async def trickling() -> AsyncIterator[str]:
    """A server that answers 200 and then sends its body one byte at a time, each well within
    any read timeout, forever; its address."""
    held: list[asyncio.StreamWriter] = []

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            while True:
                writer.write(b"1\r\n \r\n")
                await writer.drain()
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass

    server = await asyncio.start_server(trickle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
async def trickling_url() -> AsyncIterator[str]:
    async with trickling() as url:
        yield url
