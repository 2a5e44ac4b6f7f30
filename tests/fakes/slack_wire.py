"""How the fake Slack reads a request (form, JSON, multipart, query; bearer or basic auth)
and writes its answers (Slack's ``{"ok": false, "error": …}``, a gateway's 502 page)."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web

from tests.fakes import slack_spec
from tests.fakes.slack_records import BAD_GATEWAY, JsonDict, _Failure


async def _read_args(request: web.Request) -> tuple[JsonDict, str]:
    """Merge query-string, form and JSON arguments; decode JSON-looking strings."""
    args: JsonDict = dict(request.query)
    encoding = "query"  # slack_sdk labels even a bodiless POST as form-encoded
    if request.content_type == "application/json":
        encoding = "json"
        text = await request.text()
        body = _loads_or_none(text) if text else {}
        args.update(body if isinstance(body, dict) else {"_raw": text})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        if form:
            encoding = "form" if request.content_type.endswith("urlencoded") else "multipart"
        for key, value in form.items():
            if isinstance(value, web.FileField):
                args[key] = {"filename": value.filename, "content": value.file.read()}
            else:
                args[key] = value if isinstance(value, str) else bytes(value).decode()
    return {key: _maybe_json(value) for key, value in args.items()}, encoding


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        decoded = _loads_or_none(value)
        return value if decoded is None else decoded
    return value


def _loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _bearer(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials


def _basic_auth(request: web.Request) -> tuple[str, str] | None:
    # Decoded by hand: aiohttp 3.14 deprecates BasicAuth, and tests turn warnings into errors.
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    login, _, password = base64.b64decode(credentials).decode("latin1").partition(":")
    return login, password


def _str_or_none(value: Any) -> str | None:
    return str(value) if value else None


def _channel_id(channel: Any) -> str | None:
    """Slack answers a post to a user id in that user's DM: `U123` becomes `DU123`."""
    if not channel:
        return None
    channel = str(channel)
    return f"D{channel}" if channel[0] in "UW" else channel


def _error(error: str) -> JsonDict:
    return {"ok": False, "error": error}


def _message_problems(args: JsonDict) -> list[str]:
    refused = _message_refusal(args)
    if refused is None:
        return []
    return [str(refused["error"]), *refused.get("errors", [])]


def _message_refusal(args: JsonDict) -> JsonDict | None:
    """``invalid_blocks`` (with Slack's ``errors`` list) or ``msg_too_long``, else None."""
    if "blocks" in args:
        problems = slack_spec.blocks_problems(args["blocks"])
        if problems:
            return {**_error("invalid_blocks"), "errors": problems}
    if len(str(args.get("text") or "")) > slack_spec.MESSAGE_TEXT:
        return _error("msg_too_long")
    return None


def _failure_response(failure: _Failure) -> web.Response:
    if failure.drop:  # the connection is gone already; nothing reaches the client
        return web.Response(status=500)
    if failure.page_type is not None:
        headers = {"Content-Type": failure.page_type}
        return web.Response(body=BAD_GATEWAY.encode(), status=failure.status, headers=headers)
    headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
    return web.json_response(_error(failure.error), status=failure.status, headers=headers)


# -- HTTP-mode request builders -------------------------------------------------------------
