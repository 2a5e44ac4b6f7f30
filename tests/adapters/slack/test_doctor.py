"""``research-coach doctor`` on Slack, run for real against the fake Slack (and, in HTTP mode,
against the coach's own Slack server): tokens, scopes, Socket Mode, the public URL."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.app import build
from adapters.slack.doctor import address_check, request_url_check
from adapters.slack.http import SlackServer
from adapters.slack.manifest import BOT_SCOPES
from bot.checks import Status
from bot.coach import Coach
from tests.adapters.slack.conftest import SECRET, settings_for
from tests.diagnose import closed_port, diagnose
from tests.fakes.slack import FakeSlack

BOT_TOKEN = "xoxb-doctor-bot"
APP_TOKEN = "xapp-doctor-app"


def socket_mode(slack: FakeSlack, token: str = BOT_TOKEN) -> dict[str, str]:
    return {
        "COACH_SLACK_BOT_TOKEN": token,
        "COACH_SLACK_APP_TOKEN": APP_TOKEN,
        "COACH_SLACK_API_URL": slack.api_url,
    }


def http_mode(slack: FakeSlack, public_url: str) -> dict[str, str]:
    return {
        "COACH_SLACK_BOT_TOKEN": BOT_TOKEN,
        "COACH_SLACK_SIGNING_SECRET": SECRET,
        "COACH_SLACK_API_URL": slack.api_url,
        "COACH_PUBLIC_URL": public_url,
    }


async def test_missing_scopes_are_named_and_fail(tmp_path: Path) -> None:
    granted = [s for s in BOT_SCOPES if s not in ("im:history", "files:write")]
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN, scopes=[*granted, "reactions:read"])
        found = await diagnose(tmp_path, **socket_mode(slack))

    assert found.code == 1
    assert found.line("FAIL slack scopes") == "FAIL slack scopes: missing im:history, files:write"
    assert "reinstall the app" in found.hint("FAIL slack scopes")
    found.line("ok   slack bot token")  # the token itself works
    found.line("ok   slack socket mode")
    assert found.labelled("FAIL") == [found.line("FAIL slack scopes")]


async def test_an_invalid_bot_token_fails_with_a_hint_and_is_never_printed(
    tmp_path: Path,
) -> None:
    wrong = "xoxb-not-installed-anywhere"
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN)
        found = await diagnose(tmp_path, **socket_mode(slack, token=wrong))
        asked = slack.calls("auth.test")

    assert found.code == 1
    assert found.line("FAIL slack bot token") == (
        "FAIL slack bot token: Slack refused it (invalid_auth)"
    )
    assert "COACH_SLACK_BOT_TOKEN" in found.hint("FAIL slack bot token")
    assert [call.token for call in asked] == [wrong]  # the fake did refuse that very token
    assert not any("slack scopes" in line for line in found.lines)
    assert wrong not in found.stdout + found.stderr


async def test_a_refused_app_token_fails_with_a_hint(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN)
        slack.fail_next("apps.connections.open", error="invalid_auth")
        found = await diagnose(tmp_path, **socket_mode(slack))

    assert found.code == 1
    assert found.line("FAIL slack socket mode").endswith("refused the app token (invalid_auth)")
    assert "COACH_SLACK_APP_TOKEN" in found.hint("FAIL slack socket mode")
    assert APP_TOKEN not in found.stdout + found.stderr


async def test_http_mode_reaches_the_coach_at_its_public_url(tmp_path: Path, coach: Coach) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN)
        server = SlackServer(build(coach, settings_for(slack)).app)
        port = await server.start("127.0.0.1", 0)
        try:
            found = await diagnose(tmp_path, **http_mode(slack, f"http://127.0.0.1:{port}/"))
        finally:
            await server.stop()

    url = f"http://127.0.0.1:{port}"
    assert found.code == 0, found.stdout + found.stderr
    found.line(f"ok   slack public URL: {url}/healthz answers")
    assert found.line("ok   slack request URL") == (
        f"ok   slack request URL: {url}/slack/events answers as this coach "
        "(refuses unsigned requests)"
    )
    # Right for this test, wrong for Slack: loopback is not public.
    assert "Slack cannot reach it" in found.line("warn slack public URL")
    assert SECRET not in found.stdout + found.stderr


async def test_an_unreachable_public_url_fails(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN)
        found = await diagnose(tmp_path, **http_mode(slack, url))

    assert found.code == 1
    assert found.line("FAIL slack public URL") == (
        f"FAIL slack public URL: {url}/healthz unreachable (cannot connect)"
    )
    assert "COACH_HTTP_PORT" in found.hint("FAIL slack public URL")
    assert not any("slack request URL" in line for line in found.lines)


async def test_a_public_url_that_is_not_the_coach_fails(tmp_path: Path) -> None:
    async with FakeSlack() as slack:  # a server, but not the coach: no /healthz there
        slack.add_workspace("T1", BOT_TOKEN)
        found = await diagnose(tmp_path, **http_mode(slack, slack.base_url))

    assert found.code == 1
    assert found.line("FAIL slack public URL").endswith("/healthz answered HTTP 404")


async def test_http_mode_without_a_public_url_is_not_checked(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN)
        env = http_mode(slack, "")
        del env["COACH_PUBLIC_URL"]
        found = await diagnose(tmp_path, **env)

    assert found.code == 0, found.stdout
    found.line("--   slack public URL: not set")
    assert "COACH_PUBLIC_URL" in found.hint("--   slack public URL")
    assert slack.calls("apps.connections.open") == []  # HTTP mode has no app token to try


def test_a_public_url_must_be_https_and_not_this_machine() -> None:
    plain = address_check("http://coach.example.org")
    assert plain is not None and plain.status is Status.fail
    assert "not https://" in plain.what
    local = address_check("https://localhost:3000")
    assert local is not None and local.status is Status.warn
    assert address_check("https://coach.example.org") is None


def test_the_request_url_must_refuse_unsigned_requests() -> None:
    url = "https://coach.example.org/slack/events"
    assert request_url_check(url, 401).status is Status.ok
    accepted = request_url_check(url, 200)
    assert accepted.status is Status.fail and "accepted an unsigned request" in accepted.what
    missing = request_url_check(url, 404)
    assert missing.status is Status.fail and "HTTP 404" in missing.what
    assert "POST /slack/events" in missing.hint
