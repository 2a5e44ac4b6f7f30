"""``research-coach discord sync [--guild ID]``: register the slash commands with Discord.

This is the only place commands are synced; start-up never does it, because Discord limits
command creation per day. ``--guild`` registers them in one server at once (handy while trying
the bot); without it they are registered for every server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated

import discord
import typer
from pydantic import ValidationError

from adapters.discord import commands
from adapters.discord.client import endpoints, new_client
from bot.settings import Settings

app = typer.Typer(help="Discord: register the slash commands.", no_args_is_help=True)


@app.callback()
def discord_group() -> None:
    """Discord: register the slash commands."""
    # A callback keeps `sync` a subcommand even though it is the only one for now.


class NotServing:
    """Syncing only reads the commands' definitions; nothing is answered."""

    async def on_command(
        self,
        interaction: discord.Interaction,
        name: str,
        text: str,
        prefill: Mapping[str, str] | None = None,
    ) -> None:
        raise RuntimeError("commands are not answered while syncing")

    async def on_save(self, interaction: discord.Interaction, message: discord.Message) -> None:
        raise RuntimeError("commands are not answered while syncing")

    async def goal_choices(
        self, interaction: discord.Interaction, active_only: bool
    ) -> list[tuple[int, str]]:
        return []

    async def work_choices(self, interaction: discord.Interaction) -> list[tuple[int, str]]:
        return []


async def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Register the commands (in one guild, or globally); return their names as synced."""
    if settings.discord_token is None:
        raise ValueError("COACH_DISCORD_TOKEN is not set")
    client = new_client(settings)
    tree = commands.new_tree(client)
    commands.install(tree, NotServing())
    with endpoints(settings.discord_api_url, settings.discord_gateway_url):
        try:
            await client.login(settings.discord_token.get_secret_value())
            guild = discord.Object(guild_id) if guild_id is not None else None
            if guild is not None:
                tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
        finally:
            await client.close()
    return [command.name for command in synced]


@app.command()
def sync(
    guild: Annotated[
        int | None, typer.Option("--guild", help="Register in this server only (its id).")
    ] = None,
) -> None:
    """Register the slash commands with Discord (run after install and after upgrades)."""
    try:
        settings = Settings()
    except ValidationError as exc:  # hide_input_in_errors keeps secrets out of this
        typer.echo(f"Settings are not valid:\n{exc}", err=True)
        raise typer.Exit(2) from None
    if settings.discord_token is None:
        typer.echo("Set COACH_DISCORD_TOKEN to the bot's token first.", err=True)
        raise typer.Exit(2)
    try:
        names = asyncio.run(sync_commands(settings, guild))
    except discord.LoginFailure:
        typer.echo("Discord refused the token: check COACH_DISCORD_TOKEN.", err=True)
        raise typer.Exit(1) from None
    except discord.HTTPException as exc:
        typer.echo(f"Discord refused the sync: {exc.status} {exc.text}", err=True)
        raise typer.Exit(1) from None
    where = f"in server {guild}" if guild is not None else "for every server"
    # A slash command's name is one lowercase word; a message command's is a phrase.
    listed = " ".join(f"'{n}'" if " " in n else f"/{n}" for n in names)
    typer.echo(f"Synced {len(names)} commands {where}: {listed}")
    if guild is None:
        typer.echo("Discord may take a few minutes to show new commands everywhere.")
