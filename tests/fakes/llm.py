"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 (port 0) that records requests.

    async with FakeLLM() as llm:
        llm.script(Answer.json({"message": "Try one eval first."}))
        client = ChatClient(llm.base_url, "fake-model", "sk-test", timeout=1)

Each request takes the next scripted ``Answer`` (the last one repeats): a JSON chat completion,
a raw body, an HTTP status, or a delay before answering.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: str = ""
    delay: float = 0.0

    @classmethod
    def content(cls, text: str, delay: float = 0.0) -> Answer:
        """A chat completion whose message content is ``text``."""
        payload = {
            "id": "cmpl-fake",
            "object": "chat.completion",
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        return cls(200, json.dumps(payload), delay)

    @classmethod
    def json(cls, answer: dict[str, Any], delay: float = 0.0) -> Answer:
        """A chat completion whose content is ``answer`` as JSON (what the coach asks for)."""
        return cls.content(json.dumps(answer), delay)

    @classmethod
    def error(cls, status: int) -> Answer:
        return cls(status, json.dumps({"error": {"message": "fake failure"}}))


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's content, joined: what the LLM was shown."""
        return "\n".join(m["content"] for m in self.body.get("messages", []))


@dataclass
class FakeLLM:
    answers: list[Answer] = field(default_factory=lambda: [Answer.json({"message": "ok"})])
    requests: list[Recorded] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    def script(self, *answers: Answer) -> None:
        self.answers = list(answers)

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        self.requests.append(Recorded(request.path, dict(request.headers), body))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return web.Response(status=answer.status, text=answer.body, content_type="application/json")

    async def __aenter__(self) -> FakeLLM:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
