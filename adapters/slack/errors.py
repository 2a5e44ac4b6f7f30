"""Reading Slack's refusals: an answer is not always Slack's JSON (a proxy's HTML 502 reaches
slack_sdk as text or bytes), so every error path asks here, never ``exc.response.get``."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_of(exc: SlackApiError) -> str:
    """Slack's error name (``"not_in_channel"``), or ``"http_502"`` for a body that is not
    Slack's JSON, whatever its type.

    >>> from slack_sdk.web.slack_response import SlackResponse
    >>> page = SlackResponse(client=None, http_verb="POST", api_url="", req_args={},
    ...     data="<html>502</html>", headers={}, status_code=502)
    >>> error_of(SlackApiError("", page))
    'http_502'
    """
    response = getattr(exc, "response", None)
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        found = data.get("error")
        if isinstance(found, str) and found:
            return found
    # A body that claimed to be JSON and was not leaves aiohttp's own response here (``status``).
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return f"http_{status}" if isinstance(status, int) else "unreadable_answer"


def retry_after(exc: SlackApiError) -> int | None:
    """The seconds a 429 asks to wait, when it says."""
    response = getattr(exc, "response", None)
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    text = value[0] if isinstance(value, list) and value else value
    return int(text) if isinstance(text, str) and text.isdigit() else 1
