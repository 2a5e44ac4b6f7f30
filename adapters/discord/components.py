"""Buttons and select menus whose custom id holds everything needed to answer them.

They are discord.py ``DynamicItem``s: a press is matched by the custom id's template, with no
view kept in memory, so buttons keep working after the bot restarts. Custom ids (100
characters at most):

- ``rc:<action>:<value>[:<guild>]`` — a coach button (``ButtonPressed``); ``<guild>`` is set
  on buttons sent into a DM, which carries no guild of its own;
- ``rc-reopen:<token>`` — open a form again with the member's words (see ``pending``);
- ``rc-retry:<token>`` — send again what the coach could not take;
- ``rc-pick:<token>`` — a choice asked before a modal that has no room for it;
- ``rc-reply[:<guild>]`` — answer a DM question here, for members who refuse DMs.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import quote, unquote
from weakref import WeakKeyDictionary

import discord

from bot.events import Action, Button

CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
OPTIONS_LIMIT = 25  # options in one select menu


class ComponentHandler(Protocol):
    """What answers presses; the adapter's dispatcher."""

    async def on_button(
        self, interaction: discord.Interaction, action: str, value: str, guild: str | None
    ) -> None: ...

    async def on_reopen(self, interaction: discord.Interaction, token: str) -> None: ...

    async def on_retry(self, interaction: discord.Interaction, token: str) -> None: ...

    async def on_pick(self, interaction: discord.Interaction, token: str, value: str) -> None: ...

    async def on_reply_here(self, interaction: discord.Interaction, guild: str | None) -> None: ...


_handlers: WeakKeyDictionary[discord.Client, ComponentHandler] = WeakKeyDictionary()


def bind(client: discord.Client, handler: ComponentHandler) -> None:
    """Route presses on ``client`` to ``handler`` and register every kind of component."""
    _handlers[client] = handler
    client.add_dynamic_items(CoachButton, ReopenButton, RetryButton, PickSelect, ReplyHereButton)


def _handler(interaction: discord.Interaction) -> ComponentHandler:
    return _handlers[interaction.client]


def _checked(custom_id: str) -> str:
    if len(custom_id) > CUSTOM_ID_LIMIT:
        # Loud: a button that cannot be built must not be dropped silently.
        raise ValueError(f"custom id over {CUSTOM_ID_LIMIT} characters: {custom_id[:40]}…")
    return custom_id


def _guild_part(guild: str | None) -> str:
    return f":{guild}" if guild else ""


def inert_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view used only to lay out components. It is stopped at once, so discord.py keeps
    nothing in memory for it; presses reach the DynamicItems by their custom ids."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


class CoachButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rc:(?P<action>[a-z.]+):(?P<value>[^:]*)(?::(?P<guild>\d+))?",
):
    """A button of the coach: ``Button(label, action, value)`` from an intent."""

    def __init__(
        self,
        action: str,
        value: str = "",
        guild: str | None = None,
        label: str = "",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        *,
        check: bool = True,
    ) -> None:
        custom_id = f"rc:{action}:{quote(value, safe='')}{_guild_part(guild)}"
        custom_id = _checked(custom_id) if check else custom_id
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=(label or action)[:BUTTON_LABEL_LIMIT], style=style, custom_id=custom_id
        )
        super().__init__(button)
        self.action, self.value, self.guild = action, value, guild

    @classmethod
    def of(cls, button: Button, guild: str | None = None) -> CoachButton:
        """The Discord button for a core ``Button``; publishing is primary, deleting red."""
        primary = button.action in (Action.PUBLISH_CHECKIN, Action.FORGET_CONFIRM)
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        if button.action == Action.FORGET_CONFIRM:
            style = discord.ButtonStyle.danger
        return cls(button.action, button.value, guild, button.label, style)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CoachButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        # A pressed id is not built to be sent: a forged one, quoted again, may be longer.
        value = unquote(match["value"])
        return cls(match["action"], value, match["guild"], label or "", check=False)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_button(interaction, self.action, self.value, self.guild)


class ReopenButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rc-reopen:(?P<token>[\w-]+)"
):
    """Opens a kept form again, pre-filled (see ``pending``)."""

    def __init__(self, token: str, label: str = "") -> None:
        # The label is the coach's (prompts/); one rebuilt from a press is never shown.
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label[:BUTTON_LABEL_LIMIT] or None,
            style=discord.ButtonStyle.primary,
            custom_id=_checked(f"rc-reopen:{token}"),
        )
        super().__init__(button)
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReopenButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_reopen(interaction, self.token)


class RetryButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rc-retry:(?P<token>[\w-]+)"
):
    """Sends the coach again what it could not take (see ``pending``)."""

    def __init__(self, token: str, label: str = "") -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label[:BUTTON_LABEL_LIMIT] or None,
            style=discord.ButtonStyle.primary,
            custom_id=f"rc-retry:{token}",
        )
        super().__init__(button)
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RetryButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_retry(interaction, self.token)


class PickSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"rc-pick:(?P<token>[\w-]+)"
):
    """A choice the modal has no room for, asked first; choosing opens the modal."""

    def __init__(
        self, token: str, placeholder: str = "", options: list[discord.SelectOption] | None = None
    ) -> None:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"rc-pick:{token}",
            placeholder=placeholder[:150] or None,
            options=(options or [discord.SelectOption(label="-")])[:OPTIONS_LIMIT],
            min_values=1,
            max_values=1,
        )
        super().__init__(select)
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickSelect:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = self.item.values[0] if self.item.values else ""
        await _handler(interaction).on_pick(interaction, self.token, chosen)


class ReplyHereButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rc-reply(?::(?P<guild>\d+))?"
):
    """For members whose DMs are closed: answer the coach's DM question in a modal instead."""

    def __init__(self, guild: str | None = None, label: str = "") -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label[:BUTTON_LABEL_LIMIT] or None,
            style=discord.ButtonStyle.primary,
            custom_id=f"rc-reply{_guild_part(guild)}",
        )
        super().__init__(button)
        self.guild = guild

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReplyHereButton:
        return cls(match["guild"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_reply_here(interaction, self.guild)
