"""The console's Messenger: scheduled prompts, digests and nudges appear in the terminal,
labelled like everything else (``[DM to grace]``, ``[#team]``, ``[#team › thread]``). A chart
(the digest's team chart) is saved as a private PNG file, and its path shown."""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from adapters.console import render
from bot.events import (
    Button,
    ChannelPost,
    Chart,
    Content,
    DirectMessage,
    TenantRef,
    UserText,
    plain,
)
from bot.ports import Recipient
from bot.private import write_private

# What may stand in a chart's file name: a member's or channel's name, the core's file name.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def keep_chart(folder: Path, owner: str, chart: Chart) -> Path:
    """Save ``chart`` as ``<folder>/<owner>-<its file name>``, readable by this user only (a
    member's chart is as private as their numbers); return where."""
    name = _UNSAFE.sub("_", f"{owner}-{Path(chart.filename).name}")
    return write_private(folder / name, chart.png)


def charts_of(folder: Path, user_id: str) -> list[Path]:
    """The charts of ``user_id`` saved in ``folder`` (none of another member's, even one whose
    name starts the same way: theirs are ``<user>-goal-<n>.png``)."""
    name = re.compile(rf"{re.escape(_UNSAFE.sub('_', user_id))}-goal-\d+\.png")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if name.fullmatch(p.name))


class ConsoleMessenger:
    def __init__(
        self,
        me: Callable[[], str],
        offer: Callable[[tuple[Button, ...]], None],
        charts: Path = Path("charts"),
    ) -> None:
        self.me = me  # the member at the keyboard right now
        self.offer = offer  # makes a DM's buttons the ones a typed number presses
        self.charts = charts  # the folder chart pictures are saved in
        self.sink: Callable[[str], None] = self._print
        # Told each channel message shown (channel, its words), for /save to find it again.
        self.heard: Callable[[str, str], None] = lambda channel, text: None
        self._ids = itertools.count(1)

    @staticmethod
    def _print(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        text = render.message(DirectMessage(user_id, body, buttons), self.me(), {})
        assert text is not None
        if buttons and user_id == self.me():
            text += "\n" + render.buttons(buttons)
            self.offer(buttons)
        self.sink(text)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        text = render.message(ChannelPost(channel_id, body, thread_id), self.me(), {})
        assert text is not None
        self.sink(text)
        self.heard(channel_id, plain(body, render.safe))
        return f"console-{next(self._ids)}"

    async def post_chart(
        self, tenant: TenantRef, channel_id: str, chart: Chart, thread_id: str | None = None
    ) -> str:
        path = keep_chart(self.charts, f"channel-{channel_id}", chart)
        label = render.channel_label(channel_id, thread_id, {})
        self.sink(render.block(label, (UserText(chart.alt),)) + "\n" + render.chart_note(str(path)))
        self.heard(channel_id, render.safe(chart.alt))
        return f"console-{next(self._ids)}"

    async def send_dm_chart(self, tenant: TenantRef, user_id: str, chart: Chart) -> None:
        path = keep_chart(self.charts, user_id, chart)
        label = render.dm_label(user_id, self.me())
        self.sink(render.block(label, (UserText(chart.alt),)) + "\n" + render.chart_note(str(path)))

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        return None  # a terminal keeps no record: what a crash cut short is shown again
