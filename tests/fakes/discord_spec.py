"""Discord's published rules for the request bodies the bot sends, as the fake Discord applies them.

Two sources, both Discord's own:

- the OpenAPI description of the HTTP API (discord/discord-api-spec, MIT): the request-body
  schemas of the routes the bot calls, kept in ``discord_spec_openapi.json`` (the routes below
  and every schema they reference, nothing else);
- the limits the developer documentation states that the schema does not (message content 2000
  characters, 6000 characters of embeds, 5 action rows, …): ``discord_spec_limits``.

``problems(method, path, body)`` answers with the ``errors`` object Discord puts in a 400
``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``: the failing fields nested by
name (array items by index as strings), each ending in ``{"_errors": [{"code", "message"}]}``.

>>> problems("POST", "/channels/5/messages", {"content": "x" * 2001})["content"]["_errors"]
[{'code': 'BASE_TYPE_MAX_LENGTH', 'message': 'Must be 2000 or fewer in length.'}]

Refresh the kept subset from a newer openapi.json with
``python -m tests.fakes.discord_spec path/to/openapi.json``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import referencing
from jsonschema.exceptions import ValidationError

from tests.fakes.discord_spec_limits import Problem, limit_problems

KEPT = Path(__file__).with_name("discord_spec_openapi.json")
SPEC_URI = "urn:discord:openapi"

# The routes whose bodies the bot sends, as openapi.json names them.
ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
    ("POST", "/channels/{channel_id}/messages"),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"),
    ("POST", "/users/@me/channels"),
    ("PUT", "/applications/{application_id}/commands"),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
)

# jsonschema's keyword → the code Discord answers for it.
CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "required": "BASE_TYPE_REQUIRED",
    "type": "BASE_TYPE_BAD_TYPE",
    "enum": "BASE_TYPE_CHOICES",
    "maximum": "NUMBER_TYPE_MAX",
    "minimum": "NUMBER_TYPE_MIN",
}


def template_of(method: str, path: str) -> str | None:
    """The openapi.json path of a concrete request path, or ``None`` when its body is not
    checked: ``template_of("POST", "/channels/5/messages")`` → ``/channels/{channel_id}/messages``
    """
    for route_method, template in ROUTES:
        if route_method == method and _pattern(template).fullmatch(path):
            return template
    return None


def problems(method: str, path: str, body: Any) -> dict[str, Any]:
    """Discord's ``errors`` object for this request body; empty when Discord would take it."""
    template = template_of(method, path)
    if template is None:
        return {}
    # The same body is checked when the fake takes it and again after the test, and many
    # bodies (the command list synced at each start) come again in test after test: a body
    # is judged once, known by its exact JSON text (key order and number types included).
    text = _as_json(body)
    if text is None:
        return _judge(method, template, body)
    if (method, template, text) not in _JUDGED:
        _JUDGED[method, template, text] = _judge(method, template, body)
    return copy.deepcopy(_JUDGED[method, template, text])


_JUDGED: dict[tuple[str, str, str], dict[str, Any]] = {}


def _judge(method: str, template: str, body: Any) -> dict[str, Any]:
    return nest([*_schema_problems(method, template, body), *limit_problems(template, body)])


def _as_json(body: Any) -> str | None:
    """``body`` as JSON text, if that text reads back as the very same value (not for tuples,
    or keys that are not strings, which JSON would turn into lists and strings)."""
    try:
        text = json.dumps(body, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == body else None


def breaches(calls: Iterable[Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The recorded requests (``Call``s of the fake) whose body Discord would refuse."""
    found = []
    for call in calls:
        errors = problems(call.method, call.path, call.json)
        if errors:
            found.append((call.method, call.path, errors))
    return found


def unchecked(calls: Iterable[Any]) -> list[tuple[str, str]]:
    """Recorded requests that carried a body on a route this module does not check: each one
    is a route to add to ``ROUTES``."""
    return sorted(
        {
            (c.method, c.path)
            for c in calls
            if c.json is not None and not template_of(c.method, c.path)
        }
    )


def nest(found: Iterable[Problem]) -> dict[str, Any]:
    """Problems as Discord nests them: ``{"content": {"_errors": [...]}}``."""
    errors: dict[str, Any] = {}
    for where, code, message in found:
        node = errors
        for key in where:
            node = node.setdefault(str(key), {})
        listed = node.setdefault("_errors", [])
        if {"code": code, "message": message} not in listed:
            listed.append({"code": code, "message": message})
    return errors


def _schema_problems(method: str, template: str, body: Any) -> Iterator[Problem]:
    for error in _validator(method, template).iter_errors(body):
        yield from _leaves(error)


def _leaves(error: ValidationError) -> Iterator[Problem]:
    """The errors worth reporting: inside a union, those of the branch the body meant."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branch = _meant_branch(error.context)
        if branch:
            for inner in branch:
                yield from _leaves(inner)
            return
    code = CODES.get(str(error.validator), "BASE_TYPE_INVALID")
    yield tuple(error.absolute_path), code, _message(error)


def _meant_branch(context: list[ValidationError]) -> list[ValidationError]:
    """Of a union's branches, the one whose discriminator (``type``) the body matched and
    that has the fewest errors; empty when none fits (the union's own error is reported)."""
    branches: dict[Any, list[ValidationError]] = {}
    for inner in context:
        branches.setdefault(inner.schema_path[0], []).append(inner)
    fitting = [
        errors
        for errors in branches.values()
        if not any(list(e.relative_path) in (["type"], []) for e in errors)
    ]
    return min(fitting, key=len) if fitting else []


def _message(error: ValidationError) -> str:
    match error.validator:
        case "maxLength" | "maxItems":
            return f"Must be {error.validator_value} or fewer in length."
        case "minLength" | "minItems":
            return f"Must be {error.validator_value} or more in length."
        case "required":
            return "This field is required"
    return error.message[:200]


@functools.cache
def _validator(method: str, template: str) -> jsonschema.Draft202012Validator:
    spec = kept()
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        SPEC_URI, referencing.Resource.from_contents(spec, referencing.jsonschema.DRAFT202012)
    )
    pointer = "/".join(
        _escape(part)
        for part in (
            "paths",
            template,
            method.lower(),
            "requestBody",
            "content",
            "application/json",
            "schema",
        )
    )
    return jsonschema.Draft202012Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=registry)


@functools.cache
def kept() -> dict[str, Any]:
    """The kept subset of openapi.json, as Discord reads requests: a snowflake is "always
    returned as a string" (reference.mdx), and taken as a string or an integer (discord.py sends
    integers, e.g. ``recipient_id``)."""
    loaded: dict[str, Any] = json.loads(KEPT.read_text())
    schemas = loaded["components"]["schemas"]
    schemas["SnowflakeType"] = {
        "oneOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
    }
    return loaded


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def subset(spec: dict[str, Any]) -> dict[str, Any]:
    """The part of a full openapi.json the fake needs: the bot's routes and what they
    reference, with the document's ``info`` (its licence) kept."""
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    name = value.rsplit("/", 1)[-1]
                    if name not in seen:
                        seen.add(name)
                        walk(schemas[name])
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    paths: dict[str, dict[str, Any]] = {}
    for method, template in ROUTES:
        operation = spec["paths"][template][method.lower()]
        body = operation["requestBody"]["content"]["application/json"]
        paths.setdefault(template, {})[method.lower()] = {
            "requestBody": {"content": {"application/json": body}}
        }
        walk(body)
    return {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "x-source": "https://github.com/discord/discord-api-spec"},
        "paths": paths,
        "components": {"schemas": {name: schemas[name] for name in sorted(seen)}},
    }


if __name__ == "__main__":
    full = json.loads(Path(sys.argv[1]).read_text())
    KEPT.write_text(json.dumps(subset(full), indent=1, sort_keys=True) + "\n")
