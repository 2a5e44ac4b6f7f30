"""The console's Messenger: scheduled prompts, digests and nudges appear in the terminal,
labelled like everything else (``[DM to grace]``, ``[#team]``, ``[#team › thread]``)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from datetime import datetime

from adapters.console import render
from bot.events import Button, ChannelPost, Content, DirectMessage, TenantRef
from bot.ports import Recipient


class ConsoleMessenger:
    def __init__(self, me: Callable[[], str], offer: Callable[[tuple[Button, ...]], None]) -> None:
        self.me = me  # the member at the keyboard right now
        self.offer = offer  # makes a DM's buttons the ones a typed number presses
        self.sink: Callable[[str], None] = self._print
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
        return f"console-{next(self._ids)}"

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        return None  # a terminal keeps no record: what a crash cut short is shown again
