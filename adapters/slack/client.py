"""The Web API client every part of the adapter uses (start-up, the doctor, each
workspace's sends), and how a setting's secret is read."""

from __future__ import annotations

import logging

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.settings import Settings

log = logging.getLogger(__name__)

# Tries after the first, for one Web API call answered 429, 500 or 503 (slack_sdk counts them
# together): a storm of a few seconds is ridden out inside the call; a longer one fails it (the
# outbox then retries a scheduled message later; a reply's failure is logged).
RETRIES = 3


def secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter is not None else None


class CountedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 like its parent, and counts every 429 (``coach_rate_limited``): slack_sdk
    shows every answer to its retry handlers, so the last one, not retried, is counted too."""

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            metrics.RATE_LIMITED.labels("slack").inc()
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )


class LoggedServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Retries a 500 or 503 like its parent, and says so in the log (the method, never the
    arguments or the token)."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        # Only a Web API method is named; any other URL (a response_url) is a credential.
        path = request.url.split("?", 1)[0]
        log.warning(
            "Slack answered %s to %s; trying again",
            response.status_code if response is not None else "no answer",
            path.rsplit("/", 1)[-1] if "/api/" in path else "a request",
        )
        await super().prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A Web API client pointed at ``COACH_SLACK_API_URL`` that waits out 429s and retries
    500s and 503s with backoff (0.5 s, 1 s, 2 s…, jittered), ``RETRIES`` times in all.

    The rate-limit handler comes first: it must see every answer to count the 429s.
    """
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            CountedRateLimitRetryHandler(max_retry_count=RETRIES),
            LoggedServerErrorRetryHandler(max_retry_count=RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )
