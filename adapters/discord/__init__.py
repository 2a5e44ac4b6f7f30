"""The Discord adapter: slash commands, modals, buttons and DMs, translated to and from the
core's events and intents. ``DiscordAdapter`` is what ``research-coach run`` starts."""

import warnings

with warnings.catch_warnings():
    # discord.py imports audioop for voice (unused here); Python 3.11 and 3.12 deprecate it.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401

from adapters.discord.app import DiscordAdapter, DiscordApp
from adapters.discord.messenger import DiscordMessenger, DmRefused

__all__ = ["DiscordAdapter", "DiscordApp", "DiscordMessenger", "DmRefused"]
