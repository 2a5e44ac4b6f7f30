"""Logging set-up: our level for our loggers, chatty libraries kept quiet, secrets redacted,
as text lines or JSON lines (``COACH_LOG_FORMAT``).

Redaction has two halves: patterns for secrets with a recognisable shape (Slack and Discord
tokens, a password in a URL), and the exact values of the configured secrets, registered at
start-up (``register_secrets``), for those with no shape: the Slack signing and client secrets,
the LLM API key, the database password.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urlsplit

from pydantic import SecretStr

from bot.settings import Settings, token_keys

# Slack tokens, Discord bot tokens (three dot-separated base64 parts), the coach's push
# tokens (bot.push.tokens), URL passwords, and the path of a Slack response_url or webhook
# (whoever holds it can post as the app).
SECRET = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|rcp_[A-Za-z0-9_-]{16,}"
    r"|[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}"
    r"|(?<=://)[^/\s:@]*:[^/\s@]+(?=@)"
    r"|(?<=hooks\.slack\.com/)[^\s\"']+"
)
REDACTED = "[redacted]"
# Shorter registered values are not replaced: they would redact ordinary words too.
MIN_SECRET = 6
# Their DEBUG output carries message bodies and interaction tokens.
QUIET = ("discord", "slack_sdk", "slack_bolt", "aiosqlite", "asyncio", "httpx", "httpcore")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

LogFormat = Literal["text", "json"]

_exact: list[str] = []  # registered secret values, longest first
_exact_pattern: re.Pattern[str] | None = None


def register_secrets(values: Iterable[str]) -> None:
    """Redact each of ``values`` (and its URL-encoded form) wherever it appears from now on.

    >>> register_secrets(["hunter2-signing"])
    >>> redact("secret=hunter2-signing")
    'secret=[redacted]'
    """
    global _exact_pattern
    found = set(_exact)
    for value in values:
        for form in (value, quote(value, safe="")):
            if len(form) >= MIN_SECRET:
                found.add(form)
    _exact[:] = sorted(found, key=len, reverse=True)
    _exact_pattern = re.compile("|".join(map(re.escape, _exact))) if _exact else None


def forget_secrets() -> None:
    """Drop every registered value (tests that register their own)."""
    global _exact_pattern
    _exact.clear()
    _exact_pattern = None


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in ``settings``: each ``SecretStr``, the database password, and the
    whole LLM URL (a key may ride in its path or query string), its query on its own too."""
    values = []
    if settings.llm_base_url:
        values += _url_parts(settings.llm_base_url)
    values += token_keys(settings.slack_token_keys)  # each key on its own, too
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr) and value.get_secret_value():
            values.append(value.get_secret_value())
    if settings.database_url is not None:
        try:
            password = urlsplit(settings.database_url.get_secret_value()).password
        except ValueError:  # not a URL we can read: the URL pattern still applies
            password = None
        if password:
            values.append(password)
    return values


def _url_parts(url: str) -> list[str]:
    """A URL whole, and the parts of it that may hold a key: its path and its query (a
    request to ``{url}/chat/completions`` contains them, not the whole)."""
    before_query, _, query = url.partition("?")
    path = before_query.split("://", 1)[-1].partition("/")[2].rstrip("/")
    return [p for p in (url, before_query.rstrip("/"), query, f"/{path}" if path else "") if p]


def redact(text: str) -> str:
    """``redact("token xoxb-1-2-abc") == "token [redacted]"``."""
    if _exact_pattern is not None:
        text = _exact_pattern.sub(REDACTED, text)
    return SECRET.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Renders a record's message and exception once, redacted, before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: still log (redacted) what there is
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def handler(fmt: LogFormat = "text") -> logging.Handler:
    """A stderr handler that redacts every record, in ``fmt``."""
    out = logging.StreamHandler()
    out.addFilter(RedactingFilter())
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return out


def configure(level: str, fmt: LogFormat = "text", secrets: Iterable[str] = ()) -> None:
    """Send every log record, redacted, to stderr in ``fmt``; ``secrets`` are redacted too."""
    register_secrets(secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler(fmt)]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))


def configure_from(settings: Settings) -> None:
    """``configure`` with the settings' level, format and secrets."""
    configure(settings.log_level, settings.log_format, secrets_of(settings))
