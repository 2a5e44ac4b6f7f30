"""What Slack sends an app in HTTP mode, built as Slack builds it: signed slash commands,
interactions and events, for tests to post to the app under test.

Example:
    body = slash_command_body("/log", "ran the ablation", trigger_id=slack.trigger_id())
    await http.post(url, content=body, headers={**sign(SECRET, body), "Content-Type": FORM})
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_records import APP_ID


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers for `body`, as `SignatureVerifier(secret)` computes them.

    Example: `AsyncBoltRequest(body=body, headers=sign("secret", body))`
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    if signature is None:
        raise ValueError("slack_sdk produced no signature")
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def slash_command_body(
    command: str,
    text: str,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str = "T.1",
) -> str:
    """A slash command's form-encoded body, field for field as Slack posts it.

    Example: `slash_command_body("/checkin", "", team_id="T1", user_id="U1", channel_id="C1",
    response_url=slack.response_url("r1"))`
    """
    return urlencode(
        {
            "token": "fake-verification-token",
            "team_id": team_id,
            "team_domain": team_id.lower(),
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else channel_id.lower(),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    """An interaction's body: `payload=<json>`, form-encoded.

    Example: `interaction_body({"type": "block_actions", "team": {"id": "T1"}, ...})`
    """
    return urlencode({"payload": json.dumps(payload)})


def event_body(
    event: dict[str, Any],
    *,
    team_id: str,
    event_id: str,
    bot_user_id: str = "UBOT",
    event_time: int | None = None,
) -> str:
    """An Events API `event_callback` envelope around `event`, as JSON.

    Example: `event_body({"type": "app_uninstalled"}, team_id="T1", event_id="Ev1")`
    """
    return json.dumps(
        {
            "token": "fake-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event_id}",
        }
    )
