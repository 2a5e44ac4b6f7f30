"""Making text safe to show in Slack: nothing a member wrote can ping or link anyone."""

from __future__ import annotations

import re

from bot.events import Content, Mention, plain

# Slack parses these words when a message is sent with link_names or parse=full; a zero-width
# space after the "@" keeps the word readable and inert whatever the sender's flags.
_MASS_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Escape Slack's control characters and defuse mass mentions.

    ``<!channel>``, ``<@U123>``, ``<!subteam^S1>`` and ``<#C1>`` arrive from members already in
    Slack markup; escaped, they show as text and notify nobody.

    >>> escape("hi <!here> & <@U1> @channel")
    'hi &lt;!here&gt; &amp; &lt;@U1&gt; @\\u200bchannel'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MASS_MENTION.sub("@\u200b\\1", text)


def mrkdwn(body: Content) -> str:
    """Message content as Slack text. The coach's own text is plain too, so all of it is
    escaped: a usage line like ``/log <text>`` must not turn into markup either. Only a
    deliberate ``Mention`` becomes a real ping."""
    return "".join(
        f"<@{p.user_id}>" if isinstance(p, Mention) else escape(plain((p,))) for p in body
    )
