"""The Slack app manifest: minimal scopes, the commands, the message shortcut, the events we
listen to."""

from __future__ import annotations

from typing import Any

import yaml

from adapters.slack.http import EVENTS_PATH

BOT_SCOPES = (
    "commands",  # the slash commands
    "chat:write",  # replies, DMs, published check-ins
    "im:history",  # message.im: reflection answers in the bot's DM
    "im:write",  # conversations.open for the DM channel
    "users:read",  # users.info: the member's time zone; user_change
    "channels:join",  # join a public team channel to publish there
    "files:write",  # /coach export sends the member their files
)
BOT_EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked", "user_change")
COMMANDS = (
    ("/checkin", "A short weekly check-in, answered privately", "[goal number]"),
    ("/goal", "Set, list, show or update your goals", "set | list | show N | update [N] VALUE"),
    ("/reflect", "A private reflection on a failed or dropped project", "[topic] | stop"),
    ("/log", "Add a research notebook entry", "what you did, saw or thought"),
    ("/review", "A draft review of your last two weeks", ""),
    ("/wins", "Your best-works portfolio", "list | add | remove N | top N"),
    (
        "/predict",
        "Predict, then measure: what you expect of an experiment",
        "0.45 0.40-0.50 80% | yes 70% WHAT YOU EXPECT | list | resolve N yes|no",
    ),
    ("/ask", "Has anyone tried this? Searches what the team published", "what you want to try"),
    ("/coach", "Help, settings, export, forget me", "help | settings | export | forget me"),
)
# "Save to notebook" in every message's menu (needs no scope beyond ``commands``).
SAVE_SHORTCUT = "save_to_notebook"
SHORTCUTS = (
    {
        "name": "Save to notebook",
        "type": "message",
        "callback_id": SAVE_SHORTCUT,
        "description": "Keep this message, with a note, in your private research notebook",
    },
)
EXAMPLE_URL = "https://coach.example.com"


def manifest(url: str | None) -> dict[str, Any]:
    """The manifest for HTTP mode at ``url``, or for Socket Mode when ``url`` is None."""
    base = url.rstrip("/") if url else None
    events = f"{base}{EVENTS_PATH}" if base else None
    commands = []
    for command, description, hint in COMMANDS:
        entry: dict[str, Any] = {"command": command, "description": description}
        if hint:
            entry["usage_hint"] = hint
        if events:
            entry["url"] = events
        entry["should_escape"] = False
        commands.append(entry)
    subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if events:
        subscriptions["request_url"] = events
        interactivity["request_url"] = events
        oauth["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": "Research Coach",
            "description": "Goal-driven check-ins, private reflections and best works.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Research Coach", "always_online": True},
            "shortcuts": [dict(shortcut) for shortcut in SHORTCUTS],
            "slash_commands": commands,
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": base is None,
            "token_rotation_enabled": False,
        },
    }


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
