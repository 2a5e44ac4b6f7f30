"""The fake Discord refuses what Discord refuses: bodies outside the published schema and limits
(400 50035), interaction callbacks late or twice, follow-ups on a token not (or no longer) valid,
and requests over a rate limit, with Discord's headers. discord.py, unmodified, honours them."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.events import TenantRef, content
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.transcript import Bot
from tests.fakes import discord_spec
from tests.fakes.discord import APPLICATION_ID, FakeDiscord, Person
from tests.fakes.discord_spec_rate_limits import Route

ADA = Person(4242, "Ada")
CHANNEL = 7001
APP = APPLICATION_ID


class Clock:
    """Monotonic seconds a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bare() -> AsyncIterator[FakeDiscord]:
    """A fake Discord with no bot: the tests speak HTTP to it themselves."""
    server = await FakeDiscord().start()
    server.add_guild(LAB, "Lab", CHANNEL, *range(CHANNEL + 1, CHANNEL + 60))
    try:
        yield server
    finally:
        await server.close()


async def call(
    fake: FakeDiscord, method: str, path: str, body: Any = None
) -> tuple[int, Any, dict[str, str]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_url + path, json=body) as response,
    ):
        answer = await response.json() if response.status != 204 else None
        return response.status, answer, dict(response.headers)


def refusal_codes(answer: dict[str, Any]) -> list[str]:
    """Every ``_errors`` code in a 50035 answer, with the field path it sits under."""
    found: list[str] = []

    def walk(node: dict[str, Any], at: str) -> None:
        for key, value in node.items():
            if key == "_errors":
                found.extend(f"{at}:{e['code']}" for e in value)
            else:
                walk(value, f"{at}.{key}" if at else key)

    walk(answer["errors"], "")
    return sorted(found)


def modal(**data: Any) -> dict[str, Any]:
    field = {"type": 4, "custom_id": "did", "style": 2}
    body = {"custom_id": "m", "title": "Check-in", "components": [_label(field)]}
    return {"type": 9, "data": {**body, **data}}


def _label(component: dict[str, Any]) -> dict[str, Any]:
    return {"type": 18, "label": "What did you do?", "component": component}


def button(custom_id: str, label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


# --- 1. bodies: the published schema and the documented limits ----------------------------


INVALID_BODIES = {
    "content over 2000": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"content": "x" * 2001},
        ["content:BASE_TYPE_MAX_LENGTH"],
    ),
    "eleven embeds": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"embeds": [{"title": "t"}] * 11},
        ["embeds:BASE_TYPE_MAX_LENGTH"],
    ),
    "embeds over 6000 together": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"embeds": [{"description": "x" * 4000}, {"description": "y" * 2001}]},
        ["embeds:MAX_EMBED_SIZE_EXCEEDED"],
    ),
    "six action rows": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"components": [{"type": 1, "components": [button(f"b{i}")]} for i in range(6)]},
        ["components:BASE_TYPE_MAX_LENGTH"],
    ),
    "six buttons in a row": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"components": [{"type": 1, "components": [button(f"b{i}") for i in range(6)]}]},
        ["components.0.components:BASE_TYPE_MAX_LENGTH"],
    ),
    "custom_id over 100, label over 80": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"components": [{"type": 1, "components": [button("c" * 101, "l" * 81)]}]},
        [
            "components.0.components.0.custom_id:BASE_TYPE_MAX_LENGTH",
            "components.0.components.0.label:BASE_TYPE_MAX_LENGTH",
        ],
    ),
    "a custom_id twice": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {"components": [{"type": 1, "components": [button("same"), button("same")]}]},
        ["components.0.components.1.custom_id:COMPONENT_CUSTOM_ID_DUPLICATED"],
    ),
    "twenty-six select options": (
        "POST",
        f"/channels/{CHANNEL}/messages",
        {
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 3,
                            "custom_id": "pick",
                            "options": [{"label": str(i), "value": str(i)} for i in range(26)],
                        }
                    ],
                }
            ]
        },
        ["components.0.components.0.options:BASE_TYPE_MAX_LENGTH"],
    ),
    "modal title over 45": (
        "POST",
        "/interactions/{id}/{token}/callback",
        modal(title="t" * 46),
        ["data.title:BASE_TYPE_MAX_LENGTH"],
    ),
    "modal with six fields": (
        "POST",
        "/interactions/{id}/{token}/callback",
        modal(components=[_label({"type": 4, "custom_id": f"f{i}", "style": 1}) for i in range(6)]),
        ["data.components:BASE_TYPE_BAD_LENGTH"],
    ),
    "text input value over 4000": (
        "POST",
        "/interactions/{id}/{token}/callback",
        modal(components=[_label({"type": 4, "custom_id": "f", "style": 2, "value": "v" * 4001})]),
        ["data.components.0.component.value:BASE_TYPE_MAX_LENGTH"],
    ),
    "callback message over 2000": (
        "POST",
        "/interactions/{id}/{token}/callback",
        {"type": 4, "data": {"content": "x" * 2001}},
        ["data.content:BASE_TYPE_MAX_LENGTH"],
    ),
    "command named in capitals, no description": (
        "PUT",
        f"/applications/{APP}/commands",
        [{"name": "Coach", "type": 1}],
        ["0.description:BASE_TYPE_BAD_LENGTH", "0.name:APPLICATION_COMMAND_INVALID_NAME"],
    ),
    "a required option after an optional one": (
        "PUT",
        f"/applications/{APP}/guilds/{LAB}/commands",
        [
            {
                "name": "goal",
                "description": "Goals",
                "options": [
                    {"type": 3, "name": "note", "description": "A note"},
                    {"type": 3, "name": "metric", "description": "Metric", "required": True},
                ],
            }
        ],
        ["0.options.1.required:APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"],
    ),
}


@pytest.mark.parametrize("case", INVALID_BODIES, ids=list(INVALID_BODIES))
async def test_a_body_discord_would_refuse_gets_400_invalid_form_body(
    bare: FakeDiscord, case: str
) -> None:
    method, path, body, expected = INVALID_BODIES[case]
    if "{token}" in path:
        payload = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
        path = path.format(id=payload["id"], token=payload["token"])

    status, answer, _ = await call(bare, method, path, body)

    assert (status, answer["code"], answer["message"]) == (400, 50035, "Invalid Form Body")
    assert refusal_codes(answer) == sorted(expected)
    assert bare.messages == {}  # nothing was posted


async def test_follow_ups_and_edits_are_checked_like_messages(bare: FakeDiscord) -> None:
    payload = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
    interaction, token = payload["id"], payload["token"]
    assert (await call(bare, "POST", f"/interactions/{interaction}/{token}/callback", {"type": 5}))[
        0
    ] == 200

    follow_up = await call(bare, "POST", f"/webhooks/{APP}/{token}", {"content": "x" * 2001})
    edit = await call(
        bare, "PATCH", f"/webhooks/{APP}/{token}/messages/@original", {"content": "x" * 2001}
    )

    assert [follow_up[0], edit[0]] == [400, 400]
    assert refusal_codes(follow_up[1]) == ["content:BASE_TYPE_MAX_LENGTH"]


async def test_a_valid_body_passes_and_every_checked_route_is_in_the_kept_spec(
    bare: FakeDiscord,
) -> None:
    status, _, _ = await call(bare, "POST", f"/channels/{CHANNEL}/messages", {"content": "Hi"})
    assert status == 200
    kept = discord_spec.kept()["paths"]
    assert all(
        path in kept and method.lower() in kept[path] for method, path in discord_spec.ROUTES
    )


PUBLISHED = Path(
    os.environ.get("COACH_TEST_DISCORD_OPENAPI", "/work/shared/specs/discord/openapi.json")
)


def test_the_kept_schemas_are_discords_published_ones() -> None:
    if not PUBLISHED.exists():
        pytest.skip(
            f"{PUBLISHED} is not here: set COACH_TEST_DISCORD_OPENAPI to Discord's openapi.json"
        )
    published = json.loads(PUBLISHED.read_text())
    assert discord_spec.subset(published) == json.loads(discord_spec.KEPT.read_text())


# --- 2. interactions: once, within 3 s; follow-ups after it, for 15 minutes ----------------


async def test_an_interaction_takes_one_callback_and_only_within_three_seconds(
    bare: FakeDiscord,
) -> None:
    clock = Clock()
    bare.life.clock = clock
    first = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
    late = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
    path = "/interactions/{id}/{token}/callback"

    once = await call(bare, "POST", path.format(**first), {"type": 5})
    twice = await call(bare, "POST", path.format(**first), {"type": 5})
    clock.now += 3.01
    too_late = await call(bare, "POST", path.format(**late), {"type": 5})

    assert once[0] == 200
    assert (twice[0], twice[1]["code"]) == (400, 40060)
    assert (too_late[0], too_late[1]["code"]) == (404, 10062)


async def test_follow_ups_need_the_callback_and_end_after_fifteen_minutes(
    bare: FakeDiscord,
) -> None:
    clock = Clock()
    bare.life.clock = clock
    payload = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
    token = payload["token"]
    hook = f"/webhooks/{APP}/{token}"

    before = await call(bare, "POST", hook, {"content": "too early"})
    await call(bare, "POST", "/interactions/{id}/{token}/callback".format(**payload), {"type": 5})
    clock.now += 14 * 60
    within = await call(bare, "POST", hook, {"content": "in time"})
    clock.now += 61
    expired = await call(bare, "POST", hook, {"content": "too late"})
    edit = await call(bare, "PATCH", f"{hook}/messages/@original", {"content": "too late"})
    never = await call(bare, "POST", f"/webhooks/{APP}/no-such-token", {"content": "?"})

    assert (before[0], before[1]["code"]) == (404, 10015)
    assert within[0] == 200
    assert (expired[0], expired[1]["code"]) == (401, 50027)
    assert (edit[0], edit[1]["code"]) == (401, 50027)
    assert (never[0], never[1]["code"]) == (404, 10015)


# --- 3. rate limits: Discord's headers, per-route buckets, the global limit -----------------


async def test_answers_carry_rate_limit_headers_and_a_bucket_runs_out_with_a_429(
    bare: FakeDiscord,
) -> None:
    clock = Clock()
    bare.limits.clock = clock
    path = f"/channels/{CHANNEL}/messages"

    answers = [await call(bare, "POST", path, {"content": f"{i}"}) for i in range(6)]
    other_channel = await call(bare, "POST", f"/channels/{CHANNEL + 1}/messages", {"content": "."})
    clock.now += 5
    after_reset = await call(bare, "POST", path, {"content": "again"})

    first_headers = answers[0][2]
    assert first_headers["X-RateLimit-Limit"] == "5"
    assert first_headers["X-RateLimit-Bucket"] == "channel-messages"
    assert float(first_headers["X-RateLimit-Reset-After"]) == 5.0
    assert float(first_headers["X-RateLimit-Reset"]) > 1_700_000_000  # epoch seconds
    assert [a[2]["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    status, body, headers = answers[5]
    assert (status, body["global"], headers["X-RateLimit-Scope"]) == (429, False, "user")
    assert float(body["retry_after"]) == 5.0 and headers["Retry-After"] == "5"
    assert other_channel[0] == 200  # a bucket counts per channel
    assert after_reset[0] == 200
    assert bare.limits.invalid_in_window() == 1  # the 429 counts against the bot


async def test_over_fifty_requests_a_second_across_the_bot_get_a_global_429(
    bare: FakeDiscord,
) -> None:
    clock = Clock()
    bare.limits.clock = clock
    statuses = []
    for i in range(51):  # 51 channels: no route bucket runs out, only the global limit
        path = f"/channels/{CHANNEL + i}/messages"
        statuses.append(await call(bare, "POST", path, {"content": "."}))
    status, body, headers = statuses[-1]

    assert [s[0] for s in statuses[:50]] == [200] * 50
    assert (status, body["global"]) == (429, True)
    assert headers["X-RateLimit-Global"] == "true"
    assert headers["X-RateLimit-Scope"] == "global"
    assert "Retry-After" in headers
    payload = bare.interaction(2, ADA, LAB, CHANNEL, {"id": "1", "name": "coach", "type": 1})
    callback = "/interactions/{id}/{token}/callback".format(**payload)
    assert (await call(bare, "POST", callback, {"type": 5}))[0] == 200  # not bound by it


LAB_TENANT = TenantRef("discord", str(LAB))


async def test_discord_py_waits_out_an_exhausted_bucket_before_it_gets_a_429(
    bot: Bot, fake: FakeDiscord
) -> None:
    messages = re.compile(r"/channels/(\d+)/messages")
    fake.limits.routes.insert(0, Route("POST", messages, "tight", 2, 0.2))

    for i in range(5):
        await bot.current.messenger.post(LAB_TENANT, str(LAB_CHANNEL), content(f"Post {i}"))

    tries = fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages")
    assert [c.status for c in tries] == [200] * 5  # it read Remaining: 0 and waited


async def test_discord_py_honours_a_global_429_and_delivers_everything(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.limits.global_limit, fake.limits.global_per = 3, 0.2
    channels = fake.guilds[LAB].channels
    messenger = bot.current.messenger  # the test bot does not pace: Discord's limit decides

    await asyncio.gather(
        *(messenger.post(LAB_TENANT, str(c), content("Digest")) for c in channels * 3)
    )

    assert fake.limits.global_refusals >= 1
    assert sum(len(fake.posted_in(c)) for c in channels) == 3 * len(channels)
