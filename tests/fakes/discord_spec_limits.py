"""The limits Discord's developer documentation states and its OpenAPI schema leaves out.

Each check cites the page it comes from (discord-api-docs):

- message.mdx: content up to 2000 characters (the schema of ``POST /channels/{id}/messages``
  allows 4000, which only Nitro users get); the title, description, field names and values,
  footer text and author name of all embeds together at most 6000 characters;
- components-reference.mdx: legacy messages (no ``IS_COMPONENTS_V2`` flag) hold up to 5 action
  rows; a row holds up to 5 buttons or a single select; a ``custom_id`` is unique per message;
- receiving-and-responding.mdx: a modal has between 1 and 5 components;
- application-commands.mdx: chat-input command and option names match
  ``^[-_'\\p{L}\\p{N}]{1,32}$`` in lowercase, their descriptions 1–100 characters, required
  options before optional ones, option names unique, at most 8000 characters of names,
  descriptions and choice values per command.

``limit_problems(template, body)`` lists ``(where, code, message)`` for a body sent to an
openapi.json route ``template``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Where = tuple[str | int, ...]
Problem = tuple[Where, str, str]

CONTENT = 2000
EMBED_TOTAL = 6000
LEGACY_ROWS = 5
MODAL_COMPONENTS = (1, 5)
COMMAND_TOTAL = 8000
COMPONENTS_V2 = 1 << 15
ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
SELECTS = {3, 5, 6, 7, 8}
MESSAGE_CALLBACKS = {4, 7}  # a new message, or the clicked message updated
MODAL_CALLBACK = 9
CHAT_INPUT = 1
SUBCOMMANDS = {1, 2}


def limit_problems(template: str, body: Any) -> list[Problem]:
    """What the documentation forbids in ``body`` sent to ``template`` (an openapi.json path)."""
    if not isinstance(body, dict | list):
        return []
    if template.endswith("/callback") and isinstance(body, dict):
        data = body.get("data")
        if not isinstance(data, dict):
            return []
        if body.get("type") in MESSAGE_CALLBACKS:
            return list(_message(data, ("data",)))
        if body.get("type") == MODAL_CALLBACK:
            return list(_modal(data, ("data",)))
        return []
    if template.startswith("/applications/") and isinstance(body, list):
        return [p for i, command in enumerate(body) for p in _command(command, (i,))]
    if (template.startswith("/webhooks/") or template.endswith("/messages")) and isinstance(
        body, dict
    ):
        return list(_message(body, ()))
    return []


def _message(message: dict[str, Any], at: Where) -> Iterator[Problem]:
    content = message.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        yield (*at, "content"), "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT} or fewer in length."
    embeds = message.get("embeds") or []
    if sum(_embed_length(e) for e in embeds if isinstance(e, dict)) > EMBED_TOTAL:
        yield (*at, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
    rows = message.get("components") or []
    if not int(message.get("flags") or 0) & COMPONENTS_V2 and isinstance(rows, list):
        if len(rows) > LEGACY_ROWS:
            yield (
                (*at, "components"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {LEGACY_ROWS} or fewer in length.",
            )
        for i, row in enumerate(rows):
            if isinstance(row, dict):
                yield from _row(row, (*at, "components", i))
    yield from _unique_ids(rows, (*at, "components"))


def _embed_length(embed: dict[str, Any]) -> int:
    fields = embed.get("fields") or []
    texts = [
        embed.get("title"),
        embed.get("description"),
        (embed.get("footer") or {}).get("text"),
        (embed.get("author") or {}).get("name"),
        *(f.get("name") for f in fields if isinstance(f, dict)),
        *(f.get("value") for f in fields if isinstance(f, dict)),
    ]
    return sum(len(t) for t in texts if isinstance(t, str))


def _row(row: dict[str, Any], at: Where) -> Iterator[Problem]:
    if row.get("type") != ACTION_ROW:
        yield (*at, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Legacy messages take action rows"
        return
    items = [c for c in row.get("components") or [] if isinstance(c, dict)]
    selects = [c for c in items if c.get("type") in SELECTS]
    if selects and len(items) > 1:
        yield (
            (*at, "components"),
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
            "A select menu fills its action row on its own",
        )


def _unique_ids(components: Any, at: Where) -> Iterator[Problem]:
    seen: set[str] = set()
    for where, custom_id in _custom_ids(components, at):
        if custom_id in seen:
            yield (
                where,
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def _custom_ids(node: Any, at: Where) -> Iterator[tuple[Where, str]]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _custom_ids(item, (*at, i))
    elif isinstance(node, dict):
        if isinstance(node.get("custom_id"), str):
            yield (*at, "custom_id"), node["custom_id"]
        for key in ("components", "component", "accessory"):
            if key in node:
                yield from _custom_ids(node[key], (*at, key))


def _modal(data: dict[str, Any], at: Where) -> Iterator[Problem]:
    components = data.get("components") or []
    low, high = MODAL_COMPONENTS
    if not low <= len(components) <= high:
        yield (
            (*at, "components"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between {low} and {high} in length.",
        )
    yield from _unique_ids(components, (*at, "components"))
    for i, component in enumerate(components):
        inner = component.get("component") if isinstance(component, dict) else None
        if isinstance(inner, dict) and inner.get("type") == TEXT_INPUT:
            yield from _text_input(inner, (*at, "components", i, "component"))


def _text_input(field: dict[str, Any], at: Where) -> Iterator[Problem]:
    low, high, value = field.get("min_length"), field.get("max_length"), field.get("value")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield (*at, "min_length"), "BASE_TYPE_BAD_LENGTH", "Must not exceed max_length."
    if isinstance(value, str) and isinstance(high, int) and len(value) > high:
        yield (*at, "value"), "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length."


def _command(command: Any, at: Where) -> Iterator[Problem]:
    if not isinstance(command, dict) or command.get("type", CHAT_INPUT) != CHAT_INPUT:
        return
    yield from _named(command, at)
    yield from _options(command.get("options") or [], (*at, "options"))
    if _command_size(command) > COMMAND_TOTAL:
        yield at, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)"


def _named(thing: dict[str, Any], at: Where) -> Iterator[Problem]:
    name = thing.get("name")
    if not isinstance(name, str) or not _chat_input_name(name):
        yield (*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
    description = thing.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        yield (*at, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."


def _chat_input_name(name: str) -> bool:
    allowed = all(c.isalnum() or c in "-_'" for c in name)
    return 1 <= len(name) <= 32 and allowed and name == name.lower()


def _options(options: list[Any], at: Where) -> Iterator[Problem]:
    names: set[str] = set()
    optional_seen = False
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        where = (*at, i)
        yield from _named(option, where)
        if option.get("name") in names:
            yield (*where, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Duplicate"
        names.add(str(option.get("name")))
        if option.get("type") in SUBCOMMANDS:
            yield from _options(option.get("options") or [], (*where, "options"))
            continue
        if option.get("required") and optional_seen:
            yield (
                (*where, "required"),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        optional_seen = optional_seen or not option.get("required")


def _command_size(node: Any) -> int:
    if isinstance(node, list):
        return sum(_command_size(item) for item in node)
    if not isinstance(node, dict):
        return 0
    own = sum(len(str(node.get(key) or "")) for key in ("name", "description"))
    if "value" in node:
        own += len(str(node["value"]))
    return own + _command_size(node.get("options") or []) + _command_size(node.get("choices") or [])
