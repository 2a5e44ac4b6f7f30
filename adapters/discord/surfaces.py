"""Where the answer to one event is shown: an interaction's replies, or the member's DM.

An interaction's first response must come within 3 s: a message or a modal, or a deferral
("thinking…") that later follow-ups replace. In a server the replies are ephemeral (only the
member sees them); in the bot's DM they are ordinary messages, so the conversation stays
readable. A DM message gets its answers as DMs.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord

from adapters.discord.messenger import DiscordMessenger
from adapters.discord.sanitize import fit
from bot.events import TenantRef


class Surface(Protocol):
    """Somewhere to show text, components, files and (on a fresh interaction) a modal."""

    said: bool  # whether a message was shown (not only a modal)
    in_dm: bool  # whether ``send`` lands in the member's own DM with the coach

    @property
    def can_open_modal(self) -> bool:
        """Whether a modal can still be the answer (only as an interaction's first response)."""
        ...

    async def send(
        self,
        text: str,
        view: discord.ui.View | None = None,
        files: list[discord.File] | None = None,
    ) -> None:
        """Show ``text`` (split past 2000 characters), components and files on the last part."""
        ...

    async def open_modal(self, modal: discord.ui.Modal) -> None:
        """Answer with ``modal``; only when ``can_open_modal``."""
        ...

    async def make_room(self) -> None:
        """Acknowledge now: what follows may take longer than the first response may."""
        ...

    async def finish(self) -> None:
        """Called once everything was shown."""
        ...


class InteractionSurface:
    """The answers to one interaction: response first, follow-ups after."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.in_dm = interaction.guild_id is None
        self.said = False
        self._thinking = False

    @property
    def can_open_modal(self) -> bool:
        return not self.interaction.response.is_done()

    async def send(
        self,
        text: str,
        view: discord.ui.View | None = None,
        files: list[discord.File] | None = None,
    ) -> None:
        parts = fit(text)
        for number, part in enumerate(parts, start=1):
            extra: dict[str, Any] = {"ephemeral": not self.in_dm}
            if number == len(parts):
                if view is not None:
                    extra["view"] = view
                if files:
                    extra["files"] = files
            if self.interaction.response.is_done():
                await self.interaction.followup.send(part, **extra)
            else:
                await self.interaction.response.send_message(part, **extra)
            self.said = True

    async def open_modal(self, modal: discord.ui.Modal) -> None:
        await self.interaction.response.send_modal(modal)

    async def make_room(self) -> None:
        if self.interaction.response.is_done():
            return
        await self.interaction.response.defer(ephemeral=not self.in_dm, thinking=True)
        self._thinking = True

    async def finish(self) -> None:
        if not self.interaction.response.is_done():
            # Nothing to show: still acknowledge, or Discord says the interaction failed.
            if self.interaction.type is discord.InteractionType.component:
                await self.interaction.response.defer()  # silently
                return
            await self.make_room()
        # A "thinking…" placeholder nothing replaced would stay forever.
        if self._thinking and not self.said:
            await self.interaction.delete_original_response()


class DmSurface:
    """Answers to a DM message: DMs (paced, through the messenger)."""

    can_open_modal = False
    in_dm = True

    def __init__(self, messenger: DiscordMessenger, tenant: TenantRef, user_id: str) -> None:
        self._messenger = messenger
        self._tenant = tenant
        self._user_id = user_id
        self.said = False

    async def send(
        self,
        text: str,
        view: discord.ui.View | None = None,
        files: list[discord.File] | None = None,
    ) -> None:
        await self._messenger.send_dm_text(self._tenant, self._user_id, text, view, files)
        self.said = True

    async def open_modal(self, modal: discord.ui.Modal) -> None:
        raise RuntimeError("a DM message cannot open a modal")  # callers check can_open_modal

    async def make_room(self) -> None:
        return None

    async def finish(self) -> None:
        return None
