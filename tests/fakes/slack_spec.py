"""Slack's own published rules, as the fake Slack and the suite check them.

Two sources: Slack's OpenAPI description of the Web API (``slack_spec_data/``, from
slackapi/slack-api-specs: which methods exist, their parameters and types, which are required,
their documented errors and scopes), and slack_sdk's Block Kit models (``validate_json()``
enforces most documented limits), completed with the documented limits slack_sdk leaves out.

Example:
    assert call_problems("chat.postMessage", {"channel": "C1", "text": "hi"}) == []
    assert blocks_problems([{"type": "section", "text": {"type": "mrkdwn", "text": " "}}])
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = [
    "MESSAGE_BLOCKS",
    "MESSAGE_TEXT",
    "VIEW_BLOCKS",
    "blocks_problems",
    "call_problems",
    "documented_errors",
    "needed_scopes",
    "required_params",
    "view_problems",
]

SPEC = Path(__file__).parent / "slack_spec_data" / "slack_web_openapi_v2.json"

# Documented limits (api.slack.com/reference/block-kit) that slack_sdk's models do not check.
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000  # chat.postMessage truncates at 40,000 and answers msg_too_long beyond
BUTTON_VALUE = 2000
BUTTON_TEXT = 75
OPTION_VALUE = 150
OPTION_TEXT = 75
ID_LENGTH = 255  # action_id, block_id, callback_id
INPUT_MAX = 3000
BLOCK_TYPES = frozenset(
    {"actions", "context", "divider", "file", "header", "image", "input", "rich_text", "section"}
    | {"video", "markdown"}
)

# The spec predates granular bot scopes: its token descriptions name user-token scopes. What a
# bot token needs today, per the method pages (and for methods newer than the spec).
_BOT_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "users.info": ("users:read",),
}
# conversations.history / .replies: the scope depends on the kind of conversation.
HISTORY_SCOPE = {"C": "channels:history", "G": "groups:history", "D": "im:history"}
# Methods slack_sdk calls that are newer than the spec (files_upload_v2's two steps,
# Socket Mode's connection): their documented required arguments.
_NEWER: dict[str, tuple[str, ...]] = {
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
    "apps.connections.open": (),
}


@functools.cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return loaded


def _operation(method: str) -> dict[str, Any] | None:
    path = _spec()["paths"].get(f"/{method}")
    if not isinstance(path, dict):
        return None
    operation: dict[str, Any] = next(iter(path.values()))
    return operation


def _params(method: str) -> list[dict[str, Any]]:
    operation = _operation(method) or {}
    return [p for p in operation.get("parameters", []) if p.get("name") != "token"]


def known(method: str) -> bool:
    """Whether Slack documents ``method`` (in the spec, or newer than it)."""
    return _operation(method) is not None or method in _NEWER


def required_params(method: str) -> tuple[str, ...]:
    """The arguments the spec marks required (the token aside).

    >>> required_params("chat.postMessage")
    ('channel',)
    """
    if method in _NEWER:
        return _NEWER[method]
    return tuple(p["name"] for p in _params(method) if p.get("required"))


def documented_errors(method: str) -> frozenset[str]:
    """The error names the spec lists for ``method`` (empty when it lists none)."""
    operation = _operation(method) or {}
    schema = operation.get("responses", {}).get("default", {}).get("schema", {})
    return frozenset(schema.get("properties", {}).get("error", {}).get("enum", ()))


def needed_scopes(method: str, channel: str | None = None) -> tuple[str, ...]:
    """The bot scopes of which ``method`` needs one (empty: no scope needed).

    >>> needed_scopes("conversations.history", "C1"), needed_scopes("views.open")
    (('channels:history',), ())
    """
    if method in ("conversations.history", "conversations.replies"):
        return (HISTORY_SCOPE.get((channel or "C")[:1], "channels:history"),)
    if method in _BOT_SCOPES:
        return _BOT_SCOPES[method]
    operation = _operation(method) or {}
    listed = [s for need in operation.get("security", []) for s in need.get("slackAuth", [])]
    return tuple(s for s in listed if s != "none")


# -- Web API arguments ------------------------------------------------------------------------

_FORM_TYPES = {
    # Form and query arguments travel as text: "true", "15" and "1712345678.000100" are typed.
    "boolean": {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false", "1", "0"]}]},
    "integer": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+$"}]},
    "number": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]},
    # JSON-encoded arguments (blocks, view) arrive decoded from a JSON body.
    "string": {"type": ["string", "array", "object"]},
}


@functools.cache
def _arguments_schema(method: str) -> dict[str, Any]:
    """A JSON schema of ``method``'s arguments, built from the spec's parameter list."""
    properties = {p["name"]: _FORM_TYPES.get(p.get("type", "string"), {}) for p in _params(method)}
    return {"type": "object", "properties": properties, "required": list(required_params(method))}


def call_problems(method: str, args: dict[str, Any]) -> list[str]:
    """What Slack's spec finds wrong with a call: an unknown method, a missing required
    argument, an argument of the wrong type (an empty list: nothing).

    >>> call_problems("chat.postMessage", {"text": "hi"})
    ["chat.postMessage: 'channel' is a required property"]
    """
    if not known(method):
        return [f"{method}: no such Web API method"]
    validator = jsonschema.Draft7Validator(_arguments_schema(method))
    problems = [f"{method}: {e.message}" for e in validator.iter_errors(args)]
    for name in ("blocks",):
        if name in args:
            problems += [f"{method}: {p}" for p in blocks_problems(args[name])]
    if isinstance(args.get("view"), dict):
        problems += [f"{method}: {p}" for p in view_problems(args["view"])]
    return problems


# -- Block Kit --------------------------------------------------------------------------------


def blocks_problems(blocks: Any, limit: int = MESSAGE_BLOCKS) -> list[str]:
    """What Slack would refuse in a message's ``blocks`` (``invalid_blocks``).

    >>> blocks_problems([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}])
    []
    """
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems = [f"no more than {limit} blocks are allowed"] if len(blocks) > limit else []
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("block_id must be unique in a message")
    for index, block in enumerate(blocks):
        problems += [f"[{index}] {p}" for p in _block_problems(block)]
    return problems


def view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a modal or App Home view (``invalid_arguments``)."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    problems: list[str] = []
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, AttributeError) as exc:
        problems.append(f"view: {exc}")
    for key in ("title", "submit", "close"):
        text = view.get(key)
        if isinstance(text, dict) and len(str(text.get("text", ""))) > 24:
            problems.append(f"view {key} is over 24 characters")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("private_metadata is over 3000 characters")
    if len(str(view.get("callback_id", ""))) > ID_LENGTH:
        problems.append("callback_id is over 255 characters")
    problems += blocks_problems(view.get("blocks", []), VIEW_BLOCKS)
    return problems


def _block_problems(block: Any) -> list[str]:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        kind = block.get("type") if isinstance(block, dict) else block
        return [f"unknown block type {kind!r}"]
    problems: list[str] = []
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return ["block could not be read"]
        parsed.validate_json()
    except (SlackObjectFormationError, TypeError, AttributeError, KeyError) as exc:
        problems.append(str(exc))
    if block["type"] == "section" and not block.get("text") and not block.get("fields"):
        problems.append("a section needs text or fields")
    for path, node in _walk(block):
        problems += [f"{path}: {p}" for p in _node_problems(node)]
    if block["type"] == "actions":
        ids = [e.get("action_id") for e in block.get("elements", []) if isinstance(e, dict)]
        if len([i for i in ids if i]) != len({i for i in ids if i}):
            problems.append("action_id must be unique in a block")
    return problems


def _node_problems(node: dict[str, Any]) -> list[str]:
    """The limits of one text object or element, wherever it sits in a block."""
    kind = node.get("type")
    problems = []
    if kind in ("plain_text", "mrkdwn"):
        text = node.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append("text must be more than 0 characters (and not only white space)")
    if kind == "button":
        if len(str(node.get("value", ""))) > BUTTON_VALUE:
            problems.append(f"button value is over {BUTTON_VALUE} characters")
        if len(str(_text(node))) > BUTTON_TEXT:
            problems.append(f"button text is over {BUTTON_TEXT} characters")
    if "value" in node and "text" in node and kind is None:  # an option object
        if len(str(node["value"])) > OPTION_VALUE:
            problems.append(f"option value is over {OPTION_VALUE} characters")
        if len(str(_text(node))) > OPTION_TEXT:
            problems.append(f"option text is over {OPTION_TEXT} characters")
    for key in ("action_id", "block_id"):
        if len(str(node.get(key, ""))) > ID_LENGTH:
            problems.append(f"{key} is over {ID_LENGTH} characters")
    if kind == "plain_text_input":
        most = node.get("max_length", INPUT_MAX)
        if not isinstance(most, int) or not 1 <= most <= INPUT_MAX:
            problems.append(f"max_length must be 1..{INPUT_MAX}")
        elif len(str(node.get("initial_value", ""))) > most:
            problems.append("initial_value is longer than max_length")
    return problems


def _text(node: dict[str, Any]) -> str:
    text = node.get("text")
    return str(text.get("text", "")) if isinstance(text, dict) else str(text or "")


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path or ".", node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")
