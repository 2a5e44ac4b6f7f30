"""A minimal client for OpenAI-compatible chat completions, over httpx.

One call has one deadline (``timeout`` seconds, default 8) covering every attempt; a failed
attempt is retried at most once, and only when the failure may pass (a timeout of the connection,
a 5xx, a 429) and time is left. Errors are ``LLMError`` with a reason that never carries the API
key or the prompt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot import metrics

log = logging.getLogger(__name__)

__all__ = ["ChatClient", "LLMError", "LLMStats", "endpoint"]

RETRY_PAUSE = 0.2  # seconds between the two attempts
MAX_RESPONSE_BYTES = 64_000  # a chat answer of a few hundred words is far below this


def endpoint(base_url: str, path: str) -> str:
    """``path`` under the API root ``base_url``, keeping any query string the root carries.

    >>> endpoint("https://llm.example.org/v1/?key=k", "models")
    'https://llm.example.org/v1/models?key=k'
    """
    root = httpx.URL(base_url)
    return str(root.copy_with(path=root.path.rstrip("/") + "/" + path))


class LLMError(Exception):
    """The LLM gave no usable answer; ``kind`` is timeout, http, network or malformed."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind


@dataclass
class LLMStats:
    """Counters for a later metrics issue: how often the LLM was asked, answered, failed."""

    calls: int = 0  # follow-ups that asked the LLM
    attempts: int = 0  # HTTP requests sent (a retry is a second attempt)
    retries: int = 0
    succeeded: int = 0
    fallbacks: int = 0  # follow-ups that ended with nothing added (the template stood)
    timeouts: int = 0
    http_errors: int = 0
    network_errors: int = 0
    malformed: int = 0
    expired: int = 0  # follow-up tokens unknown or too old
    opinion_agreed: int = 0  # signals where the LLM's second opinion matched the analysis
    opinion_differed: int = 0
    judge_calls: int = 0  # check-ins the LLM was asked to judge (bot.llm.judge)
    judge_fallbacks: int = 0  # judgements that fell back to the embedded verdict
    by_kind: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        out = {k: v for k, v in vars(self).items() if isinstance(v, int)}
        out.update({f"error_{k}": v for k, v in self.by_kind.items()})
        return out


class ChatClient:
    """``await ChatClient(url, model, key).complete(messages, max_tokens)`` → the reply text."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 8.0,
        stats: LLMStats | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = endpoint(base_url, "chat/completions")
        self.model = model
        self.timeout = timeout
        self.stats = stats or LLMStats()
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.AsyncClient(headers=headers, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete(
        self, messages: list[dict[str, str]], max_tokens: int, temperature: float = 0.3
    ) -> str:
        """The first choice's message content; raises ``LLMError`` when there is none."""
        payload = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        deadline = time.monotonic() + self.timeout
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    return await self._attempt(payload, deadline)
                except LLMError as first:
                    if first.kind not in ("http-retryable", "network") or (
                        deadline - time.monotonic() <= RETRY_PAUSE
                    ):
                        raise
                    log.info("LLM attempt failed (%s); retrying once", first)
                    self.stats.retries += 1
                    metrics.LLM_RETRIES.inc()
                    await asyncio.sleep(RETRY_PAUSE)
                    return await self._attempt(payload, deadline)
        except TimeoutError:
            raise LLMError("timeout", f"no answer within {self.timeout:g} s") from None

    async def _attempt(self, payload: dict[str, Any], deadline: float) -> str:
        self.stats.attempts += 1
        left = max(0.05, deadline - time.monotonic())
        try:
            response = await self._client.post(self.url, json=payload, timeout=left)
        except httpx.TimeoutException:
            raise LLMError("timeout", f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise LLMError("network", type(exc).__name__) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise LLMError("http-retryable", f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise LLMError("http", f"HTTP {response.status_code}")
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise LLMError("malformed", f"answer of {len(response.content)} bytes")
        try:
            data = response.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError("malformed", "not a chat completion") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("malformed", "empty message content")
        return content
