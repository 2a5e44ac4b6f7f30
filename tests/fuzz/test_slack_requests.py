"""Hostile requests through the signed Slack endpoint (``POST /slack/events``), correctly signed:
slash commands with any text, unknown commands, fields missing or of the wrong shape, button
presses and form submits with broken JSON or forged values, odd events, url_verification.

Workspace T1 holds a member whose every word carries ``MARKER``; every request comes from
workspace T2 (whose members may even share T1's user ids). No request may get a 5xx, the
server must answer a normal command afterwards, and nothing T1 wrote may appear in any answer
or in anything the fake Slack received.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from adapters.slack.render import ACTION_PREFIX, FORM_CALLBACK
from bot.coach import Coach
from bot.events import Action, TenantRef
from tests.adapters.slack.conftest import (
    TOKENS,
    SlackHarness,
    install_every_workspace,
    settings_for,
    start,
)
from tests.fakes.slack import FakeSlack, event_body, interaction_body, slash_command_body
from tests.fuzz.conftest import crashes, leaked, seed_first_tenant, settle

FIRST, SECOND = "T1", "T2"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
FORMS = ["goal", "checkin", "settings", "work", "review", "learning", "team_rhythm", "team_digest"]


@pytest.fixture
async def workspaces(coach: Coach) -> AsyncIterator[SlackHarness]:
    """HTTP mode with OAuth: both workspaces installed; T1's member seeded, T2 fuzzing."""
    async with FakeSlack() as fake:
        for team, token in TOKENS.items():
            fake.add_workspace(team, token)
        settings = settings_for(
            fake, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
        )
        async for harness in start(coach, fake, settings):
            await install_every_workspace(harness, "commands,chat:write,im:write,users:read")
            await seed_first_tenant(coach, TenantRef("slack", FIRST), "U1")
            yield harness


# --- strategies ---------------------------------------------------------------------------

HOSTILE = [
    "<!channel>",
    "<!everyone> <@U1> <#C1>",
    "&amp; &lt; <>",
    "\x00\x1b[2J\r\n",
    "\u202e\u200b\ufeff",
    "' OR 1=1 --",
    "1; DROP TABLE checkins",
    "{{7*7}} ${7*7} %s%n",
    "../../etc/passwd",
    "set capability:x metric_name:y",
    "update 1 NaN",
    "update 1 1e309",
    "show -1",
    "show 99999999999999999999",
    "add",
    "forget",
    "team channel #C1",
    "stop",
]
texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from(HOSTILE),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1000, 4000)),
)
# Values that name the first workspace's rows: its ids, its team, its user.
forged = st.one_of(
    st.integers(-3, 12).map(str),
    st.sampled_from(["", "-", "1", "checkin:1", "goal:1", "1:T1", "T1", "U1", "%31", "1e3", "nan"]),
    st.text(max_size=30),
)
# Command text that names the first workspace's rows: "/goal show 1", "/wins top 2", …
VERBS = ["show", "update", "achieved", "abandon", "remove", "top", "list", "set", "add", "stop"]
command_texts = st.one_of(
    texts,
    st.builds(
        lambda v, ref, rest: f"{v} {ref} {rest}".strip(), st.sampled_from(VERBS), forged, forged
    ),
    forged,
)
users = st.sampled_from(["U1", "U2", "UBOT", "W1"])
actions = st.one_of(
    st.sampled_from([a.value for a in Action]).map(lambda a: f"{ACTION_PREFIX}{a}:0"),
    st.text(max_size=40).map(lambda t: ACTION_PREFIX + t),
    st.text(max_size=40),
)
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _maybe_drop(fields: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in drop}


@st.composite
def slash_commands(draw: st.DrawFn) -> tuple[str, str]:
    command = draw(
        st.one_of(
            st.sampled_from(
                ["/checkin", "/goal", "/reflect", "/log", "/review", "/wins", "/coach"]
            ),
            st.sampled_from(["/evil", "/", "", "checkin", "/LOG"]),
            st.text(max_size=20),
        )
    )
    body = slash_command_body(
        command,
        draw(command_texts),
        team_id=SECOND,
        user_id=draw(users),
        channel_id=draw(st.sampled_from(["C2", "D2", "C-FIRST", "", "G1"])),
        response_url="http://127.0.0.1:9/unused",  # replaced below by the fake's own
    )
    fields = dict(pair.split("=", 1) for pair in body.split("&"))
    drop = draw(st.sets(st.sampled_from(sorted(fields))))
    drop.discard("team_id")  # the request comes from T2; without a team Bolt finds no install
    extra = draw(
        st.dictionaries(st.sampled_from(["enterprise_id", "is_enterprise_install"]), forged)
    )
    return "&".join(f"{k}={v}" for k, v in _maybe_drop(fields, drop).items()) + (
        "&" + urlencode(extra) if extra else ""
    ), FORM


def _team_and_user(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "team": {"id": SECOND, "domain": "two"},
        "user": {"id": draw(users), "team_id": draw(st.sampled_from([SECOND, FIRST]))},
        "api_app_id": "A1",
    }


@st.composite
def button_presses(draw: st.DrawFn) -> dict[str, Any]:
    action = {
        "action_id": draw(actions),
        "block_id": "rc-buttons",
        "type": draw(st.sampled_from(["button", "static_select", "overflow"])),
        "value": draw(forged),
        "action_ts": "1.0",
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        **_team_and_user(draw),
        "trigger_id": "T.9",
        "channel": draw(st.sampled_from(["C2", "D2", "C-FIRST"]).map(lambda c: {"id": c}) | junk),
        "container": draw(st.just({"type": "message", "is_ephemeral": True}) | junk),
        "actions": draw(st.one_of(st.just([action]), st.lists(junk, max_size=2), junk)),
    }
    if draw(st.booleans()):
        payload["response_url"] = "RESPONSE_URL"
    drop = draw(st.sets(st.sampled_from(["channel", "container", "trigger_id", "user"])))
    return _maybe_drop(payload, drop)


@st.composite
def form_submits(draw: st.DrawFn) -> dict[str, Any]:
    form = draw(st.sampled_from(FORMS) | st.text(max_size=12))
    metadata = draw(
        st.one_of(
            st.builds(
                lambda ctx, ch: json.dumps({"form": form, "context": ctx, "channel": ch}),
                forged,
                st.sampled_from(["C2", "C-FIRST", None]),
            ),
            st.text(max_size=40),  # not JSON
            junk.map(json.dumps),  # JSON of the wrong shape
        )
    )
    fields = ["did", "failed", "capability", "metric_name", "line", "text", "title", "goal"]
    values = draw(
        st.one_of(
            st.dictionaries(
                st.sampled_from(fields),
                st.builds(lambda v: {"value": {"type": "plain_text_input", "value": v}}, texts),
                max_size=5,
            ),
            st.dictionaries(st.text(max_size=8), junk, max_size=3),
            junk,
        )
    )
    view = {
        "id": "V9",
        "type": "modal",
        "callback_id": draw(st.sampled_from([FORM_CALLBACK, "other"])),
        "private_metadata": metadata,
        "blocks": draw(st.one_of(st.just([]), st.lists(junk, max_size=2))),
        "state": draw(st.one_of(st.just({"values": values}), junk)),
    }
    return {"type": "view_submission", **_team_and_user(draw), "trigger_id": "T.9", "view": view}


@st.composite
def interactions(draw: st.DrawFn) -> tuple[str, str]:
    payload = draw(
        st.one_of(
            button_presses(),
            form_submits(),
            st.builds(
                lambda kind, extra: {"type": kind, "team": {"id": SECOND}, **extra},
                st.sampled_from(["view_closed", "shortcut", "message_action", "block_suggestion"])
                | st.text(max_size=10),
                st.dictionaries(st.sampled_from(["user", "view", "callback_id", "actions"]), junk),
            ),
        )
    )
    raw = json.dumps(payload)
    shape = draw(st.sampled_from(["json", "json", "json", "cut", "text"]))
    if shape == "cut":
        raw = raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    elif shape == "text":
        raw = draw(st.text(max_size=50))
    return urlencode({"payload": raw}), FORM


@st.composite
def events(draw: st.DrawFn) -> tuple[str, str]:
    event = draw(
        st.one_of(
            st.builds(
                lambda text, user, kind, sub: {
                    "type": "message",
                    "channel_type": kind,
                    "channel": "D2",
                    "user": user,
                    "text": text,
                    **({"subtype": sub} if sub else {}),
                    "ts": "1.0",
                },
                texts,
                users,
                st.sampled_from(["im", "channel", "mpim", ""]),
                st.sampled_from(["", "message_changed", "bot_message"]),
            ),
            st.builds(
                lambda kind, extra: {"type": kind, **extra},
                st.sampled_from(["app_home_opened", "user_change", "tokens_revoked", "app_mention"])
                | st.text(max_size=10),
                st.dictionaries(
                    st.sampled_from(["user", "tab", "tokens", "team", "channel"]),
                    junk | users | st.just({"id": "U1", "team_id": FIRST}),
                ),
            ),
            junk,
        )
    )
    body = json.loads(event_body({}, team_id=SECOND, event_id=f"Ev{draw(st.integers(0, 10**9))}"))
    body["event"] = event
    if draw(st.booleans()):
        body["authorizations"][0]["team_id"] = draw(st.sampled_from([FIRST, "", None]))
    if draw(st.booleans()):
        body["type"] = draw(st.sampled_from(["url_verification", "app_rate_limited", "other"]))
        body["challenge"] = draw(st.text(max_size=20))
    return json.dumps(body), JSON


requests = st.one_of(
    slash_commands(),
    interactions(),
    events(),
    st.builds(lambda c: (json.dumps({"type": "url_verification", "challenge": c}), JSON), texts),
    st.tuples(st.text(max_size=100), st.sampled_from([FORM, JSON, "text/plain"])),
)


REFERRING = [  # commands that take the number of a goal or a work
    ("/goal", "show"),
    ("/goal", "update"),
    ("/goal", "achieved"),
    ("/goal", "abandon"),
    ("/wins", "remove"),
    ("/wins", "top"),
    ("/checkin", ""),
]
refs = st.sampled_from(["1", "2", "0"])  # the first workspace's rows are all number 1


@st.composite
def forged_references(draw: st.DrawFn) -> tuple[str, str]:
    """Well-formed requests from T2 whose numbers name T1's rows: commands, buttons, forms."""
    user = draw(users)
    kind = draw(st.sampled_from(["command", "button", "form"]))
    if kind == "command":
        command, verb = draw(st.sampled_from(REFERRING))
        words = [verb, draw(refs), *draw(st.lists(refs | st.just("0.5"), max_size=1))]
        body = slash_command_body(
            command,
            " ".join(words).strip(),
            team_id=SECOND,
            user_id=user,
            channel_id="C2",
            response_url="http://127.0.0.1:9/unused",
        )
        return body, FORM
    team = {"team": {"id": SECOND}, "user": {"id": user, "team_id": SECOND}, "api_app_id": "A1"}
    if kind == "button":
        action = draw(st.sampled_from([a.value for a in Action]))
        value = draw(refs | refs.map(lambda r: f"checkin:{r}") | refs.map(lambda r: f"goal:{r}"))
        payload: dict[str, Any] = {
            "type": "block_actions",
            **team,
            "trigger_id": "T.9",
            "channel": {"id": "C2"},
            "container": {"type": "message", "channel_id": "C2", "is_ephemeral": True},
            "response_url": "RESPONSE_URL",
            "actions": [{"action_id": f"{ACTION_PREFIX}{action}:0", "value": value}],
        }
        return interaction_body(payload), FORM
    metadata = {"form": draw(st.sampled_from(FORMS)), "context": draw(refs), "channel": "C2"}
    fields = ["goal", "did", "failed", "line", "text", "title", "capability", "metric_name"]
    values = {
        name: {"value": {"type": "plain_text_input", "value": draw(refs | st.just("words"))}}
        for name in draw(st.sets(st.sampled_from(fields)))
    }
    view = {
        "id": "V9",
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "blocks": [],
        "state": {"values": values},
    }
    return interaction_body({"type": "view_submission", **team, "view": view}), FORM


# --- the properties -------------------------------------------------------------------------


@given(request=requests)
async def test_hostile_requests_get_no_5xx_and_see_nothing_of_another_workspace(
    workspaces: SlackHarness, caplog: pytest.LogCaptureFixture, request: tuple[str, str]
) -> None:
    await send_and_check(workspaces, caplog, *request)


@given(request=forged_references())
async def test_requests_naming_another_workspaces_rows_see_nothing_of_it(
    workspaces: SlackHarness, caplog: pytest.LogCaptureFixture, request: tuple[str, str]
) -> None:
    await send_and_check(workspaces, caplog, *request)


async def send_and_check(
    workspaces: SlackHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    """Send one request from T2: no 5xx, nothing of T1 anywhere, no failure of our code, and
    a normal command answered afterwards."""
    # Each request gets its own response_url, so what the coach said to it can be told apart.
    body = body.replace("http%3A%2F%2F127.0.0.1%3A9%2Funused", _quoted(workspaces, "fuzz"))
    body = body.replace("RESPONSE_URL", workspaces.fake.response_url("fuzz"))
    before = asyncio.all_tasks()
    start, logged = len(workspaces.fake.calls()), len(caplog.records)
    answer = await workspaces.post(body, content_type)
    await settle(before)

    assert answer.status_code < 500, (answer.status_code, answer.text[:300])
    event(f"HTTP {answer.status_code}, {len(workspaces.fake.calls()) - start} calls to Slack")
    received = [json.dumps(c.args, ensure_ascii=False) for c in workspaces.fake.calls()[start:]]
    assert leaked([answer.text, *received]) == []
    assert crashes(caplog.records[logged:]) == []
    # ... and the server still answers a member of T2 who means no harm.
    start = len(workspaces.fake.calls())
    normal = await workspaces.command("/goal", "list", team=SECOND, user="U2", key="normal")
    assert normal.status_code == 200
    await workspaces.fake.wait_until(
        lambda: any(c.args.get("_key") == "normal" for c in workspaces.fake.calls()[start:]),
        what="the answer to /goal list",
    )


def _quoted(harness: SlackHarness, key: str) -> str:
    return urlencode({"u": harness.fake.response_url(key)})[2:]
