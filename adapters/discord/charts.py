"""Charts on Discord: a PNG attached to the message its words are in (``discord.File``:
multipart/form-data, the file in ``files[n]``, its alt text the attachment's ``description``).

The message goes where the words go, so a private reply's chart stays private (ephemeral in a
server, or in the member's DM), and the team's chart goes to the team channel. When Discord
refuses the file (over the upload limit: 413, code 40005; a body it cannot read: 400) the
words are sent alone and the refusal logged: a chart never takes its words with it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord

from adapters.discord.sanitize import fit
from bot.events import Chart
from bot.text import cap

log = logging.getLogger(__name__)

ALT_LIMIT = 1024  # an attachment's description (message.mdx)
FILES_PER_MESSAGE = 10
# Statuses meaning "not these files": the same words without them are taken.
REFUSED_FILES = {400, 413}

Send = Callable[[str, discord.ui.View | None, list[discord.File] | None], Awaitable[None]]


def attachment(chart: Chart) -> discord.File:
    """``chart`` as a file to attach, its alt text as the attachment's description.

    Example: ``await channel.send("", files=[attachment(chart)])``
    """
    described = cap(chart.alt, ALT_LIMIT) or None
    return discord.File(io.BytesIO(chart.png), filename=chart.filename, description=described)


async def send_with_charts(
    send: Send, text: str, view: discord.ui.View | None, charts: Sequence[Chart]
) -> None:
    """``text`` (and ``view``) through ``send`` with ``charts`` attached to its message. Words
    that take more than one message go first, the charts after them in one of their own."""
    if not charts:
        await send(text, view, None)
        return
    if len(fit(text)) > 1:
        await send(text, view, None)
        text, view = "", None
    try:
        await send(text, view, [attachment(c) for c in charts[:FILES_PER_MESSAGE]])
    except discord.HTTPException as exc:
        if exc.status not in REFUSED_FILES:
            raise
        log.warning("Discord refused a chart (%s, code %s)", exc.status, exc.code)
        if text or view is not None:
            await send(text, view, None)
