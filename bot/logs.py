"""Logging set-up: our level for our loggers, chatty libraries kept quiet, secrets redacted."""

from __future__ import annotations

import logging
import re

# Slack tokens, Discord bot tokens (three dot-separated base64 parts) and URL passwords.
SECRET = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}"
    r"|(?<=://)[^/\s:@]*:[^/\s@]+(?=@)"
)
# Their DEBUG output carries message bodies and interaction tokens.
QUIET = ("discord", "slack_sdk", "slack_bolt", "aiosqlite", "asyncio", "httpx", "httpcore")


def redact(text: str) -> str:
    """``redact("token xoxb-1-2-abc") == "token [redacted]"``."""
    return SECRET.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
