"""Translate in: who acted, in which tenant, and where, from discord.py objects.

A guild is a tenant (``TenantRef("discord", guild_id)``); DMs belong to the guild a member uses
the coach in (see ``dm_routes``). Discord never tells a bot a member's time zone, so actors
carry none: the member sets it with ``/coach settings``.
"""

from __future__ import annotations

import discord

from bot.events import Actor, Place, TenantRef

PLATFORM = "discord"
DM_TENANT = TenantRef(PLATFORM, "dm")  # DMs from members the coach never met in a guild


def guild_tenant(guild_id: int | str) -> TenantRef:
    """``guild_tenant(81) == TenantRef("discord", "81")``."""
    return TenantRef(PLATFORM, str(guild_id))


def guild_of(tenant: TenantRef) -> str | None:
    """The guild id of a Discord tenant; ``None`` for the DM tenant."""
    return tenant.external_id if tenant.external_id.isdigit() else None


def display_name(user: discord.abc.User) -> str:
    """The name members see: server nickname, else global display name, else username."""
    return user.display_name


def actor(user: discord.abc.User, tenant: TenantRef, *, is_admin: bool = False) -> Actor:
    """The member ``user`` of ``tenant``; no time zone (Discord does not tell it)."""
    return Actor(tenant, str(user.id), display_name(user), None, is_admin)


def interaction_actor(interaction: discord.Interaction, tenant: TenantRef) -> Actor:
    """The member behind an interaction; an admin is who may manage the server."""
    admin = interaction.guild_id is not None and interaction.permissions.manage_guild
    return actor(interaction.user, tenant, is_admin=admin)


def place(interaction: discord.Interaction) -> Place:
    """A DM, a channel, or a thread of a channel (the core publishes to the channel)."""
    if interaction.guild_id is None:
        return Place.dm()
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return Place.channel(str(channel.parent_id), str(channel.id))
    return Place.channel(str(interaction.channel_id))


def message_link(message: discord.Message, guild_id: int | None) -> str:
    """Where ``message`` is, as Discord links it: ``https://discord.com/channels/<guild>/
    <channel>/<message>`` (``@me`` for a DM)."""
    guild = str(guild_id) if guild_id is not None else "@me"
    return f"https://discord.com/channels/{guild}/{message.channel.id}/{message.id}"
