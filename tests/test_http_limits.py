"""No client can hold the server's connections: a request head sent by halves, a connection
that sends nothing, a body that never ends and a keep-alive connection left idle are all closed
within bounds (set short here), while the server goes on answering everyone else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.connections import Patience
from bot.ops import OpsServer

PATIENCE = Patience(head_seconds=0.2, body_seconds=0.2, idle_seconds=1.0)
BOUND = 5.0  # seconds a closed connection may take to show as closed, on a busy machine
HEAD = b"GET /healthz HTTP/1.1\r\nHost: coach\r\n"


@pytest.fixture
async def port() -> AsyncIterator[int]:
    server = OpsServer(patience=PATIENCE)
    try:
        yield await server.start("127.0.0.1", 0)
    finally:
        await server.stop()


async def closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent until it closed the connection (fails past ``BOUND``)."""
    async with asyncio.timeout(BOUND):
        return await reader.read()


async def test_fifty_half_sent_heads_are_closed_and_the_server_answers(port: int) -> None:
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(50)]
    for _, writer in connections:
        writer.write(HEAD)  # and never the blank line that ends the head
    answers = await asyncio.gather(*(closed(reader) for reader, _ in connections))
    assert answers == [b""] * 50  # closed without a word
    async with httpx.AsyncClient(timeout=BOUND) as http:
        assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    for _, writer in connections:
        writer.close()


async def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await closed(reader) == b""
    writer.close()


async def test_a_body_that_never_ends_gets_408(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEAD + b"Content-Length: 100\r\n\r\n" + b"x" * 10)
    answer = await closed(reader)
    assert answer.startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_an_idle_keep_alive_connection_is_closed_after_its_own_bound(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def ask() -> bytes:
        writer.write(HEAD + b"\r\n")
        async with asyncio.timeout(BOUND):
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            return head + await reader.readexactly(length)

    assert (await ask()).startswith(b"HTTP/1.1 200 ")
    # Idle past the head's bound but inside the idle one: still open, a proxy may reuse it.
    await asyncio.sleep(PATIENCE.head_seconds * 2)
    assert (await ask()).startswith(b"HTTP/1.1 200 ")
    assert await closed(reader) == b""  # then closed once idle for idle_seconds
    writer.close()


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
async def test_nested_json_to_the_probes_is_refused_without_a_traceback(
    port: int, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nested = "[" * 100_000 + "]" * 100_000
    async with httpx.AsyncClient(timeout=BOUND) as http:
        answer = await http.post(
            f"http://127.0.0.1:{port}{path}",
            content=nested,
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 405  # the probes take no body: GET only
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
