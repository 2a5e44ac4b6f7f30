"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 (port 0) that records requests.

    async with FakeLLM() as llm:
        llm.script(Answer.json({"message": "Try one eval first."}))
        client = ChatClient(llm.base_url, "fake-model", "sk-test", timeout=1)

Each request takes the next scripted ``Answer`` (the last one repeats): a JSON chat completion,
a raw body, an HTTP status, or a delay before answering. ``GET /v1/models`` lists ``models``
(``models=None``: that route is absent, 404, as on servers that only do chat completions). With
``key`` set, a request without ``Authorization: Bearer <key>`` gets 401.
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

    def response(self) -> web.Response:
        return web.Response(status=self.status, text=self.body, content_type="application/json")


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
    models: list[str] | None = field(default_factory=lambda: ["fake-model"])
    key: str | None = None
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
        if not self._authorized(request):
            return Answer.error(401).response()
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return answer.response()

    async def _list_models(self, request: web.Request) -> web.Response:
        self.requests.append(Recorded(request.path, dict(request.headers), {}))
        if self.models is None:
            return web.Response(status=404, text="404: Not Found")
        if not self._authorized(request):
            return Answer.error(401).response()
        listed = [{"id": m, "object": "model", "owned_by": "fake"} for m in self.models]
        return web.json_response({"object": "list", "data": listed})

    def _authorized(self, request: web.Request) -> bool:
        return self.key is None or request.headers.get("Authorization") == f"Bearer {self.key}"

    async def __aenter__(self) -> FakeLLM:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_get("/v1/models", self._list_models)
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
