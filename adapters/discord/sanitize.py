"""Making member words safe to show on Discord, and fitting text into one message.

Two walls keep member words from pinging anyone: every message is sent with
``AllowedMentions.none()`` (the client's default), and ``escape`` below breaks the mention
syntax itself, so even a message sent without that default cannot ping. The only pings are the
core's deliberate ``Mention`` segments (tagging, when a team turned it on): they are written as
``<@id>`` and their users alone are allowed on that one message (see ``allowed``).
"""

from __future__ import annotations

import re

import discord

from adapters.discord.markdown import escape_markdown
from bot.events import Content, Mention, plain
from bot.text import cap

MESSAGE_LIMIT = 2000  # characters in one Discord message
MAX_PARTS = 3  # a longer text is cut (with a note) rather than flooding the channel
ZWSP = "\u200b"

# @everyone, @here, <@123>, <@!123>, <@&123> and <#123>.
_MENTION = re.compile(r"@(?=(?:everyone|here)\b)|<(?=(?:@[!&]?|#)\d+>)", re.IGNORECASE)


def escape(text: str) -> str:
    """Member words as inert Discord text: no mention, no markdown, no masked link.

    >>> escape("hi @everyone <@123>")
    'hi @\\u200beveryone <\\u200b@123>'
    """
    return _MENTION.sub(lambda m: m.group(0) + ZWSP, escape_markdown(text))


def _ping(user_id: str) -> str:
    return f"<@{user_id}>" if user_id.isdigit() else escape(f"@{user_id}")


def render(body: Content) -> str:
    """Coach strings as they are, member words escaped, deliberate mentions as ``<@id>``."""
    return plain(body, escape, _ping)


def allowed(body: Content) -> discord.AllowedMentions | None:
    """The pings ``body`` may make: its ``Mention`` users only; ``None`` (the client's default:
    no pings at all) when it has none."""
    users = [
        discord.Object(int(p.user_id))
        for p in body
        if isinstance(p, Mention) and p.user_id.isdigit()
    ]
    if not users:
        return None
    return discord.AllowedMentions(everyone=False, users=users, roles=False, replied_user=False)


def fit(text: str, limit: int = MESSAGE_LIMIT, parts: int = MAX_PARTS) -> list[str]:
    """``text`` as at most ``parts`` messages of at most ``limit`` characters each.

    It is split at line breaks where it can; what does not fit in ``parts`` messages is cut,
    and the last message says how much was cut.

    >>> [len(p) for p in fit("x" * 4500)]
    [2000, 2000, 500]
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit and len(chunks) < parts - 1:
        cut = rest.rfind("\n", limit // 2, limit + 1)
        cut = cut if cut > 0 else limit
        chunks.append(rest[:cut])
        rest = rest[cut:].removeprefix("\n")
    chunks.append(cap(rest, limit))
    return [c for c in chunks if c] or [""]
