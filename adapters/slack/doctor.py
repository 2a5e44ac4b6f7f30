"""Slack's part of ``research-coach doctor``: the bot token works and holds every scope the
manifest asks for; Socket Mode: the app token opens a connection; HTTP mode: Slack can reach the
coach at ``COACH_PUBLIC_URL``.

Slack lists a token's scopes in the ``x-oauth-scopes`` header of every Web API answer, so one
``auth.test`` tells who the token is and what it may do. Slack's own copy of the app's settings
cannot be read with a bot token, so the request URL is checked from our side: the manifest for
``COACH_PUBLIC_URL`` sends Slack to ``{url}/slack/events``, and that URL must answer as this
coach does (Bolt refuses an unsigned request with 401).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx
from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from adapters.slack.client import secret, web_client
from adapters.slack.errors import error_of
from adapters.slack.manifest import BOT_SCOPES, manifest
from bot.checks import Check, failure_reason
from bot.settings import Settings

SLACK_SECONDS = 10  # one Web API call (slack_sdk takes whole seconds)
PROBE_SECONDS = 5.0  # one request to the public URL
BOT_TOKEN_HINT = (
    "check COACH_SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-…) under OAuth & Permissions; "
    "reinstall the app if it was revoked"
)
APP_TOKEN_HINT = (
    "check COACH_SLACK_APP_TOKEN: an App-Level Token (xapp-…) with the connections:write scope, "
    "under Basic Information → App-Level Tokens"
)


async def checkup(settings: Settings) -> list[Check]:
    """Every Slack check for these settings, in the order an operator fixes them."""
    checks: list[Check] = []
    bot_token = secret(settings.slack_bot_token)
    if bot_token is not None:
        checks += await bot_token_checks(settings, bot_token)
    else:
        checks.append(
            Check.off("slack bot token: none (many workspaces: each install brings its own)")
        )
    app_token = secret(settings.slack_app_token)
    if app_token is not None:  # Socket Mode, as adapters/slack/app.py decides
        checks.append(await socket_mode_check(settings, app_token))
    else:
        checks += await public_url_checks(settings.public_url)
    return checks


async def bot_token_checks(settings: Settings, token: str) -> list[Check]:
    """``auth.test``: the workspace and bot user, then the granted scopes against the manifest."""
    client = web_client(settings, token)
    client.timeout = SLACK_SECONDS
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        error = error_of(exc)
        return [Check.fail(f"slack bot token: Slack refused it ({error})", BOT_TOKEN_HINT)]
    except (ClientError, OSError) as exc:
        return [unreachable(settings, exc)]
    who = (
        f"slack bot token: @{answer.get('user')} ({answer.get('user_id')}) in workspace "
        f"{answer.get('team')} ({answer.get('team_id')})"
    )
    return [Check.ok(who), scope_check(answer.headers)]


def scope_check(headers: Mapping[str, str]) -> Check:
    """Whether the scopes Slack says the token has include every scope of our manifest."""
    listed = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if listed is None:
        return Check.warn(
            "slack scopes: Slack did not say which scopes the bot token has",
            f"the app needs {', '.join(BOT_SCOPES)}",
        )
    granted = {scope.strip() for scope in listed.split(",")}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if missing:
        return Check.fail(
            f"slack scopes: missing {', '.join(missing)}",
            "add them under OAuth & Permissions → Bot Token Scopes (or update the app from "
            "`research-coach slack manifest`), then reinstall the app to the workspace",
        )
    return Check.ok(f"slack scopes: all {len(BOT_SCOPES)} the manifest asks for")


async def socket_mode_check(settings: Settings, app_token: str) -> Check:
    """``apps.connections.open``: the app token may open a Socket Mode connection."""
    client = web_client(settings)
    client.timeout = SLACK_SECONDS
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = error_of(exc)
        return Check.fail(
            f"slack socket mode: Slack refused the app token ({error})", APP_TOKEN_HINT
        )
    except (ClientError, OSError) as exc:
        return unreachable(settings, exc)
    return Check.ok("slack socket mode: the app token opens a connection")


def unreachable(settings: Settings, exc: BaseException) -> Check:
    return Check.fail(
        f"slack: no answer from {settings.slack_api_url} ({failure_reason(exc)})",
        "check the network and proxy between this machine and Slack (or COACH_SLACK_API_URL)",
    )


async def public_url_checks(url: str | None) -> list[Check]:
    """HTTP mode: ``{url}/healthz`` answers, and ``{url}/slack/events``, the request URL of the
    manifest for ``url``, answers as this coach (refusing an unsigned request)."""
    if url is None:
        return [
            Check.off(
                "slack public URL: not set, so not checked",
                "set COACH_PUBLIC_URL (e.g. https://coach.example.org) to check Slack can reach "
                "this coach",
            )
        ]
    address = address_check(url)
    checks = [] if address is None else [address]
    request_url = manifest(url)["settings"]["event_subscriptions"]["request_url"]
    async with httpx.AsyncClient(timeout=PROBE_SECONDS, follow_redirects=False) as client:
        try:
            health = await client.get(f"{url}/healthz")
        except httpx.HTTPError as exc:
            checks.append(
                Check.fail(
                    f"slack public URL: {url}/healthz unreachable ({failure_reason(exc)})",
                    "is `research-coach run` serving, and does the proxy forward COACH_PUBLIC_URL "
                    "to COACH_HTTP_PORT?",
                )
            )
            return checks
        if health.status_code != 200:
            checks.append(
                Check.fail(
                    f"slack public URL: {url}/healthz answered HTTP {health.status_code}",
                    "the coach answers 200 once it serves (503 while starting or stopping); "
                    "another answer comes from something else at that address",
                )
            )
            return checks
        checks.append(Check.ok(f"slack public URL: {url}/healthz answers"))
        try:
            events = await client.post(request_url, content=b"{}")
        except httpx.HTTPError as exc:
            checks.append(
                Check.fail(
                    f"slack request URL: {request_url} unreachable ({failure_reason(exc)})",
                    "the proxy must forward POST /slack/events to the coach",
                )
            )
            return checks
    checks.append(request_url_check(request_url, events.status_code))
    return checks


def address_check(url: str) -> Check | None:
    """What is wrong with ``url`` as an address for Slack, before anything is sent to it."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an IP address
        loopback = False
    if loopback:
        return Check.warn(
            f"slack public URL: {url} is this machine's own address; Slack cannot reach it",
            "set COACH_PUBLIC_URL to the https:// address Slack sees",
        )
    if not url.startswith("https://"):
        return Check.fail(
            f"slack public URL: {url} is not https://, and Slack sends requests only there",
            "serve the coach behind TLS and set COACH_PUBLIC_URL to its https:// address",
        )
    return None


def request_url_check(request_url: str, status: int) -> Check:
    """What the answer to an unsigned POST says about the request URL Slack is told to use."""
    if status == 401:
        return Check.ok(
            f"slack request URL: {request_url} answers as this coach (refuses unsigned requests)"
        )
    if status < 300:
        return Check.fail(
            f"slack request URL: {request_url} accepted an unsigned request",
            "something other than the coach answers there, or it does not verify Slack's "
            "signature: check the proxy and COACH_SLACK_SIGNING_SECRET",
        )
    return Check.fail(
        f"slack request URL: {request_url} answered HTTP {status}, not as this coach",
        "the proxy must forward POST /slack/events to the coach; the app's manifest must use "
        "this URL (`research-coach slack manifest --url COACH_PUBLIC_URL`)",
    )
